"""The HTTP client's sockets: a total-time cap that holds even while headers trickle in, and
connections made to the address that was checked, not to a second DNS answer.

Pinning: fetch.py resolves a host once, checks every address it got (no private or metadata
address unless allowed) and pins the host to a checked address for this thread; the backend
then connects to that address. Resolving again at connect time would leave a window in
which a rebinding DNS server answers with 127.0.0.1 or 169.254.169.254 after the check.
TLS still names the host (httpcore passes it to start_tls), so certificates are checked
against the host name as usual.

Time cap: httpx has connect and read timeouts but no overall deadline: a server sending one
header byte every 50 ms beats any read timeout forever, and our own deadline check only runs
between body chunks. So the HTTP client gets a network backend whose every socket read, write
and connect is bounded by the time left before the current fetch's deadline (kept per thread,
so fetchers in different threads do not share it); when none is left it raises httpcore's
ReadTimeout, which httpx reports as a timeout like any other.

The backend is installed on httpx's own transport (`transport._pool._network_backend`):
httpx 0.28 has no public argument for it, and writing a whole transport to get one would copy
far more of httpx than these few lines.
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

_current = threading.local()


def pin(host: str, port: int, addresses: list[str]) -> None:
    """Connect to one of `addresses` (in the resolver's order) whenever this thread asks for
    `host`:`port`. `host` as the HTTP client names it: an IDN host in its ASCII (punycode)
    form."""
    pins: dict[tuple[str, int], list[str]] | None = getattr(_current, "pins", None)
    if pins is None:
        pins = _current.pins = {}
    pins[(host.lower(), port)] = list(addresses)


def pinned(host: str, port: int) -> list[str]:
    """The checked addresses for `host`:`port` in this thread; a host never checked (only
    possible outside Fetcher) is refused rather than resolved again."""
    pins = getattr(_current, "pins", None) or {}
    addresses = pins.get((host.lower(), port))
    if not addresses:
        raise httpcore.ConnectError(f"{host}:{port} was not checked before connecting")
    return addresses


@contextmanager
def deadline(at: float) -> Iterator[None]:
    """Bound every network operation in this thread until `at` (time.monotonic())."""
    _current.at = at
    try:
        yield
    finally:
        _current.at = None


def _bounded(timeout: float | None) -> float | None:
    at = getattr(_current, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("total time cap reached")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in pinned(host, port):  # as a resolver's addresses are tried: in turn
            try:
                stream = self._backend.connect_tcp(
                    address, port, _bounded(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
                continue
            return _Stream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def transport() -> httpx.HTTPTransport:
    """httpx's standard transport, its sockets bounded by the per-thread deadline and
    connected to the pinned addresses."""
    base = httpx.HTTPTransport()
    base._pool._network_backend = _Backend()  # see the module doc for why
    return base
