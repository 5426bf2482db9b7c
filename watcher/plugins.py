"""Finds plugin classes (sources, notifiers) through entry points, built-ins included."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

SOURCE_GROUP = "watcher.sources"
NOTIFIER_GROUP = "watcher.notifiers"


@cache
def available(group: str) -> dict[str, Any]:
    """Kind -> entry point, for one group."""
    return {ep.name: ep for ep in entry_points(group=group)}


def load_plugin_class(group: str, kind: str) -> Any:
    """The class registered under ``kind``; LookupError naming the known kinds otherwise."""
    found = available(group)
    if kind not in found:
        known = ", ".join(sorted(found)) or "none installed"
        raise LookupError(f"unknown kind {kind!r} (known: {known})")
    return found[kind].load()
