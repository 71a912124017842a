"""导入花名册: choose a file, see what was recognised and every problem before anything is
written, then import behind a progress dialog that can cancel (cancel writes nothing)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.services.roster_import import ImportPlan, ImportReport, apply_plan, check_roster
from app.services.roster_sheet import column_letter
from app.ui import dialogs
from app.ui.jobs import run_job

_DUPLICATE_CHOICES = (
    ("update", "更新库中已有的职工（按证件号码对应）"),
    ("skip", "跳过库中已有的职工"),
    ("error", "文件中有库里已有的职工就整个拒绝"),
)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()


class ImportWizard(QDialog):
    imported = Signal(object)  # the ImportReport of a written import

    def __init__(self, engine: Engine, parent=None, *, path: str | None = None):
        super().__init__(parent)
        self.engine = engine
        self.plan: ImportPlan | None = None
        self.report: ImportReport | None = None
        self.setWindowTitle(self.tr("导入职工花名册"))
        self.resize(960, 640)
        self.steps = QStackedWidget()
        self.steps.addWidget(self._choose_page())
        self.steps.addWidget(self._check_page())
        self.steps.addWidget(self._done_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        if path:
            self.path.setText(path)

    # -- step 1: the file -----------------------------------------------------------------
    def _choose_page(self) -> QWidget:
        page = QWidget()
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("选择 .xlsx 或 .xls 花名册"))
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self.browse)
        self.duplicates = QButtonGroup(self)
        choices = QVBoxLayout()
        for index, (key, label) in enumerate(_DUPLICATE_CHOICES):
            button = QRadioButton(self.tr(label))
            button.setProperty("mode", key)
            self.duplicates.addButton(button, index)
            choices.addWidget(button)
        self.duplicates.button(0).setChecked(True)
        self.check_button = QPushButton(self.tr("检查文件"))
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.check)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.check_button)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr("<h3>第 1 步：选择花名册文件</h3>")))
        layout.addWidget(
            QLabel(
                self.tr(
                    "文件第一个工作表的表头须含「姓名」和「证件号码」（或身份证号）。标题行、空行、序号列都可以有。"
                    "检查时不会写入任何数据。"
                )
            )
        )
        layout.addLayout(row)
        layout.addWidget(QLabel(self.tr("库中已有同一证件号码的职工时：")))
        layout.addLayout(choices)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def browse(self) -> None:
        path = dialogs.open_file(self, self.tr("选择花名册"), dialogs.EXCEL_FILTER)
        if path:
            self.path.setText(path)

    def mode(self) -> str:
        return self.duplicates.checkedButton().property("mode")

    def check(self) -> None:
        path = self.path.text().strip()
        if not path:
            dialogs.show_error(self, self.tr("未选择文件"), self.tr("请先选择花名册文件。"))
            self.path.setFocus()
            return
        engine, mode = self.engine, self.mode()
        run_job(
            self,
            self.tr("正在检查 %1 …").replace("%1", Path(path).name),
            lambda progress: check_roster(engine, path, on_duplicate=mode, progress=progress),
            on_success=self._checked,
        )

    # -- step 2: what was found -----------------------------------------------------------
    def _check_page(self) -> QWidget:
        page = QWidget()
        self.found = QLabel()
        self.found.setWordWrap(True)
        self.mapping = _table([self.tr("Excel 列"), self.tr("表头"), self.tr("识别为")])
        self.warnings = QListWidget()
        self.problem_title = QLabel()
        self.problem_title.setWordWrap(True)
        self.problems = _table([self.tr("行"), self.tr("列"), self.tr("值"), self.tr("原因")])
        back = QPushButton(self.tr("上一步"))
        back.clicked.connect(lambda: self.steps.setCurrentIndex(0))
        recheck = QPushButton(self.tr("重新检查"))
        recheck.clicked.connect(self.check)
        self.import_button = QPushButton(self.tr("导入"))
        self.import_button.clicked.connect(self.start_import)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(recheck)
        buttons.addWidget(self.import_button)
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("识别的列")))
        left.addWidget(self.mapping)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("提示")))
        right.addWidget(self.warnings)
        top.addLayout(left, 1)
        top.addLayout(right, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr("<h3>第 2 步：检查结果</h3>")))
        layout.addWidget(self.found)
        layout.addLayout(top, 2)
        layout.addWidget(self.problem_title)
        layout.addWidget(self.problems, 3)
        layout.addLayout(buttons)
        return page

    def _checked(self, plan: ImportPlan) -> None:
        self.plan, report = plan, plan.report
        self.found.setText(
            self.tr("工作表「%1」，表头在第 %2 行，数据 %3 行。")
            .replace("%1", report.sheet)
            .replace("%2", str(report.header_row))
            .replace("%3", str(report.data_rows))
        )
        _fill(
            self.mapping,
            [
                [column_letter(index), report.headers.get(name, ""), name]
                for name, index in sorted(report.columns.items(), key=lambda item: item[1])
            ],
        )
        self.warnings.clear()
        self.warnings.addItems(report.warnings or [self.tr("无")])
        _fill(self.problems, [[str(p.row), f"{p.column_letter} {p.column}".strip(), p.value, p.reason] for p in report.problems])
        if report.problems:
            self.problem_title.setText(
                self.tr("<b style='color:#b3261e'>发现 %1 个问题，未写入任何数据。</b>请在 Excel 中改正后点「重新检查」。")
                .replace("%1", str(len(report.problems)))
            )
            self.problems.show()
            self.import_button.setEnabled(False)
        else:
            self.problem_title.setText(self.tr("<b>没有发现问题。</b>") + report.summary())
            self.problems.hide()
            self.import_button.setEnabled(True)
            self.import_button.setFocus()
        self.steps.setCurrentIndex(1)

    def start_import(self) -> None:
        if self.plan is None or not self.plan.report.ok:
            return
        engine, plan = self.engine, self.plan
        self.import_button.setEnabled(False)
        self.job = run_job(
            self,
            self.tr("正在导入…"),
            lambda progress: apply_plan(engine, plan, progress=progress),
            on_success=self._imported,
            on_failure=self._import_failed,
        )

    def _import_failed(self, outcome: str, message: str) -> None:
        self.import_button.setEnabled(True)
        if outcome == "cancelled":
            dialogs.show_info(self, self.tr("已取消"), message)
        else:
            dialogs.show_error(self, self.tr("导入未完成"), message)

    # -- step 3: done ---------------------------------------------------------------------
    def _done_page(self) -> QWidget:
        page = QWidget()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        done = QPushButton(self.tr("完成"))
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(done)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr("<h3>第 3 步：导入完成</h3>")))
        layout.addWidget(self.result)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _imported(self, report: ImportReport) -> None:
        self.report = report
        self.result.setText(report.summary())
        self.steps.setCurrentIndex(2)
        self.imported.emit(report)
