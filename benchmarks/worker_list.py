"""The 职工 list at 100,000 workers against a bare baseline, in one run.

    python benchmarks/worker_list.py [--db FILE] [--workers 100000]

Baseline: a bare QTableView over a plain QAbstractTableModel holding every row, fetched
with raw sqlite3 (sorting and filtering in Python over the loaded rows, searching the
same fields as the program: name contains, 工号 prefix, ID number tail). Program: the
職工 page (ids in SQL, rows paged in lazily). Each side runs in its own process so its
peak memory is its own. Times: first paint (from nothing to the first frame drawn), a
sort by name, and a filter keystroke (one character typed into the search, until the
list is repainted). Targets: first paint and filter ratio <= 1.0; a keystroke < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE_SQL = """
SELECT w.employee_no, w.name, w.gender, w.birth_date, w.id_number, d.name, o.name,
       (SELECT max(level_rank) FROM certificate c WHERE c.worker_id = w.id AND c.revoked = 0
          AND c.kind IN ('职业技能等级证书', '职业资格证书')),
       w.education, w.hire_date, w.status
FROM worker w LEFT JOIN department d ON d.id = w.department_id LEFT JOIN occupation o ON o.id = w.occupation_id
"""


def _paint(app, view) -> None:
    app.processEvents()
    view.viewport().grab()  # forces the visible rows to be fetched and drawn


def run_baseline(db: str) -> dict:
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance() or QApplication([])

    class PlainModel(QAbstractTableModel):
        def __init__(self, rows):
            super().__init__()
            self.rows = rows

        def rowCount(self, parent=QModelIndex()):  # noqa: N802
            return len(self.rows)

        def columnCount(self, parent=QModelIndex()):  # noqa: N802
            return 11

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole:
                value = self.rows[index.row()][index.column()]
                return "" if value is None else str(value)
            return None

        def replace(self, rows):
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()

    start = time.perf_counter()
    conn = sqlite3.connect(db)
    everyone = conn.execute(BASELINE_SQL).fetchall()
    model = PlainModel(everyone)
    view = QTableView()
    view.setModel(model)
    view.resize(1150, 700)
    view.show()
    _paint(app, view)
    first_paint = time.perf_counter() - start

    start = time.perf_counter()
    model.replace(sorted(everyone, key=lambda row: row[1] or ""))
    _paint(app, view)
    sort = time.perf_counter() - start

    # The same search the program offers: name contains, 工号 prefix, ID number tail.
    typed = "王"
    start = time.perf_counter()
    model.replace([
        row for row in everyone
        if typed in (row[1] or "") or (row[0] or "").upper().startswith(typed.upper()) or row[4].endswith(typed)
    ])
    _paint(app, view)
    keystroke = time.perf_counter() - start
    return {"first_paint": first_paint, "sort": sort, "keystroke": keystroke, "rows": len(everyone)}


def run_program(db: str) -> dict:
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("SkillDeskBenchmark")
    app = QApplication.instance() or QApplication([])
    from app.models.db import database_url, make_engine
    from app.ui.workers_page import WorkersPage

    engine = make_engine(database_url(db))
    start = time.perf_counter()
    page = WorkersPage(engine)
    page.status.setCurrentIndex(0)  # everyone, as the baseline shows everyone
    page.resize(1150, 700)
    page.show()
    _paint(app, page.table)
    first_paint = time.perf_counter() - start
    rows = page.model.rowCount()

    start = time.perf_counter()
    page.table.sortByColumn(page.model.column_keys().index("name"), Qt.SortOrder.AscendingOrder)
    _paint(app, page.table)
    sort = time.perf_counter() - start

    start = time.perf_counter()
    page.search.setText("王")  # one keystroke: textChanged runs the filter
    _paint(app, page.table)
    keystroke = time.perf_counter() - start
    return {"first_paint": first_paint, "sort": sort, "keystroke": keystroke, "rows": rows}


def measure(mode: str, db: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", db], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        sys.exit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="a SkillDesk database to use (made with demo when absent)")
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--child", choices=["baseline", "program"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_baseline(args.db) if args.child == "baseline" else run_program(args.db)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    db = args.db
    if db is None:
        db = str(Path(tempfile.mkdtemp(prefix="skilldesk-list-")) / "list.db")
        subprocess.run([sys.executable, "-m", "app", "--db", db, "demo", "--workers", str(args.workers), "--seed", "7"],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = measure("baseline", db)
    prog = measure("program", db)
    print(f"{base['rows']:,} workers in the baseline, {prog['rows']:,} in the program's list")
    for key, label in (("first_paint", "first paint"), ("sort", "sort by name"), ("keystroke", "filter keystroke")):
        print(f"{label:17} baseline {base[key] * 1000:8.1f} ms   program {prog[key] * 1000:8.1f} ms   ratio {prog[key] / base[key]:.2f}")
    print(f"peak memory       baseline {base['peak_mb']:8.0f} MB   program {prog['peak_mb']:8.0f} MB")
    print("targets: first paint and filter ratio <= 1.0; filter keystroke < 100 ms")


if __name__ == "__main__":
    main()
