"""Message templates: alerts, digests and operator alerts rendered for people (email subject,
text and HTML, Slack, apprise) with Jinja2 in a sandbox.

Defaults live in ``watcher/templates``; a folder named in config (``templates.directory``)
overrides them file by file, and a notifier can name other files for its own messages
(``templates: {alert.html.j2: my-alert.html.j2}``). Escaping follows the file name: ``.html``
and ``.slack`` templates are autoescaped (Slack's ``<``, ``>`` and ``&``), the others are plain
text. Filing text is untrusted: it never becomes markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from watcher.compare import WordSegment, diff_words
from watcher.errors import WatcherError


class TemplateRenderError(WatcherError):
    """A message template is missing or failed to render."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of words of a side-by-side diff: ``same``, ``del`` (only before) or ``ins``."""

    op: str
    text: str


def side_by_side(before: str | None, after: str | None) -> tuple[list[Segment], list[Segment]]:
    """Word-level diff of two paragraphs as (left, right) runs, for a two-column view. It is
    compare's word diff (``watcher diff`` shows the same), so noise such as numbers, dates
    and quote styles is never highlighted; words that only moved are shown unmarked."""
    words = diff_words(before or "", after or "")
    ops = {"removed": "del", "added": "ins"}

    def runs(segments: tuple[WordSegment, ...]) -> list[Segment]:
        out: list[Segment] = []

        def add(op: str, text: str) -> None:
            if out and out[-1].op == op:
                out[-1] = Segment(op, out[-1].text + text)
            else:
                out.append(Segment(op, text))

        for index, seg in enumerate(segments):
            op = ops.get(seg.mark, "same")
            if index:
                # the space between words is unmarked, unless both words are in one change
                add(op if out and out[-1].op == op else "same", " ")
            add(op, seg.text)
        return out

    return runs(words.before), runs(words.after)


def humanize(value: object) -> str:
    """``not_advancing`` -> ``not advancing``; None -> ``?``."""
    if value is None or value == "":
        return "?"
    return str(value).replace("_", " ")


def subject_of(item: Mapping[str, Any]) -> str:
    """``Partner / product`` of a change or watch item."""
    return " / ".join(str(x) for x in (item.get("partner"), item.get("product")) if x) \
        or "(unnamed)"


def one_line(text: object, limit: int = 200) -> str:
    """Whitespace collapsed and cut at ``limit`` characters (subjects, titles)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def _autoescape(name: str | None) -> bool:
    return name is not None and (".html" in name or ".slack" in name)


def _slack_text(escaped: str) -> str:
    """Slack wants ``&``, ``<`` and ``>`` escaped and decodes nothing else: undo the quote
    entities of HTML escaping (a quote in the data itself came out as ``&amp;#34;``)."""
    return escaped.replace("&#34;", '"').replace("&#39;", "'")


class Templates:
    """Renders named templates in one sandboxed environment."""

    def __init__(self, directory: str | None = None) -> None:
        loaders: list[BaseLoader] = []
        if directory:
            loaders.append(FileSystemLoader(str(Path(directory))))
        loaders.append(PackageLoader("watcher", "templates"))
        self._env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders), autoescape=_autoescape, undefined=StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self._env.filters.update(humanize=humanize, one_line=one_line, subject=subject_of)
        self._env.globals.update(side_by_side=side_by_side)

    def render(self, name: str, **context: Any) -> str:
        try:
            text = self._env.get_template(name).render(**context)
        except TemplateError as exc:
            # the message names the template and the problem, never the alert's values
            raise TemplateRenderError(f"template {name}: {type(exc).__name__}: "
                                      f"{one_line(exc.message or '', 300)}") from exc
        return _slack_text(text) if ".slack" in name else text


@cache
def load_templates(directory: str | None = None) -> Templates:
    return Templates(directory)
