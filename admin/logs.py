"""The panel's server logs: access lines without query strings.

Searches put what an officer typed in the query string (``/beneficiaries?q=AB123456``), and
officers search by CIN and phone number. The access log is read by whoever runs the server,
so it keeps the method, the path and the status, and never the query.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

__all__ = ["DropQueryStrings", "log_config"]


class DropQueryStrings(logging.Filter):
    """Cut the query string off the path of uvicorn's access records (``path?...`` -> ``path``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn.access logs (client, method, path with query, http version, status).
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with :class:`DropQueryStrings` on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["drop_query_strings"] = {"()": DropQueryStrings}
    config["loggers"]["uvicorn.access"].setdefault("filters", []).append("drop_query_strings")
    return config
