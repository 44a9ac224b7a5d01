"""The fetch policy against real HTTP servers on loopback.

Two servers share one port: "A" on 127.0.0.1 and "B" on 127.0.0.2. Where a test
needs a host that passes the address check, its resolver maps a ``.test`` name to
A and its ``address_check`` treats 127.0.0.1 (and only it) as public; B stays
forbidden, and the tests show that it is never reached. No test sends traffic
outside loopback.

Measured on the 2-core dev box (tracemalloc peak; peak-RSS rise from VmHWM):
refusing the 200 MB body took 0.08 s, peak 5.4 MB traced, RSS +5.0 MB; refusing
the 50 MB gzip bomb took 0.09 s, peak 5.8 MB traced, RSS +5.0 MB. Run with ``-s``
to see the figures for this machine.
"""

from __future__ import annotations

import http.server
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from index.errors import (
    AddressRefusedError,
    FetchError,
    FetchTimeoutError,
    ResponseTooLargeError,
    UnsupportedContentError,
    URLRefusedError,
)
from index.fetch import Fetched, FetchPolicy, check_address, fetch
from tests.support import serving

pytestmark = pytest.mark.timeout(60)

PAGE = b"<!doctype html><html><body><p>The article.</p></body></html>"
CHUNK = b"x" * 65536
BIG_BYTES = 200 * 1024 * 1024


def _gzip_zeros(size: int) -> bytes:
    """``size`` zero bytes gzipped, built a megabyte at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(size >> 20)]
    return b"".join(parts) + packer.flush()


BOMB = _gzip_zeros(50 * 1024 * 1024)  # about 50 KB on the wire


class Handler(http.server.BaseHTTPRequestHandler):
    """One route per behaviour under test, picked by the first path segment."""

    server: Server

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self.server.requests.append((self.path, self.headers.get("Host", "")))
        parts = urlsplit(self.path)
        self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = getattr(self, "route_" + parts.path.strip("/").split("/")[0], None)
        try:
            if route is None:
                self.reply(404, b"no such route", "text/plain")
            else:
                route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as it should when it refuses a body

    def reply(self, status: int, body: bytes, content_type: str | None, **headers: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_page(self) -> None:
        host = self.headers.get("Host", "").encode()
        self.reply(200, PAGE + b"<!-- Host: " + host + b" -->", "text/html; charset=UTF-8")

    def route_redirect(self) -> None:
        self.reply(int(self.query.get("status", "302")), b"", "text/plain", Location=self.query["to"])

    def route_chain(self) -> None:
        left = int(self.query["left"])
        if left == 0:
            self.route_page()
        else:
            self.reply(302, b"", "text/plain", Location=f"/chain?left={left - 1}")

    def route_trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        for _ in range(40):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.5)

    def route_slowheaders(self) -> None:
        self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-Slow: ")
        for _ in range(40):
            self.wfile.write(b"a")
            self.wfile.flush()
            time.sleep(0.5)
        self.wfile.write(b"\r\n\r\nok")

    def route_big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()  # no Content-Length: the body runs until the connection closes
        for _ in range(BIG_BYTES // len(CHUNK)):
            self.wfile.write(CHUNK)

    def route_claimsbig(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100000000")
        self.end_headers()
        self.wfile.flush()
        self.server.release.wait(10)  # never sends the body

    def route_bomb(self) -> None:
        self.reply(200, BOMB, "text/html", Content_Encoding="gzip")

    def route_gzip(self) -> None:
        packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        self.reply(200, packer.compress(PAGE) + packer.flush(), "text/html", Content_Encoding="gzip")

    def route_gzipjunk(self) -> None:
        packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Encoding", "gzip")
        self.end_headers()  # no Content-Length, so that only the bytes received can tell
        self.wfile.write(packer.compress(PAGE) + packer.flush() + bytes(100_000))

    def route_deflate(self) -> None:
        self.reply(200, zlib.compress(PAGE), "text/html", Content_Encoding="deflate")

    def route_rawdeflate(self) -> None:
        packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        self.reply(200, packer.compress(PAGE) + packer.flush(), "text/html", Content_Encoding="deflate")

    def route_brotli(self) -> None:
        self.reply(200, b"\x0b\x02\x80hello\x03", "text/html", Content_Encoding="br")

    def route_typed(self) -> None:
        self.reply(200, b'{"not": "an article"}', self.query.get("type"))

    def route_status(self) -> None:
        self.reply(int(self.query["code"]), b"nope", "text/html")

    def log_message(self, *args: object) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        self.requests: list[tuple[str, str]] = []
        self.connections = 0
        self.release = threading.Event()
        super().__init__(address, Handler)

    def verify_request(self, request: object, client_address: object) -> bool:
        self.connections += 1
        return True


class Server6(Server):
    address_family = socket.AF_INET6


@dataclass
class Servers:
    a: Server
    b: Server
    port: int

    def reset(self) -> None:
        for server in (self.a, self.b):
            server.requests.clear()
            server.connections = 0


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    for _ in range(20):  # find a port free on both addresses
        a = Server(("127.0.0.1", 0))
        try:
            b = Server(("127.0.0.2", a.server_address[1]))
        except OSError:
            a.server_close()
            continue
        break
    else:
        pytest.fail("could not bind 127.0.0.1 and 127.0.0.2 on one port")
    with serving(a), serving(b):
        try:
            yield Servers(a=a, b=b, port=int(a.server_address[1]))
        finally:
            for server in (a, b):
                server.release.set()  # a handler still waiting lets go before the server stops


@pytest.fixture
def site(servers: Servers) -> Servers:
    servers.reset()
    return servers


def loopback_one_is_public(ip: str, policy: FetchPolicy) -> None:
    """Test-only address check: 127.0.0.1 counts as public, every other address as usual."""
    if ip != "127.0.0.1":
        check_address(ip, policy)


def resolver_for(
    table: dict[str, list[str]], calls: list[str] | None = None
) -> Callable[[str, int], list[str]]:
    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return table[host]

    return resolve


PUBLIC = resolver_for({"public.test": ["127.0.0.1"], "intranet.test": ["127.0.0.2"]})
OPEN = FetchPolicy(allow_private=True, deadline_s=5)


def public_fetch(url: str, policy: FetchPolicy | None = None) -> Fetched:
    return fetch(
        url, policy or FetchPolicy(deadline_s=5), resolver=PUBLIC, address_check=loopback_one_is_public
    )


# --- addresses --------------------------------------------------------------------------------


def test_a_loopback_url_is_refused_by_default(site: Servers) -> None:
    with pytest.raises(AddressRefusedError, match="127.0.0.1 is a loopback address"):
        fetch(f"http://127.0.0.1:{site.port}/page")
    assert site.a.connections == 0


def test_with_allow_private_a_loopback_page_is_fetched(site: Servers) -> None:
    page = fetch(f"http://127.0.0.1:{site.port}/page#top", OPEN)
    assert page.url == f"http://127.0.0.1:{site.port}/page"
    assert page.body.startswith(PAGE)
    assert (page.content_type, page.charset) == ("text/html", "utf-8")


def test_the_host_header_names_the_host_not_the_address_connected_to(site: Servers) -> None:
    page = public_fetch(f"http://public.test:{site.port}/page")
    assert site.a.requests == [("/page", f"public.test:{site.port}")]
    assert f"Host: public.test:{site.port}".encode() in page.body


def test_an_ipv6_literal_is_fetched_with_brackets_in_the_host_header() -> None:
    with serving(Server6(("::1", 0))) as server:
        port = server.server_address[1]
        page = fetch(f"http://[::1]:{port}/page", OPEN)
        assert server.requests == [("/page", f"[::1]:{port}")]
        assert page.body.startswith(PAGE)


# --- redirects --------------------------------------------------------------------------------


def test_a_relative_redirect_is_followed_and_reported_as_the_final_url(site: Servers) -> None:
    page = public_fetch(f"http://public.test:{site.port}/redirect?to=/page")
    assert page.url == f"http://public.test:{site.port}/page"
    assert [path for path, _ in site.a.requests] == ["/redirect?to=/page", "/page"]


@pytest.mark.parametrize(
    "to",
    [
        "http://intranet.test:{port}/page",  # a name that resolves to a forbidden address
        "http://127.0.0.2:{port}/page",  # a forbidden literal
        "http://[::ffff:127.0.0.2]:{port}/page",  # the same, IPv4-mapped
    ],
)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_a_forbidden_address_is_refused_before_connecting(
    site: Servers, to: str, status: int
) -> None:
    target = to.format(port=site.port)
    with pytest.raises(AddressRefusedError) as refused:
        public_fetch(f"http://public.test:{site.port}/redirect?status={status}&to={target}")
    message = str(refused.value)
    assert "127.0.0.2" in message and "a loopback address" in message
    assert f"redirected from http://public.test:{site.port}/redirect" in message
    assert len(site.a.requests) == 1
    assert site.b.connections == 0


@pytest.mark.parametrize("to", ["file:///etc/passwd", "ftp://public.test/x", "http://2130706434:80/"])
def test_a_redirect_to_an_odd_url_is_refused(site: Servers, to: str) -> None:
    with pytest.raises(URLRefusedError, match="Refused the redirect from"):
        public_fetch(f"http://public.test:{site.port}/redirect?to={to}")
    assert site.b.connections == 0


def test_five_redirects_are_followed(site: Servers) -> None:
    page = public_fetch(f"http://public.test:{site.port}/chain?left=5")
    assert page.body.startswith(PAGE)
    assert len(site.a.requests) == 6


def test_a_sixth_redirect_is_refused(site: Servers) -> None:
    with pytest.raises(URLRefusedError, match="redirects more than 5 times"):
        public_fetch(f"http://public.test:{site.port}/chain?left=6")
    assert len(site.a.requests) == 6


# --- DNS rebinding ----------------------------------------------------------------------------


def test_the_connection_goes_to_the_address_that_was_checked(site: Servers) -> None:
    """A resolver that answers 'public' once and loopback after: it is asked only once."""
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    page = fetch(
        f"http://rebind.test:{site.port}/page",
        FetchPolicy(deadline_s=5),
        resolver=rebinding,
        address_check=loopback_one_is_public,
    )
    assert page.body.startswith(PAGE)
    assert calls == ["rebind.test"]
    assert site.a.requests == [("/page", f"rebind.test:{site.port}")]
    assert site.b.connections == 0


# --- time -------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["trickle", "slowheaders"])
def test_a_server_that_trickles_is_cut_off_at_the_deadline(site: Servers, route: str) -> None:
    """One byte every 0.5 s never trips a read timeout; the 2 s deadline still ends it.

    The bound below is the behaviour under test (the fetch ends near its deadline
    rather than after the server's 20 s), with generous slack for a busy machine.
    """
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match="too slow: the page did not arrive within the 2 s"):
        fetch(f"http://127.0.0.1:{site.port}/{route}", FetchPolicy(allow_private=True, deadline_s=2))
    assert time.monotonic() - started < 2 + 3


# --- size -------------------------------------------------------------------------------------


def _peak_rss_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _rss_kb(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def measured(call: Callable[[], object]) -> tuple[BaseException, float, int, int | None]:
    """Run ``call`` (which must raise); return the error, seconds, traced peak, peak-RSS rise."""
    reset = _peak_rss_reset()
    rss_before = _rss_kb("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        call()
    except BaseException as e:  # returned for the test to check
        error = e
    else:
        pytest.fail("expected a refusal")
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss_rise = (_rss_kb("VmHWM") - rss_before) * 1024 if reset else None
    return error, elapsed, peak, rss_rise


def _report(what: str, elapsed: float, peak: int, rss_rise: int | None) -> None:
    rss = "n/a" if rss_rise is None else f"{rss_rise / 1e6:.1f} MB"
    print(f"\n{what}: refused in {elapsed:.2f} s, traced peak {peak / 1e6:.1f} MB, peak RSS rise {rss}")


def test_a_200_mb_streamed_body_is_refused_holding_no_more_than_the_cap(site: Servers) -> None:
    policy = FetchPolicy(allow_private=True, deadline_s=20)
    error, elapsed, peak, rss = measured(lambda: fetch(f"http://127.0.0.1:{site.port}/big", policy))
    _report("200 MB body", elapsed, peak, rss)
    assert isinstance(error, ResponseTooLargeError), error
    assert "larger than the 5 MB limit" in str(error)
    assert peak < 2 * policy.max_bytes


def test_a_gzip_bomb_is_refused_holding_no_more_than_the_cap(site: Servers) -> None:
    policy = FetchPolicy(allow_private=True, deadline_s=20)
    error, elapsed, peak, rss = measured(lambda: fetch(f"http://127.0.0.1:{site.port}/bomb", policy))
    _report(f"gzip bomb ({len(BOMB) / 1e3:.0f} KB -> 52 MB)", elapsed, peak, rss)
    assert isinstance(error, ResponseTooLargeError), error
    assert "decompresses to more than 5 MB, larger than the 5 MB limit" in str(error)
    assert peak < 2 * policy.max_bytes


def test_a_content_length_over_the_cap_is_refused_without_reading(site: Servers) -> None:
    """The server sends headers and then nothing: reading the body would wait for the deadline."""
    with pytest.raises(ResponseTooLargeError, match="says it is 100.0 MB, larger than the 5 MB limit"):
        fetch(f"http://127.0.0.1:{site.port}/claimsbig", FetchPolicy(allow_private=True, deadline_s=3))


def test_compressed_bytes_count_against_the_cap_too(site: Servers) -> None:
    """A small gzip stream trailed by junk decompresses to little; the bytes sent still count."""
    policy = FetchPolicy(allow_private=True, max_bytes=20_000)
    with pytest.raises(ResponseTooLargeError, match="sent more than 0.02 MB, larger than the 0.02 MB limit"):
        fetch(f"http://127.0.0.1:{site.port}/gzipjunk", policy)


@pytest.mark.parametrize("route", ["gzip", "deflate", "rawdeflate"])
def test_compressed_pages_are_decoded(site: Servers, route: str) -> None:
    assert fetch(f"http://127.0.0.1:{site.port}/{route}", OPEN).body == PAGE


def test_an_encoding_that_was_not_asked_for_is_refused(site: Servers) -> None:
    with pytest.raises(UnsupportedContentError, match="encoded as 'br'"):
        fetch(f"http://127.0.0.1:{site.port}/brotli", OPEN)


# --- content type and status ------------------------------------------------------------------


@pytest.mark.parametrize("media", ["application/json", "image/png", "video/mp4"])
def test_a_response_of_an_unread_format_is_refused_saying_what_it_was(site: Servers, media: str) -> None:
    with pytest.raises(UnsupportedContentError, match=f"is {media}, not a web page, text, PDF or Word file"):
        fetch(f"http://127.0.0.1:{site.port}/typed?type={media}; charset=utf-8", OPEN)


@pytest.mark.parametrize(
    ("given", "media"), [("text/plain", "text/plain"), ("TEXT/Markdown", "text/markdown")]
)
def test_text_media_types_are_accepted(site: Servers, given: str, media: str) -> None:
    assert fetch(f"http://127.0.0.1:{site.port}/typed?type={given}", OPEN).content_type == media


def test_a_response_without_content_type_is_accepted(site: Servers) -> None:
    page = fetch(f"http://127.0.0.1:{site.port}/typed", OPEN)
    assert (page.content_type, page.charset) == ("", None)


@pytest.mark.parametrize("code", [404, 410, 500, 503])
def test_an_error_status_is_named(site: Servers, code: int) -> None:
    with pytest.raises(FetchError, match=f"the server answered HTTP {code}"):
        fetch(f"http://127.0.0.1:{site.port}/status?code={code}", OPEN)


def test_nothing_listening_is_a_connection_error_with_advice(site: Servers) -> None:
    with pytest.raises(FetchError, match="Could not connect to .*Check the address and your connection"):
        fetch(f"http://127.0.0.3:{site.port}/page", OPEN)


# --- TLS: SNI and certificate checks use the host name, not the address -------------------------


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, list[str]]]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=public.test",
         "-addext", "subjectAltName=DNS:public.test", "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True,
    )  # fmt: skip
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name or "")  # type: ignore[assignment,misc]
    server = Server(("127.0.0.1", 0))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with serving(server):
        yield int(server.server_address[1]), cert, server_names


def test_https_connects_to_the_address_but_verifies_the_host_name(
    tls_site: tuple[int, Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, cert, server_names = tls_site
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate, as a user would
    resolver = resolver_for({"public.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    page = fetch(f"https://public.test:{port}/page", OPEN, resolver=resolver)
    assert page.body.startswith(PAGE)
    assert server_names[-1] == "public.test"
    with pytest.raises(FetchError, match="certificate verify failed"):
        fetch(f"https://other.test:{port}/page", OPEN, resolver=resolver)
    assert server_names[-1] == "other.test"
