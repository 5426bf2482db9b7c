"""config.yaml -> validated settings. Pydantic models with ``extra="forbid"``; every problem is
collected and reported at once; secrets are read from environment variables named in config.

Sources and notifiers are plugins: the top-level model keeps their entries raw, then each entry
is validated by the settings model of the plugin its ``kind`` names, so a third-party plugin
brings its own keys and its own checks.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from watcher.compare import ABOUT, DEFAULT_SECTIONS, CompareOptions
from watcher.errors import ConfigError
from watcher.models import SECTIONS

USER_AGENT_ENV = "WATCHER_USER_AGENT"
SEC_USER_AGENT_HELP = (
    "SEC's fair-access policy requires every automated client of EDGAR to declare who it is: "
    "a User-Agent naming your organisation and a contact email, for example "
    '"Acme Research ops@acme.example" (see https://www.sec.gov/os/accessing-edgar-data). '
    "Requests without one are refused. Set it in config.yaml:\n\n"
    "    edgar:\n"
    '      user_agent: "Your Organisation you@your-domain.example"\n\n'
    f"or in the environment: {USER_AGENT_ENV}=\"Your Organisation you@your-domain.example\""
)


def default_cache_dir() -> str:
    """Where EDGAR documents are cached: ``$XDG_CACHE_HOME/watcher/edgar`` (or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "watcher" / "edgar")


class StrictModel(BaseModel):
    """Base of every settings model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EdgarSettings(StrictModel):
    user_agent: str | None = None
    base_url: str = "https://www.sec.gov"
    data_url: str = "https://data.sec.gov"
    max_requests_per_second: float = Field(default=8.0, gt=0, le=10)
    timeout: float = Field(default=30.0, gt=0)
    max_document_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    retries: int = Field(default=4, ge=0, le=20)
    backoff_initial: float = Field(default=0.5, gt=0)
    backoff_max: float = Field(default=60.0, gt=0)
    throttle_pause: float = Field(default=600.0, gt=0)
    # Archives documents never change: kept on disk forever (bounded, least recently used
    # evicted first). ``cache_dir: null`` turns the disk cache off.
    cache_dir: str | None = Field(default_factory=lambda: default_cache_dir())
    cache_max_bytes: int = Field(default=512 * 1024 * 1024, ge=0)
    # EDGAR accepts filings on weekdays 6:00-22:00 Eastern; sources poll faster then.
    filing_hours: str = "06:00-22:00"
    filing_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0
    holidays: list[date] = Field(default_factory=list)

    @field_validator("filing_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d", value):
            raise ValueError(f"must be HH:MM-HH:MM (Eastern time), got {value!r}")
        start, end = value.split("-")
        if start >= end:
            raise ValueError(f"must end after it starts, got {value!r}")
        return value

    @field_validator("filing_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in value):
            raise ValueError("days are 0 (Monday) to 6 (Sunday)")
        return value

    @field_validator("base_url", "data_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("user_agent")
    @classmethod
    def _contact(cls, value: str | None) -> str | None:
        if value is not None and not re.search(r"\S+@\S+\.\S+", value):
            raise ValueError(
                "must name your organisation and a contact email, "
                f'e.g. "Acme Research ops@acme.example"; got {value!r}'
            )
        return value


class CompanySettings(StrictModel):
    cik: int | None = Field(default=None, gt=0)
    ticker: str | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _cik_or_ticker(self) -> CompanySettings:
        if self.cik is None and self.ticker is None:
            raise ValueError("a company needs a cik or a ticker")
        return self


class AliasSettings(StrictModel):
    """Canonical name -> other names, as in the labelled corpus."""

    partners: dict[str, list[str]] = Field(default_factory=dict)
    products: dict[str, list[str]] = Field(default_factory=dict)


class StoreSettings(StrictModel):
    url: str = "sqlite:///watcher.db"
    # How long a claim (a filing being processed, a source's poll turn) outlives an instance
    # that stops renewing it: what another instance waits after a crash before taking over.
    lease_seconds: float = Field(default=30.0, ge=1)

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise ValueError(
                f"must start with sqlite:/// or postgresql://, got {value.split(':', 1)[0]!r}"
            )
        return value


def split_listen(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8787`` for IPv6) -> (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"must be host:port, got {value!r}")
    return host.removeprefix("[").removesuffix("]"), int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


class ServerSettings(StrictModel):
    """Running as a service: the /healthz and /metrics endpoint, and shutdown."""

    listen: str = "127.0.0.1:8787"                  # port 0: any free port (tests)
    enabled: bool = True
    # The environment variable holding the bearer token of the endpoint; required when it
    # listens on anything but loopback. When set, every request must carry it.
    token_env: str | None = None
    # A source whose last successful poll (by any instance) is older than this makes
    # /healthz unhealthy; default: 3 x the source's interval + 60 s.
    stalled_after: float | None = Field(default=None, gt=0)
    # After SIGTERM/SIGINT: how long in-flight filings may take before they are cut short
    # (and redone at the next start).
    shutdown_grace: float = Field(default=30.0, ge=0)

    secret_fields: ClassVar[tuple[str, ...]] = ("token_env",)

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        split_listen(value)
        return value

    @model_validator(mode="after")
    def _token_off_loopback(self) -> ServerSettings:
        host, _ = split_listen(self.listen)
        if self.enabled and not self.token_env and not is_loopback(host):
            raise ValueError(
                f"listen {self.listen} is not a loopback address: set token_env to the "
                "environment variable holding a bearer token for /healthz and /metrics")
        return self

    @property
    def host(self) -> str:
        return split_listen(self.listen)[0]

    @property
    def port(self) -> int:
        return split_listen(self.listen)[1]


class PipelineSettings(StrictModel):
    workers: int = Field(default=4, ge=1, le=64)
    history: int = Field(default=50, ge=1)  # ignored: compare uses the whole history (index)
    max_attempts: int = Field(default=5, ge=1)


class CompareSettings(StrictModel):
    """How a release is compared with the company's history (see ``watcher.compare``)."""

    sections: list[str] = Field(default_factory=lambda: list(DEFAULT_SECTIONS))
    revised_threshold: float = Field(default=0.6, gt=0, le=1)
    about_threshold: float = Field(default=0.4, gt=0, le=1)
    ignore: list[str] = Field(default_factory=list)
    ignore_order: bool = True
    dropped_sections: list[str] = Field(default_factory=lambda: [ABOUT])
    dropped_min_occurrences: int = Field(default=2, ge=1)
    candidates: int = Field(default=16, ge=1, le=256)

    @field_validator("sections", "dropped_sections")
    @classmethod
    def _known_sections(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in SECTIONS]
        if unknown:
            raise ValueError(f"unknown section(s) {', '.join(map(repr, unknown))}; "
                             f"sections are {', '.join(SECTIONS)}")
        return value

    @field_validator("ignore")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        problems = []
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"{pattern!r}: {exc}")
        if problems:
            raise ValueError("not a regular expression: " + "; ".join(problems))
        return value

    def options(self) -> CompareOptions:
        return CompareOptions(
            sections=tuple(self.sections), revised_threshold=self.revised_threshold,
            about_threshold=self.about_threshold, ignore=tuple(self.ignore),
            ignore_order=self.ignore_order, dropped_sections=tuple(self.dropped_sections),
            dropped_min_occurrences=self.dropped_min_occurrences, candidates=self.candidates)


class DeliverySettings(StrictModel):
    """The outbox: retries with exponential backoff and jitter, a budget by attempts and age,
    then dead-letter. (Claims on outbox rows last ``store.lease_seconds``, like the others.)"""

    max_attempts: int = Field(default=12, ge=1)
    max_age_hours: float = Field(default=72.0, gt=0)
    backoff_initial: float = Field(default=5.0, gt=0)
    backoff_max: float = Field(default=1800.0, gt=0)
    jitter: float = Field(default=0.5, ge=0, le=1)  # each delay is scaled by 1 ± jitter
    # One attempt of one notifier is cut off after this long (counted as a retryable failure).
    send_timeout: float = Field(default=30.0, gt=0)
    batch: int = Field(default=20, ge=1, le=1000)
    idle_poll: float = Field(default=5.0, gt=0)  # look for due alerts at least this often

    @model_validator(mode="after")
    def _coherent(self) -> DeliverySettings:
        if self.backoff_max < self.backoff_initial:
            raise ValueError("backoff_max must be at least backoff_initial")
        return self


Severity = Literal["low", "medium", "high"]
SEVERITY_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2}
CHANGE_KINDS = ("partner_added", "partner_removed", "product_added", "product_removed",
                "status_changed", "milestone_reached")
ChangeKindName = Literal["partner_added", "partner_removed", "product_added", "product_removed",
                         "status_changed", "milestone_reached"]


class RuleSettings(StrictModel):
    """Route the alerts that match every criterion given to ``notifiers``.

    Company criteria apply to the alert; partner, product and kind criteria must hold for one
    and the same change of the alert. A rule without criteria matches every alert."""

    name: str = ""
    companies: list[int | str] = Field(default_factory=list)  # CIK, ticker or company name
    partners: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    kinds: list[ChangeKindName] = Field(default_factory=list)
    min_severity: Severity | None = None
    notifiers: list[str] = Field(min_length=1)
    stop: bool = False  # when this rule matches, the rules after it are not looked at


class TemplateSettings(StrictModel):
    # Templates in this folder replace the built-in ones of the same file name.
    directory: str | None = None

    @field_validator("directory")
    @classmethod
    def _is_dir(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_dir():
            raise ValueError(f"no such folder: {value}")
        return value


class LoggingSettings(StrictModel):
    level: str = "INFO"
    format: str = Field(default="auto", pattern="^(auto|json|text)$")


class PluginSettings(StrictModel):
    """Base of the settings of sources and notifiers; ``kind`` selects the plugin."""

    kind: str
    name: str = ""

    # Fields that name environment variables holding secrets (checked at load, masked in
    # ``describe()``); the secret values themselves never enter the settings model.
    secret_fields: ClassVar[tuple[str, ...]] = ()


class SourceSettings(PluginSettings):
    every: float = Field(default=60.0, gt=0)
    # Outside EDGAR's filing hours (edgar.filing_hours); default: 5 x ``every``.
    every_off_hours: float | None = Field(default=None, gt=0)
    # Consecutive failed polls before an operator event (and a recovery event after).
    alert_after_failures: int = Field(default=3, ge=1)

    @property
    def off_hours_interval(self) -> float:
        return self.every_off_hours if self.every_off_hours is not None else self.every * 5


class DigestSettings(StrictModel):
    """One message per notifier every ``every_minutes``, carrying every alert waiting."""

    every_minutes: float = Field(gt=0)
    max_alerts: int = Field(default=100, ge=1, le=1000)


class NotifierSettings(PluginSettings):
    # A channel for the people running watcher: it gets operator alerts (a source failing,
    # EDGAR throttling, dead-lettered alerts), and filing alerts only when a rule names it.
    operators: bool = False
    digest: DigestSettings | None = None
    # Other template files for this notifier's messages: {built-in name: file name}.
    templates: dict[str, str] = Field(default_factory=dict)


class Config(StrictModel):
    edgar: EdgarSettings = Field(default_factory=EdgarSettings)
    companies: list[CompanySettings] = Field(default_factory=list)
    aliases: AliasSettings = Field(default_factory=AliasSettings)
    sources: list[SourceSettings] = Field(default_factory=list)
    store: StoreSettings = Field(default_factory=StoreSettings)
    notifiers: list[NotifierSettings] = Field(default_factory=list)
    server: ServerSettings = Field(default_factory=ServerSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    compare: CompareSettings = Field(default_factory=CompareSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    rules: list[RuleSettings] = Field(default_factory=list)
    templates: TemplateSettings = Field(default_factory=TemplateSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    environ: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)

    def secret(self, env_name: str | None) -> str | None:
        """The value of a secret named in config; never logged, never in ``repr``."""
        if not env_name:
            return None
        return self.environ.get(env_name)


DEFAULT_SOURCES: list[dict[str, Any]] = [{"kind": "edgar_current", "every": 60}]
DEFAULT_NOTIFIERS: list[dict[str, Any]] = [{"name": "log", "kind": "log"}]


def _where(loc: tuple[int | str, ...], prefix: str = "") -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _problems(error: ValidationError, prefix: str = "") -> list[str]:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        problems.append(f"{_where(tuple(item['loc']), prefix)}: {message}")
    return problems


def _validate_plugins(
    entries: Any, group: str, key: str, environ: Mapping[str, str], problems: list[str]
) -> list[Any]:
    from watcher.plugins import load_plugin_class  # late: plugins import this module

    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.append(f"{key}: must be a list")
        return []
    validated = []
    names: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping with a kind")
            continue
        kind = entry.get("kind")
        if not isinstance(kind, str):
            problems.append(f"{where}.kind: required")
            continue
        try:
            plugin = load_plugin_class(group, kind)
        except LookupError as exc:
            problems.append(f"{where}.kind: {exc}")
            continue
        for field_name in plugin.Settings.secret_fields:
            env_name = entry.get(field_name)
            if isinstance(env_name, str) and env_name and env_name not in environ:
                problems.append(f"{where}.{field_name}: environment variable {env_name} "
                                "is not set")
        try:
            settings = plugin.Settings.model_validate({"name": kind, **entry})
        except ValidationError as exc:
            problems.extend(_problems(exc, where))
            continue
        if settings.name in names:
            problems.append(f"{where}.name: {settings.name!r} is used twice")
        names.add(settings.name)
        validated.append(settings)
    return validated


def _listed(raw: Any, name: str) -> bool:
    """Whether a raw plugin entry is called ``name`` (one refused on its own: reported once)."""
    return isinstance(raw, list) and any(
        isinstance(e, dict) and (e.get("name") or e.get("kind")) == name for e in raw)


def _validate_rules(raw: Any, raw_notifiers: Any, known: set[str],
                    problems: list[str]) -> list[RuleSettings]:
    """Each rule on its own (one bad rule hides no other problem), naming known notifiers."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append("rules: must be a list")
        return []
    rules = []
    for index, entry in enumerate(raw):
        try:
            rule = RuleSettings.model_validate(entry)
        except ValidationError as exc:
            problems.extend(_problems(exc, f"rules[{index}]"))
            continue
        for name in rule.notifiers:
            if name not in known and not _listed(raw_notifiers, name):
                problems.append(f"rules[{index}].notifiers: no notifier named {name!r} "
                                f"(configured: {', '.join(sorted(known)) or 'none'})")
        rules.append(rule)
    return rules


def parse_config(data: Any, environ: Mapping[str, str] | None = None) -> Config:
    """Validate a parsed YAML document; raises ConfigError listing every problem."""
    env = dict(os.environ if environ is None else environ)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(["(top level): must be a mapping of sections"])
    data = dict(data)
    problems: list[str] = []
    raw_sources = data.pop("sources", DEFAULT_SOURCES)
    raw_notifiers = data.pop("notifiers", DEFAULT_NOTIFIERS)
    raw_rules = data.pop("rules", None)
    config: Config | None = None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems(exc))
    sources = _validate_plugins(raw_sources, "watcher.sources", "sources", env, problems)
    notifiers = _validate_plugins(raw_notifiers, "watcher.notifiers", "notifiers", env, problems)
    rules = _validate_rules(raw_rules, raw_notifiers, {n.name for n in notifiers}, problems)
    if config is not None:
        token_env = config.server.token_env
        if config.server.enabled and token_env and not env.get(token_env):
            problems.append(f"server.token_env: environment variable {token_env} is not set")
    if problems or config is None:
        raise ConfigError(problems)
    edgar = config.edgar
    if env.get(USER_AGENT_ENV):
        try:
            edgar = EdgarSettings.model_validate(
                {**edgar.model_dump(), "user_agent": env[USER_AGENT_ENV]}
            )
        except ValidationError as exc:
            raise ConfigError(_problems(exc, f"${USER_AGENT_ENV}")) from None
    return config.model_copy(
        update={"sources": sources, "notifiers": notifiers, "rules": rules, "edgar": edgar,
                "environ": env}
    )


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; raises ConfigError listing every problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{file}: no such file"]) from None
    except OSError as exc:
        raise ConfigError([f"{file}: {exc.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([f"{file}: not valid YAML: {exc}"]) from None
    return parse_config(data, environ)
