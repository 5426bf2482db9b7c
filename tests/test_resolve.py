"""Filing resolution against the fake EDGAR: the recorded index page and exhibit, the
recorded full submissions read through the streaming fallback, early stops, 8-K/A links."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from watcher.demo.fake_edgar import FakeDocument, FakeEdgar, FakeFiling, Reply
from watcher.errors import ParseError
from watcher.models import Filing
from watcher.resolve import (
    fetch_exhibits,
    find_original,
    folder_url,
    full_text_url,
    index_url,
    item_code,
    parse_filing_index,
    parse_sgml_header,
)

from tests.support.edgar import edgar_client, fake_filing, recorded_edgar, samples

ADOBE = Filing("0000796343-23-000044", 796343, "8-K")
THREE_M = Filing("0000066740-24-000023", 66740, "8-K")
ABVC = Filing("0001213900-25-032135", 1173313, "8-K")


def archive(folder: str, name: str) -> bytes:
    return (samples() / "archives" / folder / name).read_bytes()


def test_the_recorded_index_page_lists_documents_by_type_and_the_filing_facts() -> None:
    content = archive("adobe-8k-0000796343-23-000044", "0000796343-23-000044-index.html")
    index = parse_filing_index(content, "https://www.sec.gov/Archives/edgar/data/796343/"
                                        "000079634323000044/0000796343-23-000044-index.htm")
    types = [d.doc_type for d in index.documents]
    assert types[:3] == ["8-K", "EX-99.1", "GRAPHIC"]
    assert "EX-101.SCH" in types
    primary = index.documents[0]
    assert primary.url.endswith("/000079634323000044/adbe-20230315.htm")  # not the /ix viewer
    assert (index.filed, index.items, index.form, index.report_date) == \
        (date(2023, 3, 15), ("2.02", "9.01"), "8-K", date(2023, 3, 15))


async def test_exhibits_are_fetched_from_the_index_page_without_the_full_submission(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    async with edgar_client(fake_edgar) as client:
        index, exhibits = await fetch_exhibits(client, ADOBE)
    assert [(e.doc_type, e.filename, e.sequence) for e in exhibits] == \
        [("EX-99.1", "adbeex991q123.htm", 2)]
    assert exhibits[0].content == archive("adobe-8k-0000796343-23-000044",
                                          "extracted-adbeex991q123.htm")
    assert not index.full_text
    assert fake_edgar.requests_to(folder_url("", ADOBE) + f"/{ADOBE.accession}.txt") == []
    assert len(fake_edgar.requests) == 2


async def test_without_an_index_page_the_full_submission_is_streamed_and_split(
        fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    async with edgar_client(fake_edgar) as client:
        index, exhibits = await fetch_exhibits(client, THREE_M)
    assert [(e.doc_type, e.filename) for e in exhibits] == \
        [("EX-99.1", "pressrelease3-8x24.htm")]
    expected = archive("3m-8k-0000066740-24-000023", "extracted-pressrelease3-8x24.htm")
    assert exhibits[0].content == expected.rstrip(b"\r\n")
    assert index.full_text
    assert (index.filed, index.items, index.report_date) == \
        (date(2024, 3, 8), ("8.01",), date(2024, 3, 8))


async def test_item_codes_come_from_the_submission_header_titles(fake_edgar: FakeEdgar) -> None:
    recorded_edgar(fake_edgar)
    async with edgar_client(fake_edgar) as client:
        index, exhibits = await fetch_exhibits(client, ABVC)
    assert index.items == ("2.02", "4.02", "7.01", "9.01")
    assert exhibits[0].content == archive(
        "abvc-8k-0001213900-25-032135", "extracted-ea023837201ex99-1_abvcbio.htm").rstrip(b"\n")


def test_item_titles_map_to_their_codes() -> None:
    assert item_code("Results of Operations and Financial Condition") == "2.02"
    assert item_code("Changes in Registrant\u2019s Certifying Accountant") == "4.01"
    assert item_code("Something Nobody Files") is None
    header = parse_sgml_header(b"CONFORMED SUBMISSION TYPE:\t8-K/A\n"
                               b"ITEM INFORMATION:\t\tEntry into a Material Definitive "
                               b"Agreement\nFILED AS OF DATE:\t\t20250102\n")
    assert (header.form, header.items, header.filed) == ("8-K/A", ("1.01",), date(2025, 1, 2))


def _submission(junk_bytes: int, trailer_type: str) -> tuple[bytes, bytes,
                                                              Iterator[bytes], list[int]]:
    head = (b"<SEC-DOCUMENT>0007777777-25-000001.txt : 20250304\n<SEC-HEADER>x\n"
            b"CONFORMED SUBMISSION TYPE:\t8-K\nFILED AS OF DATE:\t\t20250304\n</SEC-HEADER>\n"
            b"<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>1\n<FILENAME>f.htm\n<TEXT>\n<p>8-K</p>\n</TEXT>\n"
            b"</DOCUMENT>\n<DOCUMENT>\n<TYPE>EX-99.1\n<SEQUENCE>2\n<FILENAME>ex.htm\n<TEXT>\n"
            b"<p>The release.</p>\n</TEXT>\n</DOCUMENT>\n")
    tail = (b"<DOCUMENT>\n<TYPE>" + trailer_type.encode() +
            b"\n<SEQUENCE>3\n<FILENAME>big.bin\n<TEXT>\n")
    produced: list[int] = []

    def body() -> Iterator[bytes]:
        for chunk in (head, tail):
            produced.append(len(chunk))
            yield chunk
        block = b"M" * (256 * 1024)
        for _ in range(junk_bytes // len(block)):
            produced.append(len(block))
            yield block
        yield b"\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n"

    return head, tail, body(), produced


async def test_the_full_submission_stream_stops_after_the_last_press_release(
        fake_edgar: FakeEdgar, tmp_path: Path) -> None:
    filing = Filing("0007777777-25-000001", 7777777, "8-K")
    size = 64 * 1024 * 1024
    _, _, body, produced = _submission(size, "EX-101.SCH")
    fake_edgar.routes[full_text_url("", filing)] = Reply(200, b"", "text/plain",
                                                         stream=lambda: body)
    async with edgar_client(fake_edgar) as client:
        index, exhibits = await fetch_exhibits(client, filing)
    assert [(e.doc_type, e.content) for e in exhibits] == [("EX-99.1", b"<p>The release.</p>")]
    assert index.full_text and index.filed == date(2025, 3, 4)
    assert sum(produced) < size // 4  # the rest of the submission was never downloaded


async def test_a_listed_exhibit_that_is_missing_is_read_from_the_full_submission(
        fake_edgar: FakeEdgar) -> None:
    filing = fake_filing(6666666, 1, date(2025, 3, 4))
    fake_edgar.publish(filing)
    exhibit_path = f"{filing.folder}/{filing.documents[1].filename}"
    fake_edgar.routes[exhibit_path] = Reply(404, b"<Error><Code>NoSuchKey</Code></Error>",
                                            "application/xml")
    async with edgar_client(fake_edgar) as client:
        index, exhibits = await fetch_exhibits(client, Filing(filing.accession, 6666666, "8-K"))
    assert [e.doc_type for e in exhibits] == ["EX-99.1"]
    assert exhibits[0].content == filing.documents[1].content
    assert index.full_text and index.items == ("8.01", "9.01")


async def test_a_filing_without_press_release_costs_one_request(fake_edgar: FakeEdgar) -> None:
    filing = fake_filing(6666666, 2, date(2025, 3, 4), exhibit=False)
    fake_edgar.publish(filing)
    async with edgar_client(fake_edgar) as client:
        _, exhibits = await fetch_exhibits(client, Filing(filing.accession, 6666666, "8-K"))
    assert exhibits == []
    assert [r.path for r in fake_edgar.requests] == [filing.index_path]


async def test_an_index_that_lists_only_the_text_file_falls_back_to_it(
        fake_edgar: FakeEdgar) -> None:
    filing = fake_filing(6666666, 3, date(1999, 3, 4))
    fake_edgar.publish(filing)
    old_style = fake_edgar.index_page(FakeFiling(
        cik=filing.cik, company=filing.company, accession=filing.accession,
        filed=filing.filed, documents=(), form=filing.form, items=()))
    fake_edgar.routes[filing.index_path] = Reply(200, old_style)
    async with edgar_client(fake_edgar) as client:
        index, exhibits = await fetch_exhibits(client, Filing(filing.accession, 6666666, "8-K"))
    assert [e.doc_type for e in exhibits] == ["EX-99.1"]
    assert index.full_text


async def test_an_8k_amendment_is_linked_to_the_8k_of_the_same_period(
        fake_edgar: FakeEdgar) -> None:
    event = date(2025, 2, 28)
    original = fake_filing(8888888, 10, date(2025, 3, 3), report_date=event)
    other = fake_filing(8888888, 11, date(2025, 3, 5), report_date=date(2025, 3, 5))
    amendment = fake_filing(8888888, 12, date(2025, 3, 10), form="8-K/A", report_date=event)
    for filing in (original, other, amendment):
        fake_edgar.publish(filing)
    async with edgar_client(fake_edgar) as client:
        index, _ = await fetch_exhibits(client, Filing(amendment.accession, 8888888, "8-K/A"))
    assert index.report_date == event
    assert index.amends == original.accession


def test_an_amendment_without_a_matching_original_stays_unlinked() -> None:
    amendment = Filing("0000000001-25-000003", 1, "8-K/A", filed=date(2025, 3, 10),
                       report_date=date(2025, 2, 1))
    later = Filing("0000000001-25-000009", 1, "8-K", filed=date(2025, 4, 1),
                   report_date=date(2025, 2, 1))
    assert find_original(amendment, [later]) is None
    assert find_original(Filing("x", 1, "8-K"), [later]) is None


async def test_documents_keyed_on_type_not_file_name(fake_edgar: FakeEdgar) -> None:
    documents = (FakeDocument("8-K", "ex99.htm", b"<p>the 8-K itself</p>"),
                 FakeDocument("EX-99.01", "pr.htm", b"<p>release</p>"),
                 FakeDocument("EX-99", "other.htm", b"<p>second release</p>"),
                 FakeDocument("EX-10.1", "ex99-agreement.htm", b"<p>agreement</p>"))
    filing = FakeFiling(cik=3333333, company="Typed Co", accession="0003333333-25-000001",
                        filed=date(2025, 3, 4), documents=documents)
    fake_edgar.publish(filing)
    async with edgar_client(fake_edgar) as client:
        _, exhibits = await fetch_exhibits(client, Filing(filing.accession, 3333333, "8-K"))
    assert [(e.doc_type, e.filename) for e in exhibits] == \
        [("EX-99.01", "pr.htm"), ("EX-99", "other.htm")]


def test_urls_are_built_on_the_configured_host() -> None:
    assert index_url("https://mirror.example", ADOBE) == (
        "https://mirror.example/Archives/edgar/data/796343/000079634323000044/"
        "0000796343-23-000044-index.htm")


async def test_a_full_submission_cut_inside_a_press_release_is_a_parse_error(
        fake_edgar: FakeEdgar) -> None:
    filing = Filing("0007777777-25-000002", 7777777, "8-K")
    fake_edgar.routes[full_text_url("", filing)] = Reply(
        200, b"<SEC-DOCUMENT>\n<SEC-HEADER>\n</SEC-HEADER>\n<DOCUMENT>\n<TYPE>EX-99.1\n"
             b"<SEQUENCE>2\n<TEXT>\n<p>The release, cut", "text/plain")
    async with edgar_client(fake_edgar) as client:
        with pytest.raises(ParseError, match=r"ends inside EX-99\.1"):
            await fetch_exhibits(client, filing)
