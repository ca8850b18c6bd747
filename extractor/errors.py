"""Our own exception types. Every message says what went wrong and what to do next."""

from __future__ import annotations


class NewsfactsError(Exception):
    """Base of every error newsfacts raises on purpose; the CLI prints it as one line."""


class InputError(NewsfactsError):
    """The input (a file, a page, an argument) cannot be used."""


class ParseError(NewsfactsError):
    """A page could not be turned into an article."""

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = url
        super().__init__(f"{url}: {message}" if url else message)


class PatternError(NewsfactsError):
    """A pattern file failed validation; carries every problem found, by file and line."""

    def __init__(self, path: str, line: int, problems: list[str]) -> None:
        self.path = path
        self.line = line
        self.problems = problems
        super().__init__(f"{path}:{line}: " + "; ".join(problems))


class FetchError(NewsfactsError):
    """A URL could not be fetched (network failure, refused by policy, bad status)."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        detail = f"HTTP {status}: {message}" if status else message
        super().__init__(f"{url}: {detail}")


class ExtractTimeout(NewsfactsError):
    """One article's extraction ran past its time budget (a hostile or runaway page)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"extraction gave up after {seconds:g}s (the article's time budget)")


class StoreError(NewsfactsError):
    """The fact store cannot be opened or written."""


class GoldFileError(NewsfactsError):
    """A gold file (SPEC.md format) is malformed."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class RobotsDisallowed(FetchError):
    """robots.txt forbids fetching this URL for our User-Agent."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "disallowed by robots.txt; not fetched (the site asked us not to)")


class FetchTimeout(FetchError):
    """A fetch used up the whole time cap (a server trickling its headers or body)."""


class UnsafeURLError(FetchError):
    """A URL (or a redirect target) we refuse to fetch: another scheme or a private address."""


class DiscoveryError(NewsfactsError):
    """A feed, sitemap or URL list could not be read."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(f"{url}: {message}")


class ConfigError(InputError):
    """The sources file is malformed; the message names the file and the problem."""


class CrawlLocked(NewsfactsError):
    """Another crawl holds the lock on this database."""


class ServeError(NewsfactsError):
    """Datasette cannot be started as asked (broken metadata, unsafe plugins for --public)."""
