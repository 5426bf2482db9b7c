"""Full-submission SGML: documents picked by <TYPE>, rejected ones skipped as they stream,
the same documents whatever the chunking, limits and truncation reported clearly."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from watcher.errors import ParseError, ResponseTooLargeError
from watcher.sgml import (
    SgmlDocument,
    SubmissionSplitter,
    is_press_release_type,
    split_submission,
)

from tests.conftest import shared_path

DATA = Path(__file__).parent / "data" / "normalize"
FICTIONAL = DATA / "wyndcastle-0009912345-98-000017.txt"


def feed_in_chunks(content: bytes, sizes: list[int], keep: object = is_press_release_type,
                   **kwargs: int) -> tuple[list[SgmlDocument], SubmissionSplitter]:
    splitter = SubmissionSplitter(keep, **kwargs)  # type: ignore[arg-type]
    documents: list[SgmlDocument] = []
    position = 0
    index = 0
    while position < len(content):
        size = sizes[index % len(sizes)] if sizes else len(content)
        documents.extend(splitter.feed(content[position:position + size]))
        position += size
        index += 1
    documents.extend(splitter.close())
    return documents, splitter


def test_the_press_release_types_are_the_ex_99_family() -> None:
    assert all(is_press_release_type(t) for t in ("EX-99", "EX-99.1", "EX-99.01", "ex-99.2",
                                                  "EX-99.A"))
    assert not any(is_press_release_type(t) for t in ("EX-10.1", "EX-991", "GRAPHIC",
                                                      "EX-101.SCH", "8-K"))


def test_a_fictional_submission_gives_its_press_release_and_skips_the_rest() -> None:
    documents = split_submission(FICTIONAL.read_bytes())
    assert [(d.doc_type, d.sequence, d.filename) for d in documents] == [
        ("EX-99.1", 3, "ex99-1.txt")]
    release = documents[0]
    assert release.description == "PRESS RELEASE DATED OCTOBER 6, 1998"
    # byte for byte, but for the line break that belongs to the </TEXT> line
    assert release.content + b"\n" == (DATA / "wyndcastle-1998-10-06-ex99.txt").read_bytes()


def test_every_document_is_seen_even_when_it_is_not_kept() -> None:
    _, splitter = feed_in_chunks(FICTIONAL.read_bytes(), [97])
    assert splitter.documents_seen == [("8-K", 1), ("GRAPHIC", 2), ("EX-99.1", 3),
                                       ("EX-27", 4)]


def test_skipped_documents_are_never_held_in_memory() -> None:
    image = b"M" + b"A" * 60 + b"\n"
    content = (b"<SEC-DOCUMENT>x\n<DOCUMENT>\n<TYPE>GRAPHIC\n<SEQUENCE>1\n<TEXT>\n"
               b"begin 644 big.jpg\n" + image * 50_000 + b"`\nend\n</TEXT>\n</DOCUMENT>\n"
               b"<DOCUMENT>\n<TYPE>EX-99\n<SEQUENCE>2\n<TEXT>\nHello.\n</TEXT>\n</DOCUMENT>\n")
    splitter = SubmissionSplitter(is_press_release_type)
    largest = 0
    documents: list[SgmlDocument] = []
    for start in range(0, len(content), 4096):
        documents.extend(splitter.feed(content[start:start + 4096]))
        largest = max(largest, len(splitter._buffer))
    documents.extend(splitter.close())
    assert [d.content for d in documents] == [b"Hello."]
    assert largest < 8192  # a 3 MB image went through a buffer of one chunk


def test_a_kept_document_larger_than_the_limit_is_an_error_naming_it() -> None:
    content = (b"<DOCUMENT>\n<TYPE>EX-99.1\n<SEQUENCE>2\n<FILENAME>huge.htm\n<TEXT>\n"
               + b"x" * 5000 + b"\n</TEXT>\n</DOCUMENT>\n")
    with pytest.raises(ResponseTooLargeError, match=r"EX-99\.1 \(sequence 2, huge\.htm\)"):
        split_submission(content, max_document_bytes=1000)


def test_the_splitter_goes_on_after_an_oversized_document() -> None:
    content = (b"<DOCUMENT>\n<TYPE>EX-99.1\n<SEQUENCE>1\n<TEXT>\n" + b"x" * 5000 +
               b"\n</TEXT>\n</DOCUMENT>\n<DOCUMENT>\n<TYPE>EX-99.2\n<SEQUENCE>2\n<TEXT>\n"
               b"Second.\n</TEXT>\n</DOCUMENT>\n")
    splitter = SubmissionSplitter(is_press_release_type, max_document_bytes=1000)
    with pytest.raises(ResponseTooLargeError):
        splitter.feed(content[:3000])
    rest = splitter.feed(content[3000:]) + splitter.close()
    assert [d.doc_type for d in rest] == ["EX-99.2"]


def test_documents_completed_before_an_error_are_not_lost() -> None:
    content = (b"<DOCUMENT>\n<TYPE>EX-99.1\n<SEQUENCE>1\n<TEXT>\nFirst.\n</TEXT>\n</DOCUMENT>\n"
               b"<DOCUMENT>\n<TYPE>EX-99.2\n<SEQUENCE>2\n<TEXT>\n" + b"x" * 5000)
    splitter = SubmissionSplitter(is_press_release_type, max_document_bytes=1000)
    with pytest.raises(ResponseTooLargeError):
        splitter.feed(content)
    assert [d.content for d in splitter.close()] == [b"First."]


def test_a_stream_that_ends_inside_a_kept_document_is_a_parse_error() -> None:
    content = FICTIONAL.read_bytes()
    cut = content.index(b"ABOUT WYNDCASTLE")
    with pytest.raises(ParseError, match=r"EX-99\.1 \(sequence 3\)"):
        split_submission(content[:cut])


def test_a_stream_that_ends_inside_a_skipped_document_is_fine() -> None:
    content = FICTIONAL.read_bytes()
    cut = content.index(b"end\n</TEXT>")
    assert split_submission(content[:cut]) == []


def test_line_breaks_inside_the_text_are_kept_but_those_of_the_tag_lines() -> None:
    content = (b"<DOCUMENT>\r\n<TYPE>EX-99\r\n<TEXT>\r\n\r\nBody.\r\n\r\n</TEXT>\r\n"
               b"</DOCUMENT>\r\n<DOCUMENT>\n<TYPE>EX-99.2\n<TEXT>Inline</TEXT>\n</DOCUMENT>\n")
    assert [d.content for d in split_submission(content)] == [b"\r\nBody.\r\n", b"Inline"]


def test_something_that_is_not_a_submission_gives_no_document() -> None:
    assert split_submission(b"<html><body>Hello</body></html>") == []


@given(st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_chunking_never_changes_the_documents(sizes: list[int]) -> None:
    content = FICTIONAL.read_bytes()
    whole = split_submission(content, lambda doc_type: True)
    chunked, _ = feed_in_chunks(content, sizes, lambda doc_type: True)
    assert chunked == whole
    assert [d.doc_type for d in whole] == ["8-K", "GRAPHIC", "EX-99.1", "EX-27"]


@pytest.mark.shared_data
@pytest.mark.parametrize("folder", ["3m-8k-0000066740-24-000023",
                                    "abvc-8k-0001213900-25-032135",
                                    "adobe-8k-0000796343-23-000044"])
def test_real_submissions_give_the_exhibit_byte_for_byte_in_random_chunks(folder: str) -> None:
    directory = shared_path("edgar-samples", "archives", folder)
    submission = next(directory.glob("*.txt")).read_bytes()
    extracted = next(directory.glob("extracted-*.htm")).read_bytes()
    rng = random.Random(folder)
    sizes = [rng.randint(1, 9000) for _ in range(200)]
    documents, splitter = feed_in_chunks(submission, sizes)
    assert [d.doc_type for d in documents] == ["EX-99.1"]
    assert documents[0].content + b"\n" == extracted
    seen = [doc_type for doc_type, _ in splitter.documents_seen]
    assert seen[:2] == ["8-K", "EX-99.1"] and "ZIP" in seen
