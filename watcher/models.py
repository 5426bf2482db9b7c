"""The values that flow through the pipeline: frozen, slotted dataclasses, no behaviour beyond
small derived properties. Pydantic stays at the config boundary; these stay inside."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Modality = Literal["stated", "negated", "hedged", "conditional", "historical"]
FactField = Literal["relationship", "stage", "milestone"]
ChangeKind = Literal[
    "partner_added",
    "partner_removed",
    "product_added",
    "product_removed",
    "status_changed",
    "milestone_reached",
]
ParagraphStatus = Literal["unchanged", "revised", "new"]

RELATIONSHIP_STATUSES: tuple[str, ...] = (
    "in_discussion", "collaborating", "licensed", "option_granted", "option_exercised",
    "extended", "expanded", "renegotiating", "not_advancing", "terminated",
    "rights_returned", "acquired",
)
STAGE_STATUSES: tuple[str, ...] = (
    "research", "preclinical", "ind_filed", "phase_1", "phase_1_2", "phase_2", "phase_3",
    "filed", "approved", "marketed", "delayed", "on_hold", "discontinued",
)
SECTIONS: tuple[str, ...] = (
    "body", "quotes", "about", "forward_looking", "contacts", "tables",
)


def accession_folder(accession: str) -> str:
    """``0000912057-02-027053`` -> ``000091205702027053`` (the Archives folder name)."""
    return accession.replace("-", "")


@dataclass(frozen=True, slots=True)
class Company:
    cik: int
    name: str = ""
    tickers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Filing:
    """One EDGAR submission as a source saw it; new when its accession was never seen."""

    accession: str
    cik: int
    form: str
    filed: date | None = None
    company_name: str = ""
    items: tuple[str, ...] = ()
    accepted: datetime | None = None
    index_url: str = ""
    source: str = ""
    report_date: date | None = None  # the period of report (date of the event)
    amends: str | None = None  # for an amendment (8-K/A): the accession of the original


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A document listed in a filing's index (no content yet)."""

    doc_type: str
    url: str
    filename: str
    sequence: int = 0
    description: str = ""
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Exhibit:
    """A press-release document as fetched: raw bytes, kept forever (Archives never change)."""

    accession: str
    doc_type: str
    filename: str
    url: str
    content: bytes
    sequence: int = 0
    description: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A reflowed paragraph; ``kind`` says whether it was prose, a list item or a table row
    (whose cells ``text`` joins with " | "); ``heading`` is the heading it sits under
    ("About ImmunoGen, Inc.", "Forward-Looking Statements", "" before any heading)."""

    text: str
    section: str = "body"
    kind: Literal["text", "list_item", "table_row"] = "text"
    sentences: tuple[str, ...] = ()
    heading: str = ""


def canonical_text_of(headline: str, subheadlines: tuple[str, ...], dateline: str,
                      paragraphs: tuple[Paragraph, ...] | list[Paragraph]) -> str:
    """The release as plain text, one paragraph a line, blank lines between: headline,
    sub-headlines, dateline, then the paragraphs with each heading before its first one
    and list items marked "- " (contacts printed above the headline stay above it).
    Normalizing this text again gives the same release hash."""
    # Contact blocks printed above the headline (a letterhead, a contact box) come first, as
    # they did in the exhibit: leading contacts paragraphs that sit under no heading.
    lead = 0
    while lead < len(paragraphs) and paragraphs[lead].section == "contacts" \
            and not paragraphs[lead].heading:
        lead += 1
    parts = [p.text for p in paragraphs[:lead]]
    parts += [part for part in (headline, *subheadlines, dateline) if part]
    heading = ""
    for paragraph in paragraphs[lead:]:
        if paragraph.heading and paragraph.heading != heading:
            parts.append(paragraph.heading)
        heading = paragraph.heading
        parts.append("- " + paragraph.text if paragraph.kind == "list_item" else paragraph.text)
    return "\n\n".join(parts)


@dataclass(frozen=True, slots=True)
class Release:
    """The canonical form of one press release, independent of how it was marked up."""

    headline: str
    paragraphs: tuple[Paragraph, ...]
    content_hash: str
    subheadlines: tuple[str, ...] = ()
    dateline_place: str | None = None
    dateline_date: date | None = None
    dateline: str = ""  # as printed: "LA JOLLA, Calif.--(BUSINESS WIRE)--April 14, 1997"

    @property
    def canonical_text(self) -> str:
        return canonical_text_of(self.headline, self.subheadlines, self.dateline,
                                 self.paragraphs)

    def in_section(self, *sections: str) -> Iterator[Paragraph]:
        return (p for p in self.paragraphs if p.section in sections)


@dataclass(frozen=True, slots=True)
class StoredRelease:
    """A release as the store keeps it, with where it came from."""

    release_id: int
    cik: int
    accession: str
    doc_type: str
    filed: date | None
    release: Release


@dataclass(frozen=True, slots=True)
class ParagraphMatch:
    """One paragraph of the new release and its closest earlier version, if any."""

    status: ParagraphStatus
    section: str
    text: str
    similarity: float = 0.0
    previous_text: str | None = None
    previous_accession: str | None = None
    diff: str = ""
    removed: tuple[str, ...] = ()  # revised: phrases of the earlier version that are gone
    added: tuple[str, ...] = ()    # revised: phrases that are new (noise and moves left out)


@dataclass(frozen=True, slots=True)
class DroppedParagraph:
    section: str
    text: str
    accession: str


@dataclass(frozen=True, slots=True)
class ComparedRelease:
    """An earlier release this one repeats or revises: ``similarity`` is the share of this
    release's compared words it accounts for, ``paragraphs`` how many paragraphs matched it."""

    accession: str
    filed: date | None
    similarity: float
    paragraphs: int = 0


@dataclass(frozen=True, slots=True)
class Comparison:
    """A release against the company's history, paragraph by paragraph."""

    compared_with: tuple[ComparedRelease, ...]
    paragraphs: tuple[ParagraphMatch, ...]
    dropped: tuple[DroppedParagraph, ...] = ()
    unified: str = ""

    @property
    def revised(self) -> tuple[ParagraphMatch, ...]:
        return tuple(p for p in self.paragraphs if p.status == "revised")

    @property
    def added(self) -> tuple[ParagraphMatch, ...]:
        return tuple(p for p in self.paragraphs if p.status == "new")

    def removed_text(self, section: str | None = None) -> tuple[str, ...]:
        """What disappeared (in ``section``): removed phrases of revised paragraphs, then
        dropped paragraphs."""
        return (*(t for p in self.revised if section in (None, p.section) for t in p.removed),
                *(d.text for d in self.dropped if section in (None, d.section)))

    def added_text(self, section: str | None = None) -> tuple[str, ...]:
        """What appeared (in ``section``): added phrases of revised paragraphs, then new
        paragraphs."""
        return (*(t for p in self.revised if section in (None, p.section) for t in p.added),
                *(p.text for p in self.added if section in (None, p.section)))


@dataclass(frozen=True, slots=True)
class Fact:
    """One partner-status statement found in a release, with the rule that found it."""

    partner: str | None
    product: str | None
    field: FactField
    status: str
    modality: Modality
    evidence: str
    rule: str
    section: str = "body"
    confidence: float = 0.8
    detail: str = ""  # e.g. the amount of a milestone payment, "5000000"


@dataclass(frozen=True, slots=True)
class PreviousMention:
    """Where the old status came from: the release that set it and its sentence."""

    accession: str
    filed: date | None
    evidence: str


@dataclass(frozen=True, slots=True)
class Change:
    """A change of a partner's state that an analyst wants to hear about."""

    kind: ChangeKind
    partner: str | None
    product: str | None
    evidence: str
    rule: str
    field: FactField | None = None
    from_status: str | None = None
    to_status: str | None = None
    modality: Modality = "stated"
    confidence: float = 0.8
    previous: PreviousMention | None = None


@dataclass(frozen=True, slots=True)
class WatchItem:
    """A conditional or hedged statement worth watching; it never moves the ledger."""

    partner: str | None
    product: str | None
    field: FactField
    to_status: str
    modality: Modality
    evidence: str
    rule: str


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One step in the life of a (partner, product) pair: a change, or a status learned from
    a restatement (``kind`` ``"seeded"``) that set what was already true."""

    accession: str
    filed: date | None
    kind: str
    field: FactField | None
    status: str | None
    evidence: str
    rule: str = ""


@dataclass(frozen=True, slots=True)
class AliasLink:
    """Another name of a partner (a rename, a merger, an acquirer that took over the deal) or
    of a product (code name -> generic name -> brand), learned from text or configured."""

    kind: Literal["partner", "product"]
    alias: str
    canonical: str
    evidence: str = ""
    rule: str = ""
    accession: str = ""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The state of one (partner, product) pair of one company; product ``""`` = platform.

    ``in_about`` says whether the latest release that carried an About list of partners
    listed this pair (the next release's list is diffed against it); ``active`` turns False
    when the pair left that list unannounced; ``milestones`` are the payments already
    reported (so a payment restated as revenue is not a new milestone)."""

    partner: str
    product: str
    relationship: str | None = None
    stage: str | None = None
    first_accession: str = ""
    first_filed: date | None = None
    last_accession: str = ""
    last_filed: date | None = None
    relationship_source: PreviousMention | None = None
    stage_source: PreviousMention | None = None
    active: bool = True
    in_about: bool = False
    milestones: tuple[str, ...] = ()
    history: tuple[TimelineItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert per (filing, document); ``payload`` is the ``watcher.alert.v1`` body and
    ``body`` its exact bytes, identical on every delivery attempt."""

    id: str
    accession: str
    doc_type: str
    cik: int
    severity: str
    title: str
    created_at: datetime
    payload: dict[str, Any] = field(hash=False, compare=False)
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One row of the outbox: an alert on its way to one notifier."""

    alert: Alert
    notifier: str
    attempts: int
    state: Literal["pending", "delivered", "dead"]
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    queued_at: datetime | None = None  # the retry budget's age counts from here
    lease_until: datetime | None = None  # this instance's claim on the row ends then
