"""SSRF guard: which URLs may be fetched, enforced again at the moment a socket connects.

``validate_url`` checks a URL up front (scheme, credentials, every address its host resolves
to) and gives a readable error; the DAG Params use it alone. ``GuardedBackend`` repeats the
address check inside the HTTP client for every connection — first hop, redirect or retry —
and connects to exactly the address it checked, so a DNS answer that changes between the check
and the connect (DNS rebinding) cannot reach an internal service.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

from newsevents.sources.policy import FetchPolicy, IPNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class URLRefused(ValueError):
    """A URL the fetcher will not request; ``reason`` is the reject reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # "invalid_url", "blocked_address" or "dns_error"


def validate_url(url: str, policy: FetchPolicy, *, resolve: bool = True) -> str:
    """The URL, normalised and without fragment, if it may be fetched; else ``URLRefused``.

    Only http/https without credentials; with ``resolve`` (the default) every address the
    host resolves to must be public or inside ``policy.allowed_networks``.
    """
    text = url.strip() if isinstance(url, str) else ""
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise URLRefused("invalid_url", f"{url!r} is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        shown = f"{parsed.scheme}:" if parsed.scheme else "no scheme"
        raise URLRefused("invalid_url",
                         f"{url!r}: only http and https URLs are fetched, not {shown}")
    if parsed.userinfo:
        raise URLRefused("invalid_url", f"{url!r}: credentials in URLs are not allowed")
    if not parsed.host:
        raise URLRefused("invalid_url", f"{url!r} has no host")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise URLRefused("invalid_url", f"{url!r}: port {parsed.port} is out of range")
    if resolve:
        resolve_host(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), policy)
    return str(parsed.copy_with(fragment=None))


def resolve_host(host: str, port: int, policy: FetchPolicy) -> list[str]:
    """Every address ``host`` resolves to, if all of them may be contacted; else ``URLRefused``.

    One bad address refuses the host: a name that resolves to both a public and a private
    address is an attack, not a mirror.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise URLRefused("dns_error", f"cannot resolve host {host!r}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        problem = _address_problem(ipaddress.ip_address(address.split("%", 1)[0]), policy.networks)
        if problem:
            raise URLRefused(
                "blocked_address",
                f"host {host!r} resolves to {address}, a {problem} address; only public addresses "
                "are fetched unless the deployment allow-lists the network",
            )
    return addresses


def _address_problem(address: IPAddress, allowed: Iterable[IPNetwork]) -> str | None:
    """Why the address may not be contacted ("loopback", "private", ...), or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address.version == net.version and address in net for net in allowed):
        return None
    # Most specific first: 169.254.0.0/16 is also "private" to ipaddress.
    for kind in ("loopback", "link_local", "multicast", "unspecified", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "non-public"


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses ``resolve_host`` approved."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve_host(host, port, self._policy)
        error: Exception | None = None
        for address in addresses:  # like socket.create_connection: first one that answers
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # getaddrinfo never answers with an empty list
        raise error


class GuardedTransport(httpx.HTTPTransport):
    """httpx's default transport whose connection pool uses ``GuardedBackend``.

    Hand-written because httpx 0.28 has no public way to pass a network backend (a pull
    request adding one, encode/httpx#3749, is open): we build the same ``httpcore`` pool
    httpx builds, plus the backend. SNI and the Host header still name the requested host,
    as httpcore takes both from the URL, not from the socket's address.
    """

    def __init__(self, policy: FetchPolicy, max_connections: int) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy),
        )
