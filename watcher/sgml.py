"""Split an EDGAR full submission (``<acc>.txt``, SGML) into its documents, incrementally.

Documents whose type is not kept (images, zips, XBRL, uuencoded blocks) are skipped as the
bytes stream past and never held in memory, so a many-megabyte submission costs only the
size of the documents we keep.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from watcher.errors import ParseError, ResponseTooLargeError

_TAG_LINE = re.compile(rb"^<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>([^\r\n]*)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SgmlDocument:
    doc_type: str
    sequence: int
    filename: str
    description: str
    content: bytes


def _keep_press_releases(doc_type: str) -> bool:
    return bool(re.match(r"^EX-99(\.[0-9A-Z]{1,4})?$", doc_type))


class SubmissionSplitter:
    """Feed byte chunks; get back the kept documents as each one completes."""

    def __init__(self, keep: Callable[[str], bool], *,
                 max_document_bytes: int = 20 * 1024 * 1024) -> None:
        self._keep = keep
        self._max = max_document_bytes
        self._buffer = b""
        self._in_document = False
        self._header: dict[str, str] = {}
        self._in_text = False
        self._keeping = False
        self._text: list[bytes] = []
        self._text_size = 0
        self._seen: list[tuple[str, int]] = []

    @property
    def documents_seen(self) -> list[tuple[str, int]]:
        return list(self._seen)

    def feed(self, chunk: bytes) -> list[SgmlDocument]:
        self._buffer += chunk
        done: list[SgmlDocument] = []
        while True:
            if not self._in_document:
                start = self._buffer.find(b"<DOCUMENT>")
                if start < 0:
                    self._buffer = self._buffer[-16:]  # keep a possible partial tag
                    return done
                self._buffer = self._buffer[start + len(b"<DOCUMENT>"):]
                self._in_document, self._in_text, self._header = True, False, {}
                continue
            if not self._in_text:
                text_at = self._buffer.find(b"<TEXT>")
                if text_at < 0:
                    if len(self._buffer) > 64 * 1024:
                        raise ParseError("document header without <TEXT> in submission")
                    return done
                for tag, value in _TAG_LINE.findall(self._buffer[:text_at]):
                    self._header[tag.decode().lower()] = value.decode("latin-1").strip()
                doc_type = self._header.get("type", "").upper()
                sequence = self._header.get("sequence", "0")
                self._seen.append((doc_type, int(sequence) if sequence.isdigit() else 0))
                self._keeping = self._keep(doc_type)
                self._buffer = self._buffer[text_at + len(b"<TEXT>"):].lstrip(b"\r\n")
                self._in_text, self._text, self._text_size = True, [], 0
                continue
            end = self._buffer.find(b"</TEXT>")
            if end < 0:
                # keep a tail that could hold a split "</TEXT>"; the rest is text
                cut = max(0, len(self._buffer) - 8)
                self._take(self._buffer[:cut])
                self._buffer = self._buffer[cut:]
                return done
            self._take(self._buffer[:end])
            self._buffer = self._buffer[end + len(b"</TEXT>"):]
            self._in_text = self._in_document = False
            if self._keeping:
                done.append(self._finish())

    def _take(self, data: bytes) -> None:
        if not self._keeping or not data:
            return
        self._text_size += len(data)
        if self._text_size > self._max:
            raise ResponseTooLargeError(
                f"{self._header.get('type', 'document')} exceeds {self._max} bytes")
        self._text.append(data)

    def _finish(self) -> SgmlDocument:
        sequence = self._header.get("sequence", "0")
        return SgmlDocument(
            doc_type=self._header.get("type", "").upper(),
            sequence=int(sequence) if sequence.isdigit() else 0,
            filename=self._header.get("filename", ""),
            description=self._header.get("description", ""),
            content=b"".join(self._text).rstrip(b"\r\n"),
        )

    def close(self) -> list[SgmlDocument]:
        if self._in_text and self._keeping:
            raise ParseError(f"submission ends inside {self._header.get('type', 'a document')}")
        return []


def split_submission(content: bytes,
                     keep: Callable[[str], bool] = _keep_press_releases) -> list[SgmlDocument]:
    splitter = SubmissionSplitter(keep)
    return splitter.feed(content) + splitter.close()
