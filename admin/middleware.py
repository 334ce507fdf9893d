"""Security headers on every response and the trusted proxy's headers, as ASGI middlewares.

The panel installs them outermost (around Starlette's own error middleware), so the error
pages, the 500 page included, carry the same headers as every other page, and the client's
address and scheme are settled before anything reads them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .security import security_headers

__all__ = ["ProxyHeadersMiddleware", "SecurityHeadersMiddleware", "parse_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Files that may be cached (pinned assets, the panel's stylesheet); pages never are.
CACHEABLE = ("/assets/", "/static/")


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers` (HSTS over HTTPS) and ``no-store`` on pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        extra = [(k.lower().encode(), v.encode())
                 for k, v in security_headers(https=https).items()]
        page = not scope["path"].startswith(CACHEABLE)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
                if page:
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ProxyHeadersMiddleware:
    """The client's address and the scheme as a trusted reverse proxy reports them.

    ``X-Forwarded-For`` is read only when the socket's peer is in ``trusted`` (the
    ``EMPOWER_TRUSTED_PROXIES`` networks); the client is then the right-most address in it that
    is not itself a trusted proxy (the left part is whatever the client sent, so it is never
    read past an untrusted hop). From any other peer the header is ignored: a client cannot pick
    the address its failed logins count against. ``X-Forwarded-Proto`` is read from the trusted
    proxies and from this machine (it only ever adds ``Secure`` and HSTS).
    """

    def __init__(self, app: ASGIApp, trusted: Sequence[IPNetwork] = ()) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    def _trusted(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.trusted)

    def _client(self, forwarded: str) -> str | None:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        found = None
        for hop in reversed(hops):
            ip = parse_address(hop)
            if ip is None:
                # A hop no proxy would write: stop at the last one we could believe.
                break
            found = str(ip)
            if not self._trusted(ip):
                break
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            ip = parse_address(peer[0]) if peer else None
            trusted = ip is not None and self._trusted(ip)
            if trusted:
                forwarded = b",".join(v for k, v in scope["headers"]
                                      if k == b"x-forwarded-for").decode("latin-1")
                client = self._client(forwarded)
                if client:
                    scope["client"] = (client, 0)
            if trusted or (ip is not None and ip.is_loopback):
                protos = [v for k, v in scope["headers"] if k == b"x-forwarded-proto"]
                proto = protos[-1].decode("latin-1").split(",")[-1].strip().lower() \
                    if protos else ""
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else \
                        {"http": "ws", "https": "wss"}[proto]
        await self.app(scope, receive, send)


def parse_address(text: str) -> IPAddress | None:
    """An IP address from a peer or a forwarded hop (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``);
    an IPv4 address mapped into IPv6 is the IPv4 one. None when it is not an address."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
