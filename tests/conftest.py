"""Shared pytest set-up. The reliability counters plugin (tests/reliability.py) reports what the
bad-input, fuzz, crash and security tests tried; see its docstring."""

pytest_plugins = ["reliability"]
