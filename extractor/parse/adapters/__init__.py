"""Site adapters: small per-site hooks that run before the generic HTML rules.

An adapter does not build an Article itself. It marks up the page it knows — labels containers
with `data-nf-section` ("summary", "timeline", "body", "skip"), points at the main container,
reads a date the generic rules miss — and the generic block splitter in parse.py does the rest.
That keeps every site on one code path for offsets, sections and cleaning.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

SECTION_ATTR = "data-nf-section"


class Adapter:
    """The generic adapter: changes nothing. Subclasses override what their site needs."""

    name = "generic"
    hosts: tuple[str, ...] = ()  # host names (and their subdomains) the adapter handles

    def handles(self, url: str | None) -> bool:
        if not url or not self.hosts:
            return False
        host = (urlsplit(url).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def prepare(self, soup: BeautifulSoup) -> None:
        """Label sections with SECTION_ATTR and drop site furniture, in place."""

    def root(self, soup: BeautifulSoup) -> Tag | None:
        """The container holding the article, when the site's markup says so clearly."""
        return None

    def published(self, soup: BeautifulSoup) -> str | None:
        """A publication date string the generic metadata rules would miss."""
        return None


def _registry() -> dict[str, Adapter]:
    from extractor.parse.adapters.caixin import CaixinAdapter

    adapters: list[Adapter] = [Adapter(), CaixinAdapter()]
    return {a.name: a for a in adapters}


ADAPTERS: dict[str, Adapter] = _registry()


def adapter_for(name: str | None = None, url: str | None = None) -> Adapter:
    """The adapter called `name` ("generic" forces the generic rules); without a name, the one
    whose hosts include the URL's host, else generic."""
    if name:
        return ADAPTERS[name]
    return next((a for a in ADAPTERS.values() if a.handles(url)), ADAPTERS["generic"])
