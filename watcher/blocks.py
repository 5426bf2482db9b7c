"""Plain text (1990s-2000s EDGAR exhibits) -> blocks: paragraphs reflowed, lists as items,
tables as rows of cells, page breaks marked.

The input is hard-wrapped at a fixed width, with ``<PAGE>`` markers, page numbers, centered
headlines, column tables (sometimes marked up with the old SGML ``<TABLE>``/``<S>``/``<C>``
tags) and contact blocks of short lines. ``text_blocks`` turns it into ``Block`` values that
the HTML front end (``watcher.htmlblocks``) also produces, so that one back end
(``watcher.normalize``) builds the release from either.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, fields
from typing import Literal

BlockKind = Literal["text", "list_item", "table_row", "page_break"]


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph, list item or table row as laid out in the source, not yet cleaned."""

    text: str
    kind: BlockKind = "text"
    cells: tuple[str, ...] = ()
    strong: bool = False     # all of it bold, underlined or in a heading tag
    centered: bool = False
    italic: bool = False
    indented: bool = False   # plain text: the block stands far from the left margin
    lead: str = ""           # HTML: the bold run the paragraph opens with ("About X")

    def __init__(self, text: str, kind: BlockKind = "text", cells: tuple[str, ...] = (),
                 strong: bool = False, centered: bool = False, italic: bool = False,
                 indented: bool = False, lead: str = "") -> None:
        # What dataclass would generate, but through the slots' own setters: a frozen
        # dataclass sets each field with object.__setattr__, which costs twice as much, and
        # an exhibit makes thousands of blocks. (dataclass keeps an __init__ it is given.)
        set_text, set_kind, set_cells, set_strong, set_centered, set_italic, set_indented, \
            set_lead = _BLOCK_SETTERS
        set_text(self, text)
        set_kind(self, kind)
        set_cells(self, cells)
        set_strong(self, strong)
        set_centered(self, centered)
        set_italic(self, italic)
        set_indented(self, indented)
        set_lead(self, lead)


_BLOCK_SETTERS = tuple(getattr(Block, field.name).__set__ for field in fields(Block))
PAGE_BREAK = Block("", "page_break")

_PAGE_LINE = re.compile(r"^\s*</?PAGE>\s*$", re.IGNORECASE)
_SGML_LINE = re.compile(
    r"^\s*<(?:/?(?:DOCUMENT|TEXT|SEC-DOCUMENT|SEC-HEADER|IMS-HEADER|PDF)|TYPE|SEQUENCE|"
    r"FILENAME|DESCRIPTION)>.*$", re.IGNORECASE)
_TABLE_OPEN = re.compile(r"^\s*<TABLE[^>]*>\s*$", re.IGNORECASE)
_TABLE_CLOSE = re.compile(r"^\s*</TABLE>\s*$", re.IGNORECASE)
_TABLE_TAGS = re.compile(r"</?(?:S|C|CAPTION|FN|F\d+)>", re.IGNORECASE)
_UUENCODE_BEGIN = re.compile(r"^begin [0-7]{3,4} \S")
_RULE = re.compile(r"^[\s\-=_*.~+|]*$")
_RULE_CHARS = re.compile(r"[-=_]{3,}")
# A column gap: two or more spaces inside a line. After sentence punctuation, two spaces are
# the typist's habit, not a gap, so there it takes six.
_GAP = re.compile(r"(?<![.!?:;,])\S {2,}(?=\S)|\S {6,}(?=\S)")
_CELL_SPLIT = re.compile(r"  +")  # (" {2,}", but a literal first is found faster)
_DASHED_NUMBER = re.compile(r"^\s*-\s*\d{1,3}\s*-\s*$")  # "- 2 -": a page number, not a list
_BULLET = re.compile(r"^(\s*)(?:[*\u2022\u00b7\u25cf\u25aa-](?!-)\s+|o {2,}|o\t)(?=\S)")
_ENUMERATOR = re.compile(
    r"^(\s*)(?:\(?[0-9]{1,2}[.)]|\([a-z]\)|\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\))\s+(?=\S)")
# Hyphenated compounds whose halves may meet at a line end and must keep their hyphen.
_COMPOUND_PREFIXES = frozenset("""
co non anti pre post self multi semi sub inter intra over under well long short full part
half cross mid low high first second third single double open dose late early
""".split())


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text exhibit, in reading order, with page breaks kept as markers."""
    lines = _logical_lines(text)
    width = _wrap_width(lines)
    blocks: list[Block] = []
    raw: list[str] = []
    in_table = False

    def flush() -> None:
        if raw:
            blocks.extend(_block_of(raw, width, in_table))
            raw.clear()

    for line, tag in lines:
        if not tag:  # (a text line, stripped on the right: blank when empty)
            if line:
                raw.append(line)
            elif raw:
                flush()
        elif tag == "page":
            flush()
            blocks.append(PAGE_BREAK)
        elif tag == "table_open":
            flush()
            in_table = True
        elif tag == "table_close":
            flush()
            in_table = False
    flush()
    return blocks


def _logical_lines(text: str) -> list[tuple[str, str]]:
    """Lines with SGML wrappers and uuencoded binaries removed; page/table markers tagged."""
    out: list[tuple[str, str]] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    in_uuencode = False
    for line in text.split("\n"):
        if in_uuencode:
            if line.strip() == "end":
                in_uuencode = False
            continue
        if "\f" in line:
            before, _, after = line.partition("\f")
            if before.strip():
                out.append((before.expandtabs(8).rstrip(), ""))
            out.append(("", "page"))
            line = after.replace("\f", "")
        if "<" not in line:  # the usual line: no markup to look at
            if line.startswith("begin ") and _UUENCODE_BEGIN.match(line):
                in_uuencode = True
            else:
                out.append((line.expandtabs(8).rstrip() if "\t" in line else line.rstrip(), ""))
        elif _PAGE_LINE.match(line):
            out.append(("", "page"))
        elif _TABLE_OPEN.match(line):
            out.append(("", "table_open"))
        elif _TABLE_CLOSE.match(line):
            out.append(("", "table_close"))
        elif _SGML_LINE.match(line):
            continue
        else:
            out.append((_TABLE_TAGS.sub("", line).expandtabs(8).rstrip(), ""))
    return out


def _wrap_width(lines: list[tuple[str, str]]) -> int:
    """The width the text was wrapped at: a high percentile of the line lengths."""
    lengths = sorted([len(line) for line, _ in lines])  # (marker lines are empty)
    lengths = lengths[bisect_right(lengths, 20):]  # those longer than 20
    if not lengths:
        return 72
    return max(40, min(lengths[int(len(lengths) * 0.9)], 132))


# ---------------------------------------------------------------- one blank-line block

def _block_of(lines: list[str], width: int, in_table: bool) -> list[Block]:
    if (_BULLET.match(lines[0]) or (_ENUMERATOR.match(lines[0]) and len(lines) <= 12)) \
            and not _DASHED_NUMBER.match(lines[0]):
        return _list_items(lines, width)
    if in_table or _is_table(lines) or all(" | " in line for line in lines):
        return _table_rows(lines)
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    return [Block(text, indented=indent >= 8) for text in reflow(lines, width)]


def _is_table(lines: list[str]) -> bool:
    tabular = 0
    for line in lines:
        core = line.strip()
        double = core.find("  ")  # a gap starts just before: no need to scan what comes first
        if (double >= 0 and _GAP.search(core, max(0, double - 1))) or \
                (("---" in core or "===" in core or "___" in core) and _RULE.match(core)):
            tabular += 1
    if len(lines) == 1:
        return tabular == 1 and len(_GAP.findall(lines[0].strip())) >= 2
    return tabular * 2 >= len(lines) and tabular >= 2


def reflow(lines: list[str], width: int) -> list[str]:
    """Hard-wrapped lines -> paragraphs. A break the next word would have filled is soft
    (joined with a space, hyphenation undone); other breaks end a sentence-final line's
    paragraph, or join short lines (addresses, contacts) with "; "."""
    stripped = [line.strip() for line in lines]
    if len(stripped) == 1:
        return stripped
    limit = width * 0.8
    soft = []
    for current, following, raw in zip(stripped, stripped[1:], lines, strict=False):
        next_word = following.find(" ")  # the length of the next line's first word
        if next_word < 0:
            next_word = len(following)
        soft.append(len(raw) + 1 + next_word > limit or current.endswith("-"))
    if all(soft):
        return [join_lines(stripped)]
    if not any(soft) and len(stripped) >= 2:
        return [_join_line_list(stripped)]
    paragraphs: list[list[str]] = [[stripped[0]]]
    indents = [len(line) - len(line.lstrip()) for line in lines]
    for index, line in enumerate(stripped[1:]):
        previous = stripped[index]
        first_line_indent = indents[index + 1] > indents[index] + 2
        if not soft[index] and (previous.endswith((".", "!", "?", '."', ".'")) or
                                first_line_indent):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return [join_lines(p) for p in paragraphs]


def join_lines(lines: list[str]) -> str:
    """Wrapped lines -> one paragraph (linear: a paragraph may have thousands of lines)."""
    pieces = [lines[0]]
    for line in lines[1:]:
        previous = pieces[-1]
        glue = _glue(previous, line)
        if glue == "":
            if previous.endswith("-") and _drops_hyphen(previous, line):
                pieces[-1] = previous[:-1]
        else:
            pieces.append(glue)
        pieces.append(line)
    return "".join(pieces)


def join_hyphenated(left: str, right: str) -> str:
    """Join two wrapped lines; "develop-" + "ment" -> "development", "co-" + "promote" keeps
    its hyphen, and so does anything that is not a lower-case word split."""
    if _glue(left, right) == "":
        return (left[:-1] if _drops_hyphen(left, right) else left) + right
    return left + " " + right


def _glue(left: str, right: str) -> str:
    """"" when ``left`` ends in a hyphen that joins it to ``right``, else " "."""
    if left.endswith("-") and not left.endswith("--") and left[-2:-1].isalnum():
        return ""
    return " "


def _drops_hyphen(left: str, right: str) -> bool:
    """"develop-" + "ment": an end-of-line hyphenation; "co-" + "promote", "CO-" +
    "PROMOTION", "TG-" + "3310": a compound cut at its own hyphen."""
    head = re.search(r"([A-Za-z]+)-$", left[-40:])
    return bool(head and right[:1].islower() and head.group(1).islower()
                and head.group(1) not in _COMPOUND_PREFIXES)


def _join_line_list(lines: list[str]) -> str:
    pieces = [lines[0]]
    for line in lines[1:]:
        ends_open = pieces[-1].endswith((":", ",", "-", "&", " and"))
        pieces.append(" " if ends_open else "; ")
        pieces.append(line)
    return "".join(pieces)


def _list_items(lines: list[str], width: int) -> list[Block]:
    items: list[list[str]] = []
    for line in lines:
        marker = _BULLET.match(line) or _ENUMERATOR.match(line)
        if marker or not items:
            body = line[marker.end():] if marker and _BULLET.match(line) else line.strip()
            items.append([body.strip()])
        else:
            items[-1].append(line.strip())
    return [Block(join_lines(item), "list_item") for item in items if item and item[0]]


# ---------------------------------------------------------------- tables

def _table_rows(lines: list[str]) -> list[Block]:
    body = [line for line in lines if line.strip() and not (
        _RULE.match(line) and (_RULE_CHARS.search(line) or not any(c.isalnum() for c in line)))]
    if any(" | " in line for line in body) and all(" | " in line or len(line) < 3
                                                   for line in body):
        split_rows = [[c.strip() for c in line.split(" | ")] for line in body]
        return [Block(" | ".join(cells), "table_row", tuple(cells)) if len(cells) > 1
                else Block(cells[0]) for cells in split_rows if any(cells)]
    data_lines = {line for line in body if _is_data_line(line)}
    gaps = _column_gaps([line for line in lines if line in data_lines])
    rows: list[tuple[int, list[str]]] = []
    for line in body:
        indent = len(line) - len(line.lstrip())
        if line in data_lines:
            cells = merge_cells(_split_columns(line, gaps))
        else:
            cells = merge_cells(_CELL_SPLIT.split(line.strip()))
        if cells:
            rows.append((indent, cells))
    merged: list[list[str]] = []
    for index, (indent, cells) in enumerate(rows):
        if merged and len(merged[-1]) == 1 and len(cells) >= 2 and \
                indent > rows[index - 1][0] and not merged[-1][0].endswith(":"):
            # "Net loss per share, basic" / "  and diluted   $ (0.18) ...": one label
            label = merged.pop()[0]
            if _is_number(cells[0]):
                merged.append([label, *cells])
            else:
                merged.append([label + " " + cells[0], *cells[1:]])
            continue
        merged.append(cells)
    return [Block(" | ".join(cells), "table_row", tuple(cells)) if len(cells) > 1
            else Block(cells[0]) for cells in merged]


def _column_gaps(data: list[str]) -> list[tuple[int, int]]:
    """Runs of character positions that separate columns: blank in every row that holds
    numbers (``data``: header rows and rules may span several columns, so they do not count).
    Runs one character wide count only right of the first wide one, so that the words of a
    label are never split apart."""
    if not data:
        return []
    width = max(len(line) for line in data)
    occupied: bytes | bytearray
    if width <= _MASK_WIDTH:
        # A byte per position, 1 where some row has a character: each row as bytes (0 for a
        # space, 1 else) read as a little-endian integer, all OR-ed (in C, not per character).
        mask = 0
        for line in data:
            row = line.encode("ascii").translate(_SPACE_IS_ZERO) if line.isascii() else \
                bytes(char != " " for char in line)
            mask |= int.from_bytes(row, "little")
        occupied = mask.to_bytes(width, "little")
    else:  # (each OR costs the whole width: rows of a freak width go character by character)
        occupied = bytearray(width)
        for line in data:
            for position, char in enumerate(line):
                if char != " ":
                    occupied[position] = 1
    gaps: list[tuple[int, int]] = []
    first_wide = False
    position = min(len(line) - len(line.lstrip()) for line in data)
    while position < width:
        end = occupied.find(1, position)
        if end < 0:
            break
        if end > position and (end - position >= 2 or first_wide):
            first_wide = True
            gaps.append((position, end))
        position = occupied.find(0, end)
        if position < 0:
            break
    return gaps


_SPACE_IS_ZERO = bytes(0 if b == 0x20 else 1 for b in range(256))
_MASK_WIDTH = 4096


def _split_columns(line: str, gaps: list[tuple[int, int]]) -> list[str]:
    cells: list[str] = []
    start = 0
    for gap_start, gap_end in gaps:
        if gap_start >= len(line):
            break
        if line[gap_start:gap_end].strip():
            continue  # this row has text across the gap (a long label)
        cells.append(line[start:gap_start])
        start = gap_end
    cells.append(line[start:])
    out: list[str] = []
    for cell in cells:  # and wide gaps that only this row has
        out.extend(part for part in _CELL_SPLIT.split(cell.strip()) if part)
    return out


_NUMERIC_TOKEN = re.compile(r"^[$(]*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)?%?$|^-{1,2}$")


_PHONE = re.compile(r"\(\d{3}\)\s*\d{3}-\d{4}|\b\d{3}[/.\-]\d{3}-\d{4}\b|\+\d{1,3}\s+\d")


def _is_data_line(line: str) -> bool:
    """A table row with at least two numbers (years, amounts, "--" for nil) in it (and no
    telephone number: contact blocks set in two columns are tables too)."""
    numbers = 0
    for token in line.split():
        if _NUMERIC_TOKEN.match(token):
            numbers += 1
            if numbers == 2:
                return not (("-" in line or "+" in line) and _PHONE.search(line))
    return False


_NUMBER = re.compile(r"^[$(]*-?[$(]*[0-9][0-9,.]*\)?%?$")


def _is_number(cell: str) -> bool:
    return bool(_NUMBER.match(cell.replace(" ", "")))


_CURRENCY_CELLS = frozenset(("$", "(", "$(", "($", "US$", "\u20ac", "\u00a3"))
_CLOSING_CELLS = frozenset((")", "%", ")%", "%)", "pts", "bps"))


def merge_cells(cells: list[str]) -> list[str]:
    """Empty cells dropped; "$" glued to its number, ")" and "%" to theirs."""
    out: list[str] = []
    pending = ""
    for raw in cells:
        cell = raw.strip()
        if not cell:
            continue
        if cell in _CURRENCY_CELLS:
            pending += cell
            continue
        if pending:
            cell = pending + cell
            pending = ""
        elif cell.startswith("$ ") and cell[2:3] in "0123456789(":
            cell = "$" + cell[2:]  # "$ (8,595)" as "$(8,595)", like its neighbours
        if out and (cell in _CLOSING_CELLS or (cell.startswith(")") and len(cell) <= 3)):
            out[-1] += cell
            continue
        out.append(cell)
    if pending:
        out.append(pending)
    return out
