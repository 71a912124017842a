"""The 津贴 page: the monthly roll 津贴发放表 — generate a draft, confirm (freeze) it, export
it for payroll — its totals by type and department, its lines, and 特殊津贴 granted by hand.

A roll may hold 50,000 lines: the lines view is a model that reads them a page at a time
(app.services.allowances.roll_lines with offset/limit) as the view scrolls to them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.errors import FieldErrors, FieldProblem, Refused
from app.services.allowances import (
    ALLOWANCE_TYPES,
    LineRow,
    RollSummary,
    add_special_allowance,
    confirm_roll,
    generate_roll,
    load_roll,
    month_title,
    roll_lines,
)
from app.services.vocab import STATUS_ACTIVE
from app.services.worker_list import worker_rows
from app.services.workers import StaleRecord
from app.ui import dialogs
from app.ui.jobs import run_job
from app.ui.lazy_page import ReadsWhenShown
from app.ui.roles import writes
from app.ui.training_dialogs import WorkerFinder, who
from app.ui.worker_form import RecordDialog, read_value

LINE_HEADERS = ("工号", "姓名", "部门", "类别", "金额", "依据")
COL_AMOUNT = 4
PDF_FILTER = "PDF 文件 (*.pdf)"
PAGE_SIZE = 500
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def last_month(today: date | None = None) -> str:
    first = (today or date.today()).replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


def money(value) -> str:
    return f"{value:,.2f}"


class LinesModel(QAbstractTableModel):
    """The lines of one roll, read PAGE_SIZE at a time when the view first shows them."""

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.month: str | None = None
        self.count = 0
        self._pages: dict[int, list[LineRow]] = {}

    def load(self, month: str | None, count: int) -> None:
        self.beginResetModel()
        self.month, self.count, self._pages = month, count, {}
        self.endResetModel()

    def line(self, row: int) -> LineRow | None:
        if self.month is None or not 0 <= row < self.count:
            return None
        page = row // PAGE_SIZE
        if page not in self._pages:
            self._pages[page] = roll_lines(self.engine, self.month, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        lines = self._pages[page]
        offset = row - page * PAGE_SIZE
        return lines[offset] if offset < len(lines) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else self.count

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(LINE_HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return LINE_HEADERS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if index.column() == COL_AMOUNT else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        line = self.line(index.row())
        if line is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return line.rule if index.column() == 5 else None
        return (line.employee_no or "", line.name, line.department or "", line.allowance_type, money(line.amount),
                line.rule)[index.column()]


def _small_table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], *, bold_last: bool = False) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c > 0:
                item.setTextAlignment(_RIGHT)
            if bold_last and r == len(rows) - 1:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(r, c, item)


class SpecialAllowanceDialog(RecordDialog):
    """特殊津贴: a worker found by search, the months it covers, the amount and the reason."""

    def __init__(self, engine: Engine, month: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.worker_id: int | None = None
        self.setWindowTitle(self.tr("特殊津贴"))
        self.finder = WorkerFinder(engine, status=STATUS_ACTIVE, checkable=False)
        self.finder.table.setMinimumHeight(180)
        self.finder.picked.connect(self._picked)
        self.chosen = QLabel(self.tr("（在上面的列表中选择职工）"))
        self.add_rows([
            ("worker_id", self.tr("职工"), self.finder),
            ("month_from", self.tr("起始月份"), QLineEdit()),
            ("month_to", self.tr("截止月份"), QLineEdit()),
            ("amount", self.tr("每月金额"), QLineEdit()),
            ("reason", self.tr("发放原因"), QLineEdit()),
        ])
        self.form.insertRow(1, self.tr("已选职工："), self.chosen)
        self.fields["month_from"].setText(month)
        self.fields["month_from"].setPlaceholderText(self.tr("YYYY-MM，如 2026-10"))
        self.fields["month_to"].setPlaceholderText(self.tr("YYYY-MM；不填表示长期发放，直至撤回"))
        self.fields["amount"].setPlaceholderText(self.tr("元，如 300.00"))
        self.fields["reason"].setPlaceholderText(self.tr("如：重点项目攻关"))
        self.finder.search.setFocus()
        self.resize(720, 600)

    def _picked(self, worker_id: int) -> None:
        self.worker_id = worker_id
        with self.engine.connect() as conn:
            row = worker_rows(conn, [worker_id])[worker_id]
        self.chosen.setText(f"<b>{who(row['name'], row['employee_no'])}</b>　{row['department']}")

    def select_worker(self, worker_id: int) -> None:
        from app.ui.apprentices_page import select_worker

        select_worker(self.finder, worker_id)

    def values(self) -> dict:
        typed = {key: read_value(w) for key, w in self.fields.items() if key != "worker_id"}
        return typed | {"worker_id": self.worker_id}

    def submit(self, values: dict) -> tuple[int, list[str]]:
        if values["worker_id"] is None:
            raise FieldErrors([FieldProblem("worker_id", self.tr("职工：请在列表中选择职工"))])
        grant = add_special_allowance(
            self.engine, values["worker_id"], month_from=values["month_from"], month_to=values["month_to"] or None,
            amount=values["amount"], reason=values["reason"],
        )
        return grant, []


class AllowancesPage(ReadsWhenShown, QWidget):
    open_worker = Signal(int)

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.summary: RollSummary | None = None
        self.dialog: QWidget | None = None
        self.job = None

        self.month_edit = QDateEdit()
        self.month_edit.setDisplayFormat("yyyy-MM")
        self.month_edit.setMinimumDate(QDate(2000, 1, 1))
        self.month_edit.setMaximumDate(QDate(2100, 12, 1))
        self.month_edit.setToolTip(self.tr("发放表的月份（默认上月）；用上下箭头或直接输入"))
        self.set_month(last_month())
        self.month_edit.dateChanged.connect(lambda _d: self._load())
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.generate_button = QPushButton(self.tr("生成"))
        self.generate_button.clicked.connect(self.generate)
        self.confirm_button = QPushButton(self.tr("确认发放表…"))
        self.confirm_button.setToolTip(self.tr("确认后发放表冻结，不能再重新生成"))
        self.confirm_button.clicked.connect(self.confirm)
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.export_button.clicked.connect(self.export)
        self.export_pdf_button = QPushButton(self.tr("导出 PDF…"))
        self.export_pdf_button.setToolTip(self.tr("A4 横向的津贴发放表，供打印、签字"))
        self.export_pdf_button.clicked.connect(self.export_pdf)
        self.special_button = QPushButton(self.tr("特殊津贴…"))
        self.special_button.setToolTip(self.tr("为个别职工登记按月发放的特殊津贴"))
        self.special_button.clicked.connect(self.special_allowance)
        writes(self.generate_button, self.confirm_button, self.special_button)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("月份：")))
        top.addWidget(self.month_edit)
        top.addSpacing(8)
        top.addWidget(self.status_label)
        top.addStretch(1)
        for button in (
            self.generate_button, self.confirm_button, self.export_button, self.export_pdf_button, self.special_button
        ):
            top.addWidget(button)

        self.totals_label = QLabel()
        self.by_type = _small_table([self.tr("类别"), self.tr("条数"), self.tr("金额（元）")])
        self.by_department = _small_table([self.tr("部门"), self.tr("金额（元）")])
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("<b>按类别</b>")))
        left_layout.addWidget(self.by_type, 2)
        left_layout.addWidget(QLabel(self.tr("<b>按部门</b>")))
        left_layout.addWidget(self.by_department, 3)

        self.lines = LinesModel(engine, self)
        view = self.lines_view = QTableView()
        view.setModel(self.lines)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(24)
        view.horizontalHeader().setStretchLastSection(True)
        # Fixed widths: fitting to contents would read every page of the roll.
        for column, width in enumerate((80, 70, 110, 80, 80)):
            view.setColumnWidth(column, width)
        view.activated.connect(self._line_activated)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        lines_title = QHBoxLayout()
        lines_title.addWidget(QLabel(self.tr("<b>明细</b>")))
        hint = QLabel(self.tr("双击打开职工档案；鼠标停在「依据」上可看全文"))
        hint.setStyleSheet("color: #555;")
        lines_title.addStretch(1)
        lines_title.addWidget(hint)
        right_layout.addLayout(lines_title)
        right_layout.addWidget(view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 800])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>津贴</h2>")))
        layout.addLayout(top)
        layout.addWidget(self.totals_label)
        layout.addWidget(splitter, 1)
        self._show_summary()

    # -- the month --------------------------------------------------------------------------
    def month(self) -> str:
        return self.month_edit.date().toString("yyyy-MM")

    def set_month(self, month: str) -> None:
        year, number = (int(part) for part in month.split("-"))
        self.month_edit.setDate(QDate(year, number, 1))

    # -- loading --------------------------------------------------------------------------
    def _load(self) -> None:
        self.summary = load_roll(self.engine, self.month(), with_lines=False)
        self._show_summary()

    def _show_summary(self) -> None:
        roll = self.summary
        title = month_title(self.month())
        if roll is None:
            self.status_label.setText(self.tr("%1：<b>未生成</b>").replace("%1", title))
            self.status_label.setStyleSheet("color: #555;")
            self.totals_label.setText(self.tr("本月还没有津贴发放表，请点「生成」。"))
        elif roll.confirmed:
            when = f"{roll.confirmed_at:%Y-%m-%d %H:%M}" if roll.confirmed_at else ""
            self.status_label.setText(
                self.tr("%1：<b>已确认</b>（%2 确认，已冻结）").replace("%1", title).replace("%2", when)
            )
            self.status_label.setStyleSheet("color: #1e7e34;")
        else:
            when = f"{roll.generated_at:%Y-%m-%d %H:%M}" if roll.generated_at else ""
            self.status_label.setText(
                self.tr("%1：<b>草稿</b>（%2 生成，未确认）").replace("%1", title).replace("%2", when)
            )
            self.status_label.setStyleSheet("color: #9a6700;")
        confirmed = roll is not None and roll.confirmed
        self.generate_button.setText(self.tr("生成") if roll is None else self.tr("重新生成草稿"))
        self.generate_button.setEnabled(not confirmed)
        self.generate_button.setToolTip(
            self.tr("已确认的发放表不能重新生成") if confirmed else self.tr("按当前台账和政策参数计算本月发放表（草稿）")
        )
        self.confirm_button.setEnabled(roll is not None and not confirmed)
        self.export_button.setEnabled(roll is not None)
        self.export_pdf_button.setEnabled(roll is not None)
        if roll is not None:
            self.totals_label.setText(
                self.tr("共 %1 人，%2 条，合计 <b>%3 元</b>")
                .replace("%1", str(roll.workers)).replace("%2", str(roll.line_count)).replace("%3", money(roll.total))
            )
            _fill(
                self.by_type,
                [[kind, str(roll.count_by_type.get(kind, 0)), money(roll.by_type[kind])] for kind in ALLOWANCE_TYPES]
                + [[self.tr("合计"), str(roll.line_count), money(roll.total)]],
                bold_last=True,
            )
            _fill(
                self.by_department,
                [[name, money(amount)] for name, amount in roll.by_department.items()]
                + [[self.tr("合计"), money(roll.total)]],
                bold_last=True,
            )
        else:
            _fill(self.by_type, [])
            _fill(self.by_department, [])
        self.lines.load(self.month() if roll is not None else None, roll.line_count if roll is not None else 0)

    def _line_activated(self, index: QModelIndex) -> None:
        line = self.lines.line(index.row())
        if line is not None and line.worker_id is not None:
            self.open_worker.emit(line.worker_id)

    # -- actions --------------------------------------------------------------------------
    def generate(self) -> None:
        if self.summary is not None and self.summary.confirmed:
            return
        engine, month = self.engine, self.month()
        self.job = run_job(
            self,
            self.tr("正在生成 %1津贴发放表…").replace("%1", month_title(month)),
            lambda progress: generate_roll(engine, month, progress=progress),
            on_success=lambda _summary: self._load(),
        )

    def confirm(self) -> bool:
        roll = self.summary
        if roll is None or roll.confirmed:
            return False
        question = (
            self.tr("确认 %1津贴发放表吗？\n\n人数：%2 人\n合计：%3 元\n\n确认后发放表冻结，不能再重新生成或修改。")
            .replace("%1", month_title(roll.month)).replace("%2", str(roll.workers)).replace("%3", money(roll.total))
        )
        if not dialogs.ask_yes_no(self, self.tr("确认发放表"), question):
            return False
        try:
            confirm_roll(self.engine, roll.month, expected_version=roll.version)
        except StaleRecord as exc:  # generated again meanwhile: the clerk confirms only what they saw
            self._load()
            dialogs.show_error(self, self.tr("发放表已被修改"),
                               str(exc) + "\n\n" + self.tr("本页已重新载入最新的发放表，请核对后再确认。"))
            return False
        except Refused as exc:
            dialogs.show_error(self, self.tr("未确认"), str(exc))
            self._load()
            return False
        self._load()
        return True

    def export(self) -> Path | None:
        roll = self.summary
        if roll is None:
            return None
        path = dialogs.save_path(
            self, self.tr("导出津贴发放表"), self.tr("%1.xlsx").replace("%1", roll.title), dialogs.EXCEL_FILTER, ".xlsx")
        if path is None:
            return None
        engine, month = self.engine, roll.month

        def work(_progress):
            from app.reports.allowance_xlsx import write_roll

            return write_roll(load_roll(engine, month, with_lines=True), path)

        self.job = run_job(
            self, self.tr("正在导出…"), work, cancellable=False,
            on_success=lambda out: dialogs.show_info(
                self, self.tr("导出完成"), self.tr("已导出 %1：\n%2").replace("%1", roll.title).replace("%2", str(out))
            ),
        )
        return path

    def export_pdf(self) -> Path | None:
        roll = self.summary
        if roll is None:
            return None
        path = dialogs.save_path(
            self, self.tr("导出津贴发放表（PDF）"), self.tr("%1.pdf").replace("%1", roll.title), PDF_FILTER, ".pdf")
        if path is None:
            return None
        engine, month = self.engine, roll.month

        def work(_progress):
            from app.reports.allowance_pdf import write_roll_pdf
            from app.services.enterprise import load_enterprise

            name = load_enterprise(engine).name or None
            return write_roll_pdf(load_roll(engine, month, with_lines=True), path, enterprise_name=name)

        self.job = run_job(
            self, self.tr("正在导出 PDF…"), work, cancellable=False,
            on_success=lambda out: dialogs.show_info(
                self, self.tr("导出完成"), self.tr("已导出 %1：\n%2").replace("%1", roll.title).replace("%2", str(out))
            ),
        )
        return path

    def special_allowance(self) -> SpecialAllowanceDialog:
        dialog = SpecialAllowanceDialog(self.engine, self.month(), self)
        dialog.saved.connect(lambda _grant: dialogs.show_info(
            self, self.tr("特殊津贴"),
            self.tr("已登记。特殊津贴在生成（或重新生成）所涉月份的发放表时计入；已确认的发放表不受影响。"),
        ))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog


__all__ = ["AllowancesPage", "LinesModel", "SpecialAllowanceDialog", "last_month"]
