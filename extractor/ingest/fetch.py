"""Fetch pages politely and safely: the only module that talks to the network.

httpx, not urllib/requests: httpx gives separate connect/read timeouts, streaming (so a size cap
stops a 50 MB body after the first megabytes instead of after it has all arrived) and a client
that keeps connections open across the many pages of one host. Redirects are followed by hand so
every hop is checked again: scheme, address (no loopback/private targets unless the source
allows them) and robots.txt. protego parses robots.txt because it implements the modern rules
(wildcards, Allow precedence, Crawl-delay) that the standard library's robotparser gets wrong.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from extractor import __version__
from extractor.errors import FetchError, FetchTimeout, RobotsDisallowed, UnsafeURLError
from extractor.ingest.charset import decode_body
from extractor.ingest.network import deadline as bounded_by
from extractor.ingest.network import pin
from extractor.ingest.network import transport as pinned_transport
from extractor.ingest.urls import (
    ALLOWED_SCHEMES,
    host_of,
    in_networks,
    is_local_network_address,
    is_public_address,
    resolve_addresses,
)
from extractor.models import Model

USER_AGENT = f"newsfacts/{__version__} (+https://github.com/newsfacts/newsfacts; fact extraction)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
ROBOTS_MAX_BYTES = 512_000


class FetchPolicy(Model):
    """How we fetch. Defaults are for real sites; tests shrink the times."""

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 120.0  # the whole fetch, retries and waits included
    max_redirects: int = 5
    max_bytes: int = 10_000_000
    retries: int = 3
    backoff: float = 1.0  # first retry waits this long, each further retry twice as long
    max_wait: float = 60.0  # a Retry-After longer than this gives up instead of stalling a run
    delay: float = 1.0  # politeness: least seconds between two requests to one host
    max_crawl_delay: float = 60.0  # honour robots.txt Crawl-delay up to this
    obey_robots: bool = True
    # Non-public addresses we may fetch: False (none), True (any), or a list of addresses or
    # networks ("127.0.0.1", "10.1.0.0/16") so a test or an intranet mirror opens only itself.
    allow_private: bool | list[str] = False


class FetchResult(Model):
    url: str
    final_url: str
    status: int
    not_modified: bool = False
    content: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirects: list[str] = []

    @property
    def text(self) -> str:
        return decode_body(self.content, self.content_type)[0]


class _Retryable(Exception):
    """A failure worth another try: 429/5xx or a transport error."""

    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        self.error = error
        self.wait = wait


class Fetcher:
    """One HTTP client with per-host state: robots.txt rules and the time of the last request."""

    def __init__(
        self, policy: FetchPolicy | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.sleep = sleep
        self.client = httpx.Client(
            headers={"User-Agent": self.policy.user_agent},
            follow_redirects=False,
            trust_env=False,  # never route through a proxy from the environment
            transport=pinned_transport(),  # time cap during headers; connect where checked
        )
        self.robots: dict[str, Protego | None] = {}
        self.robots_unreachable: dict[str, str] = {}  # host -> why its robots.txt failed
        # host -> the fetch that used up the whole time cap there: a host that trickles bytes
        # costs the cap for every URL, so a run does not ask it again (see jobs/crawl.py). A
        # single slow read (retried, then an error) does not count.
        self.timed_out: dict[str, str] = {}
        self.last_request: dict[str, float] = {}
        self.requests = 0  # counted for reports and tests

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    # --- public -----------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_private: bool | list[str] | None = None,
        delay: float | None = None,
    ) -> FetchResult:
        """GET a URL within the policy; 304 on a conditional request comes back `not_modified`.

        Raises FetchError (or RobotsDisallowed / UnsafeURLError) with the reason.
        """
        allow = self.policy.allow_private if allow_private is None else allow_private
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.policy.total_timeout
        attempt = 0
        while True:
            try:
                return self._follow(url, headers, deadline, allow, delay, robots=True)
            except FetchTimeout as timeout:  # the host that timed out, after any redirect
                self.timed_out.setdefault(host_of(timeout.url), str(timeout))
                raise
            except _Retryable as retry:
                wait = retry.wait
                if wait is None:
                    wait = self.policy.backoff * 2**attempt
                if attempt >= self.policy.retries:
                    raise retry.error from None
                if wait > self.policy.max_wait or time.monotonic() + wait > deadline:
                    raise FetchError(
                        url,
                        f"{retry.error}; server asks to retry in {wait:.0f}s, beyond our limit",
                        retry.error.status,
                    ) from None
                self.sleep(wait)
                attempt += 1

    def allowed_by_robots(self, url: str, allow_private: bool | list[str] = False) -> bool:
        rules = self._robots_for(url, allow_private, time.monotonic() + self.policy.total_timeout)
        return rules is None or rules.can_fetch(url, self.policy.user_agent)

    # --- internals --------------------------------------------------------------------------

    def _follow(
        self,
        url: str,
        headers: dict[str, str],
        deadline: float,
        allow_private: bool | list[str],
        delay: float | None,
        robots: bool,
        keep_first: int | None = None,
    ) -> FetchResult:
        """Fetch `url`, following redirects. `keep_first` reads at most that many bytes and
        keeps them instead of refusing a larger body (robots.txt: RFC 9309 parses the first
        500 KiB)."""
        current = url
        seen = [url]
        for _ in range(self.policy.max_redirects + 1):
            self._check_url(current, allow_private)
            crawl_delay = 0.0
            if robots and self.policy.obey_robots:
                rules = self._robots_for(current, allow_private, deadline)
                if rules is not None:
                    if not rules.can_fetch(current, self.policy.user_agent):
                        why = self.robots_unreachable.get(host_of(current))
                        if why:
                            raise FetchError(
                                current,
                                f"robots.txt unreachable ({why}); per RFC 9309 nothing on the "
                                "host is fetched this run",
                            )
                        raise RobotsDisallowed(current)
                    crawl_delay = min(
                        float(rules.crawl_delay(self.policy.user_agent) or 0.0),
                        self.policy.max_crawl_delay,
                    )
            self._be_polite(current, max(delay or 0.0, crawl_delay))
            try:
                response, body = self._get(current, headers, deadline, keep_first)
            finally:
                # The delay runs from the end of a response, so a slow reply never lets the
                # next request follow hard on its heels.
                self.last_request[host_of(current)] = time.monotonic()
            if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
                target = urljoin(current, response.headers["location"])
                if target in seen:
                    raise FetchError(url, f"redirect loop via {target}", response.status_code)
                seen.append(target)
                current = target
                continue
            return self._result(url, current, response, body, seen[1:])
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects; gave up")

    def _result(
        self, url: str, final: str, response: httpx.Response, body: bytes, hops: list[str]
    ) -> FetchResult:
        status = response.status_code
        if status in RETRY_STATUSES:
            wait = retry_after(response.headers.get("retry-after"))
            raise _Retryable(
                FetchError(url, response.reason_phrase or "server error", status), wait
            )
        if status == 304:
            return FetchResult(url=url, final_url=final, status=304, not_modified=True)
        if status >= 400 or status < 200:
            raise FetchError(url, response.reason_phrase or "request failed", status)
        return FetchResult(
            url=url,
            final_url=final,
            status=status,
            content=body,
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            redirects=hops,
        )

    def _check_url(self, url: str, allow_private: bool | list[str]) -> None:
        """Resolve the host once, refuse it if any address is not allowed, and pin the
        connection to a checked address (see network.py: no second DNS answer is used)."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise UnsafeURLError(url, f"not a valid URL ({exc})") from None
        if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
            raise UnsafeURLError(url, "only http and https URLs are fetched")
        try:
            addresses = resolve_addresses(parts.hostname, port)
        except OSError as exc:
            raise FetchError(url, f"cannot resolve host ({exc})") from None
        refused = [a for a in addresses if not address_allowed(a, allow_private)]
        if refused or not addresses:
            where = refused[0] if refused else "nothing"
            hint = (
                "link-local and cloud metadata addresses are never fetched"
                if allow_private is True
                else "allow it with `allow_private = true` on the source in sources.toml, or"
                " `newsfacts ingest --allow-private`"
            )
            raise UnsafeURLError(url, f"host resolves to a non-public address ({where}); {hint}")
        pin(httpx.URL(url).raw_host.decode("ascii"), port, addresses)

    def _be_polite(self, url: str, delay: float) -> None:
        host = host_of(url)
        wait_for = max(self.policy.delay, delay)
        last = self.last_request.get(host)
        if last is not None:
            remaining = last + wait_for - time.monotonic()
            if remaining > 0:
                self.sleep(remaining)
        self.last_request[host] = time.monotonic()

    def _get(
        self, url: str, headers: dict[str, str], deadline: float, keep_first: int | None = None
    ) -> tuple[httpx.Response, bytes]:
        max_bytes = keep_first or self.policy.max_bytes
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(url, f"gave up after {self.policy.total_timeout:g}s in total")
        timeout = httpx.Timeout(
            connect=min(self.policy.connect_timeout, remaining),
            read=min(self.policy.read_timeout, remaining),
            write=min(self.policy.read_timeout, remaining),
            pool=min(self.policy.connect_timeout, remaining),
        )
        self.requests += 1
        try:
            with (
                bounded_by(deadline),
                self.client.stream("GET", url, headers=headers, timeout=timeout) as response,
            ):
                if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                    return response, b""
                declared = response.headers.get("content-length", "")
                if not keep_first and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(url, f"body of {declared} bytes exceeds {max_bytes} byte cap")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes and keep_first:
                        chunks.append(chunk[: len(chunk) - (size - max_bytes)])
                        break
                    if size > max_bytes:
                        raise FetchError(url, f"body exceeds {max_bytes} byte cap; stopped reading")
                    if time.monotonic() > deadline:
                        raise FetchTimeout(
                            url, f"body still arriving after {self.policy.total_timeout:g}s"
                        )
                    chunks.append(chunk)
                return response, b"".join(chunks)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:  # the total cap, not one slow read: no retry
                raise FetchTimeout(
                    url, f"gave up after {self.policy.total_timeout:g}s in total (still receiving)"
                ) from None
            raise _Retryable(FetchError(url, f"timed out ({exc.__class__.__name__})")) from None
        except httpx.TransportError as exc:  # connection refused/reset, protocol errors
            raise _Retryable(FetchError(url, f"network error ({exc})")) from None
        except httpx.HTTPError as exc:  # decoding errors and the like: not worth a retry
            raise FetchError(url, f"bad response ({exc})") from None

    def _robots_for(
        self, url: str, allow_private: bool | list[str], deadline: float
    ) -> Protego | None:
        """The host's robots.txt rules, fetched once per host; None means no restrictions."""
        host = host_of(url)
        if host in self.robots:
            return self.robots[host]
        robots_url = f"{host}/robots.txt"
        rules: Protego | None
        try:
            result = self._follow(
                robots_url,
                {},
                deadline,
                allow_private,
                None,
                robots=False,
                keep_first=ROBOTS_MAX_BYTES,
            )
            rules = Protego.parse(result.text)
        except _Retryable as failure:
            rules = self._disallow_all(host, robots_url, failure.error)
        except FetchError as failure:
            if isinstance(failure, UnsafeURLError):
                raise
            if failure.status is not None and 400 <= failure.status < 500:
                # RFC 9309 2.3.1.2: a 4xx robots.txt (usually 404) means no restrictions.
                rules = None
            else:  # the time cap, a redirect loop, a broken body: unreachable, not absent
                rules = self._disallow_all(host, robots_url, failure)
        self.robots[host] = rules
        return rules

    def _disallow_all(self, host: str, robots_url: str, failure: FetchError) -> Protego:
        """RFC 9309 2.3.1.3: an unreachable robots.txt (5xx, network, time cap) means
        "disallow all". Cached for this fetcher only (one run), so the next run asks again."""
        self.robots_unreachable[host] = str(failure).removeprefix(robots_url + ": ")
        return Protego.parse("User-agent: *\nDisallow: /")


def address_allowed(address: str, allow_private: bool | list[str]) -> bool:
    """Public addresses always; with `allow_private` True also loopback and private ranges
    (never link-local or metadata); with a list, the addresses and networks it names."""
    if is_public_address(address):
        return True
    if allow_private is True:
        return is_local_network_address(address)
    return isinstance(allow_private, list) and in_networks(address, allow_private)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
