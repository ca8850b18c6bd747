"""Bad input never crashes a run: hostile or broken pages give a result or a one-line error.

Every input in BAD_INPUTS goes through the real `newsfacts extract` command in a subprocess (a
file, and for some also stdin) with a hard timeout: it must finish, exit 0 with the JSON
contract or exit 1 with one `Error: ...` line, and never print a traceback. The same pages are
then served by a local web site as articles (binary junk labelled text/html, wrong charset
headers) next to an HTML page posing as a feed and gzipped sitemaps and sitemap indexes, and one
`newsfacts crawl` must store each page or record an error for it: nothing lost, nothing twice.
"""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability import Forker, Site, record, sources_toml

from extractor.ingest.charset import decode_body
from extractor.parse.html import parse_html

REPO = Path(__file__).resolve().parent.parent
FIXTURE_PAGES = sorted((REPO / "fixtures" / "articles").glob("*/page.html"))
CLI_TIMEOUT = 90  # seconds for one page, 5 MB ones included; a hang fails instead of stalling CI

FIVE_MB = 5 * 1024 * 1024
SENTENCE = "Exports rose 7.2% year-on-year to $758.3 billion in 2025. "


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def nested(open_tag: str, close_tag: str, depth: int, inner: str) -> str:
    return page(open_tag * depth + inner + close_tag * depth)


def fixture_bytes() -> bytes:
    return FIXTURE_PAGES[0].read_bytes()


def mojibake(text: str) -> str:
    """UTF-8 read as cp1252 once: the classic "â€™" damage, as pages really carry it."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def build_bad_inputs() -> dict[str, bytes]:
    rng = random.Random(8)
    fixture = fixture_bytes()
    article = "<h1>Trade update</h1><p>" + SENTENCE + "</p>"
    cases: dict[str, bytes] = {
        "empty": b"",
        "whitespace": b"  \n\t\r\n   ",
        "binary-junk": rng.randbytes(64_000),
        "nul-bytes": b"\x00" * 4096 + page(f"<p>{SENTENCE}</p>").encode() + b"\x00" * 64,
        "png-served-as-html": b"\x89PNG\r\n\x1a\n" + rng.randbytes(20_000),
        "gzip-served-as-html": gzip.compress(page(f"<p>{SENTENCE}</p>").encode()),
        "truncated-half": fixture[: len(fixture) // 2],
        "truncated-in-tag": page(f"<p>{SENTENCE}</p>").encode()[:60] + b'<a href="http://ex',
        "unclosed-comment": page(f"<p>{SENTENCE}</p><!-- <p>{SENTENCE}</p>").encode(),
        "unclosed-script": page(f'<p>{SENTENCE}</p><script>var s = "<p>9%</p>').encode(),
        "five-mb-single-line": page("<p>" + SENTENCE * (FIVE_MB // len(SENTENCE)) + "</p>")
        .replace("\n", " ")
        .encode(),
        "five-mb-one-token": page("<p>" + "9" * FIVE_MB + "</p>").encode(),
        "five-mb-of-paragraphs": page(f"<p>{SENTENCE}</p>" * (FIVE_MB // 70)).encode(),
        "nested-div-10000": nested("<div>", "</div>", 10_000, f"<p>{SENTENCE}</p>").encode(),
        "nested-unclosed-b-10000": page("<b>" * 10_000 + SENTENCE).encode(),
        "nested-table-10000": nested("<table><tr><td>", "</td></tr></table>", 10_000, SENTENCE)
        .replace("\n", "")
        .encode(),
        "nested-list-10000": nested("<ul><li>", "</li></ul>", 10_000, SENTENCE).encode(),
        "nested-section-10000": nested(
            '<section class="summary">', "</section>", 10_000, f"<p>{SENTENCE}</p>"
        ).encode(),
        "gbk-with-meta": page(
            "<h1>中国出口增长</h1><p>中国2025年出口增长5.5%。" + SENTENCE + "</p>",
            '<meta charset="gbk">',
        ).encode("gbk"),
        "gbk-without-charset": page(
            "<h1>中国出口增长</h1><p>海关总署公布，出口额达到758.3亿美元，增长7.2%。</p>" * 20
        ).encode("gbk"),
        "shift-jis-with-meta": page(
            "<h1>日本の貿易収支</h1><p>輸出は前年比7.2%増の10兆円。" + SENTENCE + "</p>",
            '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">',
        ).encode("shift_jis"),
        "latin1-labelled-utf8": page(
            "<h1>Exportações</h1><p>As exportações subiram 7,2% — café, açúcar. "
            + SENTENCE
            + " Prices: €5.</p>",
            '<meta charset="utf-8">',
        ).encode("cp1252"),
        "utf16-with-bom": page(article).encode("utf-16"),
        "undeclared-bogus-charset": page(article, '<meta charset="x-no-such-charset">').encode(),
        "mojibake": page(
            mojibake(
                "<h1>China’s exports — a record</h1><p>Exports rose 7.2% to €758.3 billion.</p>"
            )
        ).encode("utf-8"),
        "zero-width-and-nbsp-in-numbers": page(
            "<p>Exports climbed 7.2\u00a0% to $758.3\u00a0billion in 2025.</p>"
            "<p>Imports fell 1\u200b.5% to $4\u202f321 million.</p>"
            "<p>The surplus was \ufeff$1.2\u2060 trillion.</p>"
        ).encode(),
        "right-to-left": page(
            '<p dir="rtl">ارتفعت الصادرات بنسبة 7.2% إلى 758.3 مليار دولار في عام 2025.</p>'
            '<p dir="rtl">הייצוא עלה ב-7.2% ל-758.3 מיליארד דולר.</p>'
            "<p>Exports rose \u202e%2.7\u202c to $758.3 billion \u200fin 2025.</p>"
        ).encode(),
        "control-characters": page(
            "<p>" + "".join(chr(c) for c in range(1, 32)) + SENTENCE + "\x7f\x9b</p>"
        ).encode(),
        "invalid-utf8-and-surrogates": page(f"<p>{SENTENCE}</p>").encode()
        + b"\xed\xa0\x80\xff\xfe\xc3",
        "out-of-range-char-refs": page(
            "<p>Exports rose &#99999999; &#x110000; &#0; &#xD800; 7.2% &bogus; &amp</p>"
        ).encode(),
        "billion-laughs-doctype-in-html": (
            '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            + page(f"<p>&b;&b;&b; {SENTENCE}</p>")
        ).encode(),
        "huge-attribute": page('<p class="' + "a" * 1_000_000 + f'">{SENTENCE}</p>').encode(),
        "hostile-metadata": page(
            f"<p>{SENTENCE}</p><time datetime='99999999999999999999'>never</time>",
            '<link rel="canonical" href="http://[::1">'
            '<meta property="article:published_time" content="-1e308">'
            '<script type="application/ld+json">'
            + "[" * 50_000
            + "]" * 50_000
            + '</script><script type="application/ld+json">{"@type":"NewsArticle","headline":'
            '{"x":1},"datePublished":[1],"publisher":{"name":{"y":2}}}</script>',
        ).encode(),
        "canonical-javascript-and-file": page(
            f"<p>{SENTENCE}</p>",
            '<link rel="canonical" href="javascript:alert(1)">'
            '<link rel="canonical" href="file:///etc/passwd">',
        ).encode(),
        "rss-feed-as-article": (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
            b"<item><title>Exports rose 5%</title><link>http://127.0.0.1/a</link></item>"
            b"</channel></rss>"
        ),
    }
    return cases


BAD_INPUTS = build_bad_inputs()
# Inputs also fed through stdin ('-'): the stream path reads bytes differently from a file.
STDIN_CASES = ["empty", "binary-junk", "gbk-with-meta", "nested-div-10000", "utf16-with-bom"]


class Ran:
    """What one `newsfacts` run left behind."""

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes, elapsed: float) -> None:
        self.returncode, self.stdout, self.stderr, self.elapsed = (
            returncode,
            stdout,
            stderr,
            elapsed,
        )


@pytest.fixture(scope="module")
def forker():
    with Forker() as helper:
        yield helper


def run_forked(forker: Forker, tmp_path: Path, args: list[str], stdin: bytes | None = None) -> Ran:
    """`newsfacts ARGS` in a forked child of a warmed-up helper (the same click command, minus
    seconds of interpreter start-up per input); killed and failed after CLI_TIMEOUT."""
    out, err, feed = tmp_path / "stdout", tmp_path / "stderr", None
    if stdin is not None:
        feed = tmp_path / "stdin"
        feed.write_bytes(stdin)
    status, elapsed = forker.run(args, out, err, stdin=feed, timeout=CLI_TIMEOUT)
    if status is None:
        pytest.fail(f"`newsfacts {' '.join(args)}` still running after {CLI_TIMEOUT}s (a hang)")
    return Ran(status, out.read_bytes(), err.read_bytes(), elapsed)


def run_cli(args: list[str], stdin: bytes | None = None) -> Ran:
    """`python -m extractor ARGS`: the real entry point, interpreter start-up and all."""
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "extractor", *args],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=CLI_TIMEOUT,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`newsfacts {' '.join(args)}` still running after {CLI_TIMEOUT}s (a hang)")
    return Ran(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def assert_result_or_one_line_error(proc: Ran) -> dict | None:
    """The contract for bad input: JSON on exit 0, or one `Error:` line on exit 1."""
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    if proc.returncode == 0:
        payload = json.loads(proc.stdout)
        assert set(payload) == {"article", "facts"}
        return payload
    assert proc.returncode == 1, (proc.returncode, stderr[-2000:])
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr[-2000:]
    return None


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_extract_file_survives_bad_input(name: str, tmp_path: Path, forker: Forker) -> None:
    path = tmp_path / f"{name}.html"
    path.write_bytes(BAD_INPUTS[name])
    record("bad_inputs")
    ran = run_forked(forker, tmp_path, ["extract", str(path), "--url", "http://127.0.0.1/a/1"])
    assert_result_or_one_line_error(ran)


@pytest.mark.parametrize("name", STDIN_CASES)
def test_extract_stdin_survives_bad_input(name: str, tmp_path: Path, forker: Forker) -> None:
    record("bad_inputs")
    ran = run_forked(forker, tmp_path, ["extract", "-"], stdin=BAD_INPUTS[name])
    assert_result_or_one_line_error(ran)


@pytest.mark.parametrize("name", ["binary-junk", "hostile-metadata"])
def test_real_entry_point_survives_bad_input(name: str) -> None:
    """The same through `python -m extractor` reading stdin, interpreter start-up and all."""
    record("bad_inputs")
    ran = run_cli(["extract", "-", "--url", "http://127.0.0.1/a/1"], stdin=BAD_INPUTS[name])
    assert_result_or_one_line_error(ran)


def extract_json(data: bytes, tmp_path: Path, forker: Forker) -> dict:
    path = tmp_path / "page.html"
    path.write_bytes(data)
    ran = run_forked(forker, tmp_path, ["extract", str(path)])
    payload = assert_result_or_one_line_error(ran)
    assert payload is not None, ran.stderr
    return payload


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("gbk-with-meta", "中国出口增长"),
        ("shift-jis-with-meta", "日本の貿易収支"),
        ("latin1-labelled-utf8", "Exportações"),
        ("utf16-with-bom", "Trade update"),
    ],
)
def test_extract_reads_declared_and_mislabelled_charsets(
    name: str, title: str, tmp_path: Path, forker: Forker
) -> None:
    """A file's bytes are decoded by its BOM or <meta charset>, and a page labelled UTF-8 whose
    bytes are Latin-1 is still read: the title comes out as the page shows it, not as mojibake."""
    record("bad_inputs")
    payload = extract_json(BAD_INPUTS[name], tmp_path, forker)
    assert payload["article"]["title"] == title


def test_nested_markup_costs_linear_time(tmp_path: Path, forker: Forker) -> None:
    """10,000 nested tables parse in seconds: a row's cells are read once, not once per level
    (reading each nested cell's text separately made this quadratic: about a minute)."""
    record("bad_inputs")
    ran = run_forked(forker, tmp_path, ["extract", "-"], stdin=BAD_INPUTS["nested-table-10000"])
    assert_result_or_one_line_error(ran)
    assert ran.elapsed < 20, f"took {ran.elapsed:.1f}s"


def test_hostile_canonical_link_keeps_the_article(tmp_path: Path, forker: Forker) -> None:
    """An unparsable canonical link (`http://[::1`) is ignored, not a reason to lose the page."""
    record("bad_inputs")
    path = tmp_path / "page.html"
    path.write_bytes(BAD_INPUTS["hostile-metadata"])
    ran = run_forked(forker, tmp_path, ["extract", str(path), "--url", "http://127.0.0.1/a/1"])
    payload = assert_result_or_one_line_error(ran)
    assert payload is not None, ran.stderr
    assert payload["article"]["canonical_url"] == "http://127.0.0.1/a/1"


@pytest.mark.parametrize(
    "amount",
    [
        "$758.3\u00a0billion",  # no-break space between number and scale
        "$758.3\u202fbillion",  # narrow no-break space
        "$758\u200b.3 billion",  # zero-width space inside the number
        "$\u2060758.3 billion",  # word joiner after the currency
        "$758.3\ufeff billion",  # a stray byte-order mark
        "US$\u00a0758.3 billion",
        "$758,300\u00a0million",
        "$758\u202f300 million",  # narrow no-break space as an SI digit-group separator
        "$758\u00a0300 million",
    ],
)
def test_invisible_spaces_inside_numbers_keep_the_value(amount: str) -> None:
    """A number split by an invisible or no-break character is still 758.3e9, as in plain text."""
    from extractor.pipeline import extract_document

    record("bad_inputs")
    html = page(f"<p>Exports climbed 7.2% year-on-year to {amount} in 2025.</p>")
    values = [fact.value for fact in extract_document(html).facts]
    assert 758.3e9 in values, values


# --- the same pages through a crawl --------------------------------------------------------


def sitemap(urls: list[str]) -> bytes:
    items = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'
    ).encode()


def sitemap_index(urls: list[str]) -> bytes:
    items = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    ).encode()


# Header labels that lie about the body, by page: the crawl must survive all of them.
CONTENT_TYPES = {
    "gbk-without-charset": "text/html; charset=utf-8",
    "latin1-labelled-utf8": "text/html; charset=utf-8",
    "shift-jis-with-meta": "text/html",
    "binary-junk": "text/html; charset=utf-8",
    "png-served-as-html": "text/html",
    "gzip-served-as-html": "text/html",
    "undeclared-bogus-charset": "text/html; charset=x-bogus",
}


def text_hash(data: bytes, name: str) -> str:
    """The content hash the crawler gives a page's text (its dedup key)."""
    content_type = CONTENT_TYPES.get(name, "text/html; charset=utf-8")
    return parse_html(decode_body(data, content_type)[0]).content_hash


def crawl_db(db: Path) -> tuple[list[dict], list[dict]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    articles = [
        dict(r) for r in conn.execute("select url, canonical_url, content_hash from articles")
    ]
    errors = [dict(r) for r in conn.execute("select url, stage, message from errors")]
    conn.close()
    return articles, errors


def test_crawl_survives_bad_pages_feeds_and_sitemaps(tmp_path: Path) -> None:
    """One crawl over every bad page, found through an index of (gzipped) sitemaps, beside a
    feed that is really an HTML page: each page is stored or recorded as an error, once."""
    # The crawl reads the same bytes as the CLI tests; a few 5 MB variants are enough here.
    names = [
        n for n in sorted(BAD_INPUTS) if n not in ("five-mb-one-token", "five-mb-of-paragraphs")
    ]
    with Site() as site:
        paths = [f"/bad/{name}.html" for name in names]
        for name, path in zip(names, paths, strict=True):
            site.add(path, BAD_INPUTS[name], CONTENT_TYPES.get(name, "text/html; charset=utf-8"))
        half = len(paths) // 2
        urls = [site.url(p) for p in paths]
        # Half the pages in a gzipped sitemap (served as gzip, magic bytes and all), half in a
        # plain one; an index lists both plus a gzipped sitemap sent with Content-Encoding.
        site.add("/sitemap-a.xml.gz", gzip.compress(sitemap(urls[:half])), "application/gzip")
        site.add("/sitemap-b.xml", sitemap(urls[half:]), "application/xml")
        site.add(
            "/sitemap-c.xml",
            gzip.compress(sitemap(urls[:3])),
            "application/xml",
            headers={"Content-Encoding": "gzip"},
        )
        site.add(
            "/sitemap-index.xml",
            sitemap_index(
                [site.url(p) for p in ("/sitemap-a.xml.gz", "/sitemap-b.xml", "/sitemap-c.xml")]
                + [site.url("/sitemap-index.xml")]  # an index listing itself: no endless loop
            ),
            "application/xml",
        )
        site.add("/feed-that-is-html.xml", page("<p>Not a feed.</p>"), "application/rss+xml")
        sources = tmp_path / "sources.toml"
        sources.write_text(
            sources_toml(site, feeds=["/feed-that-is-html.xml"], sitemaps=["/sitemap-index.xml"])
        )
        db = tmp_path / "crawl.db"
        record("bad_inputs", len(names) + 5)  # the pages, the feed and the four sitemaps
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "extractor",
                "crawl",
                "--sources",
                str(sources),
                "--db",
                str(db),
            ],
            capture_output=True,
            timeout=300,
            cwd=REPO,
        )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    # 3: the crawl finished and recorded the pages it could not store (a cron job sees it)
    assert proc.returncode == 3, stderr[-2000:]
    assert "Warning" not in stderr, stderr[-3000:]  # a cron mail should hold no noise either
    articles, errors = crawl_db(db)
    stored = {a["url"] for a in articles}
    failed = {e["url"] for e in errors if e["stage"] != "discover"}
    # Nothing lost: every page was stored, has an error saying why, or is the same text as a
    # stored page (several hostile pages carry the same sentence: one article, by design).
    hashes = {a["content_hash"] for a in articles}
    missing = [
        u
        for name, u in zip(names, urls, strict=True)
        if u not in stored and u not in failed and text_hash(BAD_INPUTS[name], name) not in hashes
    ]
    assert not missing, missing
    assert not stored & failed, "a page both stored and recorded as failed"
    assert len(articles) == len({a["canonical_url"] for a in articles})
    # The feed that is HTML is one recorded discovery error, and says what it is.
    feed_errors = [e for e in errors if e["url"].endswith("/feed-that-is-html.xml")]
    assert len(feed_errors) == 1 and "HTML" in feed_errors[0]["message"]
    # Every sitemap was read (the gzipped ones too): every page was requested exactly once.
    assert all(site.hits[p] == 1 for p in paths), {p: site.hits[p] for p in paths}
    # Pages with real text and a sentence made it in.
    for name in ("gbk-with-meta", "mojibake", "nested-div-10000", "five-mb-single-line"):
        assert text_hash(BAD_INPUTS[name], name) in hashes, (name, errors)
    assert not [e for e in errors if e["message"].startswith("unexpected")], errors
