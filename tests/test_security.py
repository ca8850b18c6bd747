"""newsfacts is no way into the machine: the gaps left by test_fetch, test_discover and
test_datasette.

- Static: no shell, eval/exec, pickle/marshal/shelve or unsafe YAML anywhere in extractor/,
  checked on the syntax tree (a comment or a string saying "eval(" does not count; an aliased
  import such as `from os import system as run` does).
- Network: loopback and private addresses written in the forms SSRF filters miss (decimal, hex,
  short dotted, IPv4-mapped IPv6, 0.0.0.0) are refused before any connection; a gzip bomb stops
  at the byte cap after decoding; an external DTD or XInclude in a feed or sitemap is never
  fetched; a server that trickles its headers cannot hold a fetch past the total-time cap.
- Datasette: a real `newsfacts serve --public` process refuses SQL, downloads and writes and
  leaves the database file byte-for-byte unchanged; the SQL time limit interrupts a slow query
  over HTTP; no canned query writes.
"""

from __future__ import annotations

import ast
import asyncio
import gzip
import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability import Site, public_server, record

from extractor.errors import DiscoveryError, FetchError, UnsafeURLError
from extractor.ingest.discover import parse_feed, parse_sitemap
from extractor.ingest.fetch import Fetcher, FetchPolicy

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "extractor"

# --- static: no shell, no eval, no pickle ---------------------------------------------------

BANNED_MODULES = {"pickle", "cPickle", "_pickle", "dill", "marshal", "shelve", "jsonpickle"}
BANNED_CALLS = {
    ("os", "system"),
    ("os", "popen"),
    ("os", "execl"),
    ("os", "execlp"),
    ("os", "execv"),
    ("os", "execvp"),
    ("os", "spawnl"),
    ("os", "spawnv"),
    ("subprocess", "getoutput"),
    ("subprocess", "getstatusoutput"),
    ("yaml", "load"),
    ("yaml", "unsafe_load"),
}
BANNED_BUILTINS = {"eval", "exec", "compile", "__import__"}


def problems_in(source: str, filename: str) -> list[str]:
    """Every banned construct in one module, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    aliases: dict[str, tuple[str, str]] = {}  # local name -> (module, attribute)
    modules: dict[str, str] = {}  # local name -> module
    found: list[str] = []

    def report(node: ast.AST, what: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                modules[alias.asname or root] = alias.name
                if root in BANNED_MODULES:
                    report(node, f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root in BANNED_MODULES:
                report(node, f"imports from {node.module}")
            for alias in node.names:
                aliases[alias.asname or alias.name] = (node.module, alias.name)
                if (node.module, alias.name) in BANNED_CALLS:
                    report(node, f"imports {node.module}.{alias.name}")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            if func.id in BANNED_BUILTINS and func.id not in aliases:
                report(node, f"calls {func.id}()")
            if aliases.get(func.id) in BANNED_CALLS:
                report(node, f"calls {'.'.join(aliases[func.id])}()")
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            module = modules.get(func.value.id, func.value.id)
            if (module, func.attr) in BANNED_CALLS:
                report(node, f"calls {module}.{func.attr}()")
            if func.value.id == "builtins" and func.attr in BANNED_BUILTINS:
                report(node, f"calls builtins.{func.attr}()")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                report(node, "passes shell= (other than False) to a call")
    return found


def test_no_shell_eval_or_pickle_in_the_package() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10
    found = [p for path in files for p in problems_in(path.read_text("utf-8"), str(path))]
    record("security_probes", len(files))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "import subprocess\nsubprocess.run('ls', shell=True)",
        "import subprocess as sp\nsp.Popen(cmd, shell=1)",
        "import os\nos.system('ls')",
        "from os import system as run\nrun('ls')",
        "from os import popen",
        "import pickle",
        "from pickle import loads",
        "import marshal",
        "eval(text)",
        "exec(code)",
        "import builtins\nbuiltins.eval('1')",
        "import yaml\nyaml.load(stream)",
        "__import__('os')",
    ],
)
def test_the_static_check_catches_each_banned_form(snippet: str) -> None:
    """The checker itself: each form is caught (so a clean package means something)."""
    assert problems_in(snippet, "snippet.py")


@pytest.mark.parametrize(
    "snippet",
    [
        "# eval(x) in a comment\nx = 'os.system(1)'",
        "import subprocess\nsubprocess.run(['ls'], shell=False)",
        "model.eval()",
        "import ast\nast.literal_eval('1')",
        "re.compile('x')",  # a method named compile on another object
    ],
)
def test_the_static_check_ignores_harmless_look_alikes(snippet: str) -> None:
    assert not problems_in(snippet, "snippet.py")


# --- network ---------------------------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as running:
        yield running


def policy(**overrides: object) -> FetchPolicy:
    settings: dict[str, object] = {
        "allow_private": ["127.0.0.1"],  # the test site, and nothing else
        "obey_robots": False,
        "retries": 0,
        "delay": 0.0,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
    }
    settings.update(overrides)
    return FetchPolicy.model_validate(settings)


SNEAKY_HOSTS = [
    "127.0.0.2",  # loopback, but not the allowed address
    "2130706434",  # 127.0.0.2 as one decimal number
    "0x7f000002",  # ... as hex
    "127.2",  # ... in short dotted form
    "0.0.0.0",  # "this host": reaches local services on many systems
    "[::ffff:127.0.0.2]",  # IPv4-mapped IPv6
    "[::]",
    "[::1]",
    "169.254.169.254",  # cloud metadata
    "10.0.0.1",
    "192.168.0.1",
    "100.64.0.1",  # carrier-grade NAT: not public either
]


@pytest.mark.parametrize("host", SNEAKY_HOSTS)
def test_private_addresses_in_sneaky_forms_are_refused_before_connecting(
    host: str, site: Site
) -> None:
    record("security_probes")
    port = site.server.server_address[1]
    with Fetcher(policy()) as fetcher:
        with pytest.raises(UnsafeURLError, match="non-public"):
            fetcher.fetch(f"http://{host}:{port}/secret")
        # The same forms as a redirect target from the allowed site.
        site.add("/jump", b"", status=302, headers={"Location": f"http://{host}:{port}/secret"})
        with pytest.raises(UnsafeURLError):
            fetcher.fetch(site.url("/jump"))
    assert site.hits["/secret"] == 0


def test_localhost_by_name_is_refused_when_private_addresses_are_not_allowed(site: Site) -> None:
    record("security_probes")
    port = site.server.server_address[1]
    with Fetcher(policy(allow_private=False)) as fetcher:
        with pytest.raises(UnsafeURLError):
            fetcher.fetch(f"http://localhost:{port}/secret")
    assert site.hits["/secret"] == 0


@pytest.mark.parametrize("host", ["169.254.169.254", "[fe80::1]", "[fd00:ec2::254]", "0.0.0.0"])
def test_allow_private_never_opens_link_local_or_metadata_addresses(host: str, site: Site) -> None:
    """`--allow-private` is for a mirror on loopback or a private network: it used to turn off
    every address check, cloud metadata included."""
    record("security_probes")
    with Fetcher(policy(allow_private=True)) as fetcher:
        with pytest.raises(UnsafeURLError, match="never fetched"):
            fetcher.fetch(f"http://{host}/latest/meta-data/")
        # ... nor as the target of a redirect from an allowed local site.
        site.add("/meta", b"", status=302, headers={"Location": f"http://{host}/latest/"})
        with pytest.raises(UnsafeURLError):
            fetcher.fetch(site.url("/meta"))


def test_the_connection_goes_to_the_checked_address_not_a_second_dns_answer(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a resolver that answers an allowed address for the check and another for
    the connection. The host is resolved once and the socket opened to the checked address,
    so the second answer (127.0.0.2, where nothing listens) is never used."""
    record("security_probes")
    real = socket.getaddrinfo
    asked: list[str] = []

    def rebinding(host, port, *args, **kwargs):  # noqa: ANN001, ANN202 - socket's signature
        if host == "rebind.test":
            asked.append(host)
            answer = "127.0.0.1" if len(asked) == 1 else "127.0.0.2"
            return real(answer, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = site.server.server_address[1]
    site.add("/page", b"<p>checked and fetched</p>")
    with Fetcher(policy(allow_private=["127.0.0.1/32"])) as fetcher:
        result = fetcher.fetch(f"http://rebind.test:{port}/page")
    assert result.status == 200 and b"checked and fetched" in result.content
    assert site.hits["/page"] == 1


def resolving(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
    """A resolver that answers `names` (each with its addresses, in order) and asks the real
    one for anything else."""
    real = socket.getaddrinfo

    def answer(host, port, *args, **kwargs):  # noqa: ANN001, ANN202 - socket's signature
        if host in names:
            return [info for a in names[host] for info in real(a, port, *args, **kwargs)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", answer)


def test_a_host_with_a_dead_address_is_reached_at_its_next_one(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every checked address is pinned, tried in the resolver's order (nothing listens on
    127.0.0.2 here), as a plain connect tries a host's addresses in turn."""
    resolving(monkeypatch, {"two.test": ["127.0.0.2", "127.0.0.1"]})
    port = site.server.server_address[1]
    site.add("/page", b"<p>second address</p>")
    with Fetcher(policy(allow_private=["127.0.0.0/8"])) as fetcher:
        result = fetcher.fetch(f"http://two.test:{port}/page")
    assert result.status == 200 and site.hits["/page"] == 1


def test_an_internationalised_host_name_is_fetched(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address is checked under the name as written and the socket opened under its
    ASCII (punycode) form, as the HTTP client spells it: one pin serves both."""
    resolving(monkeypatch, {"bücher.test": ["127.0.0.1"], "xn--bcher-kva.test": ["127.0.0.1"]})
    port = site.server.server_address[1]
    site.add("/buch", b"<p>umlaut host</p>")
    with Fetcher(policy(allow_private=["127.0.0.1"])) as fetcher:
        result = fetcher.fetch(f"http://bücher.test:{port}/buch")
    assert result.status == 200 and site.hits["/buch"] == 1


def test_gzip_bomb_stops_at_the_byte_cap_after_decoding(site: Site) -> None:
    """100 MB of zeros in 100 KB of gzip: the cap counts decoded bytes, so it stops at 1 MB."""
    record("security_probes")
    bomb = gzip.compress(b"\0" * 100_000_000, 6)
    site.add("/bomb.html", bomb, "text/html", headers={"Content-Encoding": "gzip"})
    started = time.monotonic()
    with Fetcher(policy(max_bytes=1_000_000)) as fetcher:
        with pytest.raises(FetchError, match="byte cap"):
            fetcher.fetch(site.url("/bomb.html"))
    assert time.monotonic() - started < 10


def dtd_feed(dtd: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd}"><rss version="2.0"><channel>'
        "<title>t</title><item><title>&x;</title><link>http://127.0.0.1/a</link></item>"
        "</channel></rss>"
    ).encode()


def dtd_sitemap(dtd: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{dtd}">'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://127.0.0.1/a</loc></url></urlset>"
    ).encode()


def xinclude_feed(target: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<channel><title>t</title><item><title><xi:include href="{target}" parse="text"/>'
        "</title><link>http://127.0.0.1/a</link></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("kind", "build", "parse"),
    [
        ("feed-external-dtd", dtd_feed, parse_feed),
        ("sitemap-external-dtd", dtd_sitemap, parse_sitemap),
        ("feed-xinclude", xinclude_feed, parse_feed),
    ],
)
def test_feeds_and_sitemaps_never_fetch_external_resources(kind, build, parse, site: Site) -> None:
    """An external DTD or an XInclude would make the parser fetch a URL of the feed's
    choosing (SSRF, or a file's contents in a title); the local server must see no request."""
    record("security_probes")
    site.add("/evil.dtd", '<!ENTITY x "pwned">', "application/xml-dtd")
    site.add("/secret.txt", "pwned", "text/plain")
    target = site.url("/secret.txt" if "xinclude" in kind else "/evil.dtd")
    try:
        links = parse(build(target), "http://127.0.0.1/feed")
    except DiscoveryError:
        links = []
    time.sleep(0.2)
    assert site.hits["/evil.dtd"] == 0 and site.hits["/secret.txt"] == 0
    assert all("pwned" not in (link.title or "") for link in links)


@pytest.fixture
def trickling_headers() -> Iterator[str]:
    """A server that sends one header byte every 50 ms, forever (a slowloris in reverse)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not stop.is_set():
                conn.sendall(b"a")
                time.sleep(0.05)
        except OSError:
            pass
        finally:
            conn.close()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/page"
    stop.set()
    server.close()


def test_trickling_headers_cannot_outlast_the_total_time_cap(trickling_headers: str) -> None:
    """Each header byte beats the read timeout; only a deadline over the whole exchange stops
    a server that never finishes its headers (found here, fixed in fetch.py: f9e6b26)."""
    record("security_probes")
    outcome: list[BaseException | None] = []

    def fetch() -> None:
        with Fetcher(policy(total_timeout=1.0, read_timeout=0.5)) as fetcher:
            try:
                fetcher.fetch(trickling_headers)
                outcome.append(None)
            except BaseException as error:  # noqa: BLE001 - judged below
                outcome.append(error)

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(4)  # the cap is 1 s; the server would trickle until the fixture stops it
    assert not worker.is_alive(), "a 1 s total-time cap still fetching after 4 s"
    assert isinstance(outcome[0], FetchError), outcome


# --- Datasette exposure ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from newsroom import build_store

    path = tmp_path_factory.mktemp("public") / "newsfacts.db"
    build_store(path)
    # Fold the WAL into the file so its bytes are the whole database before serving.
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("pragma wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_served_public_process_is_read_only_and_runs_no_sql(store: Path) -> None:
    """The real `newsfacts serve --public` process, over HTTP on 127.0.0.1."""
    before = digest(store)
    with public_server(store, store.parent / "serve.log") as client:
        assert client.get("/newsfacts/facts.json?_size=1").status_code == 200
        probes = {
            "sql": client.get("/newsfacts.json", params={"sql": "select 1"}),
            "sql-write": client.get(
                "/newsfacts.json", params={"sql": "delete from facts returning id"}
            ),
            "download": client.get("/newsfacts.db"),
            "post-table": client.post("/newsfacts/facts", data={"id": "1"}),
            "post-db": client.post("/newsfacts", data={"sql": "delete from facts"}),
            "post-canned": client.post("/newsfacts/biggest_movers", data={"period": "2016"}),
            "insert-api": client.post("/newsfacts/facts/-/insert", json={"row": {"id": 9}}),
            "drop-api": client.post("/newsfacts/facts/-/drop", json={"confirm": True}),
        }
        settings = client.get("/-/settings.json").json()
        databases = client.get("/-/databases.json").json()
    record("security_probes", len(probes))
    allowed = {name: r.status_code for name, r in probes.items() if r.status_code < 400}
    assert not allowed, allowed
    assert settings["default_allow_sql"] is False and settings["allow_download"] is False
    assert 0 < settings["sql_time_limit_ms"] <= 5000
    # Mutable for Datasette (read with mode=ro, so a crawl's commits show), but every
    # connection is query_only and every non-GET request is refused with 405.
    assert [d["is_mutable"] for d in databases] == [True]
    assert {
        r.status_code for name, r in probes.items() if name.startswith(("post", "insert", "drop"))
    } == {405}
    assert digest(store) == before, "serving publicly changed the database file"


def test_sql_time_limit_interrupts_a_slow_query_over_http(store: Path, tmp_path: Path) -> None:
    """Under the public settings a runaway query is stopped at the limit, not left running:
    a canned query added for the test counts to a billion through Datasette's HTTP path."""
    from extractor.serve.app import PUBLIC_SETTINGS, load_metadata, make_datasette

    metadata = load_metadata()
    metadata["databases"]["newsfacts"]["queries"]["count_forever"] = {
        "sql": "with recursive n(x) as (select 1 union all select x + 1 from n "
        "where x < 1000000000) select count(*) from n"
    }
    meta_path = tmp_path / "metadata.json"
    meta_path.write_text(json.dumps(metadata))
    ds = make_datasette(store, public=True, metadata=meta_path)
    record("security_probes")
    started = time.monotonic()
    response = asyncio.run(ds.client.get("/newsfacts/count_forever.json"))
    elapsed = time.monotonic() - started
    assert response.status_code >= 400
    assert "too long" in response.text.lower()
    assert elapsed < PUBLIC_SETTINGS["sql_time_limit_ms"] / 1000 + 5


def test_no_canned_query_writes() -> None:
    from extractor.serve.app import load_metadata

    record("security_probes")
    for database in load_metadata().get("databases", {}).values():
        for name, canned in database.get("queries", {}).items():
            assert not canned.get("write"), f"canned query {name} writes"
            sql = canned["sql"].lower() if isinstance(canned, dict) else canned.lower()
            assert not any(
                word in sql.split() for word in ("insert", "update", "delete", "drop", "attach")
            ), name
