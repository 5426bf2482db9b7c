"""Properties of normalize (hypothesis): any bytes give a Release or a NormalizeError; the
canonical text normalizes to the same hash; the same release written as hard-wrapped plain
text at any width, as HTML of any era or with any quote style has one hash."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from watcher.errors import NormalizeError
from watcher.models import Release
from watcher.normalize import normalize_exhibit

WORDS = ("the", "company", "agreement", "license", "Phase", "II", "trial", "milestone",
         "royalties", "partner", "Northwind", "Corvane", "Pharma", "Inc.", "U.S.", "Ph.D.",
         "No.", "5", "$1.5", "million", "2024", "WB-417", "antibody", "rights", "returned",
         "will", "not", "advance", "elected", "to", "of", "and", "in", "a", "an", "its",
         "co-promotion", "(Nasdaq:", "WYND)", "Dr.", "Smith", "said", "today", "announced",
         "percent", "first", "quarter", "results", "Japan", "worldwide", "exclusive", "its")

word = st.sampled_from(WORDS)


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(word, min_size=3, max_size=14))
    first = words[0][:1].upper() + words[0][1:]
    text = " ".join([first, *words[1:]])
    if draw(st.booleans()):
        quoted = " ".join(draw(st.lists(word, min_size=3, max_size=8)))
        text += f', said Dr. Smith, "{quoted[:1].upper()}{quoted[1:]} is it\'s best'
        return text + '."'
    return text.rstrip(".") + "."


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    return " ".join(draw(st.lists(sentences(), min_size=1, max_size=4)))


@dataclass(frozen=True)
class Story:
    """A press release before it is laid out."""

    headline: str
    body: tuple[str, ...]
    items: tuple[str, ...]
    about: tuple[str, ...]
    forward: str


@st.composite
def stories(draw: st.DrawFn) -> Story:
    headline = " ".join(w.upper() for w in draw(st.lists(word, min_size=4, max_size=12)))
    return Story(
        headline=headline.rstrip("."),
        body=tuple(draw(st.lists(paragraphs(), min_size=1, max_size=5))),
        items=tuple(draw(st.lists(sentences(), max_size=3))),
        about=tuple(draw(st.lists(paragraphs(), min_size=1, max_size=2))),
        forward="This press release contains forward-looking statements. " + draw(paragraphs()),
    )


def curly(text: str) -> str:
    """The same text with typographic quotes and apostrophes."""
    out: list[str] = []
    opening = True
    for char in text:
        if char == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        elif char == "'":
            out.append("\u2019")
        else:
            out.append(char)
    return "".join(out)


def as_text(story: Story, width: int, style: int) -> bytes:
    """1990s plain text: centered headline, hard wrapping, <PAGE> markers, page numbers."""
    def wrap(text: str, indent: str = "") -> str:
        return "\n".join(textwrap.wrap(text, width, initial_indent=indent,
                                       subsequent_indent=indent, break_long_words=False,
                                       break_on_hyphens=False))
    quote = curly if style % 2 else (lambda t: t)
    parts = ["<PAGE>", " " * (width - 12) + "Exhibit 99.1",
             "\n".join(line.center(width).rstrip()
                       for line in textwrap.wrap(story.headline, width - 10))]
    parts.append(wrap(quote("BOSTON, Mass., May 4, 2004 - " + story.body[0])))
    parts += [wrap(quote(p)) for p in story.body[1:]]
    parts += ["\n".join(wrap(quote(item), "   ").replace("   ", " o ", 1).split("\n"))
              for item in story.items]
    if style % 3 == 0:
        parts += [" " * (width // 2) + "2", "<PAGE>"]
    parts.append("ABOUT WYNDCASTLE BIOLOGICS")
    parts += [wrap(quote(p)) for p in story.about]
    parts += [wrap(quote(story.forward)), " " * (width // 2) + "# # #"]
    return "\n\n".join(parts).encode("cp1252" if style % 2 else "utf-8", errors="replace")


def as_html(story: Story, style: int) -> bytes:
    """2000s <font> HTML (style even) or Workiva-style <div> HTML (style odd), entities."""
    def esc(text: str) -> str:
        text = html.escape(text, quote=False)
        if style % 2:
            text = text.replace('"', "&#8220;", 1).replace("'", "&#8217;").replace(" ", " \n", 3)
        return text.replace("  ", " &nbsp;")

    tag = "div" if style % 2 else "p"
    def para(text: str, bold: bool = False) -> str:
        inner = f"<b>{esc(text)}</b>" if bold else esc(text)
        return f'<{tag}><font style="font-size:10pt">{inner}</font></{tag}>\n'
    out = ["<html><head><title>EX-99.1</title></head><body>\n",
           para("Exhibit 99.1"), para(story.headline, bold=True),
           para("BOSTON, Mass., May 4, 2004 \u2014 " + story.body[0])]
    out += [para(p) for p in story.body[1:]]
    if story.items:
        out.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in story.items) + "</ul>\n")
    out.append(para("About Wyndcastle Biologics", bold=True))
    out += [para(p) for p in story.about]
    out += [para(story.forward), para("# # #")]
    return "".join([*out, "</body></html>\n"]).encode("utf-8")


def renormalized(release: Release) -> Release:
    return normalize_exhibit(release.canonical_text.encode("utf-8"))


@given(st.binary(max_size=3000))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(b"<")
@example(b"<html><body><table><tr><td>\x00</td></tr></table>")
@example(b"<DOCUMENT>\n<TYPE>EX-99\n<TEXT>\n")
@example(b"\xef\xbb\xbf<PAGE>\n\f\n")
def test_any_bytes_give_a_release_or_a_normalize_error(content: bytes) -> None:
    try:
        release = normalize_exhibit(content)
    except NormalizeError:
        return
    assert isinstance(release, Release)
    assert renormalized(release).content_hash == release.content_hash


MARKUP = st.sampled_from(["<p>", "</p>", "<br>", "<b>", "</b>", "<div>", "<table><tr><td>",
                          "<font>", "&amp;", "&#8217;", "&nbsp;", "<PAGE>", "\n\n", "\f",
                          "   ", "Exhibit 99.1", "ABOUT ACME", "- 3 -", "\u201c", "\u00e2\u20ac"])


@given(st.lists(st.one_of(MARKUP, st.text(max_size=30), paragraphs()), max_size=30))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_markup_soup_gives_a_release_or_a_normalize_error(pieces: list[str]) -> None:
    try:
        release = normalize_exhibit("".join(pieces).encode("utf-8"))
    except NormalizeError:
        return
    assert renormalized(release).content_hash == release.content_hash


@given(stories(), st.integers(min_value=50, max_value=90), st.integers(0, 5))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_normalizing_is_idempotent(story: Story, width: int, style: int) -> None:
    for content in (as_text(story, width, style), as_html(story, style)):
        release = normalize_exhibit(content)
        again = renormalized(release)
        assert again.content_hash == release.content_hash
        assert again.headline == release.headline
        assert again.dateline == release.dateline


@given(stories(), st.integers(min_value=50, max_value=90), st.integers(min_value=50,
       max_value=90), st.integers(0, 5), st.integers(0, 5))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_layout_markup_and_quote_style_never_change_the_hash(
        story: Story, width_a: int, width_b: int, style_a: int, style_b: int) -> None:
    releases = [normalize_exhibit(as_text(story, width_a, style_a)),
                normalize_exhibit(as_text(story, width_b, style_b)),
                normalize_exhibit(as_html(story, style_a)),
                normalize_exhibit(as_html(story, style_b))]
    assume(all("\ufffd" not in r.canonical_text for r in releases))
    assert len({r.content_hash for r in releases}) == 1
    assert len({r.headline for r in releases}) == 1
    assert {r.dateline_date for r in releases} == {releases[0].dateline_date}
    for release in releases:
        sections = {p.section for p in release.paragraphs}
        assert {"about", "forward_looking"} <= sections
