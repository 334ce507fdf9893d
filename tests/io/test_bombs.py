"""Spreadsheet bombs are refused in bounded time and memory (issue 10, "Files and values").

The hostile files are generated here, never committed. Each import runs in a child process,
as a user runs it, which reports its own peak memory; the child is killed after 60 s, which
counts as a failure (a bound, not a timing assertion).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from empower.io.reading import MAX_EMPTY_ROWS, FileRejected, open_table
from tests.io.helpers import write_xlsx

# The interpreter, SQLAlchemy, pandas and openpyxl alone take about 150 MB.
PEAK_LIMIT_KB = 400 * 1024

# The child's own peak (VmHWM, kB): getrusage's ru_maxrss survives exec, so a child forked
# from a pytest process that has grown big would report the parent's size, not its own.
_CHILD = ("import atexit, sys\n"
          "def _peak():\n"
          "    for line in open('/proc/self/status'):\n"
          "        if line.startswith('VmHWM:'):\n"
          "            sys.stderr.write('\\nMAXRSS=%d\\n' % int(line.split()[1]))\n"
          "atexit.register(_peak)\n"
          "from empower.cli import main\n"
          "sys.exit(main())\n")


def _import(tmp_path: Path, file: Path) -> tuple[int, str, int]:
    env = os.environ.copy()
    env["EMPOWER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'bomb.db'}"
    subprocess.run([sys.executable, "-c", _CHILD, "db", "upgrade"], env=env, check=True,
                   capture_output=True, timeout=120)
    done = subprocess.run([sys.executable, "-c", _CHILD, "import", "beneficiaries", str(file)],
                          env=env, capture_output=True, text=True, timeout=60)
    err, _, peak = done.stderr.rpartition("MAXRSS=")
    return done.returncode, err.strip(), int(peak)


def _rewrite(src: Path, dst: Path, replace: dict[str, bytes | None],
             extra: tuple[str, int, bytes] | None = None) -> Path:
    """``src`` with some members replaced; ``extra`` streams ``count`` copies of a chunk."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                body = replace[info.filename]
                if body is not None:
                    zout.writestr(info.filename, body)
            else:
                zout.writestr(info.filename, zin.read(info.filename))
        if extra is not None:
            name, count, chunk = extra
            with zout.open(name, "w", force_zip64=True) as fh:
                fh.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>cin</t>'
                         b'</si><si><t>AB1</t></si><si><t>')
                for _ in range(count):
                    fh.write(chunk)
                fh.write(b"</t></si></sst>")
    return dst


def test_shared_string_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    plain = write_xlsx(tmp_path / "plain.xlsx", [["cin"], ["AB1"], ["x"]])
    # 200 MB of one shared string in well under 1 MB of archive.
    bomb = _rewrite(plain, tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": None},
                    ("xl/sharedStrings.xml", 200, b"A" * (1024 * 1024)))
    assert bomb.stat().st_size < 1024 * 1024
    code, err, peak = _import(tmp_path, bomb)
    assert code == 2, err
    assert "Traceback" not in err and "MemoryError" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: bomb.xlsx:"), err
    assert "xl/sharedStrings.xml" in lines[0]
    assert peak < PEAK_LIMIT_KB, f"peak {peak} kB"


def test_declared_dimension_bomb_reads_only_the_cells_there(tmp_path: Path) -> None:
    plain = write_xlsx(tmp_path / "plain.xlsx", [["cin", "last_name_fr", "first_name_fr"]])
    with zipfile.ZipFile(plain) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b"<dimension" in sheet
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert b"XFD1048576" in sheet
    bomb = _rewrite(plain, tmp_path / "dim.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    assert bomb.stat().st_size < 16 * 1024
    with open_table(bomb) as table:
        assert table.headers == ["cin", "last_name_fr", "first_name_fr"]
        assert list(table.rows) == []
    code, err, peak = _import(tmp_path, bomb)
    assert "Traceback" not in err, err
    # The header lacks required columns: one clean refusal, after reading only what is there.
    assert code == 2 and err.startswith("error: dim.xlsx: required column"), err
    assert peak < PEAK_LIMIT_KB, f"peak {peak} kB"


def test_a_long_run_of_empty_rows_ends_the_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["cin"])
    ws.append(["AB1"])
    ws.cell(row=MAX_EMPTY_ROWS + 10, column=1, value="AB2")
    path = tmp_path / "gap.xlsx"
    wb.save(path)
    with open_table(path) as table:
        rows = list(table.rows)
    assert [cells for _, cells in rows if any(cells)] == [["AB1"]]
    assert len(rows) < MAX_EMPTY_ROWS + 1


def test_a_high_ratio_member_is_refused_before_parsing(tmp_path: Path) -> None:
    plain = write_xlsx(tmp_path / "plain.xlsx", [["cin"], ["AB1"]])
    # 20 MB inflating from a few kB: under the size limit, over the ratio.
    bomb = _rewrite(plain, tmp_path / "ratio.xlsx", {"xl/sharedStrings.xml": None},
                    ("xl/sharedStrings.xml", 20, b" " * (1024 * 1024)))
    with pytest.raises(FileRejected) as caught, open_table(bomb):
        pass
    assert caught.value.code == "file.xlsx_ratio"


def test_a_huge_csv_line_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    with path.open("w") as fh:
        fh.write("cin,last_name_fr\n")
        fh.write("A" * (50 * 1024 * 1024) + ",x\n")
    code, err, peak = _import(tmp_path, path)
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("error: line.csv:"), err
    assert peak < PEAK_LIMIT_KB, f"peak {peak} kB"
