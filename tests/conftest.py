"""Shared pytest set-up. The reliability counters plugin (tests/reliability.py) reports what the
bad-input, fuzz, crash and security tests tried; see its docstring."""

import ipaddress
import socket
from collections.abc import Iterator

import pytest
from httpkit import start_server
from pytest_httpserver import HTTPServer

pytest_plugins = ["reliability"]


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """A local HTTP server on 127.0.0.1 for the fetch and crawl tests, one per module
    (stopping one costs half a second)."""
    running = start_server()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests reach 127.0.0.1 and nothing else, even when the code under test regresses: a
    socket of this process asked to connect anywhere else fails instead of sending a packet
    (the security tests name metadata and private addresses on purpose)."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse_outside(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            host = str(address[0]).split("%", 1)[0]
            try:
                ip = ipaddress.ip_address(host)
            except ValueError:
                return  # a name: resolved to an address, and checked, by the connect below
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            if not ip.is_loopback:
                raise ConnectionRefusedError(f"tests connect to loopback only, not {host}")

    def guarded_connect(sock: socket.socket, address: object) -> None:
        refuse_outside(sock, address)
        connect(sock, address)

    def guarded_connect_ex(sock: socket.socket, address: object) -> int:
        refuse_outside(sock, address)
        return connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
