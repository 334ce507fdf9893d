"""A long valid-only import lets another writer in between its chunks (SQLite, issue 9).

SQLite has one writer at a time. An import that held the write lock for its whole file made an
officer's registration fail after the busy timeout; valid-only imports now commit every
``COMMIT_EVERY`` rows, so she waits for one chunk at most.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date

import pytest
from sqlalchemy import func, select

import empower
from empower.io.importing.run import COMMIT_EVERY
from empower.models import Beneficiary
from empower.schemas import BeneficiaryCreate
from tests.factories import beneficiary_data
from tests.io.fixtures_data import BENEFICIARIES
from tests.io.helpers import write_csv

ROWS = 15 * COMMIT_EVERY
NAMES = ["Fatima", "Khadija", "Meryem", "Naima", "Zineb", "Hanane", "Samira", "Loubna"]
FAMILIES = ["Benali", "Alaoui", "Idrissi", "Tazi", "Fassi", "Amrani", "Berrada", "Chraibi"]


def _count(db: empower.Database) -> int:
    with db.unit_of_work(readonly=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(Beneficiary)) or 0


def test_an_officer_writes_between_the_chunks_of_a_long_import(db, db_url, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers do not lock the database")
    template = BENEFICIARIES[1]
    rows = [BENEFICIARIES[0]]
    for i in range(ROWS):
        row = list(template)
        row[:7] = [f"AD{100000 + i}", NAMES[i % 8], FAMILIES[i // 8 % 8], "", "",
                   date(1960 + i % 40, 1 + i // 64 % 12, 1 + i // 768 % 28).isoformat(), ""]
        rows.append(row)
    path = write_csv(tmp_path / "women.csv", rows)
    env = {**os.environ, "EMPOWER_DATABASE_URL": db_url}
    importer = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", "import sys; from empower.cli import main; sys.exit(main())",
         "import", "beneficiaries", str(path), "--mode", "valid-only"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _count(db) == 0:  # the first chunk is committed: the import is under way
            assert importer.poll() is None, importer.communicate()
            assert time.monotonic() < deadline, "the import committed nothing"
            time.sleep(0.05)
        # Her write waits at most a few seconds: a chunk, not the rest of the file.
        officer = empower.connect(db_url, busy_timeout=10)
        with officer.unit_of_work() as uow:
            empower.register_beneficiary(uow, BeneficiaryCreate.model_validate(
                beneficiary_data(cin="QQ1")), actor="user:amina")
            uow.commit()
        officer.dispose()
        written_meanwhile = _count(db)
        out, err = importer.communicate(timeout=300)
    finally:
        if importer.poll() is None:
            importer.kill()
    assert importer.returncode == 0, (out, err)
    # She got in while the import was still writing its file.
    assert written_meanwhile < ROWS + 1
    assert _count(db) == ROWS + 1
