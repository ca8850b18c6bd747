"""Serve the fact store in Datasette: one place decides the settings, for the CLI and for tests.

`datasette_args` builds the `datasette serve` command line that `newsfacts serve` runs;
`make_datasette` builds the same configuration in-process (tests, benchmarks). Both read
`SETTINGS` / `PUBLIC_SETTINGS`, so what is tested is what is served.

`--public` is for putting the database on a network: arbitrary SQL is off (canned queries
still run), queries have a time limit, the raw database download is off, and serving refuses
to start when a plugin outside `ALLOWED_PLUGINS` is installed (a write plugin must never ride
along). Whatever the mode, the `guard` plugin answers only GET and HEAD, and the file is read
with `mode=ro`, which sees what a crawl commits.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from extractor.errors import InputError, ServeError

# A link to the top-level datasette-metadata.json (copied into a wheel): see patterns.PATTERNS_DIR.
METADATA = Path(__file__).resolve().parent.parent / "resources" / "datasette-metadata.json"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
# The database name the metadata file is written for (data/newsfacts.db).
TEMPLATE_DATABASE = "newsfacts"

# Facet suggestions run a GROUP BY per column on every table page: too slow on a million facts,
# and the useful facets are configured in the metadata anyway.
SETTINGS: dict[str, Any] = {
    "suggest_facets": False,
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 1000,
    "default_page_size": 50,
}
PUBLIC_SETTINGS: dict[str, Any] = {
    **SETTINGS,
    "default_allow_sql": False,
    "sql_time_limit_ms": 2000,
    "allow_download": False,
}
# Plugins that may be installed when serving publicly: Datasette's own, our plugin, and the
# read-only chart plugin. Anything else (datasette-write, datasette-upload-csvs, ...) refuses.
ALLOWED_PLUGINS = frozenset({"datasette-vega", "extractor.serve.plugin", "extractor.serve.guard"})


def settings_for(public: bool) -> dict[str, Any]:
    return dict(PUBLIC_SETTINGS if public else SETTINGS)


def load_metadata(path: Path = METADATA, database: str = TEMPLATE_DATABASE) -> dict[str, Any]:
    """The metadata, with the database's section under `database` (Datasette names a database
    after its file's stem, so `--db other.db` must still get the tables' metadata)."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ServeError(f"cannot read Datasette metadata {path}: {exc}") from exc
    databases = metadata.get("databases", {})
    if database != TEMPLATE_DATABASE and TEMPLATE_DATABASE in databases:
        databases[database] = databases.pop(TEMPLATE_DATABASE)
    return metadata


def register_plugin() -> None:
    """Register our Datasette plugins once per process: `plugin` (cell rendering, chart links)
    and `guard` (read-only HTTP, one-line errors), which replaces Datasette's own error handler
    (see guard.py for why)."""
    from datasette.plugins import pm

    from extractor.serve import guard, plugin

    for module, name in ((plugin, "extractor.serve.plugin"), (guard, "extractor.serve.guard")):
        if not pm.is_registered(module):
            pm.register(module, name=name)
    default_errors = pm.get_plugin("datasette.handle_exception")
    if default_errors is not None:
        pm.unregister(default_errors)


def foreign_plugins() -> list[str]:
    """Installed Datasette plugins that are neither Datasette's own nor allowed."""
    from datasette.plugins import DEFAULT_PLUGINS, get_plugins

    return sorted(
        p["name"]
        for p in get_plugins()
        if p["name"] not in DEFAULT_PLUGINS and p["name"] not in ALLOWED_PLUGINS
    )


def check_database(db_path: Path) -> None:
    if not db_path.is_file():
        raise InputError(f"{db_path}: no database yet; run `newsfacts ingest` or `crawl` first")


def check_public() -> None:
    extra = foreign_plugins()
    if extra:
        raise ServeError(
            "refusing to serve --public with extra Datasette plugins installed: "
            + ", ".join(extra)
            + "; uninstall them or serve without --public"
        )


def datasette_args(
    db_path: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    public: bool = False,
    metadata: Path = METADATA,
) -> list[str]:
    """The `datasette serve ...` arguments for this database (without the program name)."""
    # Opened as a mutable file even when public: Datasette then reads with `mode=ro`, which
    # sees what a crawl commits (WAL) and cannot write; `-i` (immutable) promises SQLite the
    # file never changes, and a crawl beside the server made it read torn pages.
    args = ["serve", str(db_path)]
    args += ["--metadata", str(metadata), "--host", host, "--port", str(port)]
    for name, value in settings_for(public).items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        args += ["--setting", name, text]
    return args


def make_datasette(db_path: Path, *, public: bool = False, metadata: Path = METADATA):
    """An in-process Datasette configured exactly as `newsfacts serve` configures it."""
    from datasette.app import Datasette

    check_database(db_path)
    register_plugin()
    if public:
        check_public()
    return Datasette(
        files=[str(db_path)],
        metadata=load_metadata(metadata, db_path.stem),
        settings=settings_for(public),
    )


def serve(
    db_path: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, public: bool = False
) -> None:
    """Run Datasette in this process until interrupted."""
    from datasette.cli import cli as datasette_cli

    check_database(db_path)
    register_plugin()
    if public:
        check_public()
    with tempfile.TemporaryDirectory(prefix="newsfacts-serve-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(load_metadata(METADATA, db_path.stem)), encoding="utf-8")
        args = datasette_args(db_path, host=host, port=port, public=public, metadata=metadata)
        datasette_cli.main(args, prog_name="newsfacts serve", standalone_mode=True)
