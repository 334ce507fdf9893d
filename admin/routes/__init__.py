"""The panel's routers. Order matters: :mod:`auth` and :mod:`users` name fixed paths that the
generic ``/{slug}/...`` routes of :mod:`records` would otherwise catch."""

from . import auth, records, users

__all__ = ["ROUTERS"]

ROUTERS = [auth.router, users.router, records.router]
