"""A plain (not editable) install carries everything newsfacts needs: its code, the rules in
`patterns/` and the Datasette metadata. The wheel is built from this checkout, installed into a
folder of its own and run from a directory outside the checkout; it must give the same facts as
the development install. (`.ci/run` also installs it with its dependencies into a fresh venv.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CAIXIN = REPO / "fixtures" / "articles" / "caixin-2026-01-30-chips-drive-exports" / "page.html"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("newsfacts-*.whl")
    return built


def test_the_wheel_ships_every_pattern_file_and_the_metadata(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted((REPO / "patterns").glob("*.jsonl")):
        assert f"extractor/resources/patterns/{path.name}" in names
    assert "extractor/resources/datasette-metadata.json" in names


def test_an_installed_newsfacts_run_elsewhere_finds_the_same_facts(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=elsewhere, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = run("-c", "import extractor, extractor.patterns as p; print(extractor.__file__)")
    assert where.startswith(str(target)), "the installed copy, not the checkout, must run"
    installed = json.loads(run("-m", "extractor", "extract", str(CAIXIN)))
    here = subprocess.run(
        [sys.executable, "-m", "extractor", "extract", str(CAIXIN)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert installed["facts"], "the installed copy found no facts: are its patterns there?"
    assert installed == json.loads(here.stdout)
