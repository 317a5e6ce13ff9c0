"""The SSRF guard refuses every webhook target that is not a public https endpoint."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from webhooks.ssrf import Target, TargetRefused, check_address, parse_target, resolve_target


class FakeResolver:
    """Answers from a fixed table, and remembers what it was asked."""

    def __init__(self, records: dict[str, list[str]]) -> None:
        self.records = records
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        if host not in self.records:
            raise TargetRefused("host name does not resolve")
        return self.records[host]


REFUSED_ADDRESSES = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.254",
    "0.0.0.0",  # noqa: S104 - a refused target, not an address to bind
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "240.0.0.1",
    "198.18.0.1",  # benchmarking
    "192.0.2.1",  # documentation
    "198.51.100.1",
    "203.0.113.1",
    "192.0.0.1",
    "::",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd12::1",
    "fec0::1",  # site-local, global in Python 3.11's eyes
    "ff02::1",
    "ff0e::1",  # global-scope multicast, global in Python 3.11's eyes
    "2001:db8::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
    "::127.0.0.1",  # IPv4-compatible
    "::10.0.0.1",
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::8.8.8.8",  # local-use NAT64, never public
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
]


@pytest.mark.parametrize("text", REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused(text: str) -> None:
    with pytest.raises(TargetRefused, match=r"resolves to an? .*address \("):
        check_address(ip_address(text), allow_private=False)


@pytest.mark.parametrize(
    "text",
    [
        "93.184.215.14",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "2002:808:808::",
        "64:ff9b::808:808",
    ],
)
def test_public_addresses_are_accepted(text: str) -> None:
    check_address(ip_address(text), allow_private=False)


def test_the_refusal_names_the_kind_and_the_address() -> None:
    with pytest.raises(TargetRefused, match=r"^resolves to a private address \(10\.0\.0\.1\)$"):
        check_address(IPv4Address("10.0.0.1"), allow_private=False)
    # Python 3.11 writes an IPv4-mapped address as ::ffff:7f00:1, 3.13 as ::ffff:127.0.0.1.
    with pytest.raises(TargetRefused, match=r"loopback address \(::ffff:(7f00:1|127\.0\.0\.1)\)"):
        check_address(IPv6Address("::ffff:127.0.0.1"), allow_private=False)


@pytest.mark.parametrize(
    "text", ["127.0.0.1", "10.0.0.1", "::1", "fe80::1", "fd12::1", "::ffff:127.0.0.1", "8.8.8.8"]
)
def test_private_addresses_are_accepted_when_allowed(text: str) -> None:
    check_address(ip_address(text), allow_private=True)


@pytest.mark.parametrize(
    "text",
    [
        "0.0.0.0",  # noqa: S104 - a refused target, not an address to bind
        "::",
        "224.0.0.1",
        "ff02::1",
        "::ffff:0.0.0.0",
        "::ffff:224.0.0.1",
    ],
)
def test_unspecified_and_multicast_are_refused_even_when_allowed(text: str) -> None:
    with pytest.raises(TargetRefused):
        check_address(ip_address(text), allow_private=True)


REFUSED_URLS = [
    ("http://example.com/hook", "must use https"),
    ("ftp://example.com/hook", "must use https"),
    ("example.com/hook", "must use https"),
    ("https://user:pass@example.com/hook", "user name or password"),
    ("https://user@example.com/hook", "user name or password"),
    ("https://example.com@127.0.0.1/hook", "user name or password"),
    ("https://example.com/hook#part", "fragment"),
    ("https://example.com/hook#", "fragment"),
    ("https:///hook", "must name a host"),
    ("https://:443/hook", "must name a host"),
    ("https://example.com:0/", "port"),
    ("https://example.com:65536/", "port"),
    ("https://example.com:+443/", "port"),
    ("https://example.com:http/", "port"),
    ("https://exa mple.com/", "whitespace"),
    ("https://example.com/a\tb", "whitespace"),
    ("https://example.com/\nx", "whitespace"),
    (" https://example.com/", "whitespace"),
    ("https://example.com/\x00", "control"),
    ("https://example.com/\u200b", "control"),
    ("https://" + "a" * 2100 + ".com/", "2048"),
    ("https://127.0.0.1/hook", "loopback address"),
    ("https://10.0.0.1/hook", "private address"),
    ("https://172.16.0.1/hook", "private address"),
    ("https://192.168.0.1/hook", "private address"),
    ("https://169.254.169.254/latest/meta-data/", "link-local address"),
    ("https://100.64.0.1/", "carrier-grade NAT"),
    ("https://0.0.0.0/", "unspecified address"),
    ("https://224.0.0.1/", "multicast address"),
    ("https://255.255.255.255/", "address"),
    ("https://[::1]/", "loopback address"),
    ("https://[fe80::1]/", "link-local address"),
    ("https://[fe80::1%25eth0]/", "zone"),
    ("https://[fc00::1]/", "private address"),
    ("https://[fd12::1]/", "private address"),
    ("https://[::ffff:127.0.0.1]/", "loopback address"),
    ("https://[::ffff:10.0.0.1]/", "private address"),
    ("https://[::FFFF:7F00:1]/", "loopback address"),
    ("https://[2002:7f00:1::]/", "loopback address"),
    ("https://[64:ff9b::7f00:1]/", "loopback address"),
    ("https://[127.0.0.1]/", "not a valid URL"),
    ("https://[v1.example]/", "not a valid IPv6 address"),
    ("https://[::1/", "not a valid URL"),
    ("https://::1/", "brackets"),
    ("https://2130706433/", "not a valid host name"),
    ("https://0x7f.1/", "not a valid host name"),
    ("https://0x7f000001/", "not a valid host name"),
    ("https://127.1/", "not a valid host name"),
    ("https://017700000001/", "not a valid host name"),
    ("https://0177.0.0.1/", "not a valid host name"),
    ("https://127.0.0.01/", "not a valid host name"),
    ("https://127.0.0.1./", "not a valid host name"),
    ("https://%31%32%37.0.0.1/", "not a valid host name"),
    ("https://127.0.0.1\\.example.com/", "not a valid host name"),
    ("https://exa_mple..com/", "not a valid host name"),
    ("https://-example.com/", "not a valid host name"),
    ("https://" + "a" * 64 + ".com/", "not a valid host name"),
    ("https://\uff11\uff12\uff17.0.0.1/", "ASCII"),  # full-width digits: IDNA would map them to 127
    ("https://localhost/", "loopback"),
    ("https://LOCALHOST./", "loopback"),
    ("https://api.localhost/", "loopback"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS)
def test_unsafe_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(TargetRefused, match=reason.replace(".", r"\.").replace("+", r"\+")):
        parse_target(url, allow_private=False)


def test_a_public_ip_literal_is_accepted() -> None:
    target = parse_target("https://93.184.215.14/x", allow_private=False)
    assert target == Target(
        url="https://93.184.215.14/x", scheme="https", host="93.184.215.14", port=443, path_and_query="/x"
    )


def test_a_public_ipv6_literal_is_accepted_without_brackets() -> None:
    target = parse_target("https://[2606:4700:0::1111]/", allow_private=False)
    assert (target.host, target.port, target.path_and_query) == ("2606:4700::1111", 443, "/")


def test_a_name_is_lower_cased_and_the_path_and_query_kept() -> None:
    target = parse_target("HTTPS://Hooks.Example.COM:8443/in/box?kind=ai&x=1", allow_private=False)
    assert target == Target(
        url="HTTPS://Hooks.Example.COM:8443/in/box?kind=ai&x=1",
        scheme="https",
        host="hooks.example.com",
        port=8443,
        path_and_query="/in/box?kind=ai&x=1",
    )


def test_an_empty_path_becomes_a_slash() -> None:
    assert parse_target("https://example.com", allow_private=False).path_and_query == "/"
    assert parse_target("https://example.com?a=1", allow_private=False).path_and_query == "/?a=1"


def test_http_and_private_literals_are_accepted_when_allowed() -> None:
    target = parse_target("http://127.0.0.1:8080/", allow_private=True)
    assert (target.scheme, target.host, target.port) == ("http", "127.0.0.1", 8080)
    assert parse_target("http://localhost", allow_private=True).port == 80
    assert parse_target("https://[::1]/", allow_private=True).host == "::1"


def test_other_schemes_stay_refused_when_private_targets_are_allowed() -> None:
    with pytest.raises(TargetRefused, match="must use https or http"):
        parse_target("ftp://127.0.0.1/", allow_private=True)


@pytest.mark.parametrize("url", ["https://2130706433/", "https://0x7f.1/", "https://127.1/"])
def test_numeric_shorthand_is_refused_even_when_private_targets_are_allowed(url: str) -> None:
    with pytest.raises(TargetRefused, match="not a valid host name"):
        parse_target(url, allow_private=True)


async def test_a_name_resolving_to_a_public_address_is_accepted() -> None:
    resolver = FakeResolver({"hooks.example.com": ["93.184.215.14", "2606:4700::1111", "93.184.215.14"]})
    target = parse_target("https://hooks.example.com/in", allow_private=False)
    addresses = await resolve_target(target, allow_private=False, resolver=resolver)
    assert addresses == [IPv4Address("93.184.215.14"), IPv6Address("2606:4700::1111")]
    assert resolver.asked == [("hooks.example.com", 443)]


@pytest.mark.parametrize(
    ("records", "reason"),
    [
        (["10.0.0.1"], r"resolves to a private address \(10\.0\.0\.1\)"),
        (["127.0.0.1"], "loopback"),
        (["169.254.169.254"], "link-local"),
        (["::1"], "loopback"),
        (["fd00::5"], "private"),
        (["::ffff:192.168.0.10"], "private"),
        (["fe80::1%eth0"], "link-local"),
        (["93.184.215.14", "10.0.0.1"], r"10\.0\.0\.1"),  # one bad record spoils the name
        (["2606:4700::1111", "::1"], "loopback"),
        ([], "does not resolve"),
        (["not-an-address"], "does not resolve"),
    ],
)
async def test_a_name_resolving_to_a_private_address_is_refused(records: list[str], reason: str) -> None:
    target = parse_target("https://rebind.example.net/", allow_private=False)
    resolver = FakeResolver({"rebind.example.net": records})
    with pytest.raises(TargetRefused, match=reason):
        await resolve_target(target, allow_private=False, resolver=resolver)


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    target = parse_target("https://nowhere.example.net/", allow_private=False)
    with pytest.raises(TargetRefused, match="host name does not resolve"):
        await resolve_target(target, allow_private=False, resolver=FakeResolver({}))


async def test_a_resolver_failing_with_an_os_error_means_no_resolution() -> None:
    async def broken(host: str, port: int) -> list[str]:
        raise OSError("network unreachable")

    target = parse_target("https://hooks.example.com/", allow_private=False)
    with pytest.raises(TargetRefused, match="host name does not resolve"):
        await resolve_target(target, allow_private=False, resolver=broken)


async def test_an_ip_literal_is_not_looked_up() -> None:
    resolver = FakeResolver({})
    target = parse_target("https://[2606:4700::1111]/", allow_private=False)
    addresses = await resolve_target(target, allow_private=False, resolver=resolver)
    assert addresses == [IPv6Address("2606:4700::1111")]
    assert resolver.asked == []


async def test_private_names_resolve_when_allowed() -> None:
    resolver = FakeResolver({"localhost": ["127.0.0.1", "::1"], "fe.lan": ["fe80::1%eth0"]})
    target = parse_target("http://localhost", allow_private=True)
    addresses = await resolve_target(target, allow_private=True, resolver=resolver)
    assert addresses == [IPv4Address("127.0.0.1"), IPv6Address("::1")]
    assert resolver.asked == [("localhost", 80)]
    lan = parse_target("http://fe.lan/", allow_private=True)
    assert await resolve_target(lan, allow_private=True, resolver=resolver) == [IPv6Address("fe80::1")]


async def test_a_literal_is_checked_again_when_resolved() -> None:
    target = parse_target("http://127.0.0.1:8080/", allow_private=True)
    with pytest.raises(TargetRefused, match="loopback"):
        await resolve_target(target, allow_private=False)


async def test_the_system_resolver_refuses_numeric_shorthand_for_loopback() -> None:
    # Shorthand that slipped past parse_target would still be caught after resolution.
    target = Target(url="https://127.1/", scheme="https", host="127.1", port=443, path_and_query="/")
    with pytest.raises(TargetRefused, match="loopback"):
        await resolve_target(target, allow_private=False)


async def test_the_system_resolver_refuses_names_that_do_not_exist() -> None:
    target = parse_target("https://no-such-host.invalid/", allow_private=False)
    with pytest.raises(TargetRefused, match="host name does not resolve"):
        await resolve_target(target, allow_private=False)
