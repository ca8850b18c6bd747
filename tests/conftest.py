"""Shared pytest set-up. The reliability counters plugin (tests/reliability.py) reports what the
bad-input, fuzz, crash and security tests tried; see its docstring."""

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
