"""Our second Datasette plugin: the server is read-only over HTTP and says what went wrong in one
line, whatever a client sends.

- Every connection to a database file is `query_only`, the write connection included: no
  plugin or query can change the file, and the file itself is opened `mode=ro` by Datasette,
  which (unlike `immutable`) sees what a crawl beside the server commits.
- Only GET, HEAD and OPTIONS reach Datasette; any other method (a POST to `/db/facts/-/insert`,
  a write-looking path, a form) is answered 405 before routing, so no plugin or canned query
  could ever be asked to write.
- Errors are rendered by this plugin instead of Datasette's default handler, which prints a
  ~150-line traceback with local variables for every 4xx/5xx (anyone could flood the log) and,
  with the `rich` versions spaCy pulls in, fails itself and turns a 404 into a 500. Here every
  error is one log line: status, method, path and message.
- A full-text search with nothing left to search once quotes are escaped (`_search="`) would
  be an FTS5 syntax error (400); it is dropped, so the page shows the table unfiltered.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import Response, hookimpl
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WORD = re.compile(r"[^\s\"]")
log = logging.getLogger("newsfacts.serve")


@hookimpl
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    served = datasette.databases.get(database)
    if served is not None and served.path is not None:
        conn.execute("PRAGMA query_only = 1")


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def guarded(scope: dict, receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                if scope.get("method", "GET").upper() not in READ_METHODS:
                    await refuse_method(scope, send)
                    return
                scope = without_empty_search(scope)
            await app(scope, receive, send)

        return guarded

    return wrap


async def refuse_method(scope: dict, send: Any) -> None:
    log.warning("405 %s %s: read-only server", scope.get("method"), scope.get("path"))
    body = b"This server is read-only: it answers GET, HEAD and OPTIONS only.\n"
    await send(
        {
            "type": "http.response.start",
            "status": 405,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"allow", b"GET, HEAD, OPTIONS"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def without_empty_search(scope: dict) -> dict:
    """The scope without a search parameter (`_search`, `_search_<column>`) that holds
    nothing but quotes and spaces. The query string is rebuilt only when one is dropped, byte
    for byte (latin-1 both ways), so other parameters reach Datasette as they were sent."""
    raw = scope.get("query_string", b"").decode("latin-1")
    if not raw:
        return scope
    pairs = parse_qsl(raw, keep_blank_values=True, encoding="latin-1")
    kept = [(k, v) for k, v in pairs if not is_search(k) or WORD.search(v)]
    if len(kept) == len(pairs):
        return scope
    return {**scope, "query_string": urlencode(kept, encoding="latin-1").encode("latin-1")}


def is_search(key: str) -> bool:
    return key == "_search" or key.startswith("_search_")


@hookimpl(tryfirst=True)
def handle_exception(datasette: Any, request: Any, exception: BaseException) -> Any:
    async def render() -> Response:
        status, message, title = describe(exception)
        log.warning("%s %s %s: %s", status, request.method, request.path, message)
        info = {"ok": False, "error": message, "status": status, "title": title}
        if request.path.endswith(".json"):
            return Response.json(info, status=status)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        page = await template.render_async(
            dict(
                info,
                urls=datasette.urls,
                app_css_hash=datasette.app_css_hash(),
                menu_links=lambda: [],
            )
        )
        return Response.html(page, status=status)

    return render


def describe(exception: BaseException) -> tuple[int, str, str | None]:
    """HTTP status, a one-line message and an optional title for an exception."""
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0] if exception.args else exception), None
    if isinstance(exception, DatasetteError):
        return exception.status, str(exception.message), exception.title
    first = str(exception).splitlines()[0] if str(exception) else ""
    return 500, f"{exception.__class__.__name__}: {first}".rstrip(": "), None
