"""Which notifiers an alert goes to, from the ``rules:`` of the config. Pure.

Without rules every alert goes to every notifier not marked ``operators: true`` (to every
notifier when all are). With rules an alert goes to the notifiers of every rule it matches, in
order, until a matching rule says ``stop``; an alert no rule matches is stored and sent nowhere.
Operator alerts go to the notifiers marked ``operators: true``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from watcher.config import SEVERITY_RANK, NotifierSettings, RuleSettings
from watcher.models import Alert
from watcher.operator import is_operator_alert

_SUFFIXES = frozenset("inc incorporated corp corporation co company ltd limited plc llc lp "
                      "sa ag nv bv gmbh se holdings".split())


def company_key(name: str) -> str:
    """``Example Therapeutics, Inc.`` -> ``example therapeutics``: rules name companies the
    way people do, without the punctuation and the corporate suffix."""
    words = re.sub(r"[^\w\s-]", " ", name.casefold()).split()
    while words and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule compiled for matching: casefolded names, a severity rank."""

    name: str
    ciks: frozenset[int]
    company_names: frozenset[str]  # tickers (upper-cased) and company keys
    partners: frozenset[str]
    products: frozenset[str]
    kinds: frozenset[str]
    min_rank: int
    notifiers: tuple[str, ...]
    stop: bool

    @classmethod
    def compile(cls, index: int, settings: RuleSettings) -> Rule:
        ciks = {c for c in settings.companies if isinstance(c, int)}
        names = {c for c in settings.companies if isinstance(c, str)}
        return cls(
            name=settings.name or f"rules[{index}]",
            ciks=frozenset(ciks),
            company_names=frozenset({n.upper() for n in names} | {company_key(n) for n in names}),
            partners=frozenset(p.casefold() for p in settings.partners),
            products=frozenset(p.casefold() for p in settings.products),
            kinds=frozenset(settings.kinds),
            min_rank=SEVERITY_RANK[settings.min_severity] if settings.min_severity else 0,
            notifiers=tuple(settings.notifiers),
            stop=settings.stop,
        )

    def _company_matches(self, company: dict[str, Any]) -> bool:
        if not self.ciks and not self.company_names:
            return True
        if company.get("cik") in self.ciks:
            return True
        tickers = {str(t).upper() for t in company.get("tickers") or ()}
        return bool(tickers & self.company_names) or \
            company_key(str(company.get("name") or "")) in self.company_names

    def _change_matches(self, change: dict[str, Any]) -> bool:
        if self.kinds and change.get("kind") not in self.kinds:
            return False
        if self.partners and str(change.get("partner") or "").casefold() not in self.partners:
            return False
        return not self.products or \
            str(change.get("product") or "").casefold() in self.products

    def matches(self, payload: dict[str, Any]) -> bool:
        if SEVERITY_RANK.get(str(payload.get("severity")), 0) < self.min_rank:
            return False
        if not self._company_matches(payload.get("company") or {}):
            return False
        if not (self.kinds or self.partners or self.products):
            return True
        return any(self._change_matches(c) for c in payload.get("changes") or ())


class Router:
    """Routes alerts to notifier names; built once from the config."""

    def __init__(self, rules: Sequence[RuleSettings],
                 notifiers: Sequence[NotifierSettings]) -> None:
        self.rules = tuple(Rule.compile(i, r) for i, r in enumerate(rules))
        names = [n.name for n in notifiers]
        self.operator_notifiers = [n.name for n in notifiers if n.operators]
        self.default = [n.name for n in notifiers if not n.operators] or names

    def route(self, alert: Alert) -> list[str]:
        """The notifiers of one alert, each once, in the order rules name them."""
        if is_operator_alert(alert):
            return list(self.operator_notifiers)
        if not self.rules:
            return list(self.default)
        chosen: list[str] = []
        for rule in self.matching(alert):
            chosen.extend(n for n in rule.notifiers if n not in chosen)
        return chosen

    def matching(self, alert: Alert) -> list[Rule]:
        """The rules an alert matches, in order, up to the first matching ``stop`` rule."""
        found = []
        for rule in self.rules:
            if rule.matches(alert.payload):
                found.append(rule)
                if rule.stop:
                    break
        return found

    def explain(self, alert: Alert) -> list[str]:
        """The names of the rules that route an alert (for logs and `check-config`)."""
        return [r.name for r in self.matching(alert)]
