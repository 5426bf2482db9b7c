"""Routing rules: by company, partner, product, change kind and severity, to named notifiers;
everything to every notifier without rules; operator alerts to the operators' notifiers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from watcher.config import parse_config
from watcher.errors import ConfigError
from watcher.events import OperatorEvent
from watcher.models import Alert
from watcher.operator import operator_alert
from watcher.routing import Router, company_key

from tests.support.outbox import make_alert

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
NOTIFIERS = [
    {"name": "desk", "kind": "log"},
    {"name": "analysts", "kind": "log"},
    {"name": "ops", "kind": "log", "operators": True},
]


def _router(rules: list[dict[str, Any]] | None = None,
            notifiers: list[dict[str, Any]] | None = None) -> Router:
    config = parse_config({"notifiers": notifiers or NOTIFIERS, "rules": rules or []},
                          environ={})
    return Router(config.rules, config.notifiers)


def _alert(severity: str = "high", changes: list[dict[str, Any]] | None = None,
           company: dict[str, Any] | None = None) -> Alert:
    alert = make_alert(1, NOW, severity=severity)
    if changes is not None:
        alert.payload["changes"] = changes
    if company is not None:
        alert.payload["company"] = company
    return alert


def _change(kind: str = "status_changed", partner: str = "Partner AG",
            product: str = "EX-1") -> dict[str, Any]:
    return {"kind": kind, "partner": partner, "product": product}


def test_without_rules_every_alert_goes_to_every_notifier_but_the_operators_one() -> None:
    assert _router().route(_alert()) == ["desk", "analysts"]


def test_when_every_notifier_is_for_operators_alerts_still_go_somewhere() -> None:
    router = _router(notifiers=[{"name": "ops", "kind": "log", "operators": True}])
    assert router.route(_alert()) == ["ops"]


def test_operator_alerts_go_only_to_the_operators_notifiers() -> None:
    alert = operator_alert(OperatorEvent("source_failing", "3 failures", NOW, "edgar_current"))
    assert _router().route(alert) == ["ops"]
    assert _router([{"notifiers": ["desk"]}]).route(alert) == ["ops"]


def test_a_rule_routes_by_company_cik_ticker_or_name() -> None:
    for company in (9900000, "EXCO", "exco", "Example Co", "example co inc"):
        router = _router([{"companies": [company], "notifiers": ["analysts"]}])
        assert router.route(_alert()) == ["analysts"], company
    router = _router([{"companies": [42, "OTHER"], "notifiers": ["analysts"]}])
    assert router.route(_alert()) == []


def test_partner_product_and_kind_must_hold_for_one_and_the_same_change() -> None:
    rule = {"partners": ["partner ag"], "kinds": ["partner_removed"], "notifiers": ["desk"]}
    split = _alert(changes=[_change("partner_removed", partner="Other Pharma"),
                            _change("status_changed", partner="Partner AG")])
    together = _alert(changes=[_change("partner_removed", partner="Partner AG")])
    assert _router([rule]).route(split) == []
    assert _router([rule]).route(together) == ["desk"]
    by_product = _router([{"products": ["ex-1"], "notifiers": ["desk"]}])
    assert by_product.route(together) == ["desk"]
    assert by_product.route(_alert(changes=[_change(product="EX-2")])) == []


def test_min_severity_keeps_the_lower_ones_out() -> None:
    router = _router([{"min_severity": "medium", "notifiers": ["desk"]}])
    assert router.route(_alert("high")) == ["desk"]
    assert router.route(_alert("medium")) == ["desk"]
    assert router.route(_alert("low")) == []


def test_matching_rules_add_up_in_order_until_one_says_stop() -> None:
    rules = [
        {"name": "big", "min_severity": "high", "notifiers": ["analysts"]},
        {"name": "exco only", "companies": ["EXCO"], "notifiers": ["desk", "analysts"],
         "stop": True},
        {"name": "everything", "notifiers": ["ops"]},
    ]
    router = _router(rules)
    assert router.route(_alert("high")) == ["analysts", "desk"]
    assert router.explain(_alert("high")) == ["big", "exco only"]
    other = _alert("low", company={"cik": 1, "name": "Other", "tickers": []})
    assert router.route(other) == ["ops"]  # an operators' notifier, named by a rule


def test_an_alert_no_rule_matches_goes_nowhere() -> None:
    router = _router([{"partners": ["Nobody"], "notifiers": ["desk"]}])
    assert router.route(_alert()) == []


def test_a_rule_naming_an_unknown_notifier_is_refused_with_every_other_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"notifiers": NOTIFIERS,
                      "rules": [{"notifiers": ["desk", "pager"]},
                                {"kinds": ["exploded"], "notifiers": ["desk"]},
                                {"companies": ["EXCO"]}]}, environ={})
    problems = "\n".join(caught.value.problems)
    assert "rules[0].notifiers: no notifier named 'pager'" in problems
    assert "rules[1].kinds[0]" in problems
    assert "rules[2].notifiers" in problems


def test_company_names_compare_without_punctuation_and_corporate_suffix() -> None:
    assert company_key("Example Therapeutics, Inc.") == "example therapeutics"
    assert company_key("EXAMPLE THERAPEUTICS CORP") == "example therapeutics"
    assert company_key("Co") == ""
