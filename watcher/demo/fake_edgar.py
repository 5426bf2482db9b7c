"""A fake EDGAR HTTP server for tests, benchmarks and ``watcher demo``: the latest-filings
Atom feed, filing index pages, documents, full submissions, submissions JSON (with older
pages), daily indexes and company_tickers.json, rendered in EDGAR's real formats from
filings published while it runs; and, when given a folder of recorded real responses
(``load_recorded``, with its ``manifest.json``), those responses byte for byte.

It runs in a background thread (stdlib ``ThreadingHTTPServer``) so both synchronous and
asynchronous tests, and daemons in other processes, can talk to it. Every request is
recorded with its arrival time (``timer``, monotonic by default); ``faults`` lets a test
replace the answer to any path: throttle pages, 503s, slow, truncated, reset, endless or
compressed-bomb bodies.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from watcher.models import accession_folder

EASTERN = timezone(timedelta(hours=-5), "EST")
ITEM_TITLES = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.02": "Termination of a Material Definitive Agreement",
    "2.02": "Results of Operations and Financial Condition",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
    "9.01": "Financial Statements and Exhibits",
}
NOT_FOUND_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
                 b"<Message>The specified key does not exist.</Message></Error>")
END_OF_FEED_HTML = (b"<HTML><HEAD><TITLE>File Unavailable</TITLE></HEAD><BODY><H1>File "
                    b"Unavailable</H1>The file you requested is unavailable.</BODY></HTML>")


@dataclass(frozen=True, slots=True)
class FakeDocument:
    doc_type: str
    filename: str
    content: bytes
    description: str = ""


@dataclass(frozen=True, slots=True)
class FakeFiling:
    cik: int
    company: str
    accession: str
    filed: date
    documents: tuple[FakeDocument, ...]
    form: str = "8-K"
    items: tuple[str, ...] = ("8.01", "9.01")
    accepted: datetime | None = None
    ticker: str | None = None
    report_date: date | None = None
    in_feed: bool = True  # False: the latest-filings feed never shows it (a missed filing)

    @property
    def folder(self) -> str:
        return f"/Archives/edgar/data/{self.cik}/{accession_folder(self.accession)}"

    @property
    def index_path(self) -> str:
        return f"{self.folder}/{self.accession}-index.htm"

    @property
    def accepted_at(self) -> datetime:
        return self.accepted or datetime(self.filed.year, self.filed.month, self.filed.day,
                                         16, 5, tzinfo=EASTERN)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    at: float
    method: str
    path: str
    headers: dict[str, str]


@dataclass(slots=True)
class Reply:
    """An answer. ``stream`` yields the body lazily (a 100 MB document without holding it);
    ``length`` then declares its size (None: no Content-Length, the body ends at close).
    ``reset`` drops the connection without an answer (TCP RST)."""

    status: int
    body: bytes
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate_to: int | None = None
    stream: Callable[[], Iterable[bytes]] | None = None
    length: int | None = None
    reset: bool = False


Fault = Callable[[str], Reply | None]


def zeros(total: int, chunk: int = 1024 * 1024) -> Callable[[], Iterator[bytes]]:
    """A body of ``total`` zero bytes, produced chunk by chunk."""
    def produce() -> Iterator[bytes]:
        block = b"\0" * chunk
        sent = 0
        while sent < total:
            piece = block[:min(chunk, total - sent)]
            sent += len(piece)
            yield piece
    return produce


def gzip_bomb(expanded: int) -> bytes:
    """A small gzip body that inflates to ``expanded`` zero bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    out = []
    for start in range(0, expanded, len(block)):
        out.append(packer.compress(block[:min(len(block), expanded - start)]))
    out.append(packer.flush())
    return b"".join(out)


class FakeEdgar:
    """Serve published filings the way www.sec.gov and data.sec.gov do (one host here)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 timer: Callable[[], float] = time.monotonic,
                 recent_limit: int = 1000) -> None:
        self._filings: list[FakeFiling] = []
        self._by_folder: dict[str, FakeFiling] = {}
        self._lock = threading.Lock()
        self._published_at = datetime(2024, 1, 2, 9, 30, tzinfo=EASTERN)
        self.timer = timer
        self.recent_limit = recent_limit
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.routes: dict[str, Reply] = {}  # exact path (with query) -> reply
        self.recorded: list[tuple[str, dict[str, str], Reply]] = []
        self.recorded_end_of_feed: Reply | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the fake is quiet; tests read ``requests`` instead

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[1]

    def start(self) -> FakeEdgar:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="fake-edgar", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeEdgar:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- content ----------------------------------------------------------------------
    def publish(self, filing: FakeFiling) -> None:
        with self._lock:
            self._filings.append(filing)
            self._by_folder[filing.folder] = filing
            self._published_at = max(self._published_at, filing.accepted_at)

    @property
    def filings(self) -> list[FakeFiling]:
        with self._lock:
            return list(self._filings)

    def requests_to(self, prefix: str) -> list[RecordedRequest]:
        return [r for r in list(self.requests) if r.path.startswith(prefix)]

    @contextmanager
    def fault(self, fault: Fault) -> Iterator[None]:
        self.faults.append(fault)
        try:
            yield
        finally:
            self.faults.remove(fault)

    def load_recorded(self, root: Path) -> int:
        """Serve the recorded responses listed in ``root/manifest.json`` at their paths
        (scheme and host dropped: www.sec.gov and data.sec.gov are both this server).
        A recorded query matches a request holding the same values for the recorded
        parameters that have one (``type=`` recorded empty matches any type). Filing index
        pages are also served at the folder path the resolver asks for. Past the recorded
        pages of the latest-filings feed, the recorded 503 end-of-feed page answers.
        Returns the number of responses loaded."""
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        loaded = 0
        for entry in manifest:
            url, status = entry.get("url"), entry.get("status")
            if not isinstance(url, str) or not url.startswith("http") or not status:
                continue
            headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
            kept = {name: headers[key] for key, name in
                    (("etag", "ETag"), ("last-modified", "Last-Modified"),
                     ("retry-after", "Retry-After")) if key in headers}
            reply = Reply(int(status), (root / entry["file"]).read_bytes(),
                          headers.get("content-type", "application/octet-stream"), kept)
            parts = urlsplit(url)
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if "getcurrent" in parts.query and reply.status == 503:
                self.recorded_end_of_feed = reply
            self.recorded.append((parts.path, query, reply))
            alias = _index_alias(parts.path)
            if alias is not None:
                self.recorded.append((alias, query, reply))
            loaded += 1
        return loaded

    def _recorded(self, path: str, query: dict[str, str]) -> Reply | None:
        for recorded_path, recorded_query, reply in self.recorded:
            if recorded_path == path and all(
                    not value or query.get(key) == value
                    for key, value in recorded_query.items()):
                return reply
        if path == "/cgi-bin/browse-edgar" and query.get("action") == "getcurrent" and \
                self.recorded_end_of_feed is not None:
            return self.recorded_end_of_feed
        return None

    # -- routing ----------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        self.requests.append(RecordedRequest(self.timer(), handler.command, handler.path,
                                             headers))
        reply = None
        for fault in list(self.faults):
            reply = fault(handler.path)
            if reply is not None:
                break
        if reply is None:
            reply = self.route(handler.path, headers)
        self._send(handler, reply)

    def route(self, raw_path: str, headers: dict[str, str]) -> Reply:
        if raw_path in self.routes:
            return self.routes[raw_path]
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        recorded = self._recorded(path, {k: v[0] for k, v in
                                         parse_qs(parts.query, keep_blank_values=True).items()})
        if recorded is not None:
            return self._conditional(recorded, headers)
        if path == "/cgi-bin/browse-edgar" and query.get("action") == ["getcurrent"]:
            return self._current_feed(query, headers)
        if path == "/files/company_tickers.json":
            return Reply(200, self.company_tickers(), "application/json")
        if path.startswith("/submissions/CIK") and path.endswith(".json"):
            return self._submissions(path[len("/submissions/"):])
        if path.startswith("/Archives/edgar/daily-index/"):
            return self._daily_index(path)
        folder, _, name = path.rpartition("/")
        filing = self._by_folder.get(folder)
        if filing is not None:
            if name == f"{filing.accession}-index.htm":
                return Reply(200, self.index_page(filing))
            if name == f"{filing.accession}.txt":
                return Reply(200, self.full_submission(filing), "text/plain")
            for doc in filing.documents:
                if doc.filename == name:
                    kind = "text/plain" if name.endswith(".txt") else "text/html"
                    return Reply(200, doc.content, kind)
        return Reply(404, NOT_FOUND_XML, "application/xml")

    @staticmethod
    def _conditional(reply: Reply, headers: dict[str, str]) -> Reply:
        etag = reply.headers.get("ETag")
        if reply.status == 200 and etag and headers.get("if-none-match") == etag:
            return Reply(304, b"", reply.content_type, {"ETag": etag})
        return reply

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            # SO_LINGER 0: closing sends a TCP reset instead of an orderly shutdown.
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))
            handler.close_connection = True
            return
        headers = {"Content-Type": reply.content_type, **reply.headers}
        try:
            if reply.stream is not None:
                handler.send_response(reply.status)
                for key, value in headers.items():
                    handler.send_header(key, value)
                if reply.length is not None:
                    handler.send_header("Content-Length", str(reply.length))
                handler.send_header("Connection", "close")
                handler.end_headers()
                handler.close_connection = True
                for chunk in reply.stream():
                    handler.wfile.write(chunk)
                return
            body = reply.body
            if "gzip" in handler.headers.get("Accept-Encoding", "") and \
                    "Content-Encoding" not in headers and len(body) > 512:
                body = gzip.compress(body, compresslevel=1)
                headers["Content-Encoding"] = "gzip"
            declared = len(body)
            if reply.truncate_to is not None:
                body = body[:reply.truncate_to]
            handler.send_response(reply.status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(declared))
            handler.end_headers()
            handler.wfile.write(body)
            if reply.truncate_to is not None:
                handler.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    # -- renderers (EDGAR's formats) -----------------------------------------------------
    def _current_feed(self, query: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        form = (query.get("type") or [""])[0].upper()
        start = int((query.get("start") or ["0"])[0])
        count = int((query.get("count") or ["40"])[0])
        listed = [f for f in reversed(self.filings)
                  if f.in_feed and f.form.upper().startswith(form)]
        if start and start >= len(listed):
            return Reply(503, END_OF_FEED_HTML)
        body = self.current_feed(listed[start:start + count])
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if headers.get("if-none-match") == etag:
            return Reply(304, b"", "application/atom+xml", {"ETag": etag})
        return Reply(200, body, "application/atom+xml", {"ETag": etag})

    def current_feed(self, filings: list[FakeFiling]) -> bytes:
        # The feed's own time is that of the last publication, so that an unchanged feed
        # has unchanged bytes (and ETag) between polls.
        now = self._published_at
        out = [
            '<?xml version="1.0" encoding="ISO-8859-1" ?>',
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            f"<title>Latest Filings - {now:%a, %d %b %Y %H:%M:%S} EST</title>",
            '<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>',
            '<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>',
            "<id>https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent</id>",
            "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>",
            f"<updated>{now.isoformat(timespec='seconds')}</updated>",
        ]
        for f in filings:
            size = sum(len(d.content) for d in f.documents) // 1024 + 1
            items = "".join(f"\n&lt;br&gt;Item {i}: {html.escape(ITEM_TITLES.get(i, 'Other'))}"
                            for i in f.items)
            out += [
                "<entry>",
                f"<title>{html.escape(f.form)} - {html.escape(f.company)} ({f.cik:010d}) "
                "(Filer)</title>",
                f'<link rel="alternate" type="text/html" href="{self.base_url}{f.index_path}"/>',
                '<summary type="html">',
                f" &lt;b&gt;Filed:&lt;/b&gt; {f.filed.isoformat()} &lt;b&gt;AccNo:&lt;/b&gt; "
                f"{f.accession} &lt;b&gt;Size:&lt;/b&gt; {size} KB{items}",
                "</summary>",
                f"<updated>{f.accepted_at.isoformat(timespec='seconds')}</updated>",
                f'<category scheme="https://www.sec.gov/" label="form type" term="{f.form}"/>',
                f"<id>urn:tag:sec.gov,2008:accession-number={f.accession}</id>",
                "</entry>",
            ]
        out.append("</feed>")
        return "\n".join(out).encode("iso-8859-1", errors="replace")

    def index_page(self, f: FakeFiling) -> bytes:
        rows = []
        for seq, doc in enumerate(f.documents, start=1):
            row_class = ' class="evenRow"' if seq % 2 == 0 else ""
            rows.append(
                f"<tr{row_class}>"
                f'<td scope="row">{seq}</td>'
                f'<td scope="row">{html.escape(doc.description)}</td>'
                f'<td scope="row"><a href="{f.folder}/{doc.filename}">{doc.filename}</a></td>'
                f'<td scope="row">{html.escape(doc.doc_type)}</td>'
                f'<td scope="row">{len(doc.content)}</td></tr>'
            )
        rows.append(
            '<tr><td scope="row">&nbsp;</td><td scope="row">Complete submission text file</td>'
            f'<td scope="row"><a href="{f.folder}/{f.accession}.txt">{f.accession}.txt</a></td>'
            f'<td scope="row">&nbsp;</td><td scope="row">{len(self.full_submission(f))}</td></tr>'
        )
        items = "".join(f"Item {i}: {html.escape(ITEM_TITLES.get(i, 'Other'))}<br />"
                        for i in f.items)
        company_link = f"/cgi-bin/browse-edgar?CIK={f.cik:010d}&amp;action=getcompany"
        page = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>EDGAR Filing Documents for {f.accession}</title>
</head>
<body style="margin: 0; font-size: 16px; ">
<div id="contentDiv">
<div class="formDiv">
   <div id="formHeader">
      <div id="formName">
         <strong>Form {html.escape(f.form)}</strong> - Current report:
      </div>
      <div id="secNum">
         <strong><acronym title="Securities and Exchange Commission">SEC</acronym> Accession
         <acronym title="Number">No.</acronym></strong> {f.accession}
      </div>
   </div>
   <div class="formContent">
      <div class="formGrouping">
         <div class="infoHead">Filing Date</div>
         <div class="info">{f.filed.isoformat()}</div>
         <div class="infoHead">Accepted</div>
         <div class="info">{f.accepted_at:%Y-%m-%d %H:%M:%S}</div>
         <div class="infoHead">Documents</div>
         <div class="info">{len(f.documents)}</div>
      </div>
      <div class="formGrouping">
         <div class="infoHead">Period of Report</div>
         <div class="info">{(f.report_date or f.filed).isoformat()}</div>
      </div>
      <div class="formGrouping">
         <div class="infoHead">Items</div>
         <div class="info">{items}</div>
      </div>
   </div>
</div>
<div class="formDiv">
   <div>
      <p>Document Format Files</p>
      <table class="tableFile" summary="Document Format Files">
         <tr>
            <th scope="col" style="width: 5%;"><acronym title="Sequence Number">Seq</acronym></th>
            <th scope="col" style="width: 40%;">Description</th>
            <th scope="col" style="width: 20%;">Document</th>
            <th scope="col" style="width: 10%;">Type</th>
            <th scope="col">Size</th>
         </tr>
         {"".join(rows)}
      </table>
   </div>
</div>
<div class="formDiv">
<div class="companyInfo">
  <span class="companyName">{html.escape(f.company)} (Filer)
 <acronym title="Central Index Key">CIK</acronym>: <a href="{company_link}">{f.cik:010d}
 (see all company filings)</a></span>
</div>
</div>
</div>
</body>
</html>
"""
        return page.encode("utf-8")

    def full_submission(self, f: FakeFiling) -> bytes:
        header = (
            f"<SEC-DOCUMENT>{f.accession}.txt : {f.filed:%Y%m%d}\n"
            f"<SEC-HEADER>{f.accession}.hdr.sgml : {f.filed:%Y%m%d}\n"
            f"<ACCEPTANCE-DATETIME>{f.accepted_at:%Y%m%d%H%M%S}\n"
            f"ACCESSION NUMBER:\t\t{f.accession}\n"
            f"CONFORMED SUBMISSION TYPE:\t{f.form}\n"
            f"PUBLIC DOCUMENT COUNT:\t\t{len(f.documents)}\n"
            f"CONFORMED PERIOD OF REPORT:\t{(f.report_date or f.filed):%Y%m%d}\n"
            + "".join(f"ITEM INFORMATION:\t\t{ITEM_TITLES.get(i, 'Other')}\n" for i in f.items)
            + f"FILED AS OF DATE:\t\t{f.filed:%Y%m%d}\n\n"
            f"FILER:\n\n\tCOMPANY DATA:\t\n\t\tCOMPANY CONFORMED NAME:\t\t\t{f.company}\n"
            f"\t\tCENTRAL INDEX KEY:\t\t\t{f.cik:010d}\n"
            "</SEC-HEADER>\n"
        ).encode("utf-8")
        parts = [header]
        for seq, doc in enumerate(f.documents, start=1):
            parts.append(
                f"<DOCUMENT>\n<TYPE>{doc.doc_type}\n<SEQUENCE>{seq}\n<FILENAME>{doc.filename}\n"
                f"<DESCRIPTION>{doc.description}\n<TEXT>\n".encode()
                + doc.content + b"\n</TEXT>\n</DOCUMENT>\n"
            )
        parts.append(b"</SEC-DOCUMENT>\n")
        return b"".join(parts)

    def company_tickers(self) -> bytes:
        seen: dict[int, FakeFiling] = {f.cik: f for f in self.filings if f.ticker}
        table = {str(i): {"cik_str": f.cik, "ticker": f.ticker, "title": f.company}
                 for i, f in enumerate(seen.values())}
        return json.dumps(table).encode()

    @staticmethod
    def _arrays(filings: list[FakeFiling]) -> dict[str, list[Any]]:
        return {
            "accessionNumber": [f.accession for f in filings],
            "filingDate": [f.filed.isoformat() for f in filings],
            "reportDate": [(f.report_date or f.filed).isoformat() for f in filings],
            # Real UTC with the "Z", as data.sec.gov writes it for most filers.
            "acceptanceDateTime": [
                f.accepted_at.astimezone(UTC).replace(tzinfo=None).isoformat(
                    timespec="milliseconds") + "Z" for f in filings],
            "form": [f.form for f in filings],
            "items": [",".join(f.items) for f in filings],
            "primaryDocument": [f.documents[0].filename if f.documents else ""
                                for f in filings],
            "primaryDocDescription": [f.form for f in filings],
        }

    def _pages(self, cik: int) -> list[list[FakeFiling]]:
        """The company's filings, newest first, cut in pages of ``recent_limit``."""
        mine = sorted((f for f in self.filings if f.cik == cik),
                      key=lambda f: (f.accepted_at, f.accession), reverse=True)
        size = max(1, self.recent_limit)
        return [mine[i:i + size] for i in range(0, len(mine), size)]

    def _submissions(self, name: str) -> Reply:
        not_found = Reply(404, NOT_FOUND_XML, "application/xml")
        stem = name[len("CIK"):-len(".json")]
        cik_text, _, page_text = stem.partition("-submissions-")
        if not cik_text.isdigit() or (page_text and not page_text.isdigit()):
            return not_found
        pages = self._pages(int(cik_text))
        page = int(page_text) if page_text else 0
        if not pages or page >= len(pages):
            return not_found
        if page:
            return Reply(200, json.dumps(self._arrays(pages[page])).encode(), "application/json")
        body = self.submissions_json(int(cik_text))
        return Reply(200, body or b"{}", "application/json")

    def submissions_json(self, cik: int) -> bytes | None:
        pages = self._pages(cik)
        if not pages:
            return None
        newest = pages[0][0]
        files = [{"name": f"CIK{cik:010d}-submissions-{n:03d}.json",
                  "filingCount": len(page),
                  "filingFrom": page[-1].filed.isoformat(),
                  "filingTo": page[0].filed.isoformat()}
                 for n, page in enumerate(pages[1:], start=1)]
        body = {"cik": f"{cik:010d}", "name": newest.company,
                "tickers": [newest.ticker] if newest.ticker else [],
                "filings": {"recent": self._arrays(pages[0]), "files": files}}
        return json.dumps(body).encode()

    def _daily_index(self, path: str) -> Reply:
        name = path.rsplit("/", 1)[-1]
        kind, _, rest = name.partition(".")
        stamp = rest[:-len(".idx")] if rest.endswith(".idx") else ""
        try:
            day = datetime.strptime(stamp, "%Y%m%d").date()
        except ValueError:
            return Reply(404, NOT_FOUND_XML, "application/xml")
        if day.weekday() >= 5 or kind not in ("form", "master"):
            return Reply(404, NOT_FOUND_XML, "application/xml")
        return Reply(200, self.daily_index(day, kind), "text/plain")

    def daily_index(self, day: date, kind: str = "form") -> bytes:
        """``form.YYYYMMDD.idx`` (fixed width, by form) or ``master`` (pipe-delimited)."""
        filings = sorted((f for f in self.filings if f.filed == day),
                         key=lambda f: (f.form, f.company, f.accession))
        title = "Daily Index of EDGAR Dissemination Feed" + \
            (" by Form Type" if kind == "form" else "")
        lines = [f"Description:           {title}",
                 f"Last Data Received:    {day:%b %d, %Y}",
                 "Comments:              webmaster@sec.gov",
                 "Anonymous FTP:         ftp://ftp.sec.gov/edgar/", " ", " ", " ", " "]
        if kind == "form":
            lines += [f"{'Form Type':<12}{'Company Name':<62}{'CIK':<12}{'Date Filed':<12}"
                      "File Name", "-" * 141]
            lines += [f"{f.form:<12}{f.company[:61]:<62}{f.cik:<12}{f.filed:%Y%m%d}    "
                      f"edgar/data/{f.cik}/{f.accession}.txt         " for f in filings]
        else:
            lines += ["CIK|Company Name|Form Type|Date Filed|File Name", "-" * 80]
            lines += [f"{f.cik}|{f.company}|{f.form}|{f.filed:%Y%m%d}|"
                      f"edgar/data/{f.cik}/{f.accession}.txt" for f in filings]
        return ("\n".join(lines) + "\n").encode("latin-1", errors="replace")


def _index_alias(path: str) -> str | None:
    """``/Archives/edgar/data/CIK/ACC-index.html`` -> the same page in the accession folder,
    ``/Archives/edgar/data/CIK/ACCNODASH/ACC-index.htm`` (EDGAR serves both)."""
    parts = path.split("/")
    if len(parts) == 6 and parts[1:4] == ["Archives", "edgar", "data"] and \
            parts[5].endswith(("-index.html", "-index.htm")):
        accession = parts[5].rsplit("-index", 1)[0]
        return f"/Archives/edgar/data/{parts[4]}/{accession_folder(accession)}/" \
               f"{accession}-index.htm"
    return None


def utc_now() -> datetime:
    return datetime.now(UTC)
