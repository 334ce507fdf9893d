"""`empower import --lang fr|ar|en`: the terminal lines and the errors file in that language,
chosen from the message codes; the errors file adds the code of each refusal."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import empower
from empower.io.importing import import_file
from empower.messages import CATALOG
from tests.io import fixtures_data as data
from tests.io.helpers import cli, write_csv

_ARABIC = re.compile(r"[\u0600-\u06FF]")


def _bad_beneficiaries(folder: Path) -> Path:
    rows = [list(r) for r in data.BENEFICIARIES] + [
        ["AB100001", "Dup", "", "", "", "1990-01-01", "", "04.441", "", "", "", "", "", "", "",
         "2024-01-10", "2024-01-10"],
        ["AB100005", "Sara", "", "", "", "31/02/1990", "", "Atlantis", "", "", "", "", "", "",
         "", "2024-01-10", "2024-01-10"]]
    return write_csv(folder / "b.csv", rows, delimiter=";")


def _errors(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_french_terminal_and_errors_file(db: empower.Database, tmp_path: Path) -> None:
    errors = tmp_path / "erreurs.csv"
    result = cli(db, "import", "beneficiaries", str(_bad_beneficiaries(tmp_path)), "--lang", "fr",
                 "--errors", str(errors))
    assert result.exit_code == 1, result.output
    assert "Lignes rejetées" in result.output
    assert "5 lignes lues : 3 créées, 0 mises à jour, 0 inchangées, 2 rejetées" in result.output
    assert "Rien n'a été écrit (mode atomic : 2 lignes rejetées" in result.output
    rows = _errors(errors)
    assert rows[0] == ["ligne", "colonne", "valeur", "motif", "code"]
    assert rows[1:] == [
        ["5", "cin", "AB100001", "cin répété : déjà présent ligne 2 de ce fichier.",
         "import.key_repeated"],
        ["6", "birth_date", "31/02/1990", "« 31/02/1990 » n'est pas une date qui existe.",
         "import.date_unreal"],
        ["6", "province_code", "Atlantis",
         "« Atlantis » n'est pas une province (un code HCP comme 04.441, ou son nom en français "
         "ou en arabe).", "import.province_unknown"]]


def test_arabic_terminal_and_errors_file(db: empower.Database, tmp_path: Path) -> None:
    errors = tmp_path / "errors.csv"
    result = cli(db, "import", "beneficiaries", str(_bad_beneficiaries(tmp_path)), "--lang", "ar",
                 "--errors", str(errors))
    assert result.exit_code == 1, result.output
    assert "الأسطر المرفوضة" in result.output and "rows read" not in result.output
    rows = _errors(errors)
    assert rows[0] == ["السطر", "العمود", "القيمة", "السبب", "code"]
    assert all(_ARABIC.search(row[3]) for row in rows[1:])
    assert [row[4] for row in rows[1:]] == ["import.key_repeated", "import.date_unreal",
                                            "import.province_unknown"]


def test_english_is_the_default_and_keeps_its_sentences(db: empower.Database,
                                                        tmp_path: Path) -> None:
    errors = tmp_path / "errors.csv"
    result = cli(db, "import", "beneficiaries", str(_bad_beneficiaries(tmp_path)),
                 "--errors", str(errors))
    assert "5 rows read: 3 created, 0 updated, 0 unchanged, 2 rejected" in result.output
    assert "Nothing was written (atomic mode: 2 rows rejected" in result.output
    rows = _errors(errors)
    assert rows[0] == ["line", "column", "value", "reason", "code"]
    assert rows[1][3] == "cin repeated: already on line 2 of this file"
    assert rows[3][3] == ("'Atlantis' is not a province (an HCP code such as 04.441, or its "
                          "French or Arabic name)")


@pytest.mark.parametrize("lang, line", [
    ("fr", "erreur : empty.csv : le fichier est vide."),
    ("ar", "خطأ: empty.csv: الملف فارغ."),
    ("en", "error: empty.csv: the file is empty"),
])
def test_an_unreadable_file_is_said_in_the_language(db: empower.Database, tmp_path: Path,
                                                    lang: str, line: str) -> None:
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf\n\n")
    result = cli(db, "import", "programs", str(tmp_path / "empty.csv"), "--lang", lang)
    assert result.exit_code == 2
    assert result.output.strip() == line


def test_usage_errors_are_said_in_the_language(db: empower.Database, tmp_path: Path) -> None:
    result = cli(db, "import", "people", "x.csv", "--lang", "fr")
    assert result.exit_code == 2
    assert result.output.strip().startswith("erreur : « people » ne fait pas partie de")
    result = cli(db, "import", "programs", "--lang", "fr")
    assert "indiquez le FICHIER" in result.output and result.exit_code == 2
    result = cli(db, "import", "programs", "x.csv", "--lang", "de")
    assert result.exit_code == 2 and "--lang 'de' is not one of fr, ar, en" in result.output


def test_a_service_refusal_keeps_its_code(db: empower.Database, tmp_path: Path) -> None:
    for kind in ("programs", "beneficiaries", "cooperatives", "memberships", "enrollments",
                 "grants"):
        import_file(db, kind, write_csv(tmp_path / f"{kind}.csv", data.ALL[kind]))
    grants = [list(r) for r in data.GRANTS]
    grants[2][5] = "45000"  # requested amount of an existing grant: decided money
    report = import_file(db, "grants", write_csv(tmp_path / "g.csv", grants), lang="fr")
    assert [(r.column, r.code) for r in report.rejections] == [
        ("amount_requested", "grant.amount_requested_not_corrected")]
    assert "ni un import ni une correction" in report.rejections[0].reason


def test_every_code_the_importer_raises_has_a_catalog_entry() -> None:
    root = Path(empower.__file__).parent
    sources = list((root / "io").rglob("*.py")) + [root / "services" / "corrections.py"]
    codes = {m for path in sources
             for m in re.findall(r"""code=["']([a-z_]+\.[a-z_.]+)["']""", path.read_text())}
    codes |= {f"import.cli.{name}" for name in ("line", "column", "value", "reason")}
    assert len(codes) > 40
    assert sorted(codes - set(CATALOG)) == []
