"""The ``watcher`` command: run, check-config, backfill, ingest, diff, demo, partners, alerts,
notify-test, health.

Exit codes: 0 success; 1 something failed (a filing, a delivery, a file); 2 bad configuration
or usage. ``health`` answers only 0 (healthy) or 1 (anything else), as Docker expects.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from watcher import __version__
from watcher.config import SEC_USER_AGENT_HELP, Config, load_config, parse_config
from watcher.errors import ConfigError, NormalizeError, WatcherError
from watcher.logs import configure_logging

DEFAULT_CONFIG = "config.yaml"
EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def _config_path(args: argparse.Namespace) -> str:
    return str(args.config or os.environ.get("WATCHER_CONFIG") or DEFAULT_CONFIG)


def _load(args: argparse.Namespace, *, optional: bool = False) -> Config:
    path = _config_path(args)
    if optional and not args.config and not Path(path).exists():
        return parse_config({})
    return load_config(path)


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


# ------------------------------------------------------------------------------ commands

def cmd_check_config(args: argparse.Namespace) -> int:
    config = _load(args)
    from watcher.clock import SYSTEM_CLOCK
    from watcher.notifiers.base import NotifierContext
    from watcher.plugins import NOTIFIER_GROUP, SOURCE_GROUP, load_plugin_class

    print(f"{_config_path(args)}: OK")
    print(f"  edgar: {config.edgar.base_url} at most {config.edgar.max_requests_per_second:g} "
          f"requests/s, user agent {'set' if config.edgar.user_agent else 'NOT SET'}")
    print(f"  companies: {len(config.companies) or 'every filer'}")
    for source in config.sources:
        load_plugin_class(SOURCE_GROUP, source.kind)
        print(f"  source {source.name}: {source.kind} every {source.every:g}s in filing "
              f"hours, {source.off_hours_interval:g}s outside")
    context = NotifierContext(config=config, clock=SYSTEM_CLOCK)
    for settings in config.notifiers:
        notifier = load_plugin_class(NOTIFIER_GROUP, settings.kind)(settings, context)
        shown = json.dumps(notifier.describe(), default=str)
        print(f"  notifier {settings.name}: {shown}")
        asyncio.run(notifier.aclose())
    from watcher.routing import Router
    from watcher.store.base import redact_url

    router = Router(config.rules, config.notifiers)
    if config.rules:
        for rule in router.rules:
            print(f"  rule {rule.name}: -> {', '.join(rule.notifiers)}"
                  + (" (stop)" if rule.stop else ""))
    else:
        print(f"  routing: every alert to {', '.join(router.default) or 'no notifier'}")
    print(f"  operator alerts to: {', '.join(router.operator_notifiers) or 'the log only'}")
    print(f"  store: {redact_url(config.store.url)}")
    server = config.server
    print(f"  server: {'http://' + server.listen if server.enabled else 'disabled'}"
          f"{', bearer token from $' + server.token_env if server.token_env else ''}")
    if not config.edgar.user_agent:
        print("  note: `watcher run` needs edgar.user_agent (see `watcher run` for why)")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    config = _load(args)
    configure_logging(config.logging.level, config.logging.format)
    if not config.edgar.user_agent:
        print(f"watcher: edgar.user_agent is not set.\n\n{SEC_USER_AGENT_HELP}", file=sys.stderr)
        return EXIT_CONFIG
    from watcher.app import App

    app = App(config)
    if args.once:
        report = asyncio.run(app.run_once())
        failed = [o for o in report.outcomes if o.state in ("failed", "retry")]
        print(f"poll cycle: {report.new_filings} new filing(s), "
              f"{len(report.outcomes)} processed, {len(failed)} failed, "
              f"{sum(len(o.alerts) for o in report.outcomes)} alert(s); "
              f"sources failed: {', '.join(report.polls_failed) or 'none'}", file=sys.stderr)
        return EXIT_FAILED if report.failed else EXIT_OK
    asyncio.run(app.run_forever())
    return EXIT_OK


def cmd_backfill(args: argparse.Namespace) -> int:
    """Fill history from the submissions pages; resumable; alerts only with --alerts."""
    config = _load(args)
    configure_logging(config.logging.level if args.verbose else "WARNING", "text")
    if not config.edgar.user_agent:
        print(f"watcher: edgar.user_agent is not set.\n\n{SEC_USER_AGENT_HELP}", file=sys.stderr)
        return EXIT_CONFIG
    if not args.cik and not config.companies:
        print("watcher: nothing to backfill: give --cik or list companies in the config",
              file=sys.stderr)
        return EXIT_CONFIG
    from watcher.app import App
    from watcher.backfill import Progress, summary

    app = App(config)
    report = asyncio.run(app.backfill(args.cik, since=args.since, limit=args.limit,
                                      alerts=args.alerts, progress=Progress(sys.stderr)))
    print(summary(report), file=sys.stderr)
    return EXIT_FAILED if report.failed or report.companies_failed else EXIT_OK


def _date_arg(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number: {value!r}")
    return int(value)


def cmd_health(args: argparse.Namespace) -> int:
    """Ask the running daemon's /healthz; 0 when it answers 200, 1 otherwise."""
    try:
        config = _load(args)
    except ConfigError as exc:  # not 2: Docker reserves exit code 2 of a health check
        print(f"watcher health: {exc}", file=sys.stderr)
        return EXIT_FAILED
    server = config.server
    if not server.enabled or server.port == 0:
        print(f"watcher health: no endpoint to ask (server.enabled: {server.enabled}, "
              f"listen: {server.listen})", file=sys.stderr)
        return EXIT_FAILED
    from watcher.server import probe_health

    try:
        status, body = probe_health(server.host, server.port,
                                    config.secret(server.token_env), timeout=args.timeout)
    except OSError as exc:
        print(f"watcher health: no answer on {server.listen}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.write(body.decode("utf-8", errors="replace"))
    if status != 200:
        print(f"watcher health: HTTP {status}", file=sys.stderr)
    return EXIT_OK if status == 200 else EXIT_FAILED


def cmd_ingest(args: argparse.Namespace) -> int:
    """Process local exhibit files in order, as if filed one after the other."""
    config = _load(args, optional=True)
    configure_logging("WARNING", "text")
    from watcher.clock import SYSTEM_CLOCK
    from watcher.extract import filer_name
    from watcher.models import Company, Exhibit, Filing
    from watcher.normalize import normalize_exhibit
    from watcher.pipeline import Pipeline
    from watcher.store import open_store

    store = open_store(args.store)
    pipeline = Pipeline(config, store, None, SYSTEM_CLOCK, route=lambda alert: [])
    alerts: list[dict[str, Any]] = []
    failures = 0
    try:
        for name in args.files:
            path = Path(name)
            try:
                content = path.read_bytes()
                release = normalize_exhibit(content, max_bytes=config.edgar.max_document_bytes)
            except (OSError, NormalizeError) as exc:
                print(f"{path}: {exc}", file=sys.stderr)
                failures += 1
                continue
            company_name = args.company or filer_name(release) or ""
            if store.company(args.cik) is None and company_name:
                store.upsert_company(Company(args.cik, company_name), SYSTEM_CLOCK.now())
            digest = hashlib.sha256(content).hexdigest()
            filing = Filing(accession=f"local-{digest[:16]}", cik=args.cik, form="8-K",
                            filed=release.dateline_date, company_name=company_name,
                            index_url=path.resolve().as_uri(), source="ingest")
            store.add_filings([filing], SYSTEM_CLOCK.now())
            exhibit = Exhibit(accession=filing.accession, doc_type=args.type,
                              filename=path.name, url=path.resolve().as_uri(), content=content)
            outcome = pipeline.store_documents(filing, [exhibit])
            for error in outcome.errors:
                print(f"{path}: {error}", file=sys.stderr)
            failures += outcome.state == "failed"
            alerts.extend(a.payload for a in outcome.alerts)
    finally:
        store.close()
    _print_json(alerts)
    return EXIT_FAILED if failures else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare release B with release A: each a file or a stored release (accession or id)."""
    config = _load(args, optional=True)
    from dataclasses import asdict, replace

    from watcher.compare import compare_with_releases
    from watcher.diffview import render_html, render_text
    from watcher.models import StoredRelease
    from watcher.normalize import normalize_exhibit
    from watcher.store import Store, open_store
    from watcher.store.sqlite import sqlite_path

    # two releases, not a history: whatever of A is gone from B is reported, in any section
    options = config.compare.options()
    options = replace(options, dropped_min_occurrences=1, dropped_sections=options.sections)
    stores: list[Store] = []

    def resolve(ref: str) -> StoredRelease | None:
        path = Path(ref)
        if path.is_file():
            try:
                release = normalize_exhibit(path.read_bytes(),
                                            max_bytes=config.edgar.max_document_bytes)
            except (OSError, NormalizeError) as exc:
                print(f"{ref}: {exc}", file=sys.stderr)
                return None
            return StoredRelease(0, 0, path.name, "file", release.dateline_date, release)
        url = args.store or config.store.url
        if url.startswith("sqlite:") and sqlite_path(url) != ":memory:" \
                and not Path(sqlite_path(url)).exists():
            print(f"{ref}: no such file, and no store at {url}", file=sys.stderr)
            return None
        try:
            if not stores:
                stores.append(open_store(url, migrate=False))
            found = stores[0].release(ref)
        except WatcherError as exc:
            print(f"{ref}: not a file, and the store cannot be read: {exc}", file=sys.stderr)
            return None
        if found is None:
            print(f"{ref}: no such file, and no stored release with that accession or id",
                  file=sys.stderr)
        return found

    try:
        before, after = resolve(args.a), resolve(args.b)
    finally:
        for store in stores:
            store.close()
    if before is None or after is None:
        return EXIT_FAILED
    comparison = compare_with_releases(after.release.paragraphs, [before], options,
                                       label=after.accession)
    if args.json:
        _print_json(asdict(comparison))
    elif args.html:
        sys.stdout.write(render_html(comparison, title=f"{after.accession} vs {before.accession}",
                                     before_label=before.accession,
                                     after_label=after.accession, options=options))
    else:
        sys.stdout.write(render_text(comparison))
    return EXIT_OK


def cmd_partners(args: argparse.Namespace) -> int:
    """The ledger of one company: a table of (partner, product) pairs with their status,
    then each partner's timeline (or all of it as JSON)."""
    config = _load(args, optional=bool(args.store))
    from watcher.store import open_store

    store = open_store(args.store or config.store.url)
    try:
        entries = store.ledger(args.cik)
        aliases = store.aliases(args.cik)
        company = store.company(args.cik)
    finally:
        store.close()
    if args.json:
        from dataclasses import asdict

        _print_json({"cik": args.cik, "company": company.name if company else None,
                     "pairs": [asdict(e) for e in entries],
                     "aliases": [asdict(a) for a in aliases]})
        return EXIT_OK
    from watcher.render import render_ledger

    print(render_ledger(company.name if company and company.name else f"CIK {args.cik}",
                        entries, aliases, timeline=not args.no_timeline))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    """Precision, recall and F1 per change kind on a labelled corpus."""
    from watcher.evaluate import evaluate, format_report

    folder = Path(args.corpus)
    if not folder.is_dir():
        print(f"watcher: {folder}: no such folder", file=sys.stderr)
        return EXIT_CONFIG
    report = evaluate(folder, only=args.company or (), use_aliases=not args.no_aliases)
    print(format_report(report, details=args.details))
    return EXIT_OK


def cmd_alerts(args: argparse.Namespace) -> int:
    """The outbox: what waits (pending), what is retrying (failed), what gave up (dead)."""
    config = _load(args)
    from watcher.store import open_store

    store = open_store(config.store.url)
    try:
        if args.retry or args.retry_all:
            count = store.requeue(None if args.retry_all else args.retry, datetime.now(UTC),
                                  args.notifier)
            if args.retry and not count:
                print(f"watcher: no pending or dead delivery of alert {args.retry}"
                      + (f" to {args.notifier}" if args.notifier else ""), file=sys.stderr)
                return EXIT_FAILED
            print(f"{count} deliver{'y' if count == 1 else 'ies'} queued for retry now "
                  "(the running daemon picks them up)")
            return EXIT_OK
        state = None if args.state == "all" else args.state
        rows = store.deliveries(state=state, limit=args.limit, notifier=args.notifier)
        counts = store.outbox_counts()
    finally:
        store.close()
    if args.json:
        from dataclasses import asdict

        _print_json([asdict(r) for r in rows])
        return EXIT_OK
    by_notifier: dict[str, dict[str, int]] = {}
    for (notifier, status), count in sorted(counts.items()):
        by_notifier.setdefault(notifier, {})[status] = count
    for notifier, states in by_notifier.items():
        shown = ", ".join(f"{states.get(s, 0)} {s}"
                          for s in ("pending", "failed", "dead", "delivered"))
        print(f"{notifier}: {shown}")
    if not rows:
        print("no alerts" + (f" in state {args.state}" if args.state != "all" else ""))
    for r in rows:
        when = f" next {r.next_attempt_at:%Y-%m-%d %H:%M:%S}" \
            if r.state in ("pending", "failed") and r.next_attempt_at else ""
        print(f"{r.created_at:%Y-%m-%d %H:%M} {r.state:9} {r.notifier:12} "
              f"attempts={r.attempts}{when} {r.alert_id} {r.title}")
        if r.last_error and r.state != "delivered":
            print(f"    last error: {r.last_error}")
    return EXIT_OK


def cmd_notify_test(args: argparse.Namespace) -> int:
    """Send a sample alert (of a fictional company) through one notifier, and say how it
    went the way the daemon would take it: delivered, retried later, or dead-lettered."""
    config = _load(args)
    configure_logging(config.logging.level, "text")
    import time

    from watcher.clock import SYSTEM_CLOCK
    from watcher.errors import PermanentDeliveryError, RetryableDeliveryError
    from watcher.events import OperatorEvent
    from watcher.notifiers.base import NotifierContext
    from watcher.notifiers.sample import sample_alert
    from watcher.operator import operator_alert
    from watcher.plugins import NOTIFIER_GROUP, load_plugin_class

    settings = next((n for n in config.notifiers if n.name == args.name), None)
    if settings is None:
        known = ", ".join(n.name for n in config.notifiers) or "none"
        print(f"watcher: no notifier named {args.name!r} (configured: {known})", file=sys.stderr)
        return EXIT_CONFIG
    notifier = load_plugin_class(NOTIFIER_GROUP, settings.kind)(
        settings, NotifierContext(config=config, clock=SYSTEM_CLOCK))
    now = SYSTEM_CLOCK.now()
    if args.operator:
        alert = operator_alert(OperatorEvent(
            kind="source_failing", message="TEST operator alert from watcher notify-test",
            at=now, source="notify-test", details={"failures": 3}))
    else:
        alert = sample_alert(now)
    print(f"{args.name}: {json.dumps(notifier.describe(), default=str)}")

    async def send() -> None:
        try:
            await asyncio.wait_for(notifier.send(alert), config.delivery.send_timeout)
        finally:
            await notifier.aclose()

    started = time.monotonic()
    try:
        asyncio.run(send())
    except PermanentDeliveryError as exc:
        print(f"{args.name}: REFUSED (the daemon would dead-letter it): {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (RetryableDeliveryError, TimeoutError, OSError) as exc:
        reason = str(exc) or f"no answer within {config.delivery.send_timeout:g}s"
        print(f"{args.name}: FAILED (the daemon would retry it): {reason}", file=sys.stderr)
        return EXIT_FAILED
    except WatcherError as exc:
        print(f"{args.name}: FAILED: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{args.name}: sample alert {alert.id} delivered in "
          f"{time.monotonic() - started:.2f}s")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from watcher.demo import run_demo

    return run_demo(interval=args.interval, keep=args.keep)


# ------------------------------------------------------------------------------ parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="watcher",
        description="Watch SEC EDGAR for biotech and pharma press releases and alert when a "
                    "partnership changes status.",
    )
    parser.add_argument("--version", action="version", version=f"watcher {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--config", "-c", help=f"config file (default: $WATCHER_CONFIG or "
                                              f"{DEFAULT_CONFIG})")
        return p

    p = command("run", "run the daemon")
    p.add_argument("--once", action="store_true",
                   help="one poll cycle, then exit (non-zero if a filing failed)")
    p.set_defaults(func=cmd_run)

    p = command("check-config", "validate the configuration, listing every problem")
    p.set_defaults(func=cmd_check_config)

    p = command("backfill", "fill companies' history from EDGAR before going live "
                            "(resumable; no alerts unless --alerts)")
    p.add_argument("--cik", type=_positive, action="append",
                   help="a company to backfill (repeatable; default: every watched company)")
    p.add_argument("--since", type=_date_arg, metavar="DATE",
                   help="only filings on or after DATE (YYYY-MM-DD; default: all history)")
    p.add_argument("--limit", type=_positive, metavar="N",
                   help="process at most N filings in this run (the rest stays queued)")
    p.add_argument("--alerts", action="store_true",
                   help="queue and send alerts for the changes found (default: none)")
    p.add_argument("--verbose", "-v", action="store_true", help="log at the configured level")
    p.set_defaults(func=cmd_backfill)

    p = command("health", "ask the running daemon whether it is healthy (exit 0) or not (1)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait (default 5)")
    p.set_defaults(func=cmd_health)

    p = command("ingest", "process local exhibit files in order and print the alerts as JSON")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--cik", type=int, default=0, help="the company's CIK (default 0)")
    p.add_argument("--company", help="the company's name (default: found in the release)")
    p.add_argument("--type", default="EX-99.1", help="document type (default EX-99.1)")
    p.add_argument("--store", default="sqlite://",
                   help="store URL to keep the history in (default: in memory)")
    p.set_defaults(func=cmd_ingest)

    p = command("diff", "compare release B with release A (files, or stored accessions or ids)")
    p.add_argument("a", metavar="A", help="the earlier release: a file, an accession or an id")
    p.add_argument("b", metavar="B", help="the later release: a file, an accession or an id")
    p.add_argument("--store", help="store URL for stored releases (default: store.url)")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--html", action="store_true",
                       help="print an HTML page, side by side with word highlights")
    shown.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.set_defaults(func=cmd_diff)

    p = command("partners", "show a company's partner ledger and each partner's timeline")
    p.add_argument("cik", type=int)
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-timeline", action="store_true", help="the table only")
    p.add_argument("--store", help="store URL (default: store.url of the configuration)")
    p.set_defaults(func=cmd_partners)

    p = command("eval", "measure change detection on a labelled corpus (labels*.yaml)")
    p.add_argument("corpus", nargs="?", default="../shared/data/releases",
                   help="folder with labels*.yaml (default ../shared/data/releases)")
    p.add_argument("--company", action="append", metavar="SLUG",
                   help="only this company (repeatable)")
    p.add_argument("--no-aliases", action="store_true",
                   help="do not configure the labels' aliases: names are learned from text")
    p.add_argument("--details", action="store_true",
                   help="list every missed and every false change")
    p.set_defaults(func=cmd_eval)

    p = command("alerts", "list the outbox (pending, failed, dead) or retry deliveries")
    p.add_argument("--state", default="undelivered",
                   choices=["pending", "failed", "dead", "undelivered", "delivered", "all"],
                   help="which deliveries (default: undelivered = pending, failed and dead)")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--notifier", help="only this notifier (also with --retry/--retry-all)")
    p.add_argument("--retry", metavar="ALERT_ID", help="retry one alert now")
    p.add_argument("--retry-all", action="store_true",
                   help="retry every dead and failing delivery now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_alerts)

    p = command("notify-test", "send a sample alert through one notifier and report the outcome")
    p.add_argument("name")
    p.add_argument("--operator", action="store_true", help="send a sample operator alert")
    p.set_defaults(func=cmd_notify_test)

    p = sub.add_parser("demo", help="run against a fake EDGAR with a fictional company",
                       description="Start a fake EDGAR, publish three releases of a fictional "
                                   "company one by one and show the alerts.")
    p.add_argument("--interval", type=float, default=4.0,
                   help="seconds between published releases (default 4)")
    p.add_argument("--keep", action="store_true", help="keep the demo's working folder")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"watcher: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except WatcherError as exc:
        print(f"watcher: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
