"""/metrics: Prometheus text that prometheus_client's own parser reads, whose counters move
as a real daemon polls, processes filings and delivers alerts."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from watcher import metrics
from watcher.demo import DEMO_CIK, demo_filings
from watcher.demo.fake_edgar import FakeEdgar

from tests.support.daemon import Daemon
from tests.support.receiver import WebhookReceiver
from tests.support.service import free_port, get, service_config
from tests.support.wait import wait_until

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(port: int) -> Samples:
    status, body = get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(body.decode())
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_parse_and_their_counters_move_as_filings_are_processed(
    tmp_path: Path, fake_edgar: FakeEdgar, receiver: WebhookReceiver,
) -> None:
    port = free_port()
    config = service_config(tmp_path / "w.yaml", fake_edgar, port=port, ciks=[DEMO_CIK],
                            store_url=f"sqlite:///{tmp_path / 'w.db'}", webhook=receiver.url)
    with Daemon(config) as daemon:
        wait_until(lambda: get(f"http://127.0.0.1:{port}/metrics")[0] == 200, what="up")
        wait_until(lambda: value(scrape(port), "watcher_polls_total", source="edgar_current",
                                 outcome="ok") >= 1, what="a first poll")
        before = scrape(port)
        assert value(before, "watcher_filings_processed_total", outcome="done") == 0
        assert value(before, "watcher_store_up") == 1
        assert value(before, "watcher_source_lease_held", source="edgar_current") == 1
        assert value(before, "process_resident_memory_bytes") > 0

        for filing in demo_filings():
            fake_edgar.publish(filing)
        receiver.wait_for(3)
        wait_until(lambda: value(scrape(port), "watcher_alert_deliveries_total",
                                 notifier="desk", outcome="sent") == 3, what="3 sent")
        after = scrape(port)
        assert daemon.stop() == 0

    assert value(after, "watcher_filings_discovered_total", source="edgar_current") == 3
    assert value(after, "watcher_filings_processed_total", outcome="done") == 3
    assert value(after, "watcher_filing_processing_seconds_count") == 3
    assert value(after, "watcher_changes_total", kind="partner_added") >= 1
    assert value(after, "watcher_changes_total", kind="status_changed") >= 1
    assert value(after, "watcher_edgar_requests_total", status="200") > \
        value(before, "watcher_edgar_requests_total", status="200")
    assert value(after, "watcher_polls_total", source="edgar_current", outcome="ok") > \
        value(before, "watcher_polls_total", source="edgar_current", outcome="ok")
    assert value(after, "watcher_filing_queue", state="done") == 3
    assert value(after, "watcher_filing_queue", state="pending") == 0
    assert value(after, "watcher_outbox", notifier="desk", state="delivered") == 3
    assert value(after, "watcher_last_successful_poll_timestamp_seconds",
                 source="edgar_current") > 0


def test_every_metric_the_issue_names_is_registered_with_help_text() -> None:
    families = {f.name: f for f in text_string_to_metric_families(metrics.render().decode())}
    for name in ("watcher_polls", "watcher_filings_processed", "watcher_changes",
                 "watcher_alert_deliveries", "watcher_edgar_requests",
                 "watcher_edgar_throttle_pauses", "watcher_filing_queue", "watcher_outbox",
                 "watcher_filing_processing_seconds", "watcher_poll_seconds"):
        assert name in families, name
        assert families[name].documentation


def test_queue_gauges_drop_to_zero_for_states_that_emptied() -> None:
    metrics.set_queue_gauges({"pending": 4}, {("hook-x", "pending"): 2})
    metrics.set_queue_gauges({}, {})
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in text_string_to_metric_families(metrics.render().decode())
               for s in f.samples}
    assert samples[("watcher_filing_queue", (("state", "pending"),))] == 0
    assert samples[("watcher_outbox", (("notifier", "hook-x"), ("state", "pending")))] == 0


def test_a_throttle_pause_is_counted_with_its_length() -> None:
    pauses = metrics.THROTTLE_PAUSES._value.get()
    seconds = metrics.THROTTLE_PAUSE_SECONDS._value.get()
    metrics.throttled(600.0)
    assert metrics.THROTTLE_PAUSES._value.get() == pauses + 1
    assert metrics.THROTTLE_PAUSE_SECONDS._value.get() == seconds + 600.0
