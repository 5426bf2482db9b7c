"""A sample alert of a fictional company, for ``watcher notify-test`` and template previews."""

from __future__ import annotations

from datetime import date, datetime

from watcher.alerts import build_alert
from watcher.models import (
    Alert,
    Change,
    Company,
    ComparedRelease,
    Comparison,
    Exhibit,
    Filing,
    Paragraph,
    ParagraphMatch,
    PreviousMention,
    Release,
    WatchItem,
)

_EVIDENCE = ("Example Partner Pharma AG has elected not to advance EXM-101 into Phase II "
             "under the present terms of the license agreement.")


def sample_alert(now: datetime) -> Alert:
    company = Company(9900000, "Example Therapeutics, Inc.", ("EXTX",))
    filing = Filing(accession="0009900000-00-000001", cik=company.cik, form="8-K",
                    filed=date(2000, 1, 3), company_name=company.name, items=("8.01",),
                    index_url="https://www.sec.gov/Archives/edgar/data/9900000/"
                              "000990000000000001/0009900000-00-000001-index.htm")
    exhibit = Exhibit(accession=filing.accession, doc_type="EX-99.1", filename="ex99-1.htm",
                      url=filing.index_url.replace("-index.htm", ".txt"),
                      content=_EVIDENCE.encode())
    release = Release(headline="TEST ALERT from watcher notify-test (fictional company)",
                      paragraphs=(Paragraph(_EVIDENCE),), content_hash="0" * 64)
    change = Change(kind="status_changed", partner="Example Partner Pharma",
                    product="EXM-101", field="relationship", from_status="licensed",
                    to_status="not_advancing", evidence=_EVIDENCE,
                    rule="relationship.not_advancing.elected_not_to", confidence=0.9,
                    previous=PreviousMention("0009900000-99-000007", date(1999, 4, 12),
                                             "Example Therapeutics licensed EXM-101 to "
                                             "Example Partner Pharma AG."))
    watch = WatchItem(partner="Example Partner Pharma", product="EXM-101",
                      field="relationship", to_status="rights_returned",
                      modality="conditional", evidence="Rights would be returned if ...",
                      rule="relationship.rights_returned.revert")
    about_before = ("Example Therapeutics develops antibody-drug conjugates. Its partners "
                    "include Example Partner Pharma AG (EXM-101) & Other Bio <Ltd.>.")
    about_after = ("Example Therapeutics develops antibody-drug conjugates. Its partners "
                   "include Other Bio <Ltd.>.")
    comparison = Comparison(
        compared_with=(ComparedRelease("0009900000-99-000007", date(1999, 4, 12), 0.62),),
        paragraphs=(ParagraphMatch("revised", "about", about_after, 0.81, about_before,
                                   "0009900000-99-000007"),))
    return build_alert(company=company, filing=filing, exhibit=exhibit, release=release,
                       comparison=comparison,
                       changes=[change], watch=[watch], created_at=now)
