"""URL rules shared by fetching, discovery and parsing: normalization and address safety.

Normalization makes one article one key: the same page reached with tracking parameters, a
fragment, an upper-case host or an explicit default port is the same canonical URL.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# The Public Suffix List, bundled and kept current by its package (no download at run time):
# knowing that bbc.co.uk, not co.uk, is one owner's site is not something to hand-write.
from publicsuffixlist import PublicSuffixList

ALLOWED_SCHEMES = ("http", "https")
# Query parameters that identify a campaign or a click, never the page.
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref_src", "cmpid", "spm")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.hostname)


def normalize_url(url: str, base: str | None = None) -> str:
    """The canonical form of an http(s) URL; other schemes come back unchanged (after joining).

    Lower-case scheme and host, no default port, no fragment, no tracking parameters, query
    parameters sorted (order never changes what a news page shows), "/" for an empty path.
    """
    url = url.strip()
    try:
        # urljoin parses too: a hostile link ("http://[::1") raises here, not just below.
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PARAMS)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(sorted(query)), ""))


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


# Cloud metadata services: never fetched, whatever a source allows.
METADATA_ADDRESSES = frozenset({"169.254.169.254", "fd00:ec2::254", "100.100.100.200"})


def is_local_network_address(address: str) -> bool:
    """Loopback or a private range (10/8, 172.16/12, 192.168/16, fc00::/7): what
    `allow_private` opens. Never link-local (169.254/16, fe80::/10), metadata, multicast,
    reserved or unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if str(ip) in METADATA_ADDRESSES or ip.is_link_local or ip.is_multicast:
        return False
    if ip.is_unspecified or ip.is_reserved:
        return False
    return ip.is_loopback or ip.is_private


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address a host name resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))  # the resolver's order


def in_networks(address: str, networks: list[str]) -> bool:
    """Whether an address lies in one of `networks` ("127.0.0.1", "10.0.0.0/8")."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


@cache
def _public_suffixes() -> PublicSuffixList:
    return PublicSuffixList()


def registrable_domain(url: str) -> str | None:
    """The part of a URL's host that one owner registers: 'news.bbc.co.uk' -> 'bbc.co.uk',
    'a.b.github.io' -> 'b.github.io'. An IP address or a single-label host stands for itself."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host:
        return None
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _public_suffixes().privatesuffix(host) or host


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to one registrable domain."""
    site = registrable_domain(a)
    return site is not None and site == registrable_domain(b)
