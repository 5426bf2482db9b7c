"""The watchlist: companies from config, by CIK or by ticker (EDGAR's company_tickers.json,
fetched at most once a day: the client's disk cache keeps it for ``TICKERS_MAX_AGE``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from watcher.config import CompanySettings
from watcher.errors import ParseError, WatcherError
from watcher.http import JSON_TYPES, EdgarClient
from watcher.models import Company

logger = logging.getLogger(__name__)

TICKERS_PATH = "/files/company_tickers.json"
TICKERS_MAX_AGE = 24 * 3600.0


def parse_company_tickers(content: bytes) -> dict[str, Company]:
    """Ticker (upper case) -> Company, from SEC's ``company_tickers.json``."""
    try:
        data: Any = json.loads(content)
    except ValueError as exc:
        raise ParseError(f"company_tickers.json is not JSON: {exc}") from exc
    rows = data.values() if isinstance(data, dict) else data
    by_ticker: dict[str, Company] = {}
    tickers_of: dict[int, list[str]] = {}
    for row in rows:
        try:
            cik, ticker, name = int(row["cik_str"]), str(row["ticker"]).upper(), str(row["title"])
        except (KeyError, TypeError, ValueError):
            continue
        tickers_of.setdefault(cik, []).append(ticker)
        by_ticker[ticker] = Company(cik, name)
    return {t: Company(c.cik, c.name, tuple(tickers_of[c.cik])) for t, c in by_ticker.items()}


async def load_company_tickers(http: EdgarClient) -> dict[str, Company]:
    """The ticker map, from the disk cache when it is less than a day old."""
    result = await http.get(http.url(TICKERS_PATH), expect=JSON_TYPES,
                            cache_ttl=TICKERS_MAX_AGE)
    return parse_company_tickers(result.content)


async def resolve_watchlist(companies: Sequence[CompanySettings],
                            http: EdgarClient) -> list[Company]:
    """Companies with a CIK; tickers looked up once. A ticker that cannot be resolved is
    logged and left out; the others are watched."""
    needs_lookup = any(c.cik is None for c in companies)
    tickers: dict[str, Company] = {}
    if needs_lookup:
        try:
            tickers = await load_company_tickers(http)
        except WatcherError as exc:
            logger.error("cannot resolve tickers (company_tickers.json): %s", exc)
    resolved: dict[int, Company] = {}
    for settings in companies:
        if settings.cik is not None:
            company = Company(settings.cik, settings.name or "",
                              (settings.ticker.upper(),) if settings.ticker else ())
        else:
            assert settings.ticker is not None
            found = tickers.get(settings.ticker.upper())
            if found is None:
                logger.error("ticker %s not found in company_tickers.json: not watched",
                             settings.ticker)
                continue
            company = Company(found.cik, settings.name or found.name, found.tickers)
        resolved.setdefault(company.cik, company)  # the same company twice: watched once
    return list(resolved.values())
