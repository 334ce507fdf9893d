"""Panel accounts: creating users, passwords, lockout and deactivation.

The ``users`` table belongs to the panel (the core never reads password hashes), but its writes
still go through a SQLAlchemy unit of work and leave an audit event, like every other write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from empower import audit
from empower.db import Database
from empower.errors import Conflict, InvalidInput, NotFound
from empower.models import Region, User, UserRegion, utcnow
from empower.vocab import Role

from .security import USERNAME_PATTERN, check_password_policy, fold_username, hash_password

__all__ = [
    "change_password",
    "create_user",
    "record_failed_login",
    "record_login",
    "set_focal_point",
    "set_active",
    "set_language",
    "update_user",
]

def create_user(db: Database, username: str, password: str, *, role: str,
                regions: Sequence[str] = (), language: str = "fr", actor: str) -> int:
    """Create a panel account; officers and viewers need at least one region.

    The user name is stored folded (:func:`~empower.admin.security.fold_username`) and must then
    match :data:`~empower.admin.security.USERNAME_PATTERN`. Raises :class:`InvalidInput` (bad
    name, role, region or password) or :class:`Conflict` (the name, in any case, is taken).
    """
    typed = (username or "").strip()[:60]
    username = fold_username((username or "")[:200])
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidInput(f"username: '{typed}' is not a valid user name (3 to 60 of a-z, "
                           "0-9, '.', '_', '-')", code="user.bad_username",
                           params={"value": typed}, field="username", value=typed)
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise InvalidInput(f"role: '{role}' is not one of admin, officer, viewer",
                           code="choice.invalid",
                           params={"value": str(role), "allowed": [r.value for r in Role]},
                           field="role", value=role) from exc
    check_password_policy(password, username=username)
    codes = sorted({c.strip().zfill(2) for c in regions if c and c.strip()})
    if role_value != Role.ADMIN and not codes:
        raise InvalidInput(f"region: a {role_value.value} works in at least one region",
                           code="user.region_required", params={"role": role_value.value},
                           field="region")
    with db.unit_of_work() as uow:
        known = set(uow.session.scalars(select(Region.code)))
        for code in codes:
            if code not in known:
                raise InvalidInput(f"region: '{code}' is not an HCP region code (01 to 12)",
                                   code="region.unknown", params={"value": code},
                                   field="region", value=code)
        # lower(): an account made before names were folded may hold capitals.
        if uow.session.scalar(select(User.id).where(
                func.lower(User.username) == username)) is not None:
            raise Conflict(f"username: '{username}' already exists", code="user.username_taken",
                           params={"value": username}, field="username", value=username)
        user = User(username=username, password_hash=hash_password(password), role=role_value,
                    language=language, password_changed_at=utcnow())
        user.regions = [UserRegion(region_code=c) for c in codes]
        uow.session.add(user)
        uow.session.flush()
        audit.record(uow, actor=actor, action="create", entity="user", entity_id=user.id,
                     changes={"username": username, "role": role_value.value, "regions": codes})
        uow.commit()
        return user.id


def _get(uow: object, user_id: int, *, lock: bool = False) -> User:
    # Locked for counters and generation bumps: two failures at once must both count.
    user = uow.session.get(User, user_id, with_for_update=lock or None)  # type: ignore[attr-defined]
    if user is None:
        raise NotFound(f"user #{user_id} does not exist", code="record.not_found",
                       params={"what": "user", "id": user_id}, field="user_id", value=user_id)
    return user


def _keep_an_admin(uow: Any, user: User, *, field: str) -> None:
    """Refuse to take the last active admin away (she would lock everyone out of the users
    pages, and only the command line could make another). Her row and the other active
    admins' are locked, so two admins demoting each other at once cannot both succeed."""
    if user.role != Role.ADMIN or not user.is_active:
        return
    others = uow.session.scalars(select(User.id).where(
        User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id
    ).with_for_update()).all()
    if not others:
        raise InvalidInput(f"{field}: '{user.username}' is the last active admin; make "
                           "another admin first", code="user.last_admin",
                           params={"username": user.username}, field=field)


def change_password(db: Database, user_id: int, new_password: str, *, actor: str) -> None:
    """Set a new password and end every session of the user (generation bump)."""
    with db.unit_of_work() as uow:
        user = _get(uow, user_id, lock=True)
        check_password_policy(new_password, username=user.username)
        user.password_hash = hash_password(new_password)
        user.password_changed_at = utcnow()
        user.session_generation += 1
        user.failed_logins = 0
        audit.record(uow, actor=actor, action="change_password", entity="user", entity_id=user_id)
        uow.commit()


def set_active(db: Database, user_id: int, active: bool, *, actor: str) -> None:
    """Activate or deactivate an account; deactivation ends her sessions at once.

    Raises :class:`NotFound`, or :class:`InvalidInput` (``user.last_admin``) when she is the
    last active admin.
    """
    with db.unit_of_work() as uow:
        user = _get(uow, user_id, lock=True)
        if user.is_active == active:
            return
        if not active:
            _keep_an_admin(uow, user, field="is_active")
        user.is_active = active
        user.session_generation += 1
        audit.record(uow, actor=actor, action="activate" if active else "deactivate",
                     entity="user", entity_id=user_id)
        uow.commit()


def update_user(db: Database, user_id: int, *, role: str, regions: Sequence[str],
                actor: str) -> None:
    """Change a user's role and regions; her sessions end so the new scope applies at once.

    Raises :class:`InvalidInput` (bad role or region, or ``user.last_admin`` when the last
    active admin would stop being one) or :class:`NotFound`.
    """
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise InvalidInput(f"role: '{role}' is not one of admin, officer, viewer",
                           code="choice.invalid",
                           params={"value": str(role), "allowed": [r.value for r in Role]},
                           field="role", value=role) from exc
    codes = sorted({c.strip().zfill(2) for c in regions if c and c.strip()})
    if role_value != Role.ADMIN and not codes:
        raise InvalidInput(f"region: a {role_value.value} works in at least one region",
                           code="user.region_required", params={"role": role_value.value},
                           field="region")
    with db.unit_of_work() as uow:
        user = _get(uow, user_id, lock=True)
        known = set(uow.session.scalars(select(Region.code)))
        for code in codes:
            if code not in known:
                raise InvalidInput(f"region: '{code}' is not an HCP region code (01 to 12)",
                                   code="region.unknown", params={"value": code},
                                   field="region", value=code)
        before = {"role": user.role.value, "regions": sorted(r.region_code for r in user.regions)}
        if before == {"role": role_value.value, "regions": codes}:
            return
        if role_value != Role.ADMIN:
            _keep_an_admin(uow, user, field="role")
        user.role = role_value
        user.regions = [UserRegion(region_code=c) for c in codes]
        user.session_generation += 1
        uow.session.flush()
        audit.record(uow, actor=actor, action="update", entity="user", entity_id=user_id,
                     changes={"role": [before["role"], role_value.value],
                              "regions": [before["regions"], codes]})
        uow.commit()


def set_focal_point(db: Database, user_id: int, focal_point: bool, *, actor: str) -> None:
    """Give or take the focal-point role (confidential grievances of her regions), on top of
    her account's role; her sessions end so it applies at once. Raises :class:`NotFound`."""
    with db.unit_of_work() as uow:
        user = _get(uow, user_id, lock=True)
        if user.focal_point == focal_point:
            return
        user.focal_point = focal_point
        user.session_generation += 1
        audit.record(uow, actor=actor, action="update", entity="user", entity_id=user_id,
                     changes={"focal_point": [not focal_point, focal_point]})
        uow.commit()


def set_language(db: Database, user_id: int, language: str) -> None:
    """Remember the user's panel language (a preference, not audited)."""
    with db.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.id == user_id).values(language=language))
        uow.commit()


def record_failed_login(db: Database, user_id: int, *,
                        locked_until: datetime | None = None) -> None:
    """Count a wrong password on her account (the users list shows it to admins).

    ``locked_until``: this failure locked the name she logs in with, for the client that
    typed it, until then (audited). The lockout itself lives in the session store
    (:mod:`empower.admin.throttle`); this is the account's record of it.
    """
    with db.unit_of_work() as uow:
        user = _get(uow, user_id, lock=True)
        user.failed_logins += 1
        if locked_until is not None:
            user.locked_until = max(locked_until, user.locked_until or locked_until)
            audit.record(uow, actor="panel", action="lock", entity="user", entity_id=user_id,
                         changes={"locked_until": locked_until})
        uow.commit()


def record_login(db: Database, user_id: int, *, now: datetime | None = None) -> None:
    """A successful login clears the failure count (a lock of another client stays shown)."""
    with db.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.id == user_id).values(
            failed_logins=0, last_login_at=now or utcnow()))
        uow.commit()
