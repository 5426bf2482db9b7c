"""HTML exhibits of every era -> blocks (the same ``Block`` values as plain text gives).

1990s-2000s ``<font>``/``<table>`` layouts, Workiva and other inline-XBRL-era HTML, ``<pre>``
wrapped plain text: block elements end paragraphs, ``<br>`` ends lines, table rows become
rows of cells (or list items when the first cell is a bullet, or plain paragraphs when the
table is only there for layout), hidden inline-XBRL headers are skipped, and the emphasis
and alignment of each paragraph are kept as hints for finding headlines and headings.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from watcher.blocks import PAGE_BREAK, Block, BlockKind, join_lines, merge_cells, text_blocks
from watcher.errors import NormalizeError

# libxml2 itself stops nesting at 255 levels (deeper content is flattened): refusing what
# goes past 200 turns a silently mangled document into a clear error.
DEFAULT_MAX_DEPTH = 200

_INLINE, _BLOCK, _BREAK, _ROW, _CELL, _TABLE, _ITEM, _PRE, _RULE, _SKIP, _PAGE = range(11)
_KINDS: dict[str, int] = {
    **dict.fromkeys(
        ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "center", "blockquote", "section",
         "article", "header", "footer", "address", "ul", "ol", "dl", "dt", "dd", "body",
         "html", "main", "nav", "aside", "figure", "figcaption", "caption", "form",
         "fieldset", "legend", "details", "summary", "tbody", "thead", "tfoot"), _BLOCK),
    "br": _BREAK, "tr": _ROW, "td": _CELL, "th": _CELL, "table": _TABLE, "li": _ITEM,
    "pre": _PRE, "xmp": _PRE, "listing": _PRE, "plaintext": _PRE, "hr": _RULE,
    "page": _PAGE,
    **dict.fromkeys(
        ("script", "style", "head", "title", "noscript", "template", "ix:header", "xml",
         "object", "embed", "iframe", "select", "option", "button", "svg", "math",
         "ix:hidden", "ix:references", "ix:resources", "map", "area", "img", "meta",
         "link", "base", "input", "textarea", "audio", "video", "canvas"), _SKIP),
}
# Kinds that _Walker._element hands to _Walker._block: walk calls it directly for them.
_BLOCK_KINDS = frozenset((_BLOCK, _CELL, _TABLE, _ITEM))
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_BOLD_TAGS = frozenset(("b", "strong", "u"))
_ITALIC_TAGS = frozenset(("i", "em"))
_EMPHASIS_TAGS = _BOLD_TAGS | _ITALIC_TAGS
_EMPHASIS_OR_HEADING_TAGS = _EMPHASIS_TAGS | _HEADING_TAGS
# Elements that only wrap text: a cell made of a chain of them has one run of text.
_SIMPLE_WRAPPERS = frozenset(("font", "span", "div", "p", "a", "b", "strong", "i", "em", "u",
                              "small", "big", "nobr", "tt", "code", "ins", "abbr", "center"))
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)|text-decoration\s*:"
                         r"[^;]*underline|font\s*:\s*[^;]*\bbold\b", re.IGNORECASE)
_NOT_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:normal|lighter|[1-5]00)", re.IGNORECASE)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic|font\s*:\s*[^;]*\bitalic\b",
                           re.IGNORECASE)
_CENTER_STYLE = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
_PAGE_BREAK_STYLE = re.compile(r"(?:page-)?break-(?:before|after)\s*:\s*(?:always|page)",
                               re.IGNORECASE)
# The same tests for lower-cased ASCII styles, without IGNORECASE: a pattern that ignores case
# cannot skip in C to where a match could start, these can (several times faster). Each
# matches the lower-cased style exactly when its case-blind twin above matches the style.
_HIDDEN_LOWER = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_BOLD_STYLE_LOWER = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)|text-decoration\s*:"
                               r"[^;]*underline|font\s*:\s*[^;]*\bbold\b")
_NOT_BOLD_STYLE_LOWER = re.compile(r"font-weight\s*:\s*(?:normal|lighter|[1-5]00)")
_ITALIC_STYLE_LOWER = re.compile(r"font-style\s*:\s*italic|font\s*:\s*[^;]*\bitalic\b")
_CENTER_STYLE_LOWER = re.compile(r"text-align\s*:\s*center")
# (without the optional "page-": whether there is a match does not depend on it)
_PAGE_BREAK_STYLE_LOWER = re.compile(r"break-(?:before|after)\s*:\s*(?:always|page)")
_FOOTNOTE_MARK = re.compile(r"^[\s0-9*\u2020\u2021,()]{1,5}$")
# A cell that holds nothing but a bullet (Wingdings and Symbol fonts spell bullets as
# letters: "l" is a disc, "n" a square, "q" a box, "v" a diamond, "Ø" an arrow, "ü" a tick).
_BULLET_CELLS = frozenset("\u2022\u25cf\u00b7\u25aa\u25a0\u25e6\u25cb\u2013\u2014-*o\u00d8\u00fc"
                          "\u00a7lnqv\u27a2\u2023\u2043\u2219\u2713\u2714\uf0b7\uf0a7\uf0d8")

# Style flags, cached per style string (Workiva repeats a handful of styles thousands of times).
_F_HIDDEN, _F_BOLD, _F_NOT_BOLD, _F_ITALIC, _F_CENTER, _F_PAGE = 1, 2, 4, 8, 16, 32


def _flags_of(style: str) -> int:
    if style.isascii():
        text = style.lower()
        hidden, bold, not_bold = _HIDDEN_LOWER, _BOLD_STYLE_LOWER, _NOT_BOLD_STYLE_LOWER
        italic, center, page = _ITALIC_STYLE_LOWER, _CENTER_STYLE_LOWER, _PAGE_BREAK_STYLE_LOWER
    else:
        text = style
        hidden, bold, not_bold = _HIDDEN, _BOLD_STYLE, _NOT_BOLD_STYLE
        italic, center, page = _ITALIC_STYLE, _CENTER_STYLE, _PAGE_BREAK_STYLE
    flags = 0
    if "none" in style or "hidden" in style:
        flags |= _F_HIDDEN if hidden.search(text) else 0
    if "bold" in style or "00" in style or "underline" in style:
        if bold.search(text):
            flags |= _F_BOLD
        elif not_bold.search(text):
            flags |= _F_NOT_BOLD
    elif "normal" in style and not_bold.search(text):
        flags |= _F_NOT_BOLD
    if "italic" in style and italic.search(text):
        flags |= _F_ITALIC
    if "center" in style and center.search(text):
        flags |= _F_CENTER
    if "break" in style and page.search(text):
        flags |= _F_PAGE
    return flags


# Plain lxml elements (not lxml.html's classes): the walk only reads tags, text and attributes.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                           no_network=True, recover=True)


def html_blocks(html: str | bytes, *, max_depth: int = DEFAULT_MAX_DEPTH) -> list[Block]:
    """Blocks of an HTML exhibit in reading order (``html`` is decoded text, or that text
    encoded as UTF-8: the parser is told so and ignores any charset the page declares)."""
    data = html if isinstance(html, bytes) else html.encode("utf-8", errors="replace")
    try:
        root = etree.fromstring(data, _PARSER)
    except (ValueError, etree.ParserError, etree.XMLSyntaxError) as exc:
        raise NormalizeError(f"unreadable HTML: {exc}") from exc
    if root is None:
        return []
    walker = _Walker(max_depth)
    body = root.find("body")
    walker.walk(body if body is not None else root, 1)
    walker.flush()
    return walker.blocks


class _Walker:
    __slots__ = (
        "blocks",
        "bold",
        "center",
        "chars",
        "italic",
        "italic_chars",
        "item",
        "lead",
        "lead_open",
        "lines",
        "max_depth",
        "parts",
        "strong_chars",
        "styles",
    )

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.lines: list[str] = []
        self.bold = 0      # depth of bold/underline/heading elements around the text
        self.italic = 0
        self.center = 0
        self.item = 0      # inside <li>
        self.chars = 0     # visible characters of the block so far
        self.strong_chars = 0
        self.italic_chars = 0
        self.lead: list[str] = []  # the bold run the block starts with ("About X")
        self.lead_open = True
        self.styles: dict[str, int] = {}

    # ------------------------------------------------------------ text of the current block

    def add(self, text: str) -> None:
        self.parts.append(text)
        if text.isspace():
            return
        size = len(text)
        self.chars += size
        if self.bold:
            self.strong_chars += size
            if self.lead_open:
                self.lead.append(text)
        else:
            self.lead_open = False
        if self.italic:
            self.italic_chars += size

    def line_break(self) -> None:
        self.lines.append("".join(self.parts))
        self.parts = []
        if self.lead:
            self.lead.append(" ")

    def flush(self, kind: BlockKind = "text") -> None:
        if not self.chars:  # nothing visible since the last flush (the usual case)
            if self.parts:
                self.parts = []
            if self.lines:
                self.lines = []
            return
        if self.parts:
            self.lines.append("".join(self.parts))
            self.parts = []
        strong = self.strong_chars * 10 >= self.chars * 9
        italic = self.italic_chars * 10 >= self.chars * 9
        lead = " ".join("".join(self.lead).split()) if self.lead and not strong else ""
        if self.item:
            kind = "list_item"
        centered = self.center > 0
        if len(self.lines) == 1:
            text = " ".join(self.lines[0].split())
            if text:
                self.blocks.append(Block(text, kind, (), strong, centered, italic, False, lead))
        else:
            groups: list[list[str]] = [[]]
            for line in self.lines:
                words = line.split()
                if words:
                    groups[-1].append(" ".join(words))
                elif groups[-1]:
                    groups.append([])  # <br><br>: a new paragraph
            for group in groups:
                if group:
                    self.blocks.append(Block(_assemble(group), kind, (), strong, centered,
                                             italic, False, lead))
                    lead = ""
        self.lines = []
        self.chars = self.strong_chars = self.italic_chars = 0
        if self.lead:
            self.lead = []
        self.lead_open = True

    # ------------------------------------------------------------ the tree

    def walk(self, element: Any, depth: int) -> None:
        """The element's own text and its children, in document order."""
        if depth > self.max_depth:
            raise NormalizeError(f"HTML nested deeper than {self.max_depth} levels")
        text = element.text
        if text:
            self.add(text)
        if not len(element):  # a leaf: cheaper to ask than to start iterating
            return
        depth += 1
        styles = self.styles
        for child in element:
            tag = child.tag
            kind = _KINDS.get(tag, _INLINE)
            if kind == _BREAK:
                self.line_break()
            elif kind != _SKIP:
                style = child.get("style") if isinstance(tag, str) else None
                flags = 0
                if style:
                    flags = styles.get(style, -1)
                    if flags < 0:
                        flags = styles[style] = _flags_of(style)
                if not isinstance(tag, str) or flags & _F_HIDDEN:
                    pass
                elif kind == _INLINE:
                    # inline elements are most of the tree: handled here, without another call
                    if tag == "sup" and _FOOTNOTE_MARK.match("".join(child.itertext())):
                        pass  # footnote markers: "Million<sup>1</sup>"
                    elif not flags and tag not in _EMPHASIS_TAGS:
                        self.walk(child, depth)
                    else:
                        bold = tag in _BOLD_TAGS or flags & _F_BOLD
                        italic = tag in _ITALIC_TAGS or flags & _F_ITALIC
                        saved_bold = self.bold
                        if bold:
                            self.bold += 1
                        elif flags & _F_NOT_BOLD:
                            self.bold = 0
                        if italic:
                            self.italic += 1
                        self.walk(child, depth)
                        self.bold = saved_bold
                        if italic:
                            self.italic -= 1
                elif kind in _BLOCK_KINDS:
                    self._block(child, tag, kind, flags, style, depth)
                else:
                    self._element(child, tag, kind, flags, style, depth)
            tail = child.tail
            if tail:
                self.add(tail)

    def _element(self, element: Any, tag: str, kind: int, flags: int, style: str | None,
                 depth: int) -> None:
        """A non-inline element whose style attribute and flags the caller has read
        (attribute reads are the dearest part of the lxml API)."""
        if flags & _F_HIDDEN:
            return
        if kind == _ROW:
            self._row(element, depth)
        elif kind == _PRE:
            self.flush()
            self.blocks.extend(text_blocks("".join(element.itertext())))
        elif kind in (_RULE, _PAGE):
            self.flush()
            if kind == _PAGE or flags & _F_PAGE:
                self.blocks.append(PAGE_BREAK)
        else:
            self._block(element, tag, kind, flags, style, depth)

    def _block(self, element: Any, tag: str, kind: int, flags: int, style: str | None,
               depth: int) -> None:
        if self.chars or self.parts or self.lines:  # (flush has nothing to do otherwise)
            self.flush()
        if flags & _F_PAGE and "before" in (style or "").lower():
            self.blocks.append(PAGE_BREAK)
        center = bool(flags & _F_CENTER) or tag == "center" or \
            (element.get("align") or "").lower() == "center"
        bold = tag in _HEADING_TAGS or bool(flags & _F_BOLD)
        italic = bool(flags & _F_ITALIC)
        item = kind == _ITEM
        size = len(element)
        if size <= 1 and kind != _TABLE:
            simple = self._simple_text(element, tag, size, element.text, flags, depth)
            if simple is not None:  # one run of text: no need to walk it
                if simple[0]:
                    self.blocks.append(Block(
                        simple[0], "list_item" if item or self.item else "text", (),
                        simple[1] or bold or self.bold > 0, center or self.center > 0,
                        simple[2] or italic or self.italic > 0))
                if flags & _F_PAGE and "after" in (style or "").lower():
                    self.blocks.append(PAGE_BREAK)
                return
        self.center += center
        self.bold += bold
        self.italic += italic
        self.item += item
        self.walk(element, depth)
        self.flush()
        self.center -= center
        self.bold -= bold
        self.italic -= italic
        self.item -= item
        if flags & _F_PAGE and "after" in (style or "").lower():
            self.blocks.append(PAGE_BREAK)

    def _simple_text(self, element: Any, tag: Any, size: int, text: str | None, flags: int,
                     depth: int) -> tuple[str, bool, bool] | None:
        """(text, bold, italic) when ``element`` holds one run of text inside a chain of
        single wrappers (``<td><div><font>12,400</font></div></td>``); None when it needs
        the walk. Spares most table cells and paragraphs the full walk. The caller gives the
        element's tag, number of children, text and style flags, which it has read already:
        each read through lxml costs as much as the rest of the work on an element."""
        bold = italic = False
        max_depth = self.max_depth
        while True:
            if depth > max_depth:
                raise NormalizeError(f"HTML nested deeper than {max_depth} levels")
            if flags:
                if flags & _F_HIDDEN:
                    return "", False, False
                if flags & _F_BOLD:
                    bold = True
                elif flags & _F_NOT_BOLD:
                    bold = False
                if flags & _F_ITALIC:
                    italic = True
            if tag in _EMPHASIS_OR_HEADING_TAGS:
                if tag in _ITALIC_TAGS:
                    italic = True
                else:
                    bold = True
            if not size:
                return (" ".join(text.split()) if text else ""), bold, italic
            if size > 1 or (text and not text.isspace()):
                return None
            element = element[0]
            tag = element.tag
            if tag not in _SIMPLE_WRAPPERS:
                return None
            tail = element.tail
            if tail and not tail.isspace():
                return None
            depth += 1
            size = len(element)
            text = element.text
            style = element.get("style")
            if style:
                flags = self.styles.get(style, -1)
                if flags < 0:
                    flags = self.styles[style] = _flags_of(style)
            else:
                flags = 0

    def _row(self, row: Any, depth: int) -> None:
        if self.chars or self.parts or self.lines:
            self.flush()
        # each cell: (text, bold) when it is one run of text, else the blocks it holds; and
        # the text and boldness of each cell (of its first block)
        cells: list[tuple[str, bool] | list[Block]] = []
        texts: list[str] = []
        strongs: list[bool] = []
        layout = False  # a cell holds several paragraphs, or a list item: a layout table
        bold = self.bold > 0
        depth += 1
        for cell in row:
            tag = cell.tag
            if not isinstance(tag, str):
                continue
            size = len(cell)
            text = cell.text
            if not size and (not text or text.isspace()):
                continue  # an empty cell
            kind = _KINDS.get(tag, _INLINE)
            if kind == _SKIP:
                continue
            style = cell.get("style")
            flags = 0
            if style:
                flags = self.styles.get(style, -1)
                if flags < 0:
                    flags = self.styles[style] = _flags_of(style)
            if kind == _CELL:
                simple = self._simple_text(cell, tag, size, text, flags, depth)
                if simple is not None:  # the usual cell: one run of text, maybe wrapped
                    if simple[0]:
                        strong = simple[1] or bold
                        cells.append((simple[0], strong))
                        texts.append(simple[0])
                        strongs.append(strong)
                    continue
            elif kind == _INLINE:
                kind = _BLOCK  # stray content between cells
            outer = self.blocks
            self.blocks = []
            self._element(cell, tag, kind, flags, style, depth)
            self.flush()
            blocks = [b for b in self.blocks if b.kind != "page_break"]
            self.blocks = outer
            if blocks:
                cells.append(blocks)
                texts.append(blocks[0].text)
                strongs.append(blocks[0].strong)
                if len(blocks) > 1 or blocks[0].kind != "text":
                    layout = True
        if not cells:
            return
        if len(cells) == 1 or layout:
            for cell_content in cells:  # a layout table: its cells are ordinary paragraphs
                if isinstance(cell_content, list):
                    self.blocks.extend(cell_content)
                else:
                    self.blocks.append(Block(cell_content[0], strong=cell_content[1]))
            return
        strong = all(strongs[1:])
        if len(texts[0]) == 1 and texts[0] in _BULLET_CELLS:
            self.blocks.append(Block(" ".join(texts[1:]), "list_item", strong=strong))
            return
        strong = strong and strongs[0]
        merged = merge_cells(texts)
        if len(merged) == 1:
            self.blocks.append(Block(merged[0], strong=strong))
            return
        self.blocks.append(Block(" | ".join(merged), "table_row", tuple(merged), strong=strong))


def _assemble(lines: list[str]) -> str:
    """Lines of one paragraph split by ``<br>``: short ones (an address, a contact) joined
    with "; ", others reflowed with a space."""
    if len(lines) == 1:
        return lines[0]
    if len(lines) >= 3 and all(len(line) < 50 for line in lines):
        pieces = [lines[0]]
        for line in lines[1:]:
            pieces.append(" " if pieces[-1].endswith((":", ",", "&")) else "; ")
            pieces.append(line)
        return "".join(pieces)
    return join_lines(lines)
