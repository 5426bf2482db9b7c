"""Every Prometheus metric of the daemon, in one registry served on ``/metrics``.

Other modules count with one line (``metrics.EDGAR_REQUESTS.labels(status="200").inc()``);
the gauges that describe the shared store (queue depth, outbox backlog, last poll) are set
from the store just before each scrape, so every instance reports the same picture.
Counters and histograms are per process: sum them over instances in queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

# ``*_created`` series double the output and no dashboard of ours reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped upstream
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)   # process_resident_memory_bytes, cpu seconds, open fds
PlatformCollector(registry=REGISTRY)  # python_info

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Seconds: a filing takes milliseconds to analyze, seconds to fetch under the rate limit,
# minutes when EDGAR throttles us.
_FILING_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
_POLL_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

INFO = Gauge("watcher_info", "Always 1; labels say which version and instance this is",
             ["version", "instance"], registry=REGISTRY)

POLLS = Counter(
    "watcher_polls", "Source polls by outcome: ok, failed, or standby (another instance "
    "holds the source's poll lease)", ["source", "outcome"], registry=REGISTRY)
POLL_SECONDS = Histogram("watcher_poll_seconds", "Time to poll a source (this instance)",
                         ["source"], buckets=_POLL_BUCKETS, registry=REGISTRY)
FILINGS_DISCOVERED = Counter(
    "watcher_filings_discovered", "Filings never seen before, queued by a poll",
    ["source"], registry=REGISTRY)
FILINGS_PROCESSED = Counter(
    "watcher_filings_processed", "Filings processed by this instance, by outcome: done, "
    "skipped, failed, retry, cut_short (shutdown; redone at the next start)", ["outcome"],
    registry=REGISTRY)
FILING_SECONDS = Histogram(
    "watcher_filing_processing_seconds", "Time from claiming a filing to its recorded "
    "outcome (fetch, normalize, compare, extract, store)", buckets=_FILING_BUCKETS,
    registry=REGISTRY)
CHANGES = Counter("watcher_changes", "Partnership changes put in alerts, by kind", ["kind"],
                  registry=REGISTRY)
ALERT_DELIVERIES = Counter(
    "watcher_alert_deliveries", "Alert deliveries by notifier and outcome: sent, failed "
    "(retried later) or dead (dead-lettered)", ["notifier", "outcome"], registry=REGISTRY)
EDGAR_REQUESTS = Counter(
    "watcher_edgar_requests", "Requests to EDGAR by HTTP status ('error' when no answer "
    "came: timeout or connection failure)", ["status"], registry=REGISTRY)
THROTTLE_PAUSES = Counter(
    "watcher_edgar_throttle_pauses", "Times EDGAR throttled us and every request paused",
    registry=REGISTRY)
THROTTLE_PAUSE_SECONDS = Counter(
    "watcher_edgar_throttle_pause_seconds", "Seconds of throttle pauses EDGAR asked for",
    registry=REGISTRY)

FILING_QUEUE = Gauge("watcher_filing_queue", "Filings in the shared queue by state",
                     ["state"], registry=REGISTRY)
OUTBOX = Gauge("watcher_outbox", "Outbox rows by notifier and state (pending = backlog)",
               ["notifier", "state"], registry=REGISTRY)
LAST_SUCCESSFUL_POLL = Gauge(
    "watcher_last_successful_poll_timestamp_seconds", "When a source was last polled "
    "successfully, by any instance (Unix time)", ["source"], registry=REGISTRY)
SOURCE_LEASE_HELD = Gauge(
    "watcher_source_lease_held", "1 when this instance holds the source's poll lease",
    ["source"], registry=REGISTRY)
FILINGS_IN_FLIGHT = Gauge("watcher_filings_in_flight", "Filings this instance is processing",
                          registry=REGISTRY)
STORE_UP = Gauge("watcher_store_up", "1 when the last store check succeeded",
                 registry=REGISTRY)


def throttled(pause: float) -> None:
    """EDGAR throttled us: every request pauses ``pause`` seconds."""
    THROTTLE_PAUSES.inc()
    THROTTLE_PAUSE_SECONDS.inc(pause)


def count_changes(payloads: Iterable[Mapping[str, Any]]) -> None:
    """Count the changes of alert payloads (``watcher.alert.v1``) by kind."""
    for payload in payloads:
        for change in payload.get("changes") or ():
            CHANGES.labels(kind=str(change.get("kind", "unknown"))).inc()


def set_queue_gauges(filings: Mapping[str, int], outbox: Mapping[tuple[str, str], int]) -> None:
    """Replace the queue gauges with the store's current counts (states that emptied read 0)."""
    for state in ("pending", "processing", "done", "skipped", "failed", *filings):
        FILING_QUEUE.labels(state=state).set(filings.get(state, 0))
    seen = {(labels[0], labels[1]) for labels in _label_sets(OUTBOX)}
    for notifier, state in seen | set(outbox):
        OUTBOX.labels(notifier=notifier, state=state).set(outbox.get((notifier, state), 0))


def _label_sets(gauge: Gauge) -> list[tuple[str, ...]]:
    return [tuple(sample.labels[name] for name in ("notifier", "state"))
            for metric in gauge.collect() for sample in metric.samples]


def render() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)
