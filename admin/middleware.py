"""Security headers on every response, as an ASGI middleware.

The panel installs it outermost (around Starlette's own error middleware), so the error pages,
the 500 page included, carry the same headers as every other page.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .security import security_headers

__all__ = ["SecurityHeadersMiddleware"]

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
