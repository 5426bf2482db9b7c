"""A fake EDGAR HTTP server for tests and ``watcher demo``: the latest-filings Atom feed,
filing index pages, documents, full submissions, submissions JSON and company_tickers.json,
rendered in EDGAR's real formats from filings published while it runs.

It runs in a background thread (stdlib ``ThreadingHTTPServer``) so both synchronous and
asynchronous tests, and daemons in other processes, can talk to it. Every request is
recorded with its monotonic arrival time; ``faults`` lets a test replace the answer to any
path (throttle pages, 503s, slow or truncated bodies).
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
    status: int
    body: bytes
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate_to: int | None = None


Fault = Callable[[str], Reply | None]


class FakeEdgar:
    """Serve published filings the way www.sec.gov and data.sec.gov do (one host here)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._filings: list[FakeFiling] = []
        self._lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
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

    def start(self) -> FakeEdgar:
        self._thread = threading.Thread(target=self._server.serve_forever,
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

    # -- routing ----------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        self.requests.append(RecordedRequest(time.monotonic(), handler.command, handler.path,
                                             {k.lower(): v for k, v in handler.headers.items()}))
        reply = None
        for fault in list(self.faults):
            reply = fault(handler.path)
            if reply is not None:
                break
        if reply is None:
            reply = self.route(handler.path, {k.lower(): v for k, v in handler.headers.items()})
        self._send(handler, reply)

    def route(self, raw_path: str, headers: dict[str, str]) -> Reply:
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/cgi-bin/browse-edgar" and query.get("action") == ["getcurrent"]:
            return self._current_feed(query, headers)
        if path == "/files/company_tickers.json":
            return Reply(200, self.company_tickers(), "application/json")
        if path.startswith("/submissions/CIK") and path.endswith(".json"):
            cik = int(path[len("/submissions/CIK"):-len(".json")])
            body = self.submissions_json(cik)
            return Reply(200, body, "application/json") if body else \
                Reply(404, NOT_FOUND_XML, "application/xml")
        for filing in self.filings:
            if not path.startswith(filing.folder + "/"):
                continue
            name = path[len(filing.folder) + 1:]
            if name == f"{filing.accession}-index.htm":
                return Reply(200, self.index_page(filing))
            if name == f"{filing.accession}.txt":
                return Reply(200, self.full_submission(filing), "text/plain")
            for doc in filing.documents:
                if doc.filename == name:
                    kind = "text/plain" if name.endswith(".txt") else "text/html"
                    return Reply(200, doc.content, kind)
        return Reply(404, NOT_FOUND_XML, "application/xml")

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body
        headers = {"Content-Type": reply.content_type, **reply.headers}
        if "gzip" in handler.headers.get("Accept-Encoding", "") and \
                "Content-Encoding" not in headers and len(body) > 512:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        declared = len(body)
        if reply.truncate_to is not None:
            body = body[:reply.truncate_to]
        try:
            handler.send_response(reply.status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(declared))
            handler.end_headers()
            handler.wfile.write(body)
            if reply.truncate_to is not None:
                handler.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- renderers (EDGAR's formats) -----------------------------------------------------
    def _current_feed(self, query: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        form = (query.get("type") or [""])[0].upper()
        start = int((query.get("start") or ["0"])[0])
        count = int((query.get("count") or ["40"])[0])
        listed = [f for f in reversed(self.filings) if f.form.upper().startswith(form)]
        if start and start >= len(listed):
            return Reply(503, END_OF_FEED_HTML)
        body = self.current_feed(listed[start:start + count])
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if headers.get("if-none-match") == etag:
            return Reply(304, b"", "application/atom+xml", {"ETag": etag})
        return Reply(200, body, "application/atom+xml", {"ETag": etag})

    def current_feed(self, filings: list[FakeFiling]) -> bytes:
        now = datetime.now(EASTERN)
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
            f"ACCESSION NUMBER:\t\t{f.accession}\n"
            f"CONFORMED SUBMISSION TYPE:\t{f.form}\n"
            f"PUBLIC DOCUMENT COUNT:\t\t{len(f.documents)}\n"
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

    def submissions_json(self, cik: int) -> bytes | None:
        mine = [f for f in reversed(self.filings) if f.cik == cik]
        if not mine:
            return None
        primary = [f.documents[0].filename if f.documents else "" for f in mine]
        recent = {
            "accessionNumber": [f.accession for f in mine],
            "filingDate": [f.filed.isoformat() for f in mine],
            "reportDate": [f.filed.isoformat() for f in mine],
            "acceptanceDateTime": [
                f.accepted_at.astimezone(EASTERN).replace(tzinfo=None).isoformat(
                    timespec="milliseconds") + "Z" for f in mine],
            "form": [f.form for f in mine],
            "items": [",".join(f.items) for f in mine],
            "primaryDocument": primary,
            "primaryDocDescription": [f.form for f in mine],
        }
        body = {"cik": f"{cik}", "name": mine[0].company,
                "tickers": [mine[0].ticker] if mine[0].ticker else [],
                "filings": {"recent": recent, "files": []}}
        return json.dumps(body).encode()


def utc_now() -> datetime:
    return datetime.now(UTC)
