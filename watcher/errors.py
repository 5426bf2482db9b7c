"""The one exception tree of watcher.

Every error raised on purpose by watcher is a ``WatcherError``; errors about one filing carry
its accession, CIK and source so that a log line or an outcome row can name the item::

    WatcherError
    ├── ConfigError                   config.yaml or environment refused (lists every problem)
    ├── FetchError                    talking to EDGAR or another configured host
    │   ├── TransientFetchError       timeouts, connection errors, 5xx: retried with backoff
    │   ├── ThrottledError            429 or SEC's "Request Rate Threshold Exceeded" page
    │   ├── NotFoundError             404, or 403/404 with S3 XML (AccessDenied, NoSuchKey)
    │   ├── ForbiddenHostError        a URL outside the configured hosts
    │   └── ResponseTooLargeError     a body (or its decompression) beyond the size limit
    ├── ParseError                    a feed, index page or submission we cannot read
    ├── NormalizeError                an exhibit we cannot turn into a Release
    │   └── UnsupportedDocumentError  PDF, image or other non-text exhibit
    ├── StoreError                    the database refused or is unreachable
    └── DeliveryError                 a notifier could not deliver an alert
        ├── RetryableDeliveryError    try again later (timeouts, 408/429/5xx)
        └── PermanentDeliveryError    dead-letter now (other 4xx, bad address)
"""

from __future__ import annotations


class WatcherError(Exception):
    """Base of every error watcher raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        accession: str | None = None,
        cik: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.accession = accession
        self.cik = cik
        self.source = source

    def __str__(self) -> str:
        context = [
            f"{name}={value}"
            for name, value in (
                ("accession", self.accession),
                ("cik", self.cik),
                ("source", self.source),
            )
            if value is not None
        ]
        if not context:
            return self.message
        return f"{self.message} ({', '.join(context)})"


class ConfigError(WatcherError):
    """The configuration was refused; ``problems`` lists every problem found, not the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


class FetchError(WatcherError):
    """A request to a configured host failed."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None,
                 accession: str | None = None, cik: int | None = None,
                 source: str | None = None) -> None:
        super().__init__(message, accession=accession, cik=cik, source=source)
        self.url = url
        self.status = status


class TransientFetchError(FetchError):
    """Worth retrying: a timeout, a dropped connection or a 5xx answer."""


class ThrottledError(FetchError):
    """SEC asked us to slow down; the whole client pauses for ``retry_after`` seconds."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None,
                 retry_after: float = 600.0) -> None:
        super().__init__(message, url=url, status=status)
        self.retry_after = retry_after


class NotFoundError(FetchError):
    """The document does not exist (404, or S3's AccessDenied/NoSuchKey XML)."""


class ForbiddenHostError(FetchError):
    """A URL outside the configured hosts: never fetched."""


class ResponseTooLargeError(FetchError):
    """A response body, or its decompressed size, went past the configured limit."""


class ParseError(WatcherError):
    """A feed, index page or submission could not be read."""


class NormalizeError(WatcherError):
    """An exhibit could not be turned into a Release."""


class UnsupportedDocumentError(NormalizeError):
    """The exhibit is a PDF, an image or another format we do not read."""


class StoreError(WatcherError):
    """The database refused an operation or cannot be reached."""


class DeliveryError(WatcherError):
    """A notifier failed to deliver an alert."""


class RetryableDeliveryError(DeliveryError):
    """The receiver may accept the alert later: keep it in the outbox and retry (not before
    ``retry_after`` seconds when the receiver said so, e.g. HTTP 429 with Retry-After)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """The receiver refused the alert for good: dead-letter it with this reason."""
