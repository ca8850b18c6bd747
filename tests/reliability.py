"""Reliability counters: what the suite actually tried, so the README's numbers come from a run.

A pytest plugin (loaded by tests/conftest.py). Tests call `record(...)` as they go:

    record("bad_inputs")                 # one hostile page/file/stream handed to newsfacts
    record("fuzz_inputs", 250)           # inputs run through the whole extract
    record("crash_kill_trials")          # one crawl killed with SIGKILL and checked
    record("duplicated_rows", n)         # rows stored twice after a crash and a rerun (must be 0)
    record("lost_rows", n)               # rows missing after a crash and a rerun (must be 0)

At the end of the session the counters go to a JSON file (`.pytest_cache/newsfacts-reliability
.json`, or `$NEWSFACTS_RELIABILITY_JSON`) and one summary line is printed. Counters that a test
measured (duplicated/lost rows, failed integrity checks) are recorded before the test asserts
on them, so a failing run reports the bad number instead of hiding it.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

COUNTERS: Counter[str] = Counter()
# Reported even when no test touched them, so a missing zero is visible as a zero.
KEYS = (
    "bad_inputs",
    "fuzz_inputs",
    "hypothesis_examples",
    "crash_kill_trials",
    "kills_mid_write",
    "integrity_failures",
    "half_stored_articles",
    "duplicated_rows",
    "lost_rows",
    "security_probes",
)


def record(name: str, amount: int = 1) -> None:
    """Add `amount` to a counter (names outside KEYS are kept too, and reported)."""
    COUNTERS[name] += amount


def snapshot() -> dict[str, int]:
    return {**{key: 0 for key in KEYS}, **dict(COUNTERS)}


def report_path(config: pytest.Config) -> Path:
    override = os.environ.get("NEWSFACTS_RELIABILITY_JSON")
    if override:
        return Path(override)
    return Path(str(config.rootpath)) / ".pytest_cache" / "newsfacts-reliability.json"


def summary_line(counts: dict[str, int]) -> str:
    return (
        f"reliability: {counts['bad_inputs']} bad inputs, {counts['fuzz_inputs']} fuzzed pages, "
        f"{counts['hypothesis_examples']} property examples, "
        f"{counts['crash_kill_trials']} crash-kill trials "
        f"({counts['kills_mid_write']} mid-write), "
        f"{counts['integrity_failures']} integrity failures, "
        f"{counts['half_stored_articles']} half-stored articles, "
        f"{counts['duplicated_rows']} duplicated rows, {counts['lost_rows']} lost rows, "
        f"{counts['security_probes']} security probes"
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    counts = snapshot()
    if not any(counts.values()):
        return  # a run that used none of the reliability tests leaves the last report alone
    path = report_path(session.config)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "counters": counts,
        "exitstatus": int(exitstatus),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "args": list(session.config.invocation_params.args),
    }
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    counts = snapshot()
    if any(counts.values()):
        terminalreporter.write_line(f"{summary_line(counts)} (-> {report_path(config)})")


# --- a local site for crawl tests -----------------------------------------------------------
# The crash, concurrency and bad-input tests crawl a real HTTP server on 127.0.0.1 in a thread
# of the test process. Routes are plain data (status, headers, body), so a test can change what
# the site serves between crawls (a new "generation" of every page) and can slow pages down so a
# SIGKILL lands while a crawl is writing.


Route = tuple[int, dict[str, str], bytes]


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up (a killed crawl, a capped read) is expected here


class Site:
    """A tiny web site: path -> (status, headers, body) or a callable giving one.

    Sends an ETag (hash of the body) for 200s and answers a matching If-None-Match with 304,
    like a real server, so reruns exercise the conditional-GET path. `delay` seconds are spent
    before each 200 body (not on 304s), which keeps a crawl running long enough to be killed.
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.routes: dict[str, Route | Callable[[], Route]] = {}
        self.delay = delay
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                site.answer(self)

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, data)
        return self.url(path)

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0]
        with self.lock:
            self.hits[path] += 1
        route = self.routes.get(path)
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        else:
            status, headers, body = route() if callable(route) else route
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        try:
            if status == 200 and request.headers.get("If-None-Match") == etag:
                request.send_response(304)
                request.send_header("ETag", etag)
                request.send_header("Content-Length", "0")
                request.end_headers()
                return
            if status == 200 and self.delay:
                time.sleep(self.delay)
            request.send_response(status)
            for name, value in headers.items():
                request.send_header(name, value)
            if status == 200:
                request.send_header("ETag", etag)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler was killed mid-response: exactly what the crash tests do

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def bulletin(index: int) -> str:
    """A small trade-news page of our own, its figures varying with `index`."""
    return (
        f"<!doctype html><html><head><title>Bulletin {index}</title></head><body><article>"
        f"<h1>Freedonia trade bulletin {index}</h1>"
        f"<p>Freedonia's exports rose {index + 1}.5% year-on-year to ${index + 3}.2 billion in "
        f"October 2025, the customs office said.</p>"
        f"<p>Imports fell {index % 4 + 1}.1% to ${index + 2}.4 billion in the month.</p>"
        "</article></body></html>"
    )


def publish_bulletins(site: Site, pages: int) -> None:
    """`pages` bulletins at /news/N.html and an RSS feed of them at /feed.xml."""
    for i in range(pages):
        site.add(f"/news/{i}.html", bulletin(i))
    items = "".join(
        f"<item><title>{i}</title><link>{site.url(f'/news/{i}.html')}</link></item>"
        for i in range(pages)
    )
    site.add(
        "/feed.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
        "application/rss+xml",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def public_server(db: Path, log: Path) -> Iterator[httpx.Client]:
    """A real `newsfacts serve --public` process on 127.0.0.1 (its stderr in `log`), and a
    client for it once it answers; stopped on the way out."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "extractor", "serve", "--db", str(db), "--public"]
        + ["--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=60, trust_env=False
        ) as client:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if client.get("/-/versions.json").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.3)
            yield client
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def sources_toml(site: Site, *, feeds=(), sitemaps=(), urls=(), name: str = "local") -> str:
    """A sources file for one source on the local site: no politeness delay, loopback allowed."""

    def listed(items) -> str:
        return (
            "["
            + ", ".join(json.dumps(site.url(p) if p.startswith("/") else p) for p in items)
            + "]"
        )

    return (
        "[fetch]\ndelay = 0.0\nconnect_timeout = 5.0\nread_timeout = 10.0\ntotal_timeout = 30.0\n"
        "retries = 0\nbackoff = 0.0\n\n"
        f'[[source]]\nname = "{name}"\nfeeds = {listed(feeds)}\nsitemaps = {listed(sitemaps)}\n'
        f'urls = {listed(urls)}\nallow_private = ["127.0.0.1"]\nrate_limit = 1000.0\n'
    )


# --- fast crawl processes to kill -----------------------------------------------------------
# Starting `python -m extractor crawl` costs seconds (spaCy, patterns) before the first request,
# which would spend the crash test's time budget on imports. The forker is one helper process
# that imports newsfacts and warms the pipeline once, then forks a fresh child per command; each
# child runs the real `newsfacts` click command (cli.main) against its own SQLite connection and
# can be SIGKILLed like any crawl. The helper is single-threaded, so forking it is safe.

REPO = Path(__file__).resolve().parent.parent


class Forker:
    """Runs `newsfacts ARGS` in forked children of a warmed-up helper process."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import reliability; reliability.forker_main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO,
            env=env,
            text=True,
        )
        assert self._ask({"ping": True}) == {"ready": True}

    def _ask(self, command: dict) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the forker helper died")
        return json.loads(line)

    def start(self, args: list[str], log: Path, stdin: Path | None = None) -> int:
        """Fork a child running `newsfacts ARGS` (stdout and stderr to `log`, stdin from a
        file or empty); its pid."""
        command = {"run": args, "log": str(log), "stdin": str(stdin) if stdin else None}
        return int(self._ask(command)["pid"])

    def run(
        self, args: list[str], out: Path, err: Path, stdin: Path | None = None, timeout: float = 60
    ) -> tuple[int | None, float]:
        """Run `newsfacts ARGS` to the end: (exit status, seconds); status None means it was
        still running after `timeout` seconds and was killed (a hang)."""
        started = time.monotonic()
        pid = int(
            self._ask({"run": args, "log": str(out), "err": str(err), "stdin": str(stdin or "")})[
                "pid"
            ]
        )
        while (status := self.poll(pid)) is None:
            if time.monotonic() - started > timeout:
                os.kill(pid, signal.SIGKILL)
                self.wait(pid)
                return None, time.monotonic() - started
            time.sleep(0.01)
        return status, time.monotonic() - started

    def poll(self, pid: int) -> int | None:
        return self._ask({"poll": pid})["status"]

    def wait(self, pid: int) -> int:
        return int(self._ask({"wait": pid})["status"])

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def __enter__(self) -> Forker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def forker_main() -> None:
    """The helper's loop: one JSON command a line on stdin, one JSON answer a line on stdout."""
    from extractor.cli import cli
    from extractor.pipeline import extract_document

    extract_document("<html><body><p>Exports rose 5% to $3 billion in 2025.</p></body></html>")
    reaped: dict[int, int] = {}
    for line in sys.stdin:
        command = json.loads(line)
        if "ping" in command:
            answer: dict = {"ready": True}
        elif "run" in command:
            pid = os.fork()
            if pid == 0:  # the child: become `newsfacts ARGS`
                log = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                stdin = os.open(command.get("stdin") or os.devnull, os.O_RDONLY)
                os.dup2(stdin, 0)
                err = os.open(
                    command.get("err") or command["log"],
                    os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                    0o644,
                )
                os.dup2(log, 1)
                os.dup2(err, 2)
                sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
                code = 0
                try:
                    cli.main(command["run"], prog_name="newsfacts")
                except SystemExit as stop:
                    code = stop.code if isinstance(stop.code, int) else 1
                except BaseException:  # noqa: BLE001 - report like an interpreter would
                    import traceback

                    traceback.print_exc()
                    code = 1
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
            answer = {"pid": pid}
        elif "poll" in command or "wait" in command:
            pid = command.get("poll") or command["wait"]
            if pid not in reaped:
                done, status = os.waitpid(pid, os.WNOHANG if "poll" in command else 0)
                if done:
                    reaped[pid] = os.waitstatus_to_exitcode(status)
            answer = {"status": reaped.get(pid)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
