"""normalize_exhibit on exhibits written for the project (full-text goldens), on every
encoding trick, on what is not a press release, and at its limits.

Goldens live beside the fixtures in tests/data/normalize/*.golden.json; after a deliberate
change, rewrite them with ``WATCHER_UPDATE_GOLDEN=1 pytest tests/test_normalize.py`` and
read the diff.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from watcher.errors import NormalizeError, UnsupportedDocumentError
from watcher.models import Paragraph, Release
from watcher.normalize import content_hash, decode, normalize_exhibit, normalize_text
from watcher.store.codec import release_from_json, release_to_json

DATA = Path(__file__).parent / "data" / "normalize"
FIXTURES = sorted(p.name for p in DATA.iterdir() if p.suffix in (".txt", ".htm")
                  and not p.name.startswith("wyndcastle-00"))
SUBMISSION = DATA / "wyndcastle-0009912345-98-000017.txt"


def as_golden(release: Release) -> dict[str, Any]:
    return {
        "headline": release.headline,
        "subheadlines": list(release.subheadlines),
        "dateline": release.dateline,
        "dateline_place": release.dateline_place,
        "dateline_date": release.dateline_date.isoformat() if release.dateline_date else None,
        "content_hash": release.content_hash,
        "paragraphs": [{"section": p.section, "kind": p.kind, "heading": p.heading,
                        "text": p.text, "sentences": list(p.sentences)}
                       for p in release.paragraphs],
    }


@pytest.mark.parametrize("name", FIXTURES)
def test_a_fixture_normalizes_to_its_golden_release(name: str) -> None:
    release = normalize_exhibit((DATA / name).read_bytes())
    golden_path = DATA / f"{name}.golden.json"
    produced = as_golden(release)
    if os.environ.get("WATCHER_UPDATE_GOLDEN"):
        golden_path.write_text(json.dumps(produced, indent=1, ensure_ascii=False) + "\n")
    assert produced == json.loads(golden_path.read_text())


def test_the_1998_text_exhibit_is_reflowed_across_pages() -> None:
    release = normalize_exhibit((DATA / "wyndcastle-1998-10-06-ex99.txt").read_bytes())
    assert release.headline == ("WYNDCASTLE BIOLOGICS AND CORVANE PHARMACEUTICALS SIGN LICENSE "
                                "AGREEMENT FOR ANTIBODY WB-417")
    assert release.subheadlines == (
        "Corvane to Pay $8 Million Up Front; Wyndcastle Keeps U.S. Co-Promotion Rights",)
    assert (release.dateline_place, release.dateline_date) == ("BOSTON, Mass.", date(1998, 10, 6))
    texts = [p.text for p in release.paragraphs]
    assert not any("Wyndcastle Biologics - October 6, 1998" in t for t in texts)  # running head
    assert not any(t in ("1", "2") for t in texts)  # page numbers
    joined = next(p for p in release.paragraphs if "8:30 a.m." in p.text)
    assert joined.text.endswith("retains co-promotion rights in the United States.")
    assert "investigational new drug application" in joined.text  # "investiga-" / "tional"
    assert "develop the antibody" in texts[0]  # "de-" / "velop"
    assert joined.sentences[1:] == ("WB-417 was licensed to Corvane Pharmaceuticals, Inc.",
                                    "Wyndcastle is based in Boston and retains co-promotion "
                                    "rights in the United States.")
    items = [p for p in release.paragraphs if p.kind == "list_item"]
    assert [p.text for p in items][1] == ("pay milestones of up to $42 million, including a "
                                          "payment when Phase II begins; and")
    rows = [p.text for p in release.paragraphs if p.kind == "table_row"]
    assert "Net loss per share, basic and diluted | $(0.41) | $(0.37)" in rows
    assert [p.section for p in release.paragraphs if p.heading.startswith("ABOUT")] == ["about"]


def test_the_2003_html_exhibit_reads_through_its_layout_tables() -> None:
    release = normalize_exhibit((DATA / "wyndcastle-2003-05-12-ex99.htm").read_bytes())
    assert release.headline == ("Wyndcastle Biologics Regains Rights to WB-417 After Corvane "
                                "Pharmaceuticals Ends License")
    assert release.dateline_date == date(2003, 5, 12)
    sections = [(p.section, p.kind) for p in release.paragraphs]
    assert sections[0] == ("contacts", "table_row")  # the contact box above the headline
    assert ("body", "list_item") in sections and ("tables", "table_row") in sections
    quote = next(p for p in release.paragraphs if p.section == "quotes")
    assert quote.text.startswith('"Corvane completed Phase I and gave us a clean safety profile,"')
    assert "Wyndcastle's cash position is unaffected." in release.paragraphs[1].sentences


def test_the_2021_html_exhibit_drops_hidden_text_and_page_furniture() -> None:
    release = normalize_exhibit((DATA / "wyndcastle-2021-03-02-ex99.htm").read_bytes())
    text = release.canonical_text
    assert "hidden footer" not in text and "EntityRegistrantName" not in text
    assert "Phase 2 Results\n" not in text  # the running head of pages 2 and 3
    assert "company's Form 8-K" in text  # mojibake repaired
    assert release.subheadlines == ("Halvard to pay $20 million upfront",)  # no footnote mark
    rows = [p.text for p in release.paragraphs if p.kind == "table_row"]
    assert "Net loss | $(41,250) | $(38,900)" in rows
    about = [p.heading for p in release.paragraphs if p.section == "about"]
    assert about == ["About Wyndcastle Biologics", "About Halvard Pharma"]
    assert release.paragraphs[0].sentences[-1] == "Halvard is based in Osaka."


def test_a_full_submission_gives_the_release_of_its_ex_99_document() -> None:
    from_submission = normalize_exhibit(SUBMISSION.read_bytes())
    alone = normalize_exhibit((DATA / "wyndcastle-1998-10-06-ex99.txt").read_bytes())
    assert from_submission == alone


def test_a_lone_document_wrapper_is_unwrapped() -> None:
    content = (b"<DOCUMENT>\n<TYPE>EX-99.1\n<SEQUENCE>2\n<TEXT>\n<html><body>"
               b"<p><b>Acme Signs Deal With Northwind Pharma</b></p>"
               b"<p>BOSTON, May 1, 2020 -- Acme, Inc. signed a deal.</p></body></html>\n"
               b"</TEXT>\n</DOCUMENT>\n")
    release = normalize_exhibit(content)
    assert release.headline == "Acme Signs Deal With Northwind Pharma"
    assert release.paragraphs[0].text == "Acme, Inc. signed a deal."


def test_a_submission_without_a_press_release_uses_its_only_document() -> None:
    content = (b"<SEC-DOCUMENT>x\n<DOCUMENT>\n<TYPE>EX-10.1\n<TEXT>\nACME AGREEMENT TERMS "
               b"FOR NORTHWIND\n\nThe parties agree to the terms set out below in full.\n"
               b"</TEXT>\n</DOCUMENT>\n")
    assert normalize_exhibit(content).headline == "ACME AGREEMENT TERMS FOR NORTHWIND"


@pytest.mark.parametrize(("content", "what"), [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
    (b"GIF89a\x01\x00\x01\x00", "GIF"),
    (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "OLE"),
    (b"begin 644 release.pdf\nM)5!$1BTQ+C0*)>+CS]/\n`\nend\n", "uuencoded"),
    (b"<PDF>\nbegin 644 x.pdf\n", "PDF"),
])
def test_pdfs_images_and_binaries_are_unsupported(content: bytes, what: str) -> None:
    with pytest.raises(UnsupportedDocumentError, match=what):
        normalize_exhibit(content)


def test_binary_junk_is_a_normalize_error() -> None:
    with pytest.raises(UnsupportedDocumentError, match="binary"):
        normalize_exhibit(bytes(range(256)) * 40)


@pytest.mark.parametrize("content", [b"", b"   \n\n\t ", b"<html><body></body></html>",
                                     b"<PAGE>\n\n   - 2 -\n\n<PAGE>\n", b"# # #"])
def test_a_document_without_text_is_a_normalize_error(content: bytes) -> None:
    with pytest.raises(NormalizeError, match="no text"):
        normalize_exhibit(content)


def test_a_document_beyond_the_size_limit_is_refused_before_reading_it() -> None:
    with pytest.raises(NormalizeError, match="exceeds the limit of 1000 bytes"):
        normalize_exhibit(b"x" * 1001, max_bytes=1000)
    assert normalize_exhibit(b"Acme Signs A Deal Today\n\nIt did.", max_bytes=1000).headline


def test_html_nested_beyond_the_depth_limit_is_refused() -> None:
    deep = b"<html><body>" + b"<div>" * 120 + b"Acme text." + b"</div>" * 120 + b"</body></html>"
    with pytest.raises(NormalizeError, match="nested deeper than 100 levels"):
        normalize_exhibit(deep, max_depth=100)
    assert normalize_exhibit(deep, max_depth=200).headline == "Acme text."


@pytest.mark.parametrize(("content", "expected"), [
    (b"\xef\xbb\xbfCaf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d", "Caf\u00e9 \"quoted\""),
    ("\ufeffCaf\u00e9 done".encode("utf-16-le"), "Caf\u00e9 done"),
    (b"Caf\xe9 \x93quoted\x94", "Caf\u00e9 \"quoted\""),  # cp1252 fallback
    ("Caf\u00e9 \u201cquoted\u201d".encode(), "Caf\u00e9 \"quoted\""),  # valid UTF-8
])
def test_encodings_are_detected(content: bytes, expected: str) -> None:
    assert normalize_exhibit(content).headline == expected


def test_a_declared_charset_is_honoured() -> None:
    words = "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440 \u0432\u0441\u0435\u043c"
    html = f'<html><head><meta charset="koi8-r"></head><body><p>{words}</p></body></html>'
    assert normalize_exhibit(html.encode("koi8-r")).headline == words


def test_utf8_declared_as_latin1_is_read_as_utf8() -> None:
    words = "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale signs"
    html = f'<html><head><meta charset="iso-8859-1"></head><body><p>{words}</p></body></html>'
    assert normalize_exhibit(html.encode()).headline == words


def test_decode_reads_cp1252_and_keeps_undefined_bytes() -> None:
    assert decode(b"\x93A\x94 \x81") == "\u201cA\u201d \x81"


def test_entities_nbsp_quotes_and_dashes_are_unified() -> None:
    html = (b"<html><body><p><b>Acme&#8217;s &ldquo;Big&rdquo; Deal&nbsp;&mdash; Now</b></p>"
            b"<p>NEW YORK, Jan.&nbsp;5, 2021 &#8212; Acme &amp;amp; Co. said &#8220;yes&#8221;."
            b"</p></body></html>")
    release = normalize_exhibit(html)
    assert release.headline == "Acme's \"Big\" Deal - Now"
    assert release.paragraphs[0].text == 'Acme & Co. said "yes".'


def test_the_hash_ignores_markup_whitespace_and_quote_style() -> None:
    text = normalize_exhibit(b"ACME SIGNS A DEAL\n\nBOSTON, May 1, 2020 - Acme said \"it's\n"
                             b"done\" today.\n\nAbout Acme\n\nAcme makes drugs.\n")
    html = normalize_exhibit(b"<html><body><p><b>ACME SIGNS A DEAL</b></p><p>BOSTON, May 1, "
                             b"2020 &#8212; Acme said &#8220;it&#8217;s done&#8221; today.</p>"
                             b"<p><b>About Acme</b></p><p>Acme    makes <i>drugs</i>.</p>"
                             b"</body></html>")
    assert text.content_hash == html.content_hash
    other = normalize_text("ACME SIGNS A DEAL\n\nAcme makes pills.")
    assert text.content_hash != other.content_hash
    assert content_hash("A  b\n\"c\"") == content_hash("a b 'c'")


def test_releases_round_trip_through_the_store_codec() -> None:
    release = normalize_exhibit((DATA / "wyndcastle-2021-03-02-ex99.htm").read_bytes())
    assert release_from_json(release_to_json(release)) == release


def test_releases_stored_before_headings_and_datelines_still_load() -> None:
    old = json.dumps({"headline": "H", "subheadlines": [], "dateline_place": "BOSTON",
                      "dateline_date": "2002-06-24", "content_hash": "abc",
                      "paragraphs": [["Text.", "body", "text", ["Text."]]]})
    release = release_from_json(old)
    assert release.dateline == "" and release.dateline_date == date(2002, 6, 24)
    assert release.paragraphs == (Paragraph("Text.", "body", "text", ("Text.",), ""),)


def test_a_truncated_submission_is_a_normalize_error_naming_the_document() -> None:
    content = SUBMISSION.read_bytes()
    cut = content.index(b"ABOUT WYNDCASTLE")
    with pytest.raises(NormalizeError, match=r"unreadable SGML submission: .*EX-99\.1"):
        normalize_exhibit(content[:cut])

