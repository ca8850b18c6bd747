"""In a real browser: headless Chromium loads pages from a real `newsfacts serve --public` on
127.0.0.1 and we assert on what it rendered (the DOM after scripts ran, and the pixels).

Skipped, with the reason, only where Chromium is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import json
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsroom import STORIES, build_store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium not installed (apt-get install chromium)"
    ),
]
# datasette-vega draws with Vega's "quartz" theme; its first two category colours mark the
# chart's two lines (annual and monthly values).
QUARTZ_FIRST = (0xAB, 0x57, 0x87)
QUARTZ_SECOND = (0x51, 0xB2, 0xE5)
CHART = (
    "/newsfacts/metric_over_time?entity=Vietnam&metric=exports&partner="
    "#g.mark=line&g.x_column=period_start&g.x_type=temporal&g.y_column=value"
    "&g.y_type=quantitative&g.color_column=granularity"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("served") / "newsfacts.db"
    build_store(path)
    port = free_port()
    log = open(path.parent / "serve.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "extractor", "serve", "--db", str(path), "--public"]
        + ["--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "newsfacts serve did not start: "
                        + (path.parent / "serve.log").read_text(errors="replace")
                    ) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        # Let the page's scripts (the chart fetches its JSON, then draws) finish first.
        "--virtual-time-budget=15000",
        "--window-size=1280,1400",
        *args,
    ]
    return subprocess.run(command, capture_output=True, timeout=120, check=False)


def dump_dom(tmp_path: Path, url: str) -> str:
    result = chromium(tmp_path, "--dump-dom", url)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result.stdout.decode("utf-8")


def screenshot(tmp_path: Path, url: str, name: str) -> Path:
    target = tmp_path / name
    result = chromium(tmp_path, f"--screenshot={target}", url)
    assert result.returncode == 0 and target.is_file(), result.stderr.decode(errors="replace")
    return target


def test_facts_page_renders_facts_with_article_links_and_sentences(server, tmp_path) -> None:
    url = server + "/newsfacts/facts?entity=Vietnam"
    with urllib.request.urlopen(url.replace("/facts?", "/facts.json?_size=0&"), timeout=10) as r:
        count = json.load(r)["filtered_table_rows_count"]
    assert count >= 11  # our stories' Vietnam facts, plus any fixture page's
    dom = dump_dom(tmp_path, url)
    assert f'{count} rows where entity = "Vietnam"' in dom
    assert "Vietnam's exports climb in 2016 as phone shipments surge" in dom  # article label
    assert '<mark class="nf-number">$16.2 billion</mark>' in dom
    for facet in ["metric", "entity", "partner", "unit", "period", "section"]:
        assert f'data-column="{facet}"' in dom, facet
    shot = screenshot(tmp_path, url, "facts.png")
    assert shot.stat().st_size > 20_000


def test_chart_page_draws_the_metric_over_time(server, tmp_path) -> None:
    url = server + CHART
    dom = dump_dom(tmp_path, url)
    assert 'class="vega-embed"' in dom and 'class="marks"' in dom
    assert "Custom SQL query returning 6 rows" in dom
    shot = screenshot(tmp_path, url, "chart.png")
    pixels = colour_counts(shot, [QUARTZ_FIRST, QUARTZ_SECOND])
    # Both lines (annual, monthly) and their legend swatches were drawn.
    assert pixels[QUARTZ_FIRST] > 30 and pixels[QUARTZ_SECOND] > 30, pixels
    print(f"screenshot: {shot}")


def test_served_article_is_reachable_from_a_fact(server, tmp_path) -> None:
    with urllib.request.urlopen(server + "/newsfacts/articles.json?_shape=objects") as response:
        body = response.read().decode()
    assert STORIES[0].url in body


# --- a minimal PNG reader (no Pillow dependency just for a test) ------------------------------


def colour_counts(path: Path, colours: list[tuple[int, int, int]], tolerance: int = 12) -> dict:
    width, height, channels, rows = read_png(path)
    counts = dict.fromkeys(colours, 0)
    for row in rows:
        for x in range(0, width * channels, channels):
            r, g, b = row[x], row[x + 1], row[x + 2]
            for colour in colours:
                if (
                    abs(r - colour[0]) <= tolerance
                    and abs(g - colour[1]) <= tolerance
                    and abs(b - colour[2]) <= tolerance
                ):
                    counts[colour] += 1
    return counts


def read_png(path: Path) -> tuple[int, int, int, list[bytearray]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) into pixel rows."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                row[i] = (row[i] + pred) & 0xFF
        rows.append(row)
        previous = row
    return width, height, channels, rows
