"""The Source plug point: a source polls somewhere and returns the filings it saw."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from watcher.clock import Clock
from watcher.config import SourceSettings
from watcher.http import EdgarClient
from watcher.models import Filing


@dataclass(frozen=True, slots=True)
class Watchlist:
    """The companies users follow, by CIK; ``None`` follows every filer."""

    ciks: frozenset[int] | None

    def watches(self, cik: int) -> bool:
        return self.ciks is None or cik in self.ciks


@dataclass(slots=True)
class SourceContext:
    """What a source may use: the shared client, the watchlist, the clock and a way to ask
    whether an accession is already known (to stop paging)."""

    http: EdgarClient
    watchlist: Watchlist
    clock: Clock
    is_known: Callable[[str], Awaitable[bool]]


class Source(ABC):
    """Subclasses set ``Settings`` (a pydantic model with ``extra="forbid"``) and ``poll``."""

    Settings: ClassVar[type[SourceSettings]] = SourceSettings

    def __init__(self, settings: SourceSettings, context: SourceContext) -> None:
        self.settings = settings
        self.context = context

    @property
    def name(self) -> str:
        return self.settings.name or self.settings.kind

    @abstractmethod
    async def poll(self) -> list[Filing]:
        """The filings seen now (new or not: the store decides what is new)."""

    def describe(self) -> dict[str, Any]:
        """Settings for display; a source with secrets overrides this to hide them."""
        return self.settings.model_dump()
