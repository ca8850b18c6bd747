"""Pages whose body is bare text in a <div> (text nodes and <br>s, no <p>): paragraphs come out,
navigation and footers around them do not."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from extractor.cli import cli
from extractor.parse.html import parse_html

# Our own words: an old-style press page. The menu is a bare <div> of links, the body a bare
# <div> of text with <br> breaks (one sentence hard-wrapped over two lines), the footer a
# bare <div> too; nothing is in a <p>.
BARE_PAGE = """<!doctype html>
<html><head><title>Copper trade in March</title></head>
<body>
<div id="top">
  <a href="/">Home</a> | <a href="/markets">Markets</a> | <a href="/trade">Trade and
  tariffs</a> | <a href="/metals">Metals and mining</a> | <a href="/about">About us</a>
</div>
<div id="story">
  <b>Copper trade in March</b><br><br>
  Copper exports rose 12% to $3.4 billion in March.<br><br>
  Officials at the trade ministry said larger shipments to smelters in
  Asia drove most of the increase, while<br>
  demand from domestic wire makers held steady over the month.<br><br>
  The ministry expects refined copper output to keep growing this year.<br>
  Port operators said loading times at the main terminal had shortened.
</div>
<div id="bottom">Sign up for alerts - Terms - Privacy</div>
<script>var menu = "Exports of the month rose by a great deal in this script text";</script>
</body></html>
"""

STORY = [
    "Copper exports rose 12% to $3.4 billion in March.",
    "Officials at the trade ministry said larger shipments to smelters in Asia drove most of the"
    " increase, while demand from domestic wire makers held steady over the month.",
    "The ministry expects refined copper output to keep growing this year.",
    "Port operators said loading times at the main terminal had shortened.",
]


def test_bare_div_text_becomes_paragraphs_without_the_menu() -> None:
    article = parse_html(BARE_PAGE, url="http://127.0.0.1/news/copper.html")
    assert [b.text for b in article.blocks] == STORY
    assert {b.section for b in article.blocks} == {"body"}
    assert "Home" not in article.text and "Metals and mining" not in article.text
    assert "script" not in article.text
    assert article.title == "Copper trade in March"


def test_bare_div_beside_a_prose_menu_and_footer_keeps_only_the_story() -> None:
    # A menu written as plain words (no links) and a footer sentence, each a bare <div>
    # outside the story: the story holds far more prose, so it alone is the content.
    page = BARE_PAGE.replace(
        '<div id="bottom">Sign up for alerts - Terms - Privacy</div>',
        '<div id="bottom">All material on these pages belongs to its publisher.</div>',
    ).replace(
        '<div id="top">',
        '<div id="top">Browse our markets pages for daily trade figures<br>',
    )
    more = [
        "Refiners said the new smelter lines would take most of the extra ore next year.",
        "Analysts at the central bank said the trade surplus in metals had widened again.",
    ]
    page = page.replace("had shortened.", "had shortened.<br><br>" + "<br><br>".join(more))
    texts = [b.text for b in parse_html(page).blocks]
    assert texts == STORY + more


def test_story_split_over_sibling_divs_is_read_whole() -> None:
    # Each paragraph in a <div> of its own inside the story container: all of them are kept.
    paragraphs = "".join(f"<div>{text}</div>" for text in STORY)
    page = (
        "<html><body><div class='menu'><a href='/'>Home</a> <a href='/m'>Markets</a></div>"
        f"<div class='story'>{paragraphs}</div></body></html>"
    )
    assert [b.text for b in parse_html(page).blocks] == STORY


def test_single_br_after_a_sentence_or_label_splits_wrapped_prose_joins() -> None:
    page = (
        "<html><body><div>Trade figures<br>Exports of steel rose 4% to $2 billion in"
        "<br>April, the agency said.<br>Imports of steel fell 1% in April.\n\n"
        "Officials expect the gap to widen over the coming months.</div></body></html>"
    )
    assert [b.text for b in parse_html(page).blocks] == [
        "Exports of steel rose 4% to $2 billion in April, the agency said.",
        "Imports of steel fell 1% in April.",
        "Officials expect the gap to widen over the coming months.",
    ]


def test_several_articles_without_paragraphs_pick_the_one_with_most_text() -> None:
    teaser = "<article><a href='/other'>Zinc prices in focus this week</a></article>"
    story = f"<article><div>{'<br><br>'.join(STORY)}</div></article>"
    page = f"<html><body>{teaser}{story}</body></html>"
    assert [b.text for b in parse_html(page).blocks] == STORY


def test_extract_command_finds_the_fact_in_a_saved_bare_page(tmp_path: Path) -> None:
    saved = tmp_path / "copper.html"
    saved.write_text(BARE_PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(saved), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"evidence": "Copper exports rose 12% to $3.4 billion in March."' in result.output
    assert '"value": 3400000000.0' in result.output
    assert '"change": 12.0' in result.output


def test_extract_command_reads_a_saved_fragment_as_html(tmp_path: Path) -> None:
    # A saved fragment with no <html>/<body>: still markup, not text with tags in it.
    saved = tmp_path / "fragment.html"
    saved.write_text(f"<div>{'<br><br>'.join(STORY)}</div>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(saved), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"evidence": "Copper exports rose 12% to $3.4 billion in March."' in result.output
    assert "<br>" not in result.output
