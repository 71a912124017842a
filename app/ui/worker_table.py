"""The 职工 list's table model: it holds the ids of the matching workers, in order, and
fetches the rows a page at a time as they scroll into view. Sorting and filtering run in
SQL (app/services/worker_list.py), never in a proxy model: at 100,000 rows a proxy sort
took 20 s where SQL takes a tenth of one (PITFALLS.md)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from sqlalchemy import Engine

from app.services.worker_list import (
    COLUMNS,
    ListColumn,
    WorkerFilter,
    format_value,
    worker_ids,
    worker_rows,
)

PAGE_SIZE = 200
PAGES_KEPT = 50  # 10,000 rows in memory at most, whatever the register's size
ID_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT_ALIGNED = {"age", "monthly_wage"}


class WorkerTableModel(QAbstractTableModel):
    count_changed = Signal(int)

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.columns: list[ListColumn] = [c for c in COLUMNS if c.shown_by_default]
        self.filter = WorkerFilter()
        self.sort_key = "employee_no"
        self.descending = False
        self.ids: list[int] = []
        self.loaded = False
        self._pages: OrderedDict[int, dict[int, dict]] = OrderedDict()
        self.today = date.today()

    # -- what the list shows -------------------------------------------------------------
    def reload(self) -> None:
        """Run the query again (new filter, new sort, or data changed elsewhere)."""
        self.today = date.today()
        with self.engine.connect() as conn:
            ids = worker_ids(conn, self.filter, sort_key=self.sort_key, descending=self.descending, today=self.today)
        self.beginResetModel()
        self.ids = ids
        self.loaded = True
        self._pages.clear()
        self.endResetModel()
        self.count_changed.emit(len(ids))

    def set_filter(self, flt: WorkerFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.reload()

    def set_columns(self, keys: list[str]) -> None:
        by_key = {c.key: c for c in COLUMNS}
        columns = [by_key[k] for k in keys if k in by_key] or [c for c in COLUMNS if c.shown_by_default]
        self.beginResetModel()
        self.columns = columns
        self.endResetModel()

    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def worker_id(self, row: int) -> int | None:
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def row_of(self, worker_id: int) -> int | None:
        try:
            return self.ids.index(worker_id)
        except ValueError:
            return None

    def refresh_workers(self, changed: list[int]) -> None:
        """After an edit: forget the cached pages holding these workers and repaint their rows."""
        for worker_id in changed:
            row = self.row_of(worker_id)
            if row is None:
                continue
            self._pages.pop(row // PAGE_SIZE, None)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def _row(self, row: int) -> dict | None:
        page = row // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            ids = self.ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
            with self.engine.connect() as conn:
                rows = worker_rows(conn, ids, today=self.today)
            self._pages[page] = rows
            if len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return rows.get(self.ids[row])

    # -- Qt's side -----------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].label
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == ID_ROLE:
            return self.ids[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            row = self._row(index.row())
            if row is None:  # deleted since the ids were read
                return ""
            return format_value(row[self.columns[index.column()].key])
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[index.column()].key in _RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        key, descending = self.columns[column].key, order == Qt.SortOrder.DescendingOrder
        if self.loaded and (key, descending) == (self.sort_key, self.descending):
            return  # Qt asks again when sorting is switched on or the indicator is set
        self.sort_key, self.descending = key, descending
        self.reload()
