"""The panel's routers. Order matters: :mod:`auth` and :mod:`users` name fixed paths that the
generic ``/{slug}/...`` routes of :mod:`records` would otherwise catch, and so does
:mod:`payments` (building a batch, downloading its file)."""

from . import auth, payments, records, users

__all__ = ["ROUTERS"]

ROUTERS = [auth.router, users.router, payments.router, records.router]
