"""Fetch one web page safely: public addresses only, bounded in time and size.

:func:`fetch` follows a :class:`FetchPolicy`:

- http and https only, no user names in URLs, hosts parsed strictly (an IP
  address written in decimal, octal, hex or short form is refused);
- every address the host resolves to must be public (IPv4 embedded in IPv6 is
  checked too) unless the user opted in with ``allow_private``, and the
  connection goes to the address that was checked, so a DNS answer that changes
  between check and connect (DNS rebinding) cannot move it;
- redirects are followed by hand, each hop parsed, resolved and checked again;
- one deadline covers resolving, connecting, TLS, headers and body of every hop.
  It is enforced on each socket call, so a server that trickles bytes is cut off;
- the body is streamed and decompressed here with a cap on both sizes, so a huge
  body or a gzip bomb never sits in memory;
- only the media types of the formats read (HTML, text, markdown, PDF, Word) are
  accepted, and ``application/octet-stream``, which servers send for saved files:
  the bytes are sniffed (:mod:`index.formats.sniff`) whatever the header says.

HTTP goes through httpcore (the transport under httpx) because it takes a
network backend, which is where the deadline is enforced.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from index.deadline import DeadlineBackend
from index.errors import (
    AddressRefusedError,
    ConfigError,
    FetchError,
    FetchTimeoutError,
    ResponseTooLargeError,
    UnsupportedContentError,
    URLRefusedError,
)
from index.limits import MAX_ARTICLE_BYTES, megabytes
from index.urls import Target, forbidden_kind, parse_url, redirect_target

__all__ = ["PRIVATE_HINT", "AddressCheck", "FetchPolicy", "Fetched", "Resolver", "check_address", "fetch"]

#: ``(host, port) -> IP address strings``, like ``socket.getaddrinfo`` boiled down.
Resolver = Callable[[str, int], Sequence[str]]
#: Raises :class:`AddressRefusedError` for an address the policy forbids.
AddressCheck = Callable[[str, "FetchPolicy"], None]

PRIVATE_HINT = (
    "To add a page from your own network, set ARTICLE_ASSISTANT_FETCH__ALLOW_PRIVATE=true "
    "or pass --allow-private-urls to `add` or `serve`."
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Decompressed bytes produced per zlib call, so that no call makes a large object.
_PIECE = 256 * 1024
_DECODERS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """What :func:`fetch` may reach, and how much time and memory it may spend."""

    #: Allow loopback, private and other non-public addresses (an explicit opt-in).
    allow_private: bool = False
    #: Cap on the body in bytes, both as sent (compressed) and decompressed.
    max_bytes: int = MAX_ARTICLE_BYTES
    #: Redirects followed at most; one more is refused.
    max_redirects: int = 5
    #: Wall-clock seconds for the whole fetch: DNS, connects, TLS, every hop, every read.
    deadline_s: float = 30.0
    #: Seconds to wait for one TCP connection and TLS handshake.
    connect_timeout_s: float = 10.0
    #: Seconds to wait for the next bytes from the server.
    read_timeout_s: float = 10.0
    #: Media types accepted; a response with no Content-Type is accepted too.
    content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown",
        "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/octet-stream")
    #: Sent as the User-Agent header.
    user_agent: str = "article-assistant/0.1 (+https://github.com/article-assistant)"

    def __post_init__(self) -> None:
        for name in ("max_bytes", "deadline_s", "connect_timeout_s", "read_timeout_s"):
            value = getattr(self, name)
            if value <= 0:
                raise ConfigError(f"FetchPolicy.{name} must be positive, not {value}.")
        if self.max_redirects < 0:
            raise ConfigError(f"FetchPolicy.max_redirects must be 0 or more, not {self.max_redirects}.")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched page."""

    #: The final URL, after redirects.
    url: str
    #: The decompressed body, at most ``max_bytes`` long.
    body: bytes
    #: The media type, lowercased, without parameters; ``""`` when the server sent none.
    content_type: str
    #: The charset from the Content-Type header, lowercased, if any.
    charset: str | None


def check_address(ip: str, policy: FetchPolicy) -> None:
    """Raise :class:`AddressRefusedError` unless ``policy`` allows connecting to ``ip``."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError as e:
        raise AddressRefusedError(f"{ip!r} is not an IP address.", ip, "not an IP address") from e
    if policy.allow_private:
        return
    kind = forbidden_kind(address)
    if kind is not None:
        raise AddressRefusedError(
            f"{ip} is {kind}; only public web pages can be added. {PRIVATE_HINT}", ip, kind
        )


def fetch(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    resolver: Resolver | None = None,
    address_check: AddressCheck | None = None,
) -> Fetched:
    """Fetch ``url`` under ``policy`` (the default one when None).

    ``resolver`` replaces ``socket.getaddrinfo``; ``address_check`` replaces
    :func:`check_address`. Both exist for tests: a test resolver maps names such as
    ``public.test`` to loopback servers, and a test check can treat one loopback
    address as public so that a redirect from it to another one can be refused.
    """
    policy = policy or FetchPolicy()
    resolve = resolver or _system_resolver
    check = address_check or check_address
    deadline = time.monotonic() + policy.deadline_s
    ssl_context = httpx.create_ssl_context()
    target = parse_url(url)
    origin = target.url
    for _hop in range(policy.max_redirects + 1):
        addresses = _checked_addresses(target, policy, resolve, check, deadline, origin)
        result = _get(target, addresses, policy, ssl_context, deadline, origin)
        if isinstance(result, Fetched):
            return result
        target = redirect_target(target, result)
    raise URLRefusedError(
        f"{url} redirects more than {policy.max_redirects} times; that is not one article page. "
        "Give the address of the article's own page."
    )


def _where(target: Target, origin: str) -> str:
    return target.url if target.url == origin else f"{target.url} (redirected from {origin})"


def _checked_addresses(
    target: Target, policy: FetchPolicy, resolve: Resolver, check: AddressCheck, deadline: float, origin: str
) -> list[str]:
    """The addresses to connect to, every one of them allowed by ``check``."""
    if target.ip is not None:
        addresses = [target.ip]
    else:
        addresses = list(dict.fromkeys(_resolve_by(resolve, target, deadline, origin)))
        if not addresses:
            raise FetchError(f"{_where(target, origin)}: {target.host} has no address. Check the spelling.")
    for ip in addresses:
        try:
            check(ip, policy)
        except AddressRefusedError as e:
            subject = f"{ip} is" if target.ip is not None else f"{target.host} resolves to {ip},"
            raise AddressRefusedError(
                f"Refused {_where(target, origin)}: {subject} {e.kind}; "
                f"only public web pages can be added. {PRIVATE_HINT}",
                ip,
                e.kind,
            ) from e
    return addresses


def _resolve_by(resolve: Resolver, target: Target, deadline: float, origin: str) -> Sequence[str]:
    """Run ``resolve`` in a helper thread so that a hanging DNS lookup respects the deadline."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(list(resolve(target.host, target.port)))
        except BaseException as e:  # handed to the caller's thread below
            outcome.append(e)

    worker = threading.Thread(target=run, name=f"resolve {target.host}", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if not outcome:
        raise FetchTimeoutError(
            f"{_where(target, origin)}: looking up {target.host} took longer than the fetch deadline. "
            "Check your connection and try again."
        )
    if isinstance(outcome[0], OSError):
        raise FetchError(
            f"{_where(target, origin)}: could not find the server {target.host} ({outcome[0]}). "
            "Check the address and your connection."
        ) from outcome[0]
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return list(outcome[0])


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _get(
    target: Target,
    addresses: Sequence[str],
    policy: FetchPolicy,
    ssl_context: Any,
    deadline: float,
    origin: str,
) -> Fetched | str:
    """One GET to the first address that accepts a connection: the page, or a redirect's Location."""
    last: Exception | None = None
    for ip in addresses:
        try:
            return _get_from(ip, target, policy, ssl_context, deadline, origin)
        except httpcore.ConnectError as e:
            last = e
        except httpcore.TimeoutException as e:
            raise _timeout_error(target, policy, deadline, origin) from e
        except (httpcore.NetworkError, httpcore.ProtocolError) as e:
            raise FetchError(
                f"Could not fetch {_where(target, origin)}: the connection failed ({e or type(e).__name__}). "
                "Try again later, or save the page and add the file."
            ) from e
    raise FetchError(
        f"Could not connect to {_where(target, origin)} ({last}). "
        "Check the address and your connection, or save the page and add the file."
    ) from last


def _get_from(
    ip: str, target: Target, policy: FetchPolicy, ssl_context: Any, deadline: float, origin: str
) -> Fetched | str:
    remaining = max(0.001, deadline - time.monotonic())
    extensions: dict[str, Any] = {
        "timeout": {
            "connect": min(policy.connect_timeout_s, remaining),
            "read": policy.read_timeout_s,
            "write": policy.read_timeout_s,
            "pool": remaining,
        }
    }
    if target.scheme == "https":
        extensions["sni_hostname"] = target.host  # SNI and certificate checks use the name
    headers = [
        ("Host", target.host_header),
        ("User-Agent", policy.user_agent),
        ("Accept", ", ".join(policy.content_types)),
        ("Accept-Encoding", "gzip, deflate"),
        ("Connection", "close"),
    ]
    url = httpcore.URL(scheme=target.scheme, host=ip, port=target.port, target=target.target)
    backend = DeadlineBackend(deadline)
    with (
        httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=backend, retries=0) as pool,
        pool.stream("GET", url, headers=headers, extensions=extensions) as response,
    ):
        return _read_response(response, target, policy, deadline, origin)


def _timeout_error(target: Target, policy: FetchPolicy, deadline: float, origin: str) -> FetchTimeoutError:
    if time.monotonic() >= deadline - 0.05:
        return FetchTimeoutError(
            f"{_where(target, origin)} is too slow: the page did not arrive within the "
            f"{policy.deadline_s:g} s fetch deadline. Try again later, or save the page and add the file."
        )
    return FetchTimeoutError(
        f"{_where(target, origin)} is too slow: the server sent nothing for "
        f"{policy.read_timeout_s:g} s. Try again later, or save the page and add the file."
    )


def _read_response(
    response: httpcore.Response, target: Target, policy: FetchPolicy, deadline: float, origin: str
) -> Fetched | str:
    where = _where(target, origin)
    headers = {
        k.decode("latin-1").lower(): v.decode("latin-1").strip() for k, v in reversed(response.headers)
    }
    status = response.status
    if status in _REDIRECTS and headers.get("location"):
        return headers["location"]
    if status >= 300:
        fix = "Check the address" if status >= 400 else "Give the address of the page itself"
        raise FetchError(
            f"Could not fetch {where}: the server answered HTTP {status}. "
            f"{fix}, or save the page and add the file."
        )
    media, charset = _content_type(headers.get("content-type", ""))
    if media and media not in policy.content_types:
        raise UnsupportedContentError(
            f"{where} is {media}, not a web page, text, PDF or Word file. Give the address of an article."
        )
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > policy.max_bytes:
        raise _too_large(where, policy, f"says it is {int(length) / 1e6:.1f} MB")
    encoding = headers.get("content-encoding", "identity").lower() or "identity"
    if encoding != "identity" and encoding not in _DECODERS:
        raise UnsupportedContentError(
            f"{where} came encoded as {encoding!r}, which was not asked for. Save the page and add the file."
        )
    body = _read_body(response.iter_stream(), _Decoder(encoding), where, policy, deadline)
    return Fetched(url=target.url, body=body, content_type=media, charset=charset)


def _content_type(value: str) -> tuple[str, str | None]:
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset" and param_value.strip().strip('"'):
            charset = param_value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _too_large(where: str, policy: FetchPolicy, detail: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"{where} {detail}, larger than the {megabytes(policy.max_bytes)} MB limit for one article. "
        "Give the article's own page, or save the text and add the file."
    )


def _read_body(
    chunks: Iterable[bytes], decoder: _Decoder, where: str, policy: FetchPolicy, deadline: float
) -> bytes:
    """Read and decode ``chunks``, holding no more than ``max_bytes`` (plus one chunk)."""
    body = bytearray()
    received = 0
    try:
        for chunk in chunks:
            received += len(chunk)
            if received > policy.max_bytes:
                raise _too_large(where, policy, f"sent more than {megabytes(policy.max_bytes)} MB")
            decoder.decode_into(body, chunk, policy.max_bytes)
            if len(body) > policy.max_bytes:
                raise _too_large(where, policy, f"decompresses to more than {megabytes(policy.max_bytes)} MB")
            if time.monotonic() > deadline:
                raise FetchTimeoutError(
                    f"{where} is too slow: the page did not arrive within the {policy.deadline_s:g} s "
                    "fetch deadline. Try again later, or save the page and add the file."
                )
        body += decoder.flush()
    except zlib.error as e:
        raise FetchError(f"{where} sent a corrupt compressed body ({e}). Try again later.") from e
    if len(body) > policy.max_bytes:
        raise _too_large(where, policy, f"decompresses to more than {megabytes(policy.max_bytes)} MB")
    return bytes(body)


class _Decoder:
    """Incremental gzip/deflate decoding that stops once the body is over its limit."""

    def __init__(self, encoding: str) -> None:
        self._wbits = _DECODERS.get(encoding)
        self._zlib = None if self._wbits is None else zlib.decompressobj(self._wbits)
        self._started = False

    def decode_into(self, body: bytearray, data: bytes, limit: int) -> None:
        """Append ``data``, decoded, to ``body``; stop as soon as ``body`` is longer than ``limit``."""
        if self._zlib is None:
            body += data
            return
        while data and len(body) <= limit:
            body += self._decompress(data, min(limit + 1 - len(body), _PIECE))
            data = self._zlib.unconsumed_tail

    def _decompress(self, data: bytes, budget: int) -> bytes:
        assert self._zlib is not None and budget > 0  # 0 would mean "no limit" to zlib
        try:
            out = self._zlib.decompress(data, budget)
        except zlib.error:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # "deflate" sent without its zlib header
            out = self._zlib.decompress(data, budget)
        self._started = True
        return out

    def flush(self) -> bytes:
        return b"" if self._zlib is None else self._zlib.flush()
