"""The one rule for following a link a payload names (a contact's file on a provider's host):
https to a public address only. A signed webhook is only as trustworthy as its sender, and a
link into the gateway's own network (a cloud metadata service, an admin port) must not be
fetched for it. Addresses are checked as the connection is made, for the first request and
every redirect, so a name that resolves elsewhere the second time (DNS rebinding) gains nothing."""

import ipaddress
import socket
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL


class LinkRefused(aiohttp.ClientError):
    """A link, or a redirect, the rule refuses: fetching it again would be refused again."""


@dataclass(frozen=True, slots=True)
class LinkRule:
    trusted: frozenset[tuple[str, int]] = frozenset()
    """The hosts and ports of the providers' APIs as the operator configured them (`*_API_BASE`),
    which the gateway calls anyway: reached wherever they are (a staging host, a stand-in)."""
    loopback: bool = False
    """Test-only (GATEWAY_TEST_LOOPBACK_LINKS): links to this machine, over http too, so tests'
    stand-in servers on 127.0.0.1 can play a provider's file hosts."""

    @classmethod
    def for_apis(cls, *api_bases: str, loopback: bool = False) -> "LinkRule":
        """The rule trusting the given API base URLs."""
        urls = [URL(base) for base in api_bases]
        return cls(frozenset((url.raw_host or "", url.port or 0) for url in urls), loopback)

    def check(self, url: URL) -> None:
        """Raise LinkRefused unless `url` may be requested: its scheme, and its host when that
        is an address (a name is checked once resolved, by `reachable`)."""
        host = url.raw_host or ""
        if (host, url.port or 0) in self.trusted:
            return
        if url.scheme != "https" and not self.loopback:
            raise LinkRefused(f"a link to {host} over {url.scheme}, not https")
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return
        if not self.reachable(str(address)):
            raise LinkRefused(f"a link to {host}, not a public address")

    def reachable(self, address: str) -> bool:
        """Whether the gateway may connect to `address` for a link: a public one (not private,
        loopback, link-local, multicast or reserved), or loopback where tests allow it."""
        found = ipaddress.ip_address(address.split("%")[0])  # an IPv6 address may carry its zone
        if isinstance(found, ipaddress.IPv6Address):
            found = _carried(found)
        if found.is_loopback:
            return self.loopback
        return found.is_global and not found.is_multicast and not found.is_reserved


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
"""The well-known NAT64 prefix: an IPv6-only host reaches an IPv4 address through it."""


def _carried(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 one leads to (IPv4-mapped, 6to4, Teredo's client, NAT64), which
    is the one judged; else the address itself."""
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    teredo = address.teredo[1] if address.teredo else None
    return address.ipv4_mapped or address.sixtofour or teredo or address


class _PublicResolver(AbstractResolver):
    """The system's resolver, keeping only the addresses the rule lets a link reach; the
    connector connects to those and no others."""

    def __init__(self, rule: LinkRule) -> None:
        self._rule = rule
        self._resolver = aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        if (host, port) in self._rule.trusted:
            return found
        kept = [result for result in found if self._rule.reachable(result["host"])]
        if not kept:
            raise LinkRefused(f"a link to {host}, which resolves to no public address")
        return kept

    async def close(self) -> None:
        await self._resolver.close()


async def _checked(rule: LinkRule, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType) -> Any:
    """Each request of a session, the first and every redirect, checked before it connects."""
    rule.check(request.url)
    return await handler(request)


def link_session(rule: LinkRule, **options: Any) -> aiohttp.ClientSession:
    """A client session that follows links (and their redirects) only as `rule` allows."""
    connector = aiohttp.TCPConnector(resolver=_PublicResolver(rule))
    return aiohttp.ClientSession(connector=connector, middlewares=(partial(_checked, rule),), **options)
