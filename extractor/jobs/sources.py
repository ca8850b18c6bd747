"""The sources file (`sources.toml`): which outlets to crawl and how politely.

tomllib (standard library) reads it; pydantic models validate it, so a typo in a key or a bad
regular expression is reported with the file and the field instead of surfacing mid-crawl.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator

from extractor.errors import ConfigError
from extractor.ingest.fetch import FetchPolicy
from extractor.ingest.urls import is_http_url
from extractor.models import Model
from extractor.parse.adapters import ADAPTERS


class Source(Model):
    """One outlet: where its article URLs come from and the rules for fetching them."""

    name: str = Field(min_length=1)
    feeds: list[str] = []  # RSS/Atom feed URLs
    sitemaps: list[str] = []  # sitemap or sitemap-index URLs (gzipped or not)
    urls: list[str] = []  # article URLs, listed by hand
    url_lists: list[str] = []  # URLs of plain-text lists, one article URL a line
    adapter: str | None = None  # site adapter (extractor/adapters); default: chosen by host
    rate_limit: float = Field(default=1.0, gt=0)  # most requests per second to its hosts
    allow: list[str] = []  # regexes; when given, an article URL must match one
    deny: list[str] = []  # regexes; an article URL matching any is skipped
    # Loopback/private addresses this source may reach: false, true, or a list of addresses
    # or networks (tests: ["127.0.0.1"]); redirects elsewhere stay refused.
    allow_private: bool | list[str] = False
    max_articles: int | None = Field(default=None, gt=0)  # per run, newest first as listed

    @field_validator("feeds", "sitemaps", "urls", "url_lists")
    @classmethod
    def _http_only(cls, urls: list[str]) -> list[str]:
        bad = [u for u in urls if not is_http_url(u)]
        if bad:
            raise ValueError(f"only http(s) URLs are allowed, got {bad[0]!r}")
        return urls

    @field_validator("allow", "deny")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return patterns

    @field_validator("allow_private")
    @classmethod
    def _networks(cls, value: bool | list[str]) -> bool | list[str]:
        for net in value if isinstance(value, list) else []:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"not an address or network: {net!r}") from None
        return value

    @field_validator("adapter")
    @classmethod
    def _known_adapter(cls, name: str | None) -> str | None:
        if name is not None and name not in ADAPTERS:
            raise ValueError(f"unknown adapter {name!r}; known: {', '.join(sorted(ADAPTERS))}")
        return name

    @model_validator(mode="after")
    def _has_somewhere_to_look(self) -> Source:
        if not (self.feeds or self.sitemaps or self.urls or self.url_lists):
            raise ValueError("give at least one of feeds, sitemaps, urls, url_lists")
        return self

    @property
    def delay(self) -> float:
        return 1.0 / self.rate_limit

    def wants(self, url: str) -> bool:
        """Whether an article URL passes this source's allow/deny patterns."""
        if any(re.search(p, url) for p in self.deny):
            return False
        return not self.allow or any(re.search(p, url) for p in self.allow)


class SourcesConfig(Model):
    fetch: FetchPolicy = FetchPolicy()
    source: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesConfig:
        names = [s.name for s in self.source]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicated)}")
        return self


def load_sources(path: Path | str) -> SourcesConfig:
    """Read and validate a sources file; ConfigError names the file and every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (see the example sources.toml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        return SourcesConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
