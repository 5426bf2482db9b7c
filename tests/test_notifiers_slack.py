"""The Slack notifier against a real local HTTP receiver standing in for the incoming
webhook: a mrkdwn message, the filing's text escaped, the webhook URL kept secret."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from watcher.clock import SYSTEM_CLOCK
from watcher.errors import ConfigError, PermanentDeliveryError, RetryableDeliveryError
from watcher.notifiers.base import Notifier
from watcher.notifiers.sample import sample_alert

from tests.support.outbox import build_notifier, make_alert
from tests.support.receiver import WebhookReceiver

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)


def _slack(url: str) -> Notifier:
    return build_notifier({"name": "chat", "kind": "slack", "url_env": "SLACK_HOOK",
                           "username": "watcher"}, SYSTEM_CLOCK, environ={"SLACK_HOOK": url})


async def test_an_alert_is_posted_as_one_mrkdwn_message(receiver: WebhookReceiver) -> None:
    alert = sample_alert(NOW)
    notifier = _slack(receiver.url + "/T000/B000/token-xyz")
    await notifier.send(alert)
    await notifier.aclose()
    [got] = receiver.wait_for(1)
    assert got.path == "/hook/T000/B000/token-xyz"
    body = got.json
    assert body["username"] == "watcher" and body["unfurl_links"] is False
    assert body["text"].startswith(f"*{alert.title}* (high)")
    assert "licensed → *not advancing*" in body["text"]
    assert "> " + alert.payload["changes"][0]["evidence"] in body["text"]


async def test_text_from_a_filing_cannot_ping_a_channel_or_make_links(
    receiver: WebhookReceiver,
) -> None:
    alert = make_alert(1, NOW)
    alert.payload["changes"][0]["evidence"] = 'Say <!channel> & "<http://evil.example|x>"'
    notifier = _slack(receiver.url)
    await notifier.send(alert)
    await notifier.aclose()
    text = receiver.wait_for(1)[0].json["text"]
    assert '> Say &lt;!channel&gt; &amp; "&lt;http://evil.example|x&gt;"' in text
    assert "<!channel>" not in text


async def test_answers_decide_retry_or_dead_letter_and_never_show_the_url(
    receiver: WebhookReceiver,
) -> None:
    notifier = _slack(receiver.url + "/secret-token-path")
    receiver.status = 500
    with pytest.raises(RetryableDeliveryError, match="slack answered HTTP 500") as retry:
        await notifier.send(sample_alert(NOW))
    receiver.status = 404
    with pytest.raises(PermanentDeliveryError, match="slack answered HTTP 404") as dead:
        await notifier.send(sample_alert(NOW))
    await notifier.aclose()
    for caught in (retry, dead):
        assert "secret-token-path" not in str(caught.value)
    unreachable = _slack("http://127.0.0.1:9/secret-token-path")
    with pytest.raises(RetryableDeliveryError, match="unreachable") as down:
        await unreachable.send(sample_alert(NOW))
    await unreachable.aclose()
    assert "secret-token-path" not in str(down.value)
    assert down.value.__cause__ is None  # the httpx error (which names the URL) is dropped


def test_describe_and_config_errors_never_show_the_webhook_url() -> None:
    shown = str(_slack("https://hooks.example/services/T/B/sekrit").describe())
    assert "SLACK_HOOK" in shown and "sekrit" not in shown
    with pytest.raises(ConfigError) as caught:
        _slack("not a url sekrit")
    assert "sekrit" not in str(caught.value) and "SLACK_HOOK" in str(caught.value)


async def test_a_digest_is_one_message(receiver: WebhookReceiver) -> None:
    notifier = _slack(receiver.url)
    await notifier.send_digest([make_alert(1, NOW), make_alert(2, NOW)])
    await notifier.aclose()
    [got] = receiver.wait_for(1)
    text = got.json["text"]
    assert text.startswith("*2 alerts* since the last digest")
    assert "alert number 1" in text and "alert number 2" in text
