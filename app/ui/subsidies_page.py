"""The 补贴申请 page: every application with its status, the lines of the one selected (with
the conditions as they were judged and the policy values it froze), and the actions of the
status flow — 新建 (the wizard), 生成, 预览/打印, 已提交, 已到账, 已退回, 作废 — plus the
紧缺工种目录 and the clerk's own subsidy types."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.errors import FieldErrors, FieldProblem, Refused, StaleRecord
from app.services.identity import mask_id_number
from app.services.rmb import rmb_capitals
from app.services.subsidies import (
    BASIS_CERTIFICATE,
    CUSTOM_BASES,
    DRAFT,
    RECEIVED,
    RETURNED,
    STATUSES,
    SUBMITTED,
    VOID,
    ApplicationRow,
    StoredLine,
    add_subsidy_type,
    application_doc,
    application_lines,
    change_status,
    generate_application,
    list_applications,
    occupation_names,
    policy_value_labels,
    remove_lines,
    set_shortage_occupations,
    shortage_occupations,
    subsidy_types,
)
from app.services.levels import LEVEL_NAMES
from app.services.vocab import COMPETITION_RESULTS
from app.ui import dialogs
from app.ui.jobs import run_job
from app.ui.lazy_page import ReadsWhenShown
from app.ui.roles import writes
from app.ui.worker_form import DateField, RecordDialog, read_value

HEADERS = ("编号", "补贴类型", "申请期间", "状态", "人数", "条数", "金额（元）", "生成时间", "提交日期", "到账", "备注")
COL_AMOUNT = 6
LINE_HEADERS = ("序号", "姓名", "证件号码", "申领依据", "金额（元）")
ALL = "全部"
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
STATUS_COLOURS = {DRAFT: "#9a6700", "已生成": "#0b57d0", SUBMITTED: "#0b57d0", RECEIVED: "#1e7e34",
                  RETURNED: "#b3261e", VOID: "#888888"}


def money(value) -> str:
    return f"{value:,.2f}"


def _received(row: ApplicationRow) -> str:
    if row.received_on is None:
        return ""
    return f"{money(row.received_amount)}（{row.received_on}）"


def _remark(row: ApplicationRow) -> str:
    if row.status == VOID:
        return f"作废：{row.void_reason or ''}"
    if row.status == RETURNED:
        return f"退回（{row.returned_on}）：{row.return_reason or ''}"
    return row.notes or ""


class ApplicationsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[ApplicationRow] = []

    def load(self, rows: list[ApplicationRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row(self, index: int) -> ApplicationRow | None:
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                str(row.id), row.subsidy_type, f"{row.period_from} 至 {row.period_to}", row.status, str(row.persons),
                str(row.lines), money(row.total), f"{row.generated_at:%Y-%m-%d %H:%M}" if row.generated_at else "",
                str(row.submitted_on or ""), _received(row), _remark(row),
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 4, 5, COL_AMOUNT):
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            from PySide6.QtGui import QBrush, QColor

            return QBrush(QColor(STATUS_COLOURS.get(row.status, "#000000")))
        if role == Qt.ItemDataRole.ToolTipRole and column == len(HEADERS) - 1:
            return _remark(row) or None
        return None


# ── small dialogs ──────────────────────────────────────────────────────────────────────

class StatusDialog(RecordDialog):
    """登记 已提交 / 已到账 / 已退回 / 作废 for one application."""

    LABELS = {SUBMITTED: "登记提交", RECEIVED: "登记到账", RETURNED: "登记退回", VOID: "作废申请"}

    def __init__(self, engine: Engine, row: ApplicationRow, status: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine, self.row, self.status = engine, row, status
        self.setWindowTitle(self.tr(self.LABELS[status]))
        intro = QLabel(self.tr("第 %1 号申请：%2，%3 至 %4，%5 人，合计 %6 元")
                       .replace("%1", str(row.id)).replace("%2", row.subsidy_type).replace("%3", str(row.period_from))
                       .replace("%4", str(row.period_to)).replace("%5", str(row.persons)).replace("%6", money(row.total)))
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        rows = []
        if status in (SUBMITTED, RECEIVED, RETURNED):
            day = DateField()
            day.set_value(date.today())
            label = {SUBMITTED: "提交日期", RECEIVED: "到账日期", RETURNED: "退回日期"}[status]
            rows.append(("on", self.tr(label), day))
        if status == RECEIVED:
            amount = QLineEdit(format(row.total, "f"))
            amount.setToolTip(self.tr("实际到账金额（元）；与申请金额不同时照实填写"))
            rows.append(("amount", self.tr("到账金额"), amount))
        if status in (RETURNED, VOID):
            reason = QLineEdit()
            reason.setPlaceholderText(self.tr("如：缺少证书复印件") if status == RETURNED
                                      else self.tr("如：材料有误，重新申报"))
            rows.append(("reason", self.tr("退回原因") if status == RETURNED else self.tr("作废原因"), reason))
        if status == VOID:
            warning = QLabel(self.tr("作废后该申请不能恢复；其中各条记录被释放，可以重新申领。"))
            warning.setStyleSheet("color: #b3261e;")
            self.body.insertWidget(1, warning)
        self.add_rows(rows)
        self.save_button.setText(self.tr("作废") if status == VOID else self.tr("保存"))

    def submit(self, values: dict) -> tuple[int, list[str]]:
        change_status(self.engine, self.row.id, self.status, on=values.get("on"), amount=values.get("amount"),
                      reason=values.get("reason"), expected_version=self.row.version)
        return self.row.id, []


class ShortageDialog(RecordDialog):
    """紧缺工种目录 of a year: tick the occupations the bureau lists; add one not yet known."""

    def __init__(self, engine: Engine, year: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.setWindowTitle(self.tr("紧缺工种目录"))
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        self.year.valueChanged.connect(self._load)
        self.list = QListWidget()
        self.list.setMinimumHeight(260)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText(self.tr("目录中有、台账中还没有的工种，输入后按「添加」"))
        add = QPushButton(self.tr("添加"))
        add.clicked.connect(self.add_name)
        self.new_name.returnPressed.connect(self.add_name)
        adder = QWidget()
        adder_layout = QHBoxLayout(adder)
        adder_layout.setContentsMargins(0, 0, 0, 0)
        adder_layout.addWidget(self.new_name, 1)
        adder_layout.addWidget(add)
        note = QLabel(self.tr("技能提升培训补贴要求证书工种在发证当年列入紧缺工种目录。勾选人社部门公布的该年度目录中的工种。"))
        note.setWordWrap(True)
        self.body.insertWidget(0, note)
        self.add_rows([("year", self.tr("年度"), self.year), ("names", self.tr("紧缺工种"), self.list),
                       ("new", self.tr("新工种"), adder)])
        self._load()
        self.resize(520, 520)

    def _load(self) -> None:
        ticked = set(shortage_occupations(self.engine, self.year.value()))
        self.loaded = (self.year.value(), sorted(ticked))  # what the clerk edits: refused if changed meanwhile
        self.list.clear()
        for name in sorted(set(occupation_names(self.engine)) | ticked):
            self._add_item(name, name in ticked)
        self.mark_clean()

    def _add_item(self, name: str, ticked: bool) -> None:
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.list.addItem(item)

    def add_name(self) -> None:
        name = self.new_name.text().strip()
        if not name:
            return
        found = self.list.findItems(name, Qt.MatchFlag.MatchExactly)
        if found:
            found[0].setCheckState(Qt.CheckState.Checked)
        else:
            self._add_item(name, True)
        self.new_name.clear()

    def ticked(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def values(self) -> dict:
        return {"year": self.year.value(), "names": self.ticked()}

    def submit(self, values: dict) -> tuple[int, list[str]]:
        year, loaded = self.loaded
        set_shortage_occupations(self.engine, values["year"], values["names"],
                                 expected=loaded if year == values["year"] else None)
        return values["year"], []

    def reload_record(self) -> None:
        """The year's list as another clerk saved it, to tick again."""
        self.clear_problems()
        self._load()


class SubsidyTypeDialog(RecordDialog):
    """A subsidy type of the clerk's own: a name, what it is claimed on, a fixed amount table."""

    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.setWindowTitle(self.tr("新增补贴类型"))
        self.basis = QComboBox()
        for key, label in CUSTOM_BASES.items():
            self.basis.addItem(label, key)
        self.basis.currentIndexChanged.connect(self._basis_changed)
        self.amounts = QTableWidget(0, 2)
        self.amounts.setHorizontalHeaderLabels([self.tr("等级/奖次"), self.tr("金额（元）")])
        self.amounts.verticalHeader().hide()
        self.amounts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        note = QLabel(self.tr("候选记录为申请期间内取得的证书（按证书等级定金额）或获得的竞赛名次（按奖次定金额）；"
                              "金额留空表示该等级/奖次不补贴。每条记录在同一补贴类型下只能申领一次。"))
        note.setWordWrap(True)
        self.body.insertWidget(0, note)
        self.add_rows([("name", self.tr("补贴名称"), QLineEdit()), ("basis", self.tr("申领依据"), self.basis),
                       ("amounts", self.tr("金额表"), self.amounts)])
        self._basis_changed()
        self.resize(480, 520)

    def _basis_changed(self) -> None:
        keys = LEVEL_NAMES[1:] if self.basis.currentData() == BASIS_CERTIFICATE else COMPETITION_RESULTS
        self.amounts.setRowCount(len(keys))
        for r, key in enumerate(keys):
            label = QTableWidgetItem(key)
            label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.amounts.setItem(r, 0, label)
            self.amounts.setItem(r, 1, QTableWidgetItem(""))

    def set_amount(self, key: str, text: str) -> None:
        for r in range(self.amounts.rowCount()):
            if self.amounts.item(r, 0).text() == key:
                self.amounts.item(r, 1).setText(text)

    def values(self) -> dict:
        table = {self.amounts.item(r, 0).text(): self.amounts.item(r, 1).text().strip()
                 for r in range(self.amounts.rowCount()) if self.amounts.item(r, 1).text().strip()}
        return {"name": read_value(self.fields["name"]), "basis": self.basis.currentData(), "amounts": table}

    def submit(self, values: dict) -> tuple[int, list[str]]:
        try:
            type_id = add_subsidy_type(self.engine, values["name"] or "", values["basis"], values["amounts"])
        except FieldErrors as exc:  # the amount cells are one field on this form
            raise FieldErrors([FieldProblem("amounts" if p.field.startswith("amount") else p.field, p.message)
                               for p in exc.problems]) from None
        return type_id, []


# ── the page ───────────────────────────────────────────────────────────────────────────

class SubsidiesPage(ReadsWhenShown, QWidget):
    open_worker = Signal(int)

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.dialog: QWidget | None = None
        self.job = None
        self.lines: list[StoredLine] = []
        self._preview_dir = tempfile.TemporaryDirectory(prefix="skilldesk-pdf-")
        self._previews = 0

        self.type_filter = QComboBox()
        self.status_filter = QComboBox()
        self.status_filter.addItems([ALL, *STATUSES])
        self.type_filter.currentIndexChanged.connect(lambda _i: self._load())
        self.status_filter.currentIndexChanged.connect(lambda _i: self._load())
        self.new_button = QPushButton(self.tr("新建申请…"))
        self.new_button.setToolTip(self.tr("选择补贴类型和期间，核对候选人，生成申请表和花名册"))
        self.new_button.clicked.connect(self.new_application)
        self.shortage_button = QPushButton(self.tr("紧缺工种…"))
        self.shortage_button.clicked.connect(self.edit_shortages)
        self.type_button = QPushButton(self.tr("补贴类型…"))
        self.type_button.setToolTip(self.tr("新增本地的补贴类型（固定金额表）"))
        self.type_button.clicked.connect(self.add_type)
        writes(self.new_button, self.shortage_button, self.type_button)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("类型：")))
        top.addWidget(self.type_filter)
        top.addWidget(QLabel(self.tr("状态：")))
        top.addWidget(self.status_filter)
        top.addStretch(1)
        for button in (self.new_button, self.shortage_button, self.type_button):
            top.addWidget(button)

        self.model = ApplicationsModel(self)
        view = self.view = QTableView()
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(24)
        view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((44, 150, 180, 56, 48, 48, 100, 120, 86, 150)):
            view.setColumnWidth(column, width)
        view.selectionModel().currentRowChanged.connect(lambda _c, _o: self._show_selected())
        view.activated.connect(lambda _index: self.preview())

        self.preview_button = QPushButton(self.tr("预览/打印…"))
        self.preview_button.setToolTip(self.tr("在程序内预览申请表和花名册，另存为 PDF 或直接打印"))
        self.preview_button.clicked.connect(self.preview)
        self.generate_button = QPushButton(self.tr("生成…"))
        self.generate_button.setToolTip(self.tr("草稿 → 已生成：重新核对每一行，冻结金额与政策参数"))
        self.generate_button.clicked.connect(self.generate)
        self.remove_button = QPushButton(self.tr("移除所选行"))
        self.remove_button.setToolTip(self.tr("只有草稿可以移除行；移除的记录可以重新申领"))
        self.remove_button.clicked.connect(self.remove_selected_lines)
        writes(self.generate_button, self.remove_button)
        self.status_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        actions.addWidget(self.preview_button)
        actions.addWidget(self.generate_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        for status, label in ((SUBMITTED, "登记提交…"), (RECEIVED, "登记到账…"), (RETURNED, "登记退回…"), (VOID, "作废…")):
            button = QPushButton(self.tr(label))
            button.clicked.connect(lambda _checked=False, s=status: self.change_status(s))
            self.status_buttons[status] = button
            writes(button)
            actions.addWidget(button)

        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)
        self.lines_table = QTableWidget(0, len(LINE_HEADERS))
        self.lines_table.setHorizontalHeaderLabels(list(LINE_HEADERS))
        self.lines_table.verticalHeader().hide()
        self.lines_table.verticalHeader().setDefaultSectionSize(24)
        self.lines_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.lines_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 44), (1, 70), (2, 150), (4, 90)):
            self.lines_table.setColumnWidth(column, width)
        self.lines_table.currentCellChanged.connect(lambda row, _c, _r, _o: self._show_line(row))
        self.lines_table.cellDoubleClicked.connect(self._line_activated)
        self.conditions = QTableWidget(0, 3)
        self.conditions.setHorizontalHeaderLabels([self.tr("条件"), self.tr("结论"), self.tr("依据与说明（生成时的核对结果）")])
        self.conditions.verticalHeader().hide()
        self.conditions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.conditions.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.lines_table)
        lower.addWidget(self.conditions)
        lower.setSizes([600, 450])
        lower.setChildrenCollapsible(False)
        lower_box = QWidget()
        lower_layout = QVBoxLayout(lower_box)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail_label)
        lower_layout.addWidget(lower, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(view)
        split.addWidget(lower_box)
        split.setSizes([260, 400])
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>补贴申请</h2>")))
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(actions)
        self._fill_types()
        self._show_selected()

    # -- loading ----------------------------------------------------------------------------
    def _fill_types(self) -> None:
        current = self.type_filter.currentText() or ALL
        self.type_filter.blockSignals(True)
        self.type_filter.clear()
        self.type_filter.addItems([ALL, *(info.name for info in subsidy_types(self.engine))])
        self.type_filter.setCurrentText(current)
        self.type_filter.blockSignals(False)

    def _load(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else (self.selected().id if self.selected() else None)
        type_name = self.type_filter.currentText()
        status = self.status_filter.currentText()
        self.model.load(list_applications(self.engine, subsidy_type=None if type_name in ("", ALL) else type_name,
                                          status=None if status == ALL else status))
        row = next((i for i, r in enumerate(self.model.rows) if r.id == keep), 0 if self.model.rows else -1)
        if row >= 0:
            self.view.selectRow(row)
        self._show_selected()

    def selected(self) -> ApplicationRow | None:
        return self.model.row(self.view.currentIndex().row())

    def select_application(self, application_id: int) -> None:
        self._load(select_id=application_id)

    def _show_selected(self) -> None:
        row = self.selected()
        allowed = row.next_statuses if row else ()
        self.preview_button.setEnabled(row is not None and row.lines > 0)
        self.generate_button.setEnabled(row is not None and row.status == DRAFT)
        self.remove_button.setEnabled(row is not None and row.status == DRAFT)
        for status, button in self.status_buttons.items():
            button.setEnabled(status in allowed)
        self.lines = application_lines(self.engine, row.id) if row else []
        self.lines_table.setRowCount(len(self.lines))
        for r, line in enumerate(self.lines):
            cells = (str(line.seq), line.name, mask_id_number(line.id_number), line.basis_text, money(line.amount))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (0, 4):
                    item.setTextAlignment(_RIGHT)
                self.lines_table.setItem(r, c, item)
        if row is None:
            self.detail_label.setText(self.tr("还没有补贴申请。点「新建申请…」开始。") if not self.model.rows else "")
        else:
            frozen = "；".join(f"{label} {value}" for label, value in policy_value_labels(row.policy_values))
            self.detail_label.setText(
                self.tr("<b>第 %1 号</b>　%2　%3 人 %4 条　合计 <b>%5 元</b>（%6）<br><span style='color:#555'>%7</span>")
                .replace("%1", str(row.id)).replace("%2", row.status).replace("%3", str(row.persons))
                .replace("%4", str(row.lines)).replace("%5", money(row.total)).replace("%6", rmb_capitals(row.total))
                .replace("%7", (self.tr("所用政策参数（已冻结）：") + frozen) if frozen
                         else self.tr("草稿：金额在生成时按当时的政策参数重新核算。") if row.status == DRAFT else "")
            )
        self._show_line(0 if self.lines else -1)

    def _show_line(self, row: int) -> None:
        line = self.lines[row] if 0 <= row < len(self.lines) else None
        conditions = line.conditions if line else ()
        self.conditions.setRowCount(len(conditions))
        for r, condition in enumerate(conditions):
            self.conditions.setItem(r, 0, QTableWidgetItem(condition.rule))
            self.conditions.setItem(r, 1, QTableWidgetItem(self.tr("符合") if condition.ok else self.tr("不符合")))
            self.conditions.setItem(r, 2, QTableWidgetItem(condition.reason))

    def _line_activated(self, row: int, _column: int) -> None:
        line = self.lines[row] if 0 <= row < len(self.lines) else None
        if line is not None and line.worker_id is not None:
            self.open_worker.emit(line.worker_id)

    # -- actions ----------------------------------------------------------------------------
    def new_application(self):
        from app.ui.subsidy_wizard import NewApplicationDialog

        dialog = NewApplicationDialog(self.engine, self)
        dialog.created.connect(self._created)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _created(self, application_id: int, generated: bool) -> None:
        self.status_filter.setCurrentText(ALL)
        self._load(select_id=application_id)
        if generated:
            self.preview()

    def generate(self) -> bool:
        row = self.selected()
        if row is None or row.status != DRAFT:
            return False
        if not dialogs.ask_yes_no(
            self, self.tr("生成申请表"),
            self.tr("生成第 %1 号申请（%2）吗？\n\n将按当前台账和政策参数重新核对全部 %3 行；生成后金额与政策参数冻结。")
            .replace("%1", str(row.id)).replace("%2", row.subsidy_type).replace("%3", str(row.lines)),
        ):
            return False
        try:
            generate_application(self.engine, row.id, expected_version=row.version)
        except StaleRecord as exc:
            self._load(select_id=row.id)
            dialogs.show_error(self, self.tr("申请已被修改"), str(exc) + "\n\n" + self.tr("本页已重新加载，请核对后再生成。"))
            return False
        except Refused as exc:
            dialogs.show_error(self, self.tr("未生成"), str(exc))
            self._load()
            return False
        self._load(select_id=row.id)
        self.preview()
        return True

    def remove_selected_lines(self) -> bool:
        row = self.selected()
        rows = sorted({index.row() for index in self.lines_table.selectionModel().selectedRows()})
        if row is None or row.status != DRAFT or not rows:
            return False
        names = "、".join(self.lines[r].name for r in rows[:10]) + ("……" if len(rows) > 10 else "")
        if not dialogs.ask_yes_no(self, self.tr("移除行"),
                                  self.tr("从草稿中移除 %1 行（%2）吗？移除后这些记录可以重新申领。")
                                  .replace("%1", str(len(rows))).replace("%2", names)):
            return False
        try:
            remove_lines(self.engine, row.id, [self.lines[r].id for r in rows], expected_version=row.version)
        except StaleRecord as exc:
            dialogs.show_error(self, self.tr("申请已被修改"), str(exc) + "\n\n" + self.tr("本页已重新加载，请核对后再移除。"))
        except Refused as exc:
            dialogs.show_error(self, self.tr("未移除"), str(exc))
        self._load(select_id=row.id)
        return True

    def change_status(self, status: str) -> StatusDialog | None:
        row = self.selected()
        if row is None or status not in row.next_statuses:
            return None
        dialog = StatusDialog(self.engine, row, status, self)
        dialog.saved.connect(lambda application_id: self._load(select_id=application_id))
        dialog.reload_needed.connect(lambda: self._load(select_id=row.id))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def preview(self):
        row = self.selected()
        if row is None or row.lines == 0:
            return None
        engine, application_id = self.engine, row.id
        self._previews += 1
        target = Path(self._preview_dir.name) / f"申请-{application_id}-{self._previews}.pdf"

        def work(progress):
            from app.reports.subsidy_pdf import write_application_pdf
            from app.services.enterprise import load_enterprise

            # Made afresh each time: the 单位信息 on the cover may have been corrected meanwhile.
            doc = application_doc(engine, application_id)
            enterprise = load_enterprise(engine)
            write_application_pdf(doc, enterprise, target, progress=progress)
            return doc, enterprise.missing

        self.job = run_job(self, self.tr("正在生成 PDF…"), work,
                           on_success=lambda result: self._show_pdf(*result, target))
        return target

    def _show_pdf(self, doc, missing: list[str], path: Path):
        from app.ui.pdf_preview import PdfPreviewDialog

        status = self.tr("（草稿）") if doc.is_draft else ""
        note = (self.tr("提醒：单位信息未填全（%1），申请表上这些栏为空。请在「单位信息」页补全后重新预览。")
                .replace("%1", "、".join(missing)) if missing else "")
        dialog = PdfPreviewDialog(path, self.tr("%1 — 第 %2 号%3").replace("%1", doc.title).replace("%2", str(doc.id))
                                  .replace("%3", status),
                                  f"{doc.title}-{doc.period_from:%Y%m%d}-{doc.period_to:%Y%m%d}-{doc.id}.pdf", self,
                                  note=note)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def edit_shortages(self) -> ShortageDialog:
        dialog = ShortageDialog(self.engine, date.today().year, self)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def add_type(self) -> SubsidyTypeDialog:
        dialog = SubsidyTypeDialog(self.engine, self)
        dialog.saved.connect(lambda _id: self._fill_types())
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog


__all__ = ["ApplicationsModel", "ShortageDialog", "StatusDialog", "SubsidiesPage", "SubsidyTypeDialog"]
