"""The SSRF guard for webhook targets: parse a subscriber URL, resolve its host, and refuse any target
that is not a public https endpoint (unless private targets are allowed, for development and tests)."""

from __future__ import annotations

import asyncio
import re
import socket
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import TypeAlias
from urllib.parse import urlsplit

__all__ = [
    "MAX_URL_LENGTH",
    "Resolver",
    "Target",
    "TargetRefused",
    "check_address",
    "parse_target",
    "resolve_target",
    "system_resolver",
]

MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_SECONDS = 5.0

Resolver: TypeAlias = Callable[[str, int], Awaitable[list[str]]]
"""Turns (host, port) into address strings; raises TargetRefused when the name does not resolve."""

_DEFAULT_PORTS = {"https": 443, "http": 80}
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# A last label like this makes inet_aton (and so getaddrinfo, and browsers) read the whole host as an
# IPv4 number: "2130706433", "0x7f.1", "127.1", "017700000001". No real top-level domain looks like it.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
_PORT = re.compile(r"[0-9]{1,5}")

# Python 3.11's is_global says True for these; each either embeds an IPv4 address (checked on its own
# below) or is not reachable on the public internet at all.
_IPV4_COMPATIBLE = IPv6Network("::/96")
_IPV4_TRANSLATED = IPv6Network("::ffff:0:0:0/96")  # RFC 2765 SIIT
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL_USE = IPv6Network("64:ff9b:1::/48")  # RFC 8215: local use only, any prefix length
_SHARED_ADDRESS_SPACE = IPv4Network("100.64.0.0/10")


class TargetRefused(ValueError):
    """A webhook target that may not be used; the message is a short reason fit for an API error."""


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    path_and_query: str


def parse_target(url: str, *, allow_private: bool) -> Target:
    """Check a webhook URL's syntax; an IP-literal host is checked against check_address here too."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"must be at most {MAX_URL_LENGTH} characters long")
    # urlsplit silently drops tabs and newlines, so what it parses is not what was written.
    if any(char.isspace() or unicodedata.category(char)[0] in "CZ" for char in url):
        raise TargetRefused("must not contain whitespace or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise TargetRefused("is not a valid URL") from None
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise TargetRefused("must use https or http" if allow_private else "must use https")
    if "#" in url:
        raise TargetRefused("must not have a fragment")
    if not parts.netloc:
        raise TargetRefused("must name a host")
    if "@" in parts.netloc:
        raise TargetRefused("must not contain a user name or password")
    host, port_text = _split_netloc(parts.netloc)
    if port_text is None:
        port = _DEFAULT_PORTS[parts.scheme]
    elif _PORT.fullmatch(port_text) and 1 <= int(port_text) <= 65535:
        port = int(port_text)
    else:
        raise TargetRefused("port must be a number from 1 to 65535")
    path_and_query = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(
        url=url,
        scheme=parts.scheme,
        host=_checked_host(host, allow_private=allow_private),
        port=port,
        path_and_query=path_and_query,
    )


def _split_netloc(netloc: str) -> tuple[str, str | None]:
    """Host (brackets kept) and port text (None when absent)."""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end == -1:
            raise TargetRefused("is not a valid URL")
        host, rest = netloc[: end + 1], netloc[end + 1 :]
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise TargetRefused("is not a valid URL")
        return host, rest[1:]
    host, colon, port_text = netloc.partition(":")
    if ":" in port_text:
        raise TargetRefused("IPv6 addresses must be written in brackets")
    return host, port_text if colon else None


def _checked_host(host: str, *, allow_private: bool) -> str:
    """The host lower-cased (IPv6 normalized, without brackets), or TargetRefused."""
    if not host:
        raise TargetRefused("must name a host")
    if not host.isascii():
        # IDNA mapping would turn e.g. full-width digits into an IP address behind our back.
        raise TargetRefused("host name must be ASCII (write an international name in its xn-- form)")
    host = host.lower()
    if host.startswith("["):
        inner = host[1:-1]
        if "%" in inner:
            raise TargetRefused("must not contain an IPv6 zone id")
        try:
            address6 = IPv6Address(inner)
        except ValueError:
            raise TargetRefused("is not a valid IPv6 address") from None
        check_address(address6, allow_private=allow_private)
        return str(address6)
    name = host.removesuffix(".")  # a trailing dot only says the name is fully qualified
    labels = name.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            address4 = IPv4Address(host)
        except ValueError:
            # Shorthand IPv4 forms never reach DNS: resolvers disagree on what they mean.
            raise TargetRefused("is not a valid host name") from None
        check_address(address4, allow_private=allow_private)
        return str(address4)
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise TargetRefused("is not a valid host name")
    # RFC 6761: these names are loopback whatever a resolver says; refuse them before any lookup.
    if not allow_private and (name == "localhost" or name.endswith(".localhost")):
        raise TargetRefused("resolves to a loopback address (localhost)")
    return host


def check_address(address: IPv4Address | IPv6Address, *, allow_private: bool) -> None:
    """Refuse an address a webhook may not reach.

    Public only, unless allow_private; unspecified and multicast addresses never.
    """
    kind = _refusal(address, allow_private=allow_private)
    if kind is not None:
        raise TargetRefused(f"resolves to {kind} address ({address})")


def _refusal(address: IPv4Address | IPv6Address, *, allow_private: bool) -> str | None:
    """Why the address is refused ("a private", ...), or None when it may be used."""
    if address.is_unspecified:
        return "an unspecified"
    if address.is_multicast:
        return "a multicast"
    if not allow_private and address.is_loopback:
        return "a loopback"
    embedded = _embedded_ipv4(address) if isinstance(address, IPv6Address) else None
    if embedded is not None and (kind := _refusal(embedded, allow_private=allow_private)):
        return kind
    if allow_private:
        return None
    return _non_public_kind(address)


def _non_public_kind(address: IPv4Address | IPv6Address) -> str | None:
    kinds = (
        ("a link-local", address.is_link_local),
        ("a shared (carrier-grade NAT)", address in _SHARED_ADDRESS_SPACE),
        ("a private", address.is_private),
        ("a non-public", address in _NAT64_LOCAL_USE or not address.is_global),
        # Deprecated site-local fec0::/10 counts as global in Python 3.11.
        ("a non-public", isinstance(address, IPv6Address) and address.is_site_local),
    )
    return next((kind for kind, applies in kinds if applies), None)


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for or tunnels to, if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client; the server half is the relay, not the destination
    if address in _IPV4_COMPATIBLE or address in _IPV4_TRANSLATED or address in _NAT64_WELL_KNOWN:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), bounded in time; addresses deduplicated, in order."""
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError):
        raise TargetRefused("host name does not resolve") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_target(
    target: Target, *, allow_private: bool, resolver: Resolver | None = None
) -> list[IPv4Address | IPv6Address]:
    """The addresses to connect to, all of them allowed; refused when any one is not.

    Checking every record, not just the first, stops a name that mixes a public and a private record.
    """
    try:
        literal = ip_address(target.host)
    except ValueError:
        pass
    else:
        check_address(literal, allow_private=allow_private)
        return [literal]
    try:
        found = await (resolver or system_resolver)(target.host, target.port)
    except (OSError, TimeoutError):
        raise TargetRefused("host name does not resolve") from None
    addresses: list[IPv4Address | IPv6Address] = []
    for text in dict.fromkeys(found):
        bare, percent, _zone = text.partition("%")
        try:
            address = ip_address(bare)
        except ValueError:
            raise TargetRefused("host name does not resolve") from None
        if percent and not allow_private:
            # A zone id only makes sense for a link-local address, whatever the address itself says.
            raise TargetRefused(f"resolves to a link-local address ({text})")
        check_address(address, allow_private=allow_private)
        addresses.append(address)
    if not addresses:
        raise TargetRefused("host name does not resolve")
    return addresses
