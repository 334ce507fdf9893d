"""Settings read from ``EMPOWER_*`` environment variables, only at the edges (CLI, panel, reports).

Nothing in the library reads these at import time: the edges build a :class:`Settings` and pass
what it says into :func:`empower.connect` and the services.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from empower.grievances import GrievanceConfig
from empower.rules import DEFAULT_CIN_PATTERN, RulesConfig

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Deployment settings; every field maps to ``EMPOWER_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="EMPOWER_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///empower.db"
    # A read replica for the monthly reports and exports (they only read): unset, they read
    # the primary. Freezing a month (a write) always goes to database_url.
    reports_database_url: str | None = None
    redis_url: str | None = None
    cin_pattern: str = DEFAULT_CIN_PATTERN
    min_age: int = 18
    default_language: str = "fr"
    small_cell_threshold: int = 5
    # Keyed pseudonyms for exports shared with partners (``export --pseudonymize``).
    pseudonym_key: str | None = None
    # The panel's front-end assets: a folder holding ``@tabler/core/dist`` (``npm ci`` puts it
    # in ``node_modules``); unset, the panel looks in ``node_modules`` beside it.
    assets_dir: Path | None = None
    # A panel session ends after this long without a request, and this long after login.
    session_idle_minutes: int = Field(30, gt=0)
    session_max_hours: int = Field(8, gt=0)
    # This many wrong passwords in a row lock a panel account for lockout_minutes; this many
    # failed logins from one address within the window are refused (HTTP 429) until it ends.
    lockout_failures: int = Field(5, gt=0)
    lockout_minutes: int = Field(15, gt=0)
    login_ip_failures: int = Field(20, gt=0)
    login_ip_window_minutes: int = Field(15, gt=0)
    # Searches by CIN or phone a user who sees them masked (viewer) may make in a minute; one
    # more answers 429 (a search matches only the whole value, and this bounds guessing it).
    masked_searches_per_minute: int = Field(20, gt=0)
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the
    # client; from anyone else the header is ignored and the socket's peer is the client, so a
    # client cannot choose the address its failed logins are counted against.
    trusted_proxies: str = ""
    # Two women with the same birth date whose names score at least this (0-100) are a duplicate
    # candidate to review.
    duplicate_name_threshold: int = Field(92, ge=0, le=100)
    # Seconds an SQLite writer waits for another process's write before it is told to retry.
    sqlite_busy_timeout: float = 30
    # An act may be dated at most this many days after today (time zones, a payment keyed the
    # evening before); a later date is refused as a typo.
    future_days_margin: int = Field(1, ge=0)
    # Panel roles (comma-separated) whose users may approve a payment batch built by someone
    # else: the second signature on money.
    batch_approver_roles: str = "admin"
    # The grievance mechanism's deadlines (empower.grievances): working days to acknowledge a
    # complaint and to answer it (a confidential case has its own), days (calendar, as the law
    # counts them) to answer a data-protection request, working days before the due date when
    # an open case is marked at risk; holidays (comma-separated YYYY-MM-DD) are not working days.
    grievance_acknowledge_days: int = Field(2, ge=0, le=60)
    grievance_resolve_days: int = Field(15, ge=1, le=365)
    grievance_confidential_resolve_days: int = Field(10, ge=1, le=365)
    grievance_data_protection_days: int = Field(10, ge=1, le=365)
    grievance_at_risk_days: int = Field(3, ge=0, le=60)
    grievance_holidays: str = ""

    @field_validator("grievance_holidays")
    @classmethod
    def _holidays(cls, value: str) -> str:
        from empower.errors import InvalidInput
        from empower.grievances import parse_holidays

        try:
            parse_holidays(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc
        return value

    def grievances(self) -> GrievanceConfig:
        """The grievance deadlines these settings describe."""
        from empower.grievances import parse_holidays

        return GrievanceConfig(
            acknowledge_days=self.grievance_acknowledge_days,
            resolve_days=self.grievance_resolve_days,
            confidential_resolve_days=self.grievance_confidential_resolve_days,
            data_protection_days=self.grievance_data_protection_days,
            at_risk_days=self.grievance_at_risk_days,
            holidays=parse_holidays(self.grievance_holidays))

    def reads_url(self) -> str:
        """Where reports and exports read: the replica when one is set, else the primary."""
        return self.reports_database_url or self.database_url

    @field_validator("batch_approver_roles")
    @classmethod
    def _roles(cls, value: str) -> str:
        from empower.vocab import Role

        names = [item.strip() for item in value.split(",") if item.strip()]
        allowed = {r.value for r in Role}
        for name in names:
            if name not in allowed:
                raise ValueError(f"'{name[:30]}' is not a role ({', '.join(sorted(allowed))})")
        if not names:
            raise ValueError("at least one role approves payment batches")
        return ",".join(names)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                try:
                    ipaddress.ip_network(item.strip(), strict=False)
                except ValueError as exc:
                    raise ValueError(f"'{item.strip()[:60]}' is not an address or a network "
                                     "(e.g. 10.0.0.5 or 10.0.0.0/24)") from exc
        return value

    def trusted_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``trusted_proxies`` as networks (a single address is a /32 or /128)."""
        return tuple(ipaddress.ip_network(item.strip(), strict=False)
                     for item in self.trusted_proxies.split(",") if item.strip())

    def rules(self) -> RulesConfig:
        """The rule configuration these settings describe."""
        return RulesConfig(cin_pattern=self.cin_pattern, min_age=self.min_age,
                           name_match_threshold=self.duplicate_name_threshold,
                           future_days_margin=self.future_days_margin,
                           batch_approver_roles=tuple(self.batch_approver_roles.split(",")),
                           grievances=self.grievances())
