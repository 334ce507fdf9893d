"""``empower admin ...``: start the panel and create accounts."""

from __future__ import annotations

import getpass
import sys
from typing import Any

import typer
from pydantic import ValidationError

from empower.config import Settings
from empower.errors import EmpowerError

__all__ = ["app"]

app = typer.Typer(help="The admin panel for program officers.", no_args_is_help=True)


def _settings() -> Settings:
    """The EMPOWER_* settings; a bad value exits (status 2) naming the variable and the value."""
    try:
        return Settings()
    except ValidationError as exc:
        for e in exc.errors():
            name = "EMPOWER_" + "_".join(str(part) for part in e["loc"]).upper()
            typer.echo(f"{name}: {e['msg']} (value {e.get('input')!r})", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on."),
          port: int = typer.Option(8000, help="Port to listen on."),
          workers: int = typer.Option(1, help="Worker processes (needs EMPOWER_REDIS_URL "
                                                "for more than one).")) -> None:
    """Start the panel on EMPOWER_DATABASE_URL (default: the SQLite file empower.db)."""
    import uvicorn
    from empower.admin import create_app
    from empower.admin.logs import log_config

    settings = _settings()
    if workers > 1 and not settings.redis_url:
        typer.echo("more than one worker needs EMPOWER_REDIS_URL (sessions are shared there)",
                   err=True)
        raise typer.Exit(2)
    typer.echo(f"empower panel on http://{host}:{port}/ (database {settings.database_url}, "
               f"sessions {'in Redis' if settings.redis_url else 'in memory'})")
    # The panel reads the proxy's headers itself, from EMPOWER_TRUSTED_PROXIES only
    # (empower.admin.middleware.ProxyHeadersMiddleware): uvicorn must not rewrite the client.
    common: dict[str, Any] = {"host": host, "port": port, "proxy_headers": False,
              "log_level": "info", "server_header": False,
              # Access lines without query strings: searches carry CINs and phone numbers.
              "log_config": log_config()}
    if workers > 1:
        # Several processes: each builds its own app from the same EMPOWER_* settings.
        uvicorn.run("empower.admin.app:create_app", factory=True, workers=workers, **common)
    else:
        uvicorn.run(create_app(settings), **common)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password (at least 12 characters; a passphrase is best): ")
        again = getpass.getpass("Password again: ")
        if first != again:
            typer.echo("the two passwords differ", err=True)
            raise typer.Exit(1)
        return first
    return sys.stdin.readline().rstrip("\r\n")


@app.command("create-user")
def create_user(name: str = typer.Argument(..., help="User name: 3 to 60 of a-z, 0-9, '.', "
                                           "'_', '-' (capitals are folded)."),
                role: str = typer.Option(..., "--role", help="admin, officer or viewer."),
                region: list[str] = typer.Option([], "--region",  # noqa: B006
                                                 help="HCP region code (repeatable)."),
                language: str = typer.Option("fr", help="fr, ar or en."),
                focal_point: bool = typer.Option(
                    False, "--focal-point", help="Also the focal point: sees the confidential "
                                                 "grievances of her regions.")) -> None:
    """Create a panel account; the password is read without echo, or from standard input."""
    from empower.admin import accounts
    from empower.admin.compat import normalize_locale

    import empower

    settings = _settings()
    password = _read_password()
    db = empower.connect(settings.database_url, rules=settings.rules())
    try:
        user_id = accounts.create_user(db, name, password, role=role, regions=region,
                                       language=normalize_locale(language),
                                       actor="cli:create-user")
        if focal_point:
            accounts.set_focal_point(db, user_id, True, actor="cli:create-user")
    except EmpowerError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    typer.echo(f"created {role} '{name}' (user #{user_id})")
