"""Per-filing orchestration: fetch its exhibits, then in one transaction normalize, compare,
extract, update the ledger and queue the alert. The outcome is recorded per filing; one
failing filing never stops the others.

``analyze_release`` is the pure heart (release + history + ledger -> analysis); ``Pipeline``
adds the I/O around it: the fetch before, the unit of work around, the outcome after.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from watcher.alerts import build_alert
from watcher.clock import Clock
from watcher.compare import compare_release
from watcher.config import Config
from watcher.errors import FetchError, NormalizeError, NotFoundError, ParseError, ThrottledError
from watcher.extract import ExtractContext, extract_facts
from watcher.http import EdgarClient
from watcher.ledger import PairKey, apply_facts
from watcher.models import (
    Alert,
    Change,
    Company,
    Comparison,
    Exhibit,
    Fact,
    Filing,
    LedgerEntry,
    Release,
    StoredRelease,
    WatchItem,
)
from watcher.normalize import normalize_exhibit
from watcher.resolve import fetch_exhibits
from watcher.store.base import FilingRow, FilingState, Store, UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the pure stages found in one release."""

    comparison: Comparison
    facts: tuple[Fact, ...]
    changes: tuple[Change, ...]
    watch: tuple[WatchItem, ...]
    entries: tuple[LedgerEntry, ...]


@dataclass(slots=True)
class FilingOutcome:
    accession: str
    cik: int
    state: FilingState | str
    documents: int = 0
    alerts: list[Alert] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def extract_context(config: Config | None, company: Company, release: Release,
                    ledger: dict[PairKey, LedgerEntry]) -> ExtractContext:
    aliases = config.aliases if config is not None else None
    return ExtractContext(
        own_names=tuple(n for n in (company.name,) if n),
        partner_aliases={k: tuple(v) for k, v in (aliases.partners if aliases else {}).items()},
        product_aliases={k: tuple(v) for k, v in (aliases.products if aliases else {}).items()},
        known_partners=tuple(sorted({e.partner for e in ledger.values()})),
        known_products=tuple(sorted({e.product for e in ledger.values() if e.product})),
        release_date=release.dateline_date,
    )


def analyze_release(release: Release, history: Sequence[StoredRelease],
                    ledger: dict[PairKey, LedgerEntry], context: ExtractContext, *,
                    accession: str, filed_on: Filing) -> Analysis:
    """compare -> extract -> ledger for one release. Pure."""
    comparison = compare_release(release.paragraphs, history)
    facts = extract_facts(release, context)
    update = apply_facts(ledger, facts, accession=accession,
                         filed=filed_on.filed or release.dateline_date)
    return Analysis(comparison, tuple(facts), update.changes, update.watch, update.entries)


class Pipeline:
    """Processes claimed filings; ``route`` picks the notifiers of each alert."""

    def __init__(self, config: Config, store: Store, http: EdgarClient | None, clock: Clock,
                 route: Callable[[Alert], list[str]]) -> None:
        self.config = config
        self.store = store
        self.http = http
        self.clock = clock
        self.route = route

    async def process(self, row: FilingRow) -> FilingOutcome:
        """Fetch and store one claimed filing; failures are recorded, never raised."""
        filing = row.filing
        log = {"accession": filing.accession, "cik": filing.cik}
        assert self.http is not None, "a pipeline that fetches needs an HTTP client"
        try:
            index, exhibits = await fetch_exhibits(self.http, filing)
        except (FetchError, NormalizeError, ParseError, ValueError) as exc:
            return await self._failed(row, exc)
        except Exception as exc:  # a bug must not stop the other filings
            logger.exception("unexpected error fetching filing", extra=log)
            return await self._failed(row, exc)
        filing = replace(
            filing,
            filed=filing.filed or index.filed,
            items=filing.items or index.items,
            report_date=filing.report_date or index.report_date,
            amends=filing.amends or index.amends,
        )
        if filing != row.filing:
            await asyncio.to_thread(self.store.update_filing, filing)
        return await asyncio.to_thread(self.store_documents, filing, exhibits, row.notify)

    async def _failed(self, row: FilingRow, exc: BaseException) -> FilingOutcome:
        filing = row.filing
        message = f"{type(exc).__name__}: {exc}"
        now = self.clock.now()
        retry_at: datetime | None = None
        if row.attempts < self.config.pipeline.max_attempts:
            delay = 60.0 * 2 ** (row.attempts - 1)
            if isinstance(exc, ThrottledError):
                delay = max(delay, exc.retry_after)
            if isinstance(exc, NotFoundError):
                delay = max(delay, 300.0)  # the index can lag the feed by minutes
            retry_at = now + timedelta(seconds=delay)
        logger.warning("filing failed (attempt %d/%d): %s%s", row.attempts,
                       self.config.pipeline.max_attempts, message,
                       f"; retry at {retry_at:%H:%M:%S}" if retry_at else "; giving up",
                       extra={"accession": filing.accession, "cik": filing.cik})
        await asyncio.to_thread(self.store.release_filing, filing.accession, now, message,
                                retry_at)
        return FilingOutcome(filing.accession, filing.cik,
                             "retry" if retry_at else "failed", errors=[message])

    def company_for(self, filing: Filing) -> Company:
        known = self.store.company(filing.cik)
        if known is not None and known.name:
            return known
        company = Company(filing.cik, filing.company_name, known.tickers if known else ())
        if company.name:
            self.store.upsert_company(company, self.clock.now())
        return company

    def store_documents(self, filing: Filing, exhibits: Sequence[Exhibit],
                        notify: bool = True) -> FilingOutcome:
        """Normalize, analyze and store every exhibit of a filing in one transaction."""
        company = self.company_for(filing)
        outcome = FilingOutcome(filing.accession, filing.cik, "done")
        log = {"accession": filing.accession, "cik": filing.cik}
        now = self.clock.now()
        with self.store.unit_of_work(filing.cik) as uow:
            for exhibit in exhibits:
                if uow.release_exists(filing.accession, exhibit.doc_type):
                    continue  # already processed: re-processing is harmless
                uow.save_exhibit(exhibit, now)
                try:
                    release = normalize_exhibit(
                        exhibit.content, max_bytes=self.config.edgar.max_document_bytes)
                except NormalizeError as exc:
                    message = f"{exhibit.doc_type} {exhibit.filename}: {exc}"
                    outcome.errors.append(message)
                    logger.warning("document not normalized: %s", message, extra=log)
                    continue
                alert = self._store_release(uow, company, filing, exhibit, release, notify, now)
                outcome.documents += 1
                if alert is not None:
                    outcome.alerts.append(alert)
            if not exhibits:
                outcome.state = "skipped"
            elif outcome.documents == 0 and outcome.errors:
                outcome.state = "failed"
            uow.finish_filing(filing.accession, outcome.state,  # type: ignore[arg-type]
                              now, "; ".join(outcome.errors) or None)
        logger.info("filing %s: %s, %d document(s), %d alert(s)", filing.accession,
                    outcome.state, outcome.documents, len(outcome.alerts), extra=log)
        return outcome

    def _store_release(self, uow: UnitOfWork, company: Company, filing: Filing,
                       exhibit: Exhibit, release: Release, notify: bool,
                       now: datetime) -> Alert | None:
        history = uow.history(filing.cik, before=filing.filed,
                              exclude_accession=filing.accession,
                              limit=self.config.pipeline.history)
        ledger = uow.ledger(filing.cik)
        context = extract_context(self.config, company, release, ledger)
        analysis = analyze_release(release, history, ledger, context,
                                   accession=filing.accession, filed_on=filing)
        release_id = uow.save_release(filing.cik, filing, exhibit.doc_type, release, now)
        uow.save_analysis(release_id, analysis.comparison, analysis.facts, analysis.changes,
                          analysis.watch)
        uow.save_ledger(filing.cik, analysis.entries, now)
        if not notify or not analysis.changes:
            return None
        alert = build_alert(company=company, filing=filing, exhibit=exhibit, release=release,
                            comparison=analysis.comparison, changes=analysis.changes,
                            watch=analysis.watch, created_at=now)
        uow.save_alert(alert, self.route(alert), now)
        return alert
