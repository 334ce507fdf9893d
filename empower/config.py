"""Settings read from ``EMPOWER_*`` environment variables, only at the edges (CLI, panel, reports).

Nothing in the library reads these at import time: the edges build a :class:`Settings` and pass
what it says into :func:`empower.connect` and the services.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from empower.rules import DEFAULT_CIN_PATTERN, RulesConfig

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Deployment settings; every field maps to ``EMPOWER_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="EMPOWER_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///empower.db"
    redis_url: str | None = None
    secret_key: str | None = None
    cin_pattern: str = DEFAULT_CIN_PATTERN
    min_age: int = 18
    default_language: str = "fr"
    small_cell_threshold: int = 5
    # Keyed pseudonyms for exports shared with partners (``export --pseudonymize``).
    pseudonym_key: str | None = None
    # Seconds an SQLite writer waits for another process's write before it is told to retry.
    sqlite_busy_timeout: float = 30

    def rules(self) -> RulesConfig:
        """The rule configuration these settings describe."""
        return RulesConfig(cin_pattern=self.cin_pattern, min_age=self.min_age)
