"""The empower admin panel: fastapi-admin + Tortoise over the core's tables.

``create_app()`` builds the ASGI application; ``empower admin serve`` runs it. Importing this
package first installs the compatibility layer (:mod:`empower.admin.compat`) that fastapi-admin
1.0.4 needs on today's stack.
"""

from empower.admin import compat as _compat

_compat.install()

from empower.admin.app import create_app  # noqa: E402

__all__ = ["create_app"]
