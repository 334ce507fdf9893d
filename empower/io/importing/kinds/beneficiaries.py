"""Beneficiaries (key: CIN): the core's bulk registration in chunks, corrections where they differ.

New women go through :func:`empower.register_beneficiaries` in chunks of rows, in the run's one
transaction, so near-duplicates become candidates to review as for any registration. Women
already registered (same CIN) are compared field by field and updated only where the file
differs; a blank ``registered_on`` or ``consent_version`` leaves the stored value alone.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

import empower
from empower.errors import Conflict, EmpowerError
from empower.io.importing.kinds.base import UNCHANGED, UPDATED, model
from empower.models import Beneficiary
from empower.rules import check_name, check_rib, normalize_phone
from empower.schemas import BeneficiaryCreate, BeneficiaryUpdate

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["BeneficiaryBatch"]

# Rows registered per call of the core's bulk registration: its fixed costs (lookups, the
# duplicate search's queries) are paid per chunk; a valid-only import still commits every
# COMMIT_EVERY rows (run.py), which flushes a smaller chunk.
_CHUNK = 10_000
_LOAD_CHUNK = 2000
# How often a chunk is retried after officers registered some of its CINs meanwhile; each retry
# drops at least one row, so this only bounds a pathological stream of concurrent writers.
_RACE_RETRIES = 5
_FIELDS = tuple(BeneficiaryCreate.model_fields)
# Re-imports compare every name with the stored one; spellings repeat (see the core's bulk path).
_check_name = lru_cache(maxsize=1 << 16)(check_name)
# Blank cells in these columns leave the stored value alone (they cannot be cleared).
_KEEP_WHEN_BLANK = frozenset({"registered_on", "consent_version"})


class BeneficiaryBatch:
    """Buffers rows and registers or corrects them a chunk at a time."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.buffer: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        self.fields = [f for f in _FIELDS if f in run.present]

    def add(self, line: int, values: dict[str, Any], raw: dict[str, Any]) -> None:
        self.buffer.append((line, values, raw))
        if len(self.buffer) >= _CHUNK:
            self.flush()

    def finish(self) -> None:
        self.flush()

    def flush(self) -> None:
        run, batch = self.run, self.buffer
        self.buffer = []
        if not batch:
            return
        # The run normalised each CIN spelling for the row's key already (remembered).
        cins = [run.cin(values["cin"]) for _, values, _ in batch]
        # Ids first (a plain query), records only for the women already registered: a first
        # import loads none.
        known = [cin for start in range(0, len(cins), _LOAD_CHUNK)
                 for cin, in run.uow.session.execute(select(Beneficiary.cin).where(
                     Beneficiary.cin.in_(cins[start:start + _LOAD_CHUNK])))]
        existing: dict[str | None, Beneficiary] = {}
        for start in range(0, len(known), _LOAD_CHUNK):
            existing.update((b.cin, b) for b in run.uow.session.scalars(select(Beneficiary).where(
                Beneficiary.cin.in_(known[start:start + _LOAD_CHUNK]))))
        fresh: list[tuple[int, dict[str, Any], BeneficiaryCreate, str]] = []
        for (line, values, raw), cin in zip(batch, cins, strict=True):
            person = existing.get(cin)
            if person is not None:
                self._update(line, values, raw, person)
                continue
            data = {f: values[f] for f in self.fields if values[f] is not None}
            try:
                fresh.append((line, raw, model(BeneficiaryCreate, data), cin))
            except EmpowerError as exc:
                run.reject_error(line, exc, raw)
        if fresh:
            self._register(fresh)
        # Loaded records are not needed past their chunk; keep the session small.
        for person in existing.values():
            run.uow.session.expunge(person)

    def _register(self, fresh: list[tuple[int, dict[str, Any], BeneficiaryCreate, str]]) -> None:
        """Register the chunk's new women; rows whose CIN an officer registered meanwhile are
        rejected with their line, and the rest is registered.

        The chunk runs in a savepoint: the database's unique CIN stops a registration that
        committed after this chunk looked its CINs up (PostgreSQL; SQLite's write lock queues
        the officer instead), and without the savepoint that one row would abort the whole
        import.
        """
        run = self.run
        for _ in range(_RACE_RETRIES):
            try:
                with run.uow.savepoint():
                    result = empower.register_beneficiaries(
                        run.uow, [m for _, _, m, _ in fresh], actor=run.actor, today=run.today)
            except Conflict as exc:
                if exc.code != "race.cin_taken":
                    raise
                taken = set(run.uow.session.scalars(select(Beneficiary.cin).where(
                    Beneficiary.cin.in_([cin for *_, cin in fresh]))))
                if not taken:
                    raise
                for line, raw, _, cin in fresh:
                    if cin in taken:
                        run.reject_error(line, Conflict(
                            f"cin: {cin} was registered by someone else while this file was "
                            "being imported", code="import.cin_registered_meanwhile",
                            params={"cin": cin}, field="cin", value=cin), raw)
                fresh = [row for row in fresh if row[3] not in taken]
                if not fresh:
                    return
                continue
            for err in result.errors:
                line, raw, _, _ = fresh[err.index]
                run.reject_error(line, err.error, raw)
            run.report.created += len(result.created)
            run.report.duplicate_candidates += result.duplicate_candidates
            return
        raise Conflict("cin: other writers keep registering this file's CINs; import it again",
                       code="import.cin_race_unsettled", field="cin")

    def _update(self, line: int, values: dict[str, Any], raw: dict[str, Any],
                person: Beneficiary) -> None:
        run = self.run
        diffs: dict[str, Any] = {}
        try:
            for name in self.fields:
                if name == "cin":
                    continue
                value = values[name]
                if value is None and name in _KEEP_WHEN_BLANK:
                    continue
                # Compare normalised values: "06 12 34 56 78" is the stored "+212612345678".
                if name == "phone":
                    value = normalize_phone(value, run.uow.rules)
                elif name == "rib":
                    value = check_rib(value)
                elif name in ("first_name", "last_name", "first_name_ar", "last_name_ar"):
                    script = "arabic" if name.endswith("_ar") else "latin"
                    value = _check_name(value, script=script, field=name)
                if getattr(person, name) != value:
                    diffs[name] = value
            if not diffs:
                run.accept(UNCHANGED)
                return
            with run.uow.savepoint():
                empower.update_beneficiary(run.uow, person.id, model(BeneficiaryUpdate, diffs),
                                           actor=run.actor, today=run.today)
        except EmpowerError as exc:
            run.reject_error(line, exc, raw)
            return
        run.accept(UPDATED)
