"""新建补贴申请: ① the type and the period, ② every candidate with each condition 符合/不符合
and why, ticked in or out, ③ saved as a draft or generated (frozen) behind a progress dialog.

Candidates that do not qualify are listed too (greyed, not tickable), so the clerk sees why
a worker is missing instead of wondering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.services.identity import mask_id_number
from app.services.rmb import rmb_capitals
from app.services.subsidies import Candidate, CandidateList, create_application, find_candidates, subsidy_types
from app.ui import dialogs
from app.ui.jobs import run_job

HEADERS = ("选", "姓名", "证件号码", "申领依据", "金额", "结论")
COL_CHECK, COL_AMOUNT, COL_VERDICT = 0, 4, 5
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_GREY = QBrush(QColor("#888888"))
_RED = QBrush(QColor("#b3261e"))
_GREEN = QBrush(QColor("#1e7e34"))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def verdict(candidate: Candidate) -> str:
    if candidate.eligible:
        return "符合"
    return "不符合：" + "、".join(c.rule for c in candidate.failed)


class CandidatesModel(QAbstractTableModel):
    """The judged candidates; eligible ones can be ticked (all are at first)."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.candidates: list[Candidate] = []
        self.visible: list[int] = []
        self.ticked: set[int] = set()
        self.eligible_only = False

    def load(self, candidates: list[Candidate]) -> None:
        self.beginResetModel()
        self.candidates = candidates
        self.ticked = {i for i, c in enumerate(candidates) if c.eligible}
        self._filter()
        self.endResetModel()
        self.changed.emit()

    def set_eligible_only(self, on: bool) -> None:
        self.beginResetModel()
        self.eligible_only = on
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self.visible = [i for i, c in enumerate(self.candidates) if c.eligible or not self.eligible_only]

    def candidate(self, row: int) -> Candidate | None:
        return self.candidates[self.visible[row]] if 0 <= row < len(self.visible) else None

    def chosen(self) -> list[Candidate]:
        return [self.candidates[i] for i in sorted(self.ticked)]

    def tick_all(self, on: bool) -> None:
        self.ticked = {i for i, c in enumerate(self.candidates) if c.eligible} if on else set()
        if self.visible:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.visible) - 1, 0))
        self.changed.emit()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.visible)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex):
        candidate = self.candidate(index.row())
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_CHECK and candidate is not None and candidate.eligible:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        candidate = self.candidate(index.row()) if index.isValid() else None
        if candidate is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == COL_CHECK:
            ticked = self.visible[index.row()] in self.ticked
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return ("", candidate.name, mask_id_number(candidate.id_number), candidate.basis_text,
                    f"{candidate.amount:,.2f}", verdict(candidate))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (3, COL_VERDICT):
            return "\n".join(f"{'✓' if c.ok else '✗'} {c.rule}：{c.reason}" for c in candidate.conditions)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_AMOUNT:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_VERDICT:
                return _GREEN if candidate.eligible else _RED
            return None if candidate.eligible else _GREY
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        candidate = self.candidate(index.row())
        if role != Qt.ItemDataRole.CheckStateRole or candidate is None or not candidate.eligible:
            return False
        position = self.visible[index.row()]
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.ticked.add(position)
        else:
            self.ticked.discard(position)
        self.dataChanged.emit(index, index)
        self.changed.emit()
        return True


class NewApplicationDialog(QDialog):
    """Emits `created(application_id)` once the application is saved (draft or generated)."""

    created = Signal(int, bool)  # id, generated

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.engine = engine
        self.today = today or date.today()
        self.found: CandidateList | None = None
        self.job = None
        self.setWindowTitle(self.tr("新建补贴申请"))

        self.type_combo = QComboBox()
        for info in subsidy_types(engine):
            self.type_combo.addItem(info.name)
        self.type_combo.setToolTip(self.tr("补贴类型；金额与条件取自「政策参数」"))
        self.from_edit, self.to_edit = QDateEdit(), QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(QDate(2000, 1, 1))
            edit.setMaximumDate(QDate(2100, 12, 31))
        self.from_edit.setDate(QDate(self.today.year, 1, 1))
        self.to_edit.setDate(QDate(self.today.year, 12, 31))
        self.find_button = QPushButton(self.tr("查找候选人"))
        self.find_button.setToolTip(self.tr("按所选类型和期间列出全部候选记录，并逐条核对条件"))
        self.find_button.clicked.connect(self.find)
        self.type_combo.currentIndexChanged.connect(self._criteria_changed)
        self.from_edit.dateChanged.connect(self._criteria_changed)
        self.to_edit.dateChanged.connect(self._criteria_changed)
        step1 = QGroupBox(self.tr("第 1 步：补贴类型与申请期间"))
        criteria = QHBoxLayout(step1)
        criteria.addWidget(QLabel(self.tr("补贴类型：")))
        criteria.addWidget(self.type_combo, 1)
        criteria.addWidget(QLabel(self.tr("期间：")))
        criteria.addWidget(self.from_edit)
        criteria.addWidget(QLabel(self.tr("至")))
        criteria.addWidget(self.to_edit)
        criteria.addWidget(self.find_button)

        self.model = CandidatesModel(self)
        self.model.changed.connect(self._show_totals)
        view = self.view = QTableView()
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(24)
        for column, width in enumerate((32, 70, 150, 360, 80)):
            view.setColumnWidth(column, width)
        view.horizontalHeader().setStretchLastSection(True)
        view.selectionModel().currentRowChanged.connect(lambda current, _old: self._show_conditions(current.row()))
        self.eligible_only = QCheckBox(self.tr("只显示符合条件的"))
        self.eligible_only.toggled.connect(self.model.set_eligible_only)
        self.tick_all_button = QPushButton(self.tr("全选符合条件的"))
        self.tick_all_button.clicked.connect(lambda: self.model.tick_all(True))
        self.untick_button = QPushButton(self.tr("全不选"))
        self.untick_button.clicked.connect(lambda: self.model.tick_all(False))
        self.conditions = QTableWidget(0, 3)
        self.conditions.setHorizontalHeaderLabels([self.tr("条件"), self.tr("结论"), self.tr("依据与说明")])
        self.conditions.verticalHeader().hide()
        self.conditions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conditions.setWordWrap(True)
        header = self.conditions.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.basis_label = QLabel()
        self.basis_label.setWordWrap(True)
        step2 = QGroupBox(self.tr("第 2 步：核对候选人并勾选（灰色行不符合条件，不能勾选；选中一行可看每项条件）"))
        step2_layout = QVBoxLayout(step2)
        tools = QHBoxLayout()
        tools.addWidget(self.eligible_only)
        tools.addStretch(1)
        tools.addWidget(self.tick_all_button)
        tools.addWidget(self.untick_button)
        step2_layout.addLayout(tools)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(view)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.basis_label)
        details_layout.addWidget(self.conditions, 1)
        split.addWidget(details)
        split.setSizes([330, 170])
        split.setChildrenCollapsible(False)
        step2_layout.addWidget(split, 1)

        self.totals_label = QLabel()
        self.totals_label.setTextFormat(Qt.TextFormat.RichText)
        self.draft_button = QPushButton(self.tr("保存为草稿"))
        self.draft_button.setToolTip(self.tr("草稿占用所选记录（不会被重复申领），金额在生成时按政策参数重新核算"))
        self.draft_button.clicked.connect(lambda: self.save(generate=False))
        self.generate_button = QPushButton(self.tr("生成申请表…"))
        self.generate_button.setToolTip(self.tr("生成后金额与所用政策参数冻结，并可预览、打印申请表和花名册"))
        self.generate_button.clicked.connect(lambda: self.save(generate=True))
        cancel = QPushButton(self.tr("取消"))
        cancel.clicked.connect(self.reject)
        step3 = QHBoxLayout()
        step3.addWidget(QLabel(self.tr("<b>第 3 步：</b>")))
        step3.addWidget(self.totals_label, 1)
        for button in (self.draft_button, self.generate_button, cancel):
            step3.addWidget(button)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(step1)
        layout.addWidget(step2, 1)
        layout.addLayout(step3)
        self.resize(1100, 720)
        self._show_totals()
        self.type_combo.setFocus()

    # -- criteria and candidates ------------------------------------------------------------
    def criteria(self) -> tuple[str, date, date]:
        return (self.type_combo.currentText(), self.from_edit.date().toPython(), self.to_edit.date().toPython())

    def set_criteria(self, type_name: str, start: date, end: date) -> None:
        self.type_combo.setCurrentText(type_name)
        self.from_edit.setDate(_qdate(start))
        self.to_edit.setDate(_qdate(end))

    def _criteria_changed(self) -> None:
        if self.found is not None:  # what is shown no longer answers what is asked
            self.found = None
            self.model.load([])
            self._show_conditions(-1)

    def find(self) -> None:
        engine, today = self.engine, self.today
        type_name, start, end = self.criteria()
        self.job = run_job(
            self, self.tr("正在核对候选人…"),
            lambda _progress: find_candidates(engine, type_name, start, end, today=today),
            on_success=self._found,
        )

    def _found(self, found: CandidateList) -> None:
        self.found = found
        self.model.load(found.candidates)
        if found.candidates:
            self.view.selectRow(0)
            self.view.setFocus()
        else:
            self._show_conditions(-1)

    def _show_conditions(self, row: int) -> None:
        candidate = self.model.candidate(row)
        self.conditions.setRowCount(0 if candidate is None else len(candidate.conditions))
        if candidate is None:
            self.basis_label.setText("")
            return
        self.basis_label.setText(f"<b>{candidate.name}</b>　{candidate.basis_text}　"
                                 f"{self.tr('金额')}：{candidate.amount:,.2f} {self.tr('元')}")
        for r, condition in enumerate(candidate.conditions):
            mark = QTableWidgetItem(self.tr("符合") if condition.ok else self.tr("不符合"))
            mark.setForeground(_GREEN if condition.ok else _RED)
            self.conditions.setItem(r, 0, QTableWidgetItem(condition.rule))
            self.conditions.setItem(r, 1, mark)
            self.conditions.setItem(r, 2, QTableWidgetItem(condition.reason))
        self.conditions.resizeRowsToContents()

    def _show_totals(self) -> None:
        found = self.found
        if found is None:
            self.totals_label.setText(self.tr("选择补贴类型和期间后，点「查找候选人」。"))
        else:
            chosen = self.model.chosen()
            total = sum((c.amount for c in chosen), Decimal("0.00"))
            self.totals_label.setText(
                self.tr("候选 %1 条，符合条件 %2 条；已选 <b>%3</b> 条，合计 <b>%4 元</b>（%5）")
                .replace("%1", str(len(found.candidates))).replace("%2", str(len(found.eligible)))
                .replace("%3", str(len(chosen))).replace("%4", f"{total:,.2f}").replace("%5", rmb_capitals(total))
            )
        has_choice = found is not None and bool(self.model.ticked)
        self.draft_button.setEnabled(has_choice)
        self.generate_button.setEnabled(has_choice)
        self.tick_all_button.setEnabled(found is not None and bool(found.eligible))
        self.untick_button.setEnabled(has_choice)

    # -- saving -----------------------------------------------------------------------------
    def save(self, *, generate: bool) -> None:
        found = self.found
        chosen = self.model.chosen()
        if found is None or not chosen:
            return
        total = sum((c.amount for c in chosen), Decimal("0.00"))
        persons = len({(c.id_type, c.id_number) for c in chosen})
        if generate and not dialogs.ask_yes_no(
            self, self.tr("生成申请表"),
            self.tr("生成 %1（%2 至 %3）吗？\n\n人数：%4 人（%5 条）\n合计：%6 元\n大写：%7\n\n"
                    "生成后金额与所用政策参数冻结，所选记录不能再被其他申请申领（作废后释放）。")
            .replace("%1", found.type.title).replace("%2", str(found.period_from)).replace("%3", str(found.period_to))
            .replace("%4", str(persons)).replace("%5", str(len(chosen))).replace("%6", f"{total:,.2f}")
            .replace("%7", rmb_capitals(total)),
        ):
            return
        engine, today = self.engine, self.today
        keys = [c.basis_key for c in chosen]
        type_name, start, end = found.type.name, found.period_from, found.period_to

        def work(progress):
            return create_application(engine, type_name, start, end, keys, generate=generate, today=today,
                                      progress=progress)

        self.job = run_job(
            self, self.tr("正在生成申请…") if generate else self.tr("正在保存草稿…"), work,
            on_success=lambda application_id: self._saved(application_id, generate),
            on_failure=self._refused,
        )

    def _saved(self, application_id: int, generated: bool) -> None:
        self.created.emit(application_id, generated)
        self.accept()

    def _refused(self, outcome: str, message: str) -> None:
        if outcome == "cancelled":
            return
        dialogs.show_error(self, self.tr("未保存"), message)
        if self.found is not None:
            self.find()  # the register or another clerk changed something: show it as it is now


__all__ = ["CandidatesModel", "NewApplicationDialog", "verdict"]
