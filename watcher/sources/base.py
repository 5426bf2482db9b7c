"""The Source plug point: a source polls somewhere and returns the filings it saw.

A source keeps a small JSON-serializable ``state`` (validators for conditional GET, the
accessions it saw last, cursors). The app restores it at start and saves it only after the
filings of a poll are stored, so a crash between the two replays the poll instead of
losing it. Sources replace ``self.state`` at the end of a successful poll, never midway.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from watcher.clock import Clock
from watcher.config import SourceSettings
from watcher.http import EdgarClient, FetchResult, Validators
from watcher.models import Filing

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Watchlist:
    """The companies users follow, by CIK; ``None`` follows every filer."""

    ciks: frozenset[int] | None

    def watches(self, cik: int) -> bool:
        return self.ciks is None or cik in self.ciks


async def _never_known(accession: str) -> bool:
    return False


@dataclass(slots=True)
class SourceContext:
    """What a source may use: the shared client, the watchlist, the clock and a way to ask
    whether an accession is already known."""

    http: EdgarClient
    watchlist: Watchlist
    clock: Clock
    is_known: Callable[[str], Awaitable[bool]] = _never_known


class Source(ABC):
    """Subclasses set ``Settings`` (a pydantic model with ``extra="forbid"``) and ``poll``."""

    Settings: ClassVar[type[SourceSettings]] = SourceSettings

    def __init__(self, settings: SourceSettings, context: SourceContext) -> None:
        self.settings = settings
        self.context = context
        self.state: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self.settings.name or self.settings.kind

    @abstractmethod
    async def poll(self) -> list[Filing]:
        """The filings seen now (new or not: the store decides what is new)."""

    def restore(self, state: dict[str, Any]) -> None:
        """Take back the state saved after an earlier poll (at start, or after a failure)."""
        self.state = dict(state)

    def snapshot(self) -> dict[str, Any]:
        """The state to save once this poll's filings are stored."""
        return dict(self.state)

    def describe(self) -> dict[str, Any]:
        """Settings for display; a source with secrets overrides this to hide them."""
        return self.settings.model_dump()

    # -- helpers for conditional GET ----------------------------------------------------
    def validators(self, url: str) -> Validators:
        saved = self.state.get("validators", {})
        return Validators.from_json(saved.get(url)) if isinstance(saved, dict) else Validators()

    @staticmethod
    def remember(new_state: dict[str, Any], result: FetchResult) -> None:
        """Record the validators of a 200 answer in ``new_state``."""
        if result.status != 200 or result.from_cache:
            return
        validators = new_state.setdefault("validators", {})
        if result.validators:
            validators[result.url] = result.validators.to_json()
        else:
            validators.pop(result.url, None)
