"""Character unification, mojibake and entity repair, dates and the sentence splitter."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from watcher.text import clean, parse_date, repair_mojibake, split_sentences, unify


@pytest.mark.parametrize(("raw", "expected"), [
    ("It\u2019s \u201cdone\u201d", "It's \"done\""),
    ("2001\u20132003 \u2014 ok", "2001-2003 - ok"),
    ("Phase\u00a0II\u2009trial", "Phase II trial"),
    ("co\u00adoperate\u200b", "cooperate"),
    ("ConjuLock\u2122 and Vitargus\u00ae", "ConjuLock(TM) and Vitargus(R)"),
    ("  spaced \t out  ", "spaced out"),
    ("\u2022 item", "* item"),
    ("caf\u0065\u0301", "caf\u00e9"),  # NFC
    ("\x93quoted\x94 it\x92s", "\"quoted\" it's"),  # cp1252 read as latin-1
])
def test_unify_gives_one_spelling(raw: str, expected: str) -> None:
    assert unify(raw) == expected


@pytest.mark.parametrize(("broken", "repaired"), [
    ("Company\u00e2\u20ac\u2122s", "Company\u2019s"),
    ("\u00e2\u20ac\u0153Hello\u00e2\u20ac\u009d", "\u201cHello\u201d"),
    ("Soci\u00c3\u00a9t\u00c3\u00a9", "Soci\u00e9t\u00e9"),
    ("na\u00c3\u00afve", "na\u00efve"),
])
def test_mojibake_is_repaired(broken: str, repaired: str) -> None:
    assert repair_mojibake(broken) == repaired


def test_text_that_only_looks_foreign_is_left_alone() -> None:
    for text in ("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", "\u00c3 la carte", "M\u00fcnchen"):
        assert repair_mojibake(text) == text


def test_clean_undoes_left_over_entities_and_tags() -> None:
    assert clean("R&amp;D at AT&T &amp;#8217;s <b>lab</b>") == "R&D at AT&T 's lab"
    assert clean("a &lt; b and c &gt; d") == "a < b and c > d"


@pytest.mark.parametrize(("text", "expected"), [
    ("CAMBRIDGE, MA, JUNE 24, 2002 - ImmunoGen", date(2002, 6, 24)),
    ("PHILADELPHIA, Sept. 15, 2008 /PRNewswire/", date(2008, 9, 15)),
    ("Oct. 28, 1997", date(1997, 10, 28)),
    ("on 8 March 2024 in Basel", date(2024, 3, 8)),
    ("February 30, 2020", None),
    ("no date here", None),
])
def test_dates_are_parsed_from_the_way_releases_write_them(text: str,
                                                           expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(("paragraph", "sentences"), [
    ("The rights were licensed to Corvane Pharmaceuticals, Inc. Halvard is based in Boston.",
     ["The rights were licensed to Corvane Pharmaceuticals, Inc.",
      "Halvard is based in Boston."]),
    ("ImmunoGen, Inc. (Nasdaq: IMGN) said so. It then left.",
     ["ImmunoGen, Inc. (Nasdaq: IMGN) said so.", "It then left."]),
    ("Mitchel Sayare, Ph.D., Chairman, said it. The end.",
     ["Mitchel Sayare, Ph.D., Chairman, said it.", "The end."]),
    ("He holds a Ph.D. The lab is in Kyoto.", ["He holds a Ph.D.", "The lab is in Kyoto."]),
    ("The U.S. Food and Drug Administration agreed.",
     ["The U.S. Food and Drug Administration agreed."]),
    ("Sales grew in the U.S. The company is pleased.",
     ["Sales grew in the U.S.", "The company is pleased."]),
    ("It filed Amendment No. 5 to the agreement.", ["It filed Amendment No. 5 to the agreement."]),
    ("Dr. Ostrow and Marcus J. Oyelaran, M.D. spoke.",
     ["Dr. Ostrow and Marcus J. Oyelaran, M.D. spoke."]),
    ("The drug entered Phase I. The trial is open.",
     ["The drug entered Phase I.", "The trial is open."]),
    ("The call is at 8:30 a.m. Eastern time. Dial in early.",
     ["The call is at 8:30 a.m. Eastern time.", "Dial in early."]),
    ("On Feb. 12, 2024 it closed. In Jan. The team grew.",
     ["On Feb. 12, 2024 it closed.", "In Jan.", "The team grew."]),
    ('"We are ready," said Ms. Ray. "Phase II starts now." Enrollment opens today.',
     ['"We are ready," said Ms. Ray.', '"Phase II starts now."', "Enrollment opens today."]),
    ("Halvard Pharma Co., Ltd. and Acme Co. Ltd. signed. Is it done? Yes!",
     ["Halvard Pharma Co., Ltd. and Acme Co. Ltd. signed.", "Is it done?", "Yes!"]),
    ("Revenue was $1.5 million, e.g. from royalties, vs. $0.9 million.",
     ["Revenue was $1.5 million, e.g. from royalties, vs. $0.9 million."]),
    ("It licensed the product to Acme Inc. in 1999.",
     ["It licensed the product to Acme Inc. in 1999."]),
])
def test_sentences_split_where_a_reader_would(paragraph: str, sentences: list[str]) -> None:
    assert list(split_sentences(paragraph)) == sentences


@given(st.text(alphabet=st.sampled_from("ab .,?!\"'()IncPhD.U.S0123456789 \u2019"), max_size=200))
@settings(max_examples=200, deadline=None)
def test_sentences_keep_every_character_of_the_paragraph(paragraph: str) -> None:
    sentences = split_sentences(paragraph)
    assert "".join(sentences).replace(" ", "") == paragraph.replace(" ", "").strip()
    assert all(s == s.strip() and s for s in sentences)


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_unify_and_clean_are_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert unify(once) == once
