"""培训达标情况: for a chosen year, the 高技能人才 who did not complete their yearly training
and the other 技能人才 not trained within the rotation period, each list with its count and
threshold; exported to Excel for the bureau or the workshop heads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.services.compliance import ComplianceReport, ComplianceRow, compliance_report
from app.ui import dialogs
from app.ui.home_page import cjk_font
from app.ui.jobs import run_job
from app.ui.lazy_page import ReadsWhenShown

RECENT_YEARS = 5  # this year and the 4 before
WORKER_ID_ROLE = Qt.ItemDataRole.UserRole


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


# (header, text of a row, width): one formatter per column, built once.
_COLUMNS: tuple[tuple[str, Callable[[ComplianceRow], str], int], ...] = (
    ("工号", lambda r: r.employee_no or "", 80),
    ("姓名", lambda r: r.name, 80),
    ("部门", lambda r: r.department or "", 120),
    ("等级", lambda r: r.level, 80),
    ("最近一次培训", lambda r: _day(r.last_completed), 100),
    ("本年完成", lambda r: str(r.completed_in_year), 70),
    ("说明", lambda r: r.reason, 0),  # stretches
)
_CENTRED = {4, 5}


class ComplianceModel(QAbstractTableModel):
    """One list of the report. A model, not a QTableWidget: at 100,000 workers a list holds
    thousands of rows, and filling widgets item by item costs a Qt call per cell."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.rows: list[ComplianceRow] = []

    def set_rows(self, rows: list[ComplianceRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_COLUMNS[section][0])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[index.column()][1](row)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in _CENTRED:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.name}：{row.reason}"
        if role == WORKER_ID_ROLE:
            return row.worker_id
        return None


class _ListBox(QWidget):
    """A heading with the count and threshold over one list."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setFont(cjk_font(11, bold=True))
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("color: palette(placeholder-text);")
        self.model = ComplianceModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        # Fixed widths: ResizeToContents would measure every one of thousands of rows.
        header = self.view.horizontalHeader()
        for column, (_, _, width) in enumerate(_COLUMNS):
            if width:
                self.view.setColumnWidth(column, width)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.rule)
        layout.addWidget(self.view, 1)


class CompliancePage(ReadsWhenShown, QWidget):
    every_show = False  # its tables are read only after refresh() says something changed
    open_worker = Signal(int)

    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.report: ComplianceReport | None = None

        title = QLabel(self.tr("培训达标情况"))
        title.setFont(cjk_font(16, bold=True))
        self.year_combo = QComboBox()
        self.year_combo.setMinimumWidth(96)
        this_year = date.today().year
        for year in range(this_year, this_year - RECENT_YEARS, -1):
            self.year_combo.addItem(self.tr("%1 年").replace("%1", str(year)), year)
        self.year_combo.currentIndexChanged.connect(lambda _index: self.refresh())
        self.as_of_label = QLabel()
        self.as_of_label.setStyleSheet("color: palette(placeholder-text);")
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(QLabel(self.tr("年度：")))
        top.addWidget(self.year_combo)
        top.addSpacing(12)
        top.addWidget(self.as_of_label)
        top.addStretch(1)
        top.addWidget(self.export_button)

        self.high = _ListBox()
        self.rotation = _ListBox()
        for box in (self.high, self.rotation):
            box.view.activated.connect(self._activated)  # double click, or Enter
        lists = QSplitter(Qt.Orientation.Vertical)
        lists.addWidget(self.high)
        lists.addWidget(self.rotation)
        lists.setChildrenCollapsible(False)

        hint = QLabel(self.tr("双击一行打开该职工的档案。"))
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(lists, 1)
        layout.addWidget(hint)

    def year(self) -> int:
        return self.year_combo.currentData()

    # -- reading -------------------------------------------------------------------------

    def _load(self) -> None:
        self._stale = False
        self.report = compliance_report(self.engine, self.year())
        self._show(self.report)

    def _show(self, report: ComplianceReport) -> None:
        self.as_of_label.setText(self.tr("统计截至 %1").replace("%1", _day(report.as_of)))
        untrained, not_rotated = report.high_skilled_untrained, report.skilled_not_rotated
        self.high.heading.setText(
            self.tr("高技能人才未完成年度培训：%1 人").replace("%1", str(len(untrained)))
        )
        self.high.rule.setText(
            self.tr("在职高技能人才（高级工及以上）共 %1 人；要求每人每年至少完成 %2 次培训。")
            .replace("%1", str(report.high_skilled_total)).replace("%2", str(report.min_per_year))
        )
        self.rotation.heading.setText(
            self.tr("技能人才未按期轮训：%1 人").replace("%1", str(len(not_rotated)))
        )
        self.rotation.rule.setText(
            self.tr("在职初级工、中级工共 %1 人；轮训周期 %2 年：%3–%4 年内应至少完成 1 次培训。")
            .replace("%1", str(report.skilled_total)).replace("%2", str(report.rotation_years))
            .replace("%3", str(report.rotation_start)).replace("%4", str(report.year))
        )
        self.high.model.set_rows(untrained)
        self.rotation.model.set_rows(not_rotated)

    # -- actions ---------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        worker_id = index.data(WORKER_ID_ROLE)
        if worker_id is not None:
            self.open_worker.emit(int(worker_id))

    def export(self):
        # openpyxl takes a while to import: the window starts without it.
        from app.reports.training_xlsx import write_compliance_report

        if self.report is None:
            self._load()
        report = self.report
        path = dialogs.save_file(
            self, self.tr("导出培训达标情况"), self.tr("培训达标情况_%1.xlsx").replace("%1", str(report.year)),
            dialogs.EXCEL_FILTER,
        )
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"  # the writer makes .xlsx whatever the name; the name must say so
        return run_job(
            self, self.tr("正在导出培训达标情况…"), lambda progress: write_compliance_report(report, path),
            on_success=lambda _result: dialogs.show_info(
                self, self.tr("已导出"), self.tr("已导出到 %1").replace("%1", path)
            ),
        )
