"""The fetch policy's pure rules: which addresses are public, which URLs parse.

The last tests call :func:`fetch` with an injected resolver and check that a
refusal happens before any connection: a listening socket on loopback (which
nothing here is allowed to reach) must see no connection at all. No test sends
traffic outside loopback.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator

import pytest

from index.errors import AddressRefusedError, ConfigError, FetchError, FetchTimeoutError, URLRefusedError
from index.fetch import PRIVATE_HINT, FetchPolicy, check_address, fetch
from index.urls import forbidden_kind, parse_url, redirect_target

pytestmark = pytest.mark.timeout(30)

DEFAULT = FetchPolicy()
OPT_IN = FetchPolicy(allow_private=True)
#: A Teredo address whose (obfuscated) client is 10.1.2.3, via the public server 8.8.8.8.
TEREDO_PRIVATE_CLIENT = "2001:0:808:808::f5fe:fdfc"


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("255.255.255.255", "broadcast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.9", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("2001:db8::1", "documentation"),
        ("fec0::1", "site-local"),
        ("100::1", "reserved"),
        ("::ffff:127.0.0.1", "embedding 127.0.0.1, a loopback"),
        ("::ffff:169.254.169.254", "embedding 169.254.169.254, a link-local"),
        ("::ffff:10.0.0.1", "embedding 10.0.0.1, a private"),
        ("64:ff9b::7f00:1", "embedding 127.0.0.1, a loopback"),
        ("64:ff9b::a9fe:a9fe", "embedding 169.254.169.254, a link-local"),
        ("2002:7f00:1::", "embedding 127.0.0.1, a loopback"),
        ("2002:a01:203::1", "embedding 10.1.2.3, a private"),
        (TEREDO_PRIVATE_CLIENT, "embedding 10.1.2.3, a private"),
        ("64:ff9b:1::a01:203", "local-use NAT64"),
        ("::7f00:1", "IPv4-compatible"),
    ],
)
def test_forbidden_addresses_are_refused_with_their_kind(ip: str, kind: str) -> None:
    with pytest.raises(AddressRefusedError) as refused:
        check_address(ip, DEFAULT)
    assert kind in str(refused.value)
    assert kind in refused.value.kind
    assert refused.value.address == ip
    assert PRIVATE_HINT in str(refused.value)


@pytest.mark.parametrize(
    "ip",
    [
        "93.184.215.14",
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",  # just outside 172.16/12
        "100.128.0.1",  # just outside 100.64/10
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",  # IPv4-mapped public address
        "64:ff9b::808:808",  # what DNS64 answers for a public IPv4-only site
        "2002:808:808::1",  # 6to4 for a public address
    ],
)
def test_public_addresses_are_allowed(ip: str) -> None:
    check_address(ip, DEFAULT)
    assert forbidden_kind(ipaddress.ip_address(ip)) is None


@pytest.mark.parametrize("ip", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1"])
def test_allow_private_is_an_explicit_opt_in(ip: str) -> None:
    check_address(ip, OPT_IN)


def test_a_resolver_answer_that_is_no_ip_address_is_refused_even_when_opted_in() -> None:
    with pytest.raises(AddressRefusedError, match="not an IP address"):
        check_address("intranet.test", OPT_IN)


@pytest.mark.parametrize(
    ("url", "meaning"),
    [
        ("http://2130706433/", "127.0.0.1"),
        ("http://017700000001/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://0x7F000001/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://127.0.1/", "127.0.0.1"),
        ("http://127.0.0.1./", "127.0.0.1"),
        ("http://0/", "0.0.0.0"),
        ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254"),
        ("http://2852039166/latest/meta-data/", "169.254.169.254"),
        ("http://012.1.2.3/", "10.1.2.3"),
    ],
)
def test_ip_addresses_in_unusual_forms_are_refused_naming_what_they_mean(url: str, meaning: str) -> None:
    with pytest.raises(URLRefusedError, match=f"is the IP address {meaning} written in an unusual form"):
        parse_url(url)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/a.txt", "only http and https URLs can be added, not ftp://"),
        ("file:///etc/passwd", "not file://"),
        ("gopher://example.com/", "not gopher://"),
        ("javascript:alert(1)", "not javascript://"),
        ("example.com/story", "without http:// or https://"),
        ("http://user@example.com/", "user name or password"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http://example.com@127.0.0.1/", "user name or password"),
        ("http://exa mple.com/", "a space in its host name"),
        (" http://example.com/", "control characters, backslashes or surrounding spaces"),
        ("http://example.com/\nHost: evil", "control characters, backslashes or surrounding spaces"),
        ("http://example.com/\x00", "control characters, backslashes or surrounding spaces"),
        ("http://example.com\\@127.0.0.1/", "control characters, backslashes or surrounding spaces"),
        ("http:///story", "no host name"),
        ("http://example.com:0/", "port 0"),
        ("http://example.com:99999/", "not a valid URL"),
        ("http://example.com:http/", "not a valid URL"),
        ("http://[::1%25eth0]/", "not a usable IPv6 address"),
        ("http://[127.0.0.1]/", "not a valid URL"),
        ("http://1.2.3.256/", "neither a host name nor an IPv4 address"),
        ("http://08.0.0.1/", "neither a host name nor an IPv4 address"),
        ("http://example.123/", "neither a host name nor an IPv4 address"),
        ("http://-bad-.example/", "not a valid host name"),
        ("http://a..b.example/", "not a valid host name"),
    ],
)
def test_odd_urls_are_refused_with_the_reason(url: str, problem: str) -> None:
    with pytest.raises(URLRefusedError) as refused:
        parse_url(url)
    assert problem in str(refused.value)


def test_a_plain_url_is_taken_apart() -> None:
    target = parse_url("http://Example.COM:8080/path/story?id=1&x=%20#comments")
    assert target.url == "http://Example.COM:8080/path/story?id=1&x=%20"
    assert (target.scheme, target.host, target.port, target.ip) == ("http", "example.com", 8080, None)
    assert target.target == "/path/story?id=1&x=%20"
    assert target.host_header == "example.com:8080"


def test_defaults_fill_in_port_and_path() -> None:
    target = parse_url("HTTPS://example.com")
    assert (target.scheme, target.port, target.target, target.host_header) == (
        "https",
        443,
        "/",
        "example.com",
    )


def test_ip_literals_are_recognised_in_canonical_form() -> None:
    assert parse_url("http://93.184.215.14/").ip == "93.184.215.14"
    v6 = parse_url("http://[2606:4700:4700:0::1111]:8443/")
    assert (v6.host, v6.ip) == ("2606:4700:4700::1111", "2606:4700:4700::1111")
    assert v6.host_header == "[2606:4700:4700::1111]:8443"
    mapped = parse_url("http://[::ffff:127.0.0.1]/")
    assert mapped.ip is not None
    assert ipaddress.IPv6Address(mapped.ip).ipv4_mapped == ipaddress.IPv4Address("127.0.0.1")


def test_full_width_digits_are_read_as_the_ip_address_they_fold_to() -> None:
    assert parse_url("http://１２７。０。０。１/").ip == "127.0.0.1"


def test_international_names_and_paths_become_ascii() -> None:
    target = parse_url("https://bücher.example/café au lait?q=thé")
    assert target.host == "xn--bcher-kva.example"
    assert target.target == "/caf%C3%A9%20au%20lait?q=th%C3%A9"


def test_redirects_resolve_relative_locations() -> None:
    here = parse_url("http://news.example/world/story")
    assert redirect_target(here, "/other").url == "http://news.example/other"
    assert redirect_target(here, "next").url == "http://news.example/world/next"
    assert redirect_target(here, "//cdn.example/x").host == "cdn.example"
    with pytest.raises(URLRefusedError, match="Refused the redirect from .* to file:///etc/passwd"):
        redirect_target(here, "file:///etc/passwd")


def test_policy_numbers_must_make_sense() -> None:
    with pytest.raises(ConfigError, match="max_bytes"):
        FetchPolicy(max_bytes=0)
    with pytest.raises(ConfigError, match="deadline_s"):
        FetchPolicy(deadline_s=-1)
    with pytest.raises(ConfigError, match="max_redirects"):
        FetchPolicy(max_redirects=-1)


# --- fetch(): refusals happen before any connection -----------------------------------------


class Recorder:
    """A resolver that answers from a table and records every question."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        return self.table[host]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback socket that is never meant to be reached; `connections()` counts who did."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def connections(sock: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


QUICK = FetchPolicy(deadline_s=3, read_timeout_s=2)


@pytest.mark.parametrize(
    ("host", "ip", "message"),
    [
        (
            "metadata.test",
            "169.254.169.254",
            "metadata.test resolves to 169.254.169.254, a link-local address",
        ),
        ("intranet.test", "10.1.2.3", "intranet.test resolves to 10.1.2.3, a private address"),
        ("mapped.test", "::ffff:127.0.0.1", "embedding 127.0.0.1, a loopback address"),
    ],
)
def test_a_name_resolving_to_a_forbidden_address_is_refused_before_connecting(
    host: str, ip: str, message: str, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    resolver = Recorder({host: [ip]})
    with pytest.raises(AddressRefusedError) as refused:
        fetch(f"http://{host}:{port}/latest/meta-data/", QUICK, resolver=resolver)
    assert message in str(refused.value)
    assert "only public web pages can be added" in str(refused.value)
    assert PRIVATE_HINT in str(refused.value)
    assert resolver.calls == [(host, port)]
    assert connections(listener) == 0


def test_a_name_resolving_to_loopback_is_refused_and_the_listener_sees_nothing(
    listener: socket.socket,
) -> None:
    port = listener.getsockname()[1]
    with pytest.raises(AddressRefusedError, match="resolves to 127.0.0.1, a loopback address"):
        fetch(f"http://loopback.test:{port}/", QUICK, resolver=Recorder({"loopback.test": ["127.0.0.1"]}))
    assert connections(listener) == 0


def test_one_forbidden_address_among_several_refuses_the_host(listener: socket.socket) -> None:
    """Every address is checked, not just the first: the first here is (for the test) public."""
    port = listener.getsockname()[1]

    def loopback_one_is_public(ip: str, policy: FetchPolicy) -> None:
        if ip != "127.0.0.1":
            check_address(ip, policy)

    resolver = Recorder({"mixed.test": ["127.0.0.1", "10.1.2.3"]})
    with pytest.raises(AddressRefusedError, match="mixed.test resolves to 10.1.2.3, a private address"):
        fetch(f"http://mixed.test:{port}/", QUICK, resolver=resolver, address_check=loopback_one_is_public)
    assert connections(listener) == 0


def test_localhost_through_the_system_resolver_is_refused(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    with pytest.raises(AddressRefusedError, match=r"localhost resolves to (127\.0\.0\.1|::1), a loopback"):
        fetch(f"http://localhost:{port}/", QUICK)
    assert connections(listener) == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://2130706433:{port}/",
        "http://0x7f.1:{port}/",
        "http://0177.0.0.1:{port}/",
        "http://127.1:{port}/",
        "http://user@127.0.0.1:{port}/",
        "ftp://127.0.0.1:{port}/",
    ],
)
def test_literal_and_odd_hosts_are_refused_without_resolving_or_connecting(
    url: str, listener: socket.socket
) -> None:
    resolver = Recorder({})
    with pytest.raises(URLRefusedError):
        fetch(url.format(port=listener.getsockname()[1]), QUICK, resolver=resolver)
    assert resolver.calls == []
    assert connections(listener) == 0


def test_a_name_that_does_not_resolve_says_so() -> None:
    def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(FetchError, match="could not find the server nowhere.test"):
        fetch("http://nowhere.test/", QUICK, resolver=nowhere)


def test_a_hanging_name_lookup_is_cut_off_at_the_deadline() -> None:
    def hanging(host: str, port: int) -> list[str]:
        time.sleep(5)
        return ["127.0.0.1"]

    with pytest.raises(FetchTimeoutError, match="looking up slow.test took longer than the fetch deadline"):
        fetch("http://slow.test/", FetchPolicy(deadline_s=0.5), resolver=hanging)
