"""End-to-end crawl throughput: fetch + parse + extract + store, articles per second.

Not a test. `.venv/bin/python -m bench.bench_crawl [--pages 1000]` starts a local site on
127.0.0.1 in a separate process (so serving does not compete with the crawler for the GIL),
then crawls it in this single process with the real Fetcher, parser, extractor and SQLite
store: one sitemap listing N pages, each page a fixture article (fixtures/articles/*/page.html)
with one sentence made unique so no two pages share a content hash. Politeness delays are set
to zero: the number is our cost per article, not a site's rate limit. A second pass measures
the conditional-request path (every page answers 304). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = re.compile(r'<link rel="canonical"[^>]*>')


def page_body(templates: list[str], i: int, base: str) -> bytes:
    # Each page declares itself canonical: pages cloned from one fixture must stay apart.
    html = CANONICAL.sub(
        f'<link rel="canonical" href="{base}/p/{i}.html">', templates[i % len(templates)]
    )
    unique = f"<p>Bench page {i}: exports rose {i % 97}.{i % 10}% to ${i % 500 + 1} billion.</p>"
    return html.replace("</article>", unique + "</article>", 1).encode("utf-8")


def serve(port: int, pages: int) -> None:
    """The site: /robots.txt (allow all), /sitemap.xml, /p/<i>.html with ETags."""
    templates = [p.read_text("utf-8") for p in sorted(ROOT.glob("fixtures/articles/*/page.html"))]
    templates = [t for t in templates if "</article>" in t]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real server would

        def log_message(self, *args: object) -> None:
            pass

        def send(self, body: bytes, ctype: str, etag: str | None = None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            base = f"http://127.0.0.1:{port}"
            if self.path == "/robots.txt":
                self.send(b"User-agent: *\nAllow: /\n", "text/plain")
            elif self.path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}/p/{i}.html</loc></url>" for i in range(pages))
                xml = f'<?xml version="1.0"?><urlset>{locs}</urlset>'.encode()
                self.send(xml, "application/xml")
            elif self.path.startswith("/p/"):
                i = int(self.path[3:].split(".")[0])
                body = page_body(templates, i, base)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.send(body, "text/html; charset=utf-8", etag)
            else:
                self.send_error(404)

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.pages)
        return

    from extractor.ingest.fetch import FetchPolicy
    from extractor.jobs.crawl import Crawl
    from extractor.jobs.sources import Source, SourcesConfig
    from extractor.store.db import open_db

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.bench_crawl",
            "--serve",
            str(port),
            "--pages",
            str(args.pages),
        ],
        cwd=ROOT,
    )
    try:
        time.sleep(1.0)
        config = SourcesConfig(
            fetch=FetchPolicy(delay=0, allow_private=["127.0.0.1"]),
            source=[
                Source(
                    name="bench",
                    sitemaps=[f"http://127.0.0.1:{port}/sitemap.xml"],
                    allow_private=["127.0.0.1"],
                    rate_limit=1e9,
                )
            ],
        )
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            db = open_db(Path(tmp) / "bench.db")
            for label in ("first pass", "second pass (304s)"):
                started = time.perf_counter()
                run = Crawl(db, config)
                candidates = run.discover()
                for candidate in candidates:
                    run.process(candidate)
                summary = run.finish()
                seconds = time.perf_counter() - started
                results[label] = (summary, seconds)
                print(
                    f"{label:20s} {len(candidates)} pages in {seconds:.1f}s = "
                    f"{len(candidates) / seconds:.1f} articles/s; {summary.line()}"
                )
                stages = ", ".join(
                    f"{k} {v / len(candidates) * 1000:.1f}" for k, v in summary.seconds.items()
                )
                print(f"{'':20s} ms/article by stage: {stages}")
            facts = db.execute("select count(*) from facts").fetchone()[0]
        first, first_s = results["first pass"]
        second, second_s = results["second pass (304s)"]
        print(
            json.dumps(
                {
                    "pages": args.pages,
                    "articles_per_s": round(first.new_articles / first_s, 1),
                    "not_modified_per_s": round(second.not_modified / second_s, 1),
                    "new_articles": first.new_articles,
                    "facts": facts,
                    "errors": first.errors + second.errors,
                    "ms_per_article": {
                        k: round(v / args.pages * 1000, 1) for k, v in first.seconds.items()
                    },
                }
            )
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
