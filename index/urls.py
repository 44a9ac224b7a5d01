"""Where :mod:`index.fetch` may go: strict URL parsing and public-address rules.

Pure functions, no network. Anything a browser, ``inet_aton`` and Python might read differently is refused
with a message: user names before ``@``, spaces, control characters, backslashes,
and IP addresses written in decimal (``2130706433``), octal (``0177.0.0.1``),
hex (``0x7f.1``) or short form (``127.1``), which name the same machine as the
usual dotted form but slip past checks that only know that form.

:func:`forbidden_kind` says why an IP address is not a public one: loopback,
private, link-local, multicast, carrier-grade NAT, reserved..., and for IPv6 the
IPv4 address inside an IPv4-mapped, NAT64, 6to4 or Teredo address.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from index.errors import URLRefusedError

__all__ = ["IPAddress", "Target", "forbidden_kind", "parse_url", "redirect_target"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_OCTAL = re.compile(r"0[0-7]+")
_HEX = re.compile(r"0x[0-9a-f]*")
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
_THIS_NETWORK = _V4("0.0.0.0/8")
_SHARED = _V4("100.64.0.0/10")
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")
_DOCUMENTATION = (
    _V4("192.0.2.0/24"), _V4("198.51.100.0/24"), _V4("203.0.113.0/24"), _V4("198.18.0.0/15"),
    _V6("2001:db8::/32"), _V6("3fff::/20"),
)  # fmt: skip
_NAT64 = _V6("64:ff9b::/96")
_NAT64_LOCAL = _V6("64:ff9b:1::/48")
_IPV4_COMPATIBLE = _V6("::/96")


@dataclass(frozen=True, slots=True)
class Target:
    """One URL to request, taken apart."""

    #: The URL as given, without its fragment.
    url: str
    #: ``"http"`` or ``"https"``.
    scheme: str
    #: The host name in ASCII (IDNA), or the IP address without brackets.
    host: str
    port: int
    #: Path and query as sent in the request line, ASCII.
    target: str
    #: The host when it is an IP address, in canonical form; None for a name.
    ip: str | None

    @property
    def host_header(self) -> str:
        """The Host header: the host (bracketed if IPv6), with the port when not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def parse_url(url: str) -> Target:
    """Take ``url`` apart, or raise :class:`URLRefusedError` saying what is wrong with it."""
    if any(c < " " or c in "\x7f\\" for c in url) or url != url.strip():
        raise URLRefusedError(
            f"{url!r} contains control characters, backslashes or surrounding spaces. Copy the address "
            "again from the browser's address bar."
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise URLRefusedError(f"{url} is not a valid URL ({e}). Check the address.") from e
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = f"{scheme}://" if scheme else "an address without http:// or https://"
        raise URLRefusedError(f"{url}: only http and https URLs can be added, not {shown}.")
    if " " in parts.netloc:
        raise URLRefusedError(f"{url} has a space in its host name. Check the address.")
    if "@" in parts.netloc:
        raise URLRefusedError(
            f"{url} contains a user name or password (the part before @). Remove it: pages behind "
            "a login cannot be added; save the page and add the file instead."
        )
    if port == 0:
        raise URLRefusedError(f"{url} has port 0, which no web server listens on. Check the address.")
    host, ip = _parse_host(url, parts.netloc, parts.hostname or "")
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    query = f"?{quote(parts.query, safe=_SAFE_QUERY)}" if parts.query else ""
    return Target(
        url=urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")),
        scheme=scheme,
        host=host,
        port=port or DEFAULT_PORTS[scheme],
        target=path + query,
        ip=ip,
    )


def redirect_target(current: Target, location: str) -> Target:
    """Where a redirect from ``current`` to ``location`` (maybe relative) leads."""
    new = urljoin(current.url, location)
    try:
        return parse_url(new)
    except URLRefusedError as e:
        raise URLRefusedError(f"Refused the redirect from {current.url} to {new}: {e}") from e


def _parse_host(url: str, netloc: str, hostname: str) -> tuple[str, str | None]:
    """``(host, ip)``: the ASCII host, and the same as an IP address if it is one."""
    if not hostname:
        raise URLRefusedError(f"{url} has no host name. Check the address.")
    if netloc.startswith("["):
        try:
            if "%" in hostname:  # a zone ID such as fe80::1%eth0 names a local interface
                raise ValueError("zone IDs are not allowed")
            address = str(ipaddress.IPv6Address(hostname))
        except ValueError as e:
            raise URLRefusedError(f"{url}: [{hostname}] is not a usable IPv6 address ({e}).") from e
        return address, address
    host = _to_ascii(url, hostname)
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()  # one trailing dot is allowed: "example.com."
    last = labels[-1]
    if _DECIMAL.fullmatch(last) or _OCTAL.fullmatch(last) or _HEX.fullmatch(last) or last.isdigit():
        return host, _numeric_host(url, host, labels)
    if len(host.rstrip(".")) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise URLRefusedError(f"{url}: {hostname!r} is not a valid host name. Check the address.")
    return host, None


def _to_ascii(url: str, hostname: str) -> str:
    if hostname.isascii():
        return hostname
    try:  # IDNA also folds full-width digits and dots: "１２７。０。０。１" is 127.0.0.1
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError as e:
        raise URLRefusedError(f"{url}: {hostname!r} is not a valid host name. Check the address.") from e


def _numeric_host(url: str, host: str, labels: list[str]) -> str:
    """The host, which ends in a number, as a canonical IPv4 address; refuse other forms."""
    address = _inet_aton(labels)
    if address is None:
        raise URLRefusedError(
            f"{url}: {host!r} is neither a host name nor an IPv4 address. Check the address."
        )
    if host != str(address):
        raise URLRefusedError(
            f"{url}: {host!r} is the IP address {address} written in an unusual form. "
            f"If you mean that address, write it as {address}."
        )
    return host


def _inet_aton(labels: list[str]) -> ipaddress.IPv4Address | None:
    """What ``inet_aton`` (and a browser) reads ``labels`` as: 1 to 4 numbers, last one fills."""
    if not 1 <= len(labels) <= 4:
        return None
    numbers = []
    for label in labels:
        if _HEX.fullmatch(label):
            numbers.append(int(label[2:] or "0", 16))
        elif _OCTAL.fullmatch(label):
            numbers.append(int(label, 8))
        elif _DECIMAL.fullmatch(label):
            numbers.append(int(label))
        else:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = sum(n << (8 * (3 - i)) for i, n in enumerate(head)) + last
    return ipaddress.IPv4Address(value)


def forbidden_kind(address: IPAddress) -> str | None:
    """Why ``address`` is not a public one (``"a loopback address"``...), or None if it is."""
    if isinstance(address, ipaddress.IPv6Address):
        kind = _embedded_kind(address)
        if kind is not None or address.ipv4_mapped is not None or address in _NAT64:
            return kind  # the embedded IPv4 decides: DNS64 answers look like this
    checks: tuple[tuple[bool, str], ...] = (
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified or address in _THIS_NETWORK, "an unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address in _SHARED, "a carrier-grade NAT address"),
        (address == _BROADCAST, "a broadcast address"),
        (any(address in net for net in _DOCUMENTATION), "a documentation or benchmarking address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (isinstance(address, ipaddress.IPv6Address) and address.is_site_local, "a site-local address"),
        (not address.is_global, "a non-public address"),
    )
    return next((kind for refused, kind in checks if refused), None)


def _embedded_kind(address: ipaddress.IPv6Address) -> str | None:
    if address in _NAT64_LOCAL:
        return "a local-use NAT64 address"
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return "a deprecated IPv4-compatible IPv6 address"
    embedded: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        embedded.append(address.ipv4_mapped)
    if address in _NAT64:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        embedded.append(address.sixtofour)
    if address.teredo is not None:
        embedded.extend(address.teredo)
    for v4 in embedded:
        kind = forbidden_kind(v4)
        if kind is not None:
            return f"an IPv6 address embedding {v4}, {kind}"
    return None
