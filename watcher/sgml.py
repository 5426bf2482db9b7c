"""A full EDGAR submission (``<acc>.txt``, SGML) -> its documents, read incrementally.

The submission is a header followed by ``<DOCUMENT>`` blocks::

    <DOCUMENT>
    <TYPE>EX-99.1
    <SEQUENCE>2
    <FILENAME>ex99-1.htm
    <DESCRIPTION>PRESS RELEASE
    <TEXT>
    ... the document, HTML or plain text, or a uuencoded image ...
    </TEXT>
    </DOCUMENT>

``SubmissionSplitter`` is fed byte chunks as they arrive and returns the documents it has
completed whose type the caller keeps. Rejected documents (images, XBRL, uuencoded
binaries) are skipped as they stream: only a few bytes of them are ever held, so memory
stays bounded by the chunk size plus the largest kept document (itself capped).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from watcher.errors import ParseError, ResponseTooLargeError

DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# A document's tag lines (<TYPE> .. <DESCRIPTION>) are a few hundred bytes; more than this
# before <TEXT> means the stream is not a submission.
MAX_DOCUMENT_HEADER_BYTES = 64 * 1024

_PRESS_RELEASE_TYPE = re.compile(r"^EX-99(\.[0-9A-Z()]{1,6})?$")
_DOCUMENT = b"<DOCUMENT>"
_TEXT = b"<TEXT>"
_END_TEXT = b"</TEXT>"
_HEADER_TAG = re.compile(rb"^[ \t]*<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>[ \t]*(.*?)[ \t]*\r?$",
                         re.MULTILINE | re.IGNORECASE)


def is_press_release_type(doc_type: str) -> bool:
    """EX-99, EX-99.1, EX-99.01, EX-99.A ...: the exhibit types that carry press releases."""
    return bool(_PRESS_RELEASE_TYPE.match(doc_type.strip().upper()))


@dataclass(frozen=True, slots=True)
class SgmlDocument:
    """One ``<DOCUMENT>`` of a submission; ``content`` is its ``<TEXT>`` body, byte for byte
    (the line breaks after ``<TEXT>`` and before ``</TEXT>`` belong to the tags' lines, not
    to the body)."""

    doc_type: str
    sequence: int
    filename: str
    description: str
    content: bytes


_SEEK_DOCUMENT = 0  # between documents (or in the SEC header): look for <DOCUMENT>
_READ_HEADER = 1    # inside a document, before <TEXT>: collect the tag lines
_KEEP_TEXT = 2      # inside a kept document's <TEXT>: collect up to </TEXT>
_SKIP_TEXT = 3      # inside a rejected document's <TEXT>: discard up to </TEXT>


class SubmissionSplitter:
    """Incremental: feed byte chunks of a full submission; bounded memory.

    ``feed`` returns the kept documents completed so far. A kept document larger than
    ``max_document_bytes`` raises ``ResponseTooLargeError`` naming it; the splitter then
    skips the rest of that document and can go on being fed (documents completed before the
    error in the same chunk are returned by the next ``feed`` or ``close``).
    """

    def __init__(self, keep: Callable[[str], bool], *,
                 max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> None:
        self._keep = keep
        self._max = max_document_bytes
        self._state = _SEEK_DOCUMENT
        self._buffer = bytearray()
        self._scan_from = 0  # where the next search for a marker in _buffer may start
        self._header = b""
        self._current: tuple[str, int, str, str] | None = None
        self._ready: list[SgmlDocument] = []
        self._seen: list[tuple[str, int]] = []
        self._closed = False

    @property
    def documents_seen(self) -> list[tuple[str, int]]:
        """(type, sequence) of every document started so far, kept or not."""
        return list(self._seen)

    def feed(self, chunk: bytes) -> list[SgmlDocument]:
        if self._closed:
            raise ParseError("submission splitter fed after close()")
        self._buffer += chunk
        self._run()
        return self._take()

    def close(self) -> list[SgmlDocument]:
        """Flush; raises ParseError when the stream ended inside a kept document."""
        if self._closed:
            return self._take()
        self._closed = True
        if self._state == _KEEP_TEXT and self._current is not None:
            doc_type, sequence, _, _ = self._current
            self._buffer = bytearray()
            raise ParseError(
                f"submission ends inside {doc_type} (sequence {sequence}): no </TEXT> after "
                "its text")
        self._buffer = bytearray()
        return self._take()

    # ------------------------------------------------------------------ internals

    def _take(self) -> list[SgmlDocument]:
        ready, self._ready = self._ready, []
        return ready

    def _run(self) -> None:
        while True:
            if self._state == _SEEK_DOCUMENT:
                progressed = self._seek_document()
            elif self._state == _READ_HEADER:
                progressed = self._read_header()
            elif self._state == _KEEP_TEXT:
                progressed = self._keep_text()
            else:
                progressed = self._skip_text()
            if not progressed:
                return

    def _discard_all_but(self, tail: int) -> None:
        """Drop the buffer except its last ``tail`` bytes (a marker may straddle chunks)."""
        if len(self._buffer) > tail:
            del self._buffer[: len(self._buffer) - tail]
        self._scan_from = 0

    def _seek_document(self) -> bool:
        at = self._buffer.find(_DOCUMENT, self._scan_from)
        if at < 0:
            self._discard_all_but(len(_DOCUMENT) - 1)
            return False
        del self._buffer[: at + len(_DOCUMENT)]
        self._scan_from = 0
        self._state = _READ_HEADER
        return True

    def _read_header(self) -> bool:
        at = self._buffer.find(_TEXT, self._scan_from)
        if at < 0:
            if len(self._buffer) > MAX_DOCUMENT_HEADER_BYTES:
                raise ParseError(f"no <TEXT> within {MAX_DOCUMENT_HEADER_BYTES} bytes of "
                                 "<DOCUMENT>: not an EDGAR submission")
            self._scan_from = max(0, len(self._buffer) - len(_TEXT) + 1)
            return False
        header = bytes(self._buffer[:at])
        end = at + len(_TEXT)
        # The body starts on the line after <TEXT>; wait for that line break to arrive.
        if len(self._buffer) < end + 2 and (
                len(self._buffer) == end or self._buffer[end:end + 1] == b"\r"):
            self._scan_from = at
            return False
        if self._buffer[end:end + 2] == b"\r\n":
            end += 2
        elif self._buffer[end:end + 1] == b"\n":
            end += 1
        del self._buffer[:end]
        self._scan_from = 0
        tags = {m.group(1).upper().decode("ascii"): m.group(2) for m in
                _HEADER_TAG.finditer(header)}
        doc_type = _text(tags.get("TYPE", b"")).upper()
        sequence_text = _text(tags.get("SEQUENCE", b""))
        sequence = int(sequence_text) if sequence_text.isdigit() else 0
        self._current = (doc_type, sequence, _text(tags.get("FILENAME", b"")),
                         _text(tags.get("DESCRIPTION", b"")))
        self._seen.append((doc_type, sequence))
        self._state = _KEEP_TEXT if self._keep(doc_type) else _SKIP_TEXT
        return True

    def _keep_text(self) -> bool:
        at = self._buffer.find(_END_TEXT, self._scan_from)
        if at < 0:
            if len(self._buffer) > self._max + len(_END_TEXT):
                return self._too_large()
            self._scan_from = max(0, len(self._buffer) - len(_END_TEXT) + 1)
            return False
        if at > self._max:
            return self._too_large()
        assert self._current is not None
        doc_type, sequence, filename, description = self._current
        end = at  # the line break before </TEXT> belongs to the tag's line
        if end and self._buffer[end - 1:end] == b"\n":
            end -= 2 if end > 1 and self._buffer[end - 2:end - 1] == b"\r" else 1
        self._ready.append(SgmlDocument(doc_type, sequence, filename, description,
                                        bytes(self._buffer[:end])))
        del self._buffer[: at + len(_END_TEXT)]
        self._scan_from = 0
        self._current = None
        self._state = _SEEK_DOCUMENT
        return True

    def _too_large(self) -> bool:
        assert self._current is not None
        doc_type, sequence, filename, _ = self._current
        self._state = _SKIP_TEXT
        self._discard_all_but(len(_END_TEXT) - 1)
        raise ResponseTooLargeError(
            f"document {doc_type} (sequence {sequence}, {filename or 'no file name'}) is "
            f"larger than the limit of {self._max} bytes")

    def _skip_text(self) -> bool:
        at = self._buffer.find(_END_TEXT, self._scan_from)
        if at < 0:
            self._discard_all_but(len(_END_TEXT) - 1)
            return False
        del self._buffer[: at + len(_END_TEXT)]
        self._scan_from = 0
        self._current = None
        self._state = _SEEK_DOCUMENT
        return True


def _text(value: bytes) -> str:
    return value.decode("latin-1").strip()


def split_submission(content: bytes,
                     keep: Callable[[str], bool] = is_press_release_type, *,
                     max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
                     ) -> list[SgmlDocument]:
    """The kept documents of a whole submission held in memory (EX-99* by default)."""
    splitter = SubmissionSplitter(keep, max_document_bytes=max_document_bytes)
    documents = splitter.feed(content)
    documents.extend(splitter.close())
    return documents


def looks_like_submission(head: bytes) -> bool:
    """True when the bytes start like a full submission or a ``<DOCUMENT>`` wrapper."""
    stripped = head.lstrip()[:64].upper()
    return stripped.startswith((b"<SEC-DOCUMENT>", b"<SEC-HEADER>", b"<IMS-DOCUMENT>",
                                b"<DOCUMENT>", b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----"))
