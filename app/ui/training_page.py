"""The 培训 page: programmes with their enrolments and results, service-period agreements,
and the 重点培养对象 list.

The results of a programme are typed straight into its enrolment table, like a sheet, and
saved in one call: app.services.training.record_results checks every row and writes all
or nothing, and the page marks each cell it refused. The window adds the 职工教育经费 and
培训合规 tabs to the public `tabs`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QRegularExpression,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine, or_, select

from app.errors import FieldErrors, FieldProblem, Refused
from app.models import Certificate, TrainingEnrolment
from app.models.base import CENT
from app.services.accounts import key_talents
from app.services.agreements import (
    AgreementRow,
    departure_statement,
    departures_with_open_agreements,
    mark_fulfilled,
    open_agreements,
)
from app.services.levels import LEVEL_NAMES
from app.services.training import (
    EnrolmentRow,
    ProgrammeRow,
    enrolments_of_programme,
    list_programmes,
    record_results,
)
from app.services.training_rules import RESULTS
from app.services.worker_list import format_value
from app.services.workers import StaleRecord
from app.ui import dialogs
from app.ui.form_support import clear_problems, error_label, show_problems
from app.ui.jobs import run_job
from app.ui.lazy_page import ReadsWhenShown
from app.ui.roles import writes
from app.ui.training_dialogs import (
    AgreementDialog,
    EnrolDialog,
    ProgrammeDialog,
    SettleDialog,
    period_text,
)
from app.ui.worker_form import DateField, ListPage, RecordDialog

# The enrolment table's columns; the first three are the worker, the rest are typed.
RESULT_KEYS = (
    "employee_no", "worker_name", "department",
    "hours_attended", "result", "completed_on", "cost_charged", "certificate_id", "override_reason",
)
FIRST_TYPED = 3
_RIGHT_ALIGNED = {"hours_attended", "cost_charged"}
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 2  # a row's certificates: [(id or None, label)]
_REFUSED = QColor("#f6c9c4")
_UNSAVED = QColor("#fff3c4")
_DEPARTED = QColor("#fde8cf")
# The cost editor lets only amounts through, so the service never sees a malformed one.
_MONEY = QRegularExpression(r"\d{0,9}(\.\d{0,2})?")


def certificate_label(kind: str, rank: int | None, number: str | None, issued: date | None) -> str:
    level = LEVEL_NAMES[rank] if rank is not None else ""
    when = f"（{issued:%Y-%m-%d}）" if issued else ""
    return " ".join(filter(None, (kind, level, number))) + when


def certificate_choices(engine: Engine, programme: ProgrammeRow) -> dict[int, list[tuple[int, str]]]:
    """The certificates each enrolled worker could have obtained in the programme, by worker:
    not revoked, issued on or after its start (or undated). Earlier ones would only be
    refused on save, so they are not offered."""
    enrolled = select(TrainingEnrolment.worker_id).where(TrainingEnrolment.programme_id == programme.id)
    query = (
        select(Certificate.id, Certificate.worker_id, Certificate.kind, Certificate.level_rank, Certificate.number,
               Certificate.issue_date)
        .where(
            Certificate.worker_id.in_(enrolled),
            Certificate.revoked.is_(False),
            or_(Certificate.issue_date.is_(None), Certificate.issue_date >= programme.start_date),
        )
        .order_by(Certificate.issue_date, Certificate.id)
    )
    choices: dict[int, list[tuple[int, str]]] = {}
    with engine.connect() as conn:
        for cert_id, worker_id, kind, rank, number, issued in conn.execute(query):
            choices.setdefault(worker_id, []).append((cert_id, certificate_label(kind, rank, number, issued)))
    return choices


def _coerce(key: str, value):
    """A typed cell value as record_results takes it; raises ValueError or ArithmeticError."""
    blank = value is None or (isinstance(value, str) and not value.strip())
    if key in ("hours_attended", "certificate_id"):
        return None if blank else int(value)
    if key == "cost_charged":
        return Decimal("0.00") if blank else Decimal(str(value).strip()).quantize(CENT)
    if key == "completed_on":
        if blank or isinstance(value, date):
            return None if blank else value
        raise ValueError(value)
    return "" if blank else str(value).strip()


class ResultsModel(QAbstractTableModel):
    """A programme's enrolments as an editable sheet. It keeps what was typed apart from
    what is stored, so the rows to save are exactly those that differ, and a refused save
    keeps every typed value while marking the cells the service named."""

    edited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels = (
            self.tr("工号"), self.tr("姓名"), self.tr("部门"), self.tr("出勤学时"), self.tr("结果"), self.tr("结业日期"),
            self.tr("扣费"), self.tr("取得证书"), self.tr("超支原因"),
        )
        self.programme: ProgrammeRow | None = None
        self.rows: list[EnrolmentRow] = []
        self.edits: list[dict] = []
        self.choices: dict[int, list[tuple[int, str]]] = {}
        self.problems: dict[tuple[int, str], str] = {}

    def load(self, programme: ProgrammeRow | None, rows: list[EnrolmentRow], choices: dict) -> None:
        self.beginResetModel()
        self.programme, self.rows, self.choices = programme, rows, choices
        for row in rows:
            known = {cert_id for cert_id, _label in choices.get(row.worker_id, [])}
            if row.certificate_id is not None and row.certificate_id not in known:
                # Linked before it was revoked, or back-dated: still what is stored, so shown.
                choices.setdefault(row.worker_id, []).append((row.certificate_id, row.certificate_number))
        self.edits = [{} for _ in rows]
        self.problems = {}
        self.endResetModel()
        self.edited.emit()

    # -- values ---------------------------------------------------------------------------
    def stored(self, row: int, key: str):
        return "" if key == "override_reason" else getattr(self.rows[row], key)

    def value(self, row: int, key: str):
        return self.edits[row].get(key, self.stored(row, key))

    def is_dirty(self) -> bool:
        return any(self.edits)

    def changed_rows(self) -> list[dict]:
        """The rows for record_results: only the fields that differ from what is stored."""
        return [
            {"enrolment_id": row.id, "version": row.version, **edits}
            for row, edits in zip(self.rows, self.edits)
            if edits
        ]

    def _set(self, row: int, key: str, value) -> None:
        if value == self.stored(row, key):
            self.edits[row].pop(key, None)
        else:
            self.edits[row][key] = value
        index = self.index(row, RESULT_KEYS.index(key))
        self.dataChanged.emit(index, index)

    def _completion_default(self) -> date:
        """The day a result is given when none is typed: the programme's last day, never
        later than today (a later date is refused)."""
        last = self.programme.end_date or self.programme.start_date
        return min(last, date.today())

    def _text(self, row: int, key: str) -> str:
        value = self.value(row, key)
        if key == "certificate_id":
            labels = dict(self.choices.get(self.rows[row].worker_id, []))
            return labels.get(value, "") if value is not None else ""
        return format_value(value)

    # -- refused cells --------------------------------------------------------------------
    def set_problems(self, problems: list[FieldProblem]) -> QModelIndex:
        """Mark the cells record_results refused; returns the first, for the cursor."""
        rows = {enrolment.id: r for r, enrolment in enumerate(self.rows)}
        self.problems = {}
        for problem in problems:
            enrolment_id, _, key = problem.field.partition(".")
            row = rows.get(int(enrolment_id)) if enrolment_id.isdigit() else None
            if row is None:
                continue
            if key == "cost_charged":
                # The editor lets only valid amounts through, so a refused charge is an
                # overdraft: the cell that lifts it is marked too.
                keys = [key, "override_reason"]
            else:
                keys = [key] if key in RESULT_KEYS else list(RESULT_KEYS[FIRST_TYPED:])
            for cell in keys:
                self.problems.setdefault((row, cell), problem.message)
        self._repaint()
        if not self.problems:
            return QModelIndex()
        row, key = min(self.problems, key=lambda cell: (cell[0], RESULT_KEYS.index(cell[1])))
        return self.index(row, RESULT_KEYS.index(key))

    def discard_edits(self) -> None:
        """Forget what was typed: the clerk agreed to, or it has just been saved."""
        self.edits = [{} for _ in self.rows]
        self.problems = {}
        self._repaint()
        self.edited.emit()

    def clear_problems(self) -> None:
        if self.problems:
            self.problems = {}
            self._repaint()

    def _repaint(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(RESULT_KEYS) - 1))

    # -- Qt's side ------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(RESULT_KEYS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.labels[section]
        return None

    def flags(self, index: QModelIndex):
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() >= FIRST_TYPED else flags

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, key = index.row(), RESULT_KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key)
        if role == Qt.ItemDataRole.EditRole:
            return self.value(row, key)
        if role == Qt.ItemDataRole.BackgroundRole:
            if (row, key) in self.problems:
                return QBrush(_REFUSED)
            if key in self.edits[row]:
                return QBrush(_UNSAVED)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if (row, key) in self.problems:
                return self.problems[(row, key)]
            return self.tr("已修改，尚未保存") if key in self.edits[row] else None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in _RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == CHOICES_ROLE and key == "certificate_id":
            return [(None, "")] + self.choices.get(self.rows[row].worker_id, [])
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() < FIRST_TYPED:
            return False
        row, key = index.row(), RESULT_KEYS[index.column()]
        try:
            value = _coerce(key, value)
        except (ValueError, ArithmeticError):
            return False
        self._set(row, key, value)
        if key == "result" and value and self.value(row, "completed_on") is None:
            self._set(row, "completed_on", self._completion_default())
        self.edited.emit()
        return True


class ResultsDelegate(QStyledItemDelegate):
    """The editor of each typed column: a spin box for hours, the result and certificate
    lists, a date that may stay empty, an amount, and plain text for the reason."""

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt's name)
        key = RESULT_KEYS[index.column()]
        if key == "hours_attended":
            editor = QSpinBox(parent)
            # No cap at the programme's 学时: the service's refusal names the worker and the
            # limit, where a capped spin box would just swallow the keystroke.
            editor.setRange(-1, 9999)
            editor.setSpecialValueText(self.tr("未填"))
        elif key == "result":
            editor = QComboBox(parent)
            editor.addItems(["", *RESULTS])
        elif key == "completed_on":
            editor = DateField(parent)
        elif key == "certificate_id":
            editor = QComboBox(parent)
            for cert_id, label in index.data(CHOICES_ROLE):
                editor.addItem(label, cert_id)
        else:
            editor = QLineEdit(parent)
            if key == "cost_charged":
                editor.setValidator(QRegularExpressionValidator(_MONEY, editor))
            else:
                editor.setMaxLength(200)
        return editor

    def setEditorData(self, editor, index) -> None:  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, DateField):
            editor.set_value(value)
        elif isinstance(editor, QSpinBox):
            editor.setValue(-1 if value is None else value)
        elif isinstance(editor, QComboBox):
            found = editor.findData(value) if value is not None else -1
            editor.setCurrentIndex(found if found >= 0 else max(editor.findText(value or ""), 0))
        else:
            editor.setText(format_value(value))

    def setModelData(self, editor, model, index) -> None:  # noqa: N802
        if isinstance(editor, DateField):
            value = editor.value()
        elif isinstance(editor, QSpinBox):
            value = None if editor.value() < 0 else editor.value()
        elif isinstance(editor, QComboBox):
            value = editor.currentData() if RESULT_KEYS[index.column()] == "certificate_id" else editor.currentText()
        else:
            value = editor.text()
        model.setData(index, value, Qt.ItemDataRole.EditRole)


def _selected_row(list_page: ListPage) -> int | None:
    rows = {index.row() for index in list_page.table.selectionModel().selectedRows()}
    return min(rows) if rows else None


class TrainingPage(ReadsWhenShown, QWidget):
    open_worker = Signal(int)
    changed = Signal()  # something was written: pages that count training read again

    TAB_PROGRAMMES, TAB_AGREEMENTS, TAB_KEY_TALENTS = range(3)

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.programme: ProgrammeRow | None = None
        self._programmes: list[ProgrammeRow] = []
        self._shown: list[ProgrammeRow] = []
        self._agreements: list[AgreementRow] = []
        self._departures: list[AgreementRow] = []
        self.dialog: QWidget | None = None  # the small window open on top, if any
        self.tabs = QTabWidget()
        self.tabs.addTab(self._programmes_tab(), self.tr("培训项目"))
        self.tabs.addTab(self._agreements_tab(), self.tr("服务期协议"))
        self.tabs.addTab(self._key_talents_tab(), self.tr("重点培养对象"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>培训</h2>")))
        layout.addWidget(self.tabs, 1)

    # -- loading --------------------------------------------------------------------------
    def _load(self) -> None:
        self._load_programmes()
        self._load_agreements()
        self._load_key_talents()

    # -- 培训项目 -------------------------------------------------------------------------
    def _programmes_tab(self) -> QWidget:
        self.year = QComboBox()
        self.year.currentIndexChanged.connect(self._year_changed)
        new = QPushButton(self.tr("新建项目"))
        new.setShortcut(QKeySequence.StandardKey.New)
        new.setToolTip(self.tr("新建培训项目（Ctrl+N）"))
        new.clicked.connect(self.new_programme)
        self.edit_button = QPushButton(self.tr("修改…"))
        self.edit_button.clicked.connect(self.edit_programme)
        self.enrol_button = QPushButton(self.tr("报名…"))
        self.enrol_button.clicked.connect(self.enrol)
        writes(new, self.edit_button, self.enrol_button)
        self.programme_list = ListPage(
            [self.tr("名称"), self.tr("形式"), self.tr("承办单位"), self.tr("起止日期"), self.tr("学时"), self.tr("人均费用"),
             self.tr("经费来源"), self.tr("报名"), self.tr("已结业"), self.tr("合格")],
            (new, self.edit_button, self.enrol_button),
            stretch=0,
            amounts=(4, 5, 7, 8, 9),
        )
        self.programme_list.bar.insertWidget(0, QLabel(self.tr("年度：")))
        self.programme_list.bar.insertWidget(1, self.year)
        self.programme_list.bar.insertSpacing(2, 12)
        table = self.programme_list.table
        table.itemSelectionChanged.connect(self._programme_clicked)
        table.activated.connect(lambda _index: self.edit_programme())

        self.results_title = QLabel()
        self.results_title.setTextFormat(Qt.TextFormat.RichText)
        self.results_errors = error_label()
        # A long list of refusals scrolls instead of pushing the table off the page.
        self.errors_area = QScrollArea()
        self.errors_area.setWidget(self.results_errors)
        self.errors_area.setWidgetResizable(True)
        self.errors_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.errors_area.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }")
        self.errors_area.hide()
        self.results = ResultsModel(self)
        self.results.edited.connect(self._results_edited)
        view = self.results_view = QTableView()
        view.setModel(self.results)
        view.setItemDelegate(ResultsDelegate(view))
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(26)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((80, 80, 110, 80, 70, 100, 90, 260)):
            view.setColumnWidth(column, width)
        # Double-click or Enter on the worker opens the file; on a typed column it edits.
        view.activated.connect(self._result_activated)
        self.save_button = QPushButton(self.tr("保存结果"))
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip(self.tr("保存所有修改过的行（Ctrl+S）"))
        self.save_button.clicked.connect(self.save_results)
        writes(self.save_button)
        self.discard_button = QPushButton(self.tr("放弃修改"))
        self.discard_button.clicked.connect(self._discard_results)
        self.results_note = QLabel()
        hint = QLabel(self.tr("双击或直接输入即可修改；账户余额不足时须填写超支原因。"))
        hint.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        buttons.addWidget(hint)
        buttons.addStretch(1)
        buttons.addWidget(self.results_note)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.results_title)
        lower_layout.addWidget(self.errors_area)
        lower_layout.addWidget(view, 1)
        lower_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.programme_list)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self._take_programme(None)
        return splitter

    def _load_programmes(self, prefer: int | None = None) -> None:
        self._programmes = list_programmes(self.engine)
        years = sorted({p.start_date.year for p in self._programmes}, reverse=True)
        current = self.year.currentData()
        if prefer is not None:
            preferred = next(p for p in self._programmes if p.id == prefer)
            if current is not None and preferred.start_date.year != current:
                current = None  # the programme just saved must be in sight
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem(self.tr("全部"), None)
        for year in years:
            self.year.addItem(self.tr("%1 年").replace("%1", str(year)), year)
        self.year.setCurrentIndex(max(self.year.findData(current), 0))
        self.year.blockSignals(False)
        self._show_programmes(prefer if prefer is not None else (self.programme.id if self.programme else None))

    def _in_year(self, year: int | None) -> list[ProgrammeRow]:
        return [p for p in self._programmes if year is None or p.start_date.year == year]

    def _show_programmes(self, prefer: int | None) -> None:
        self._shown = self._in_year(self.year.currentData())
        table = self.programme_list.table
        table.blockSignals(True)
        self.programme_list.set_rows(
            [
                [p.name, p.form, p.provider, period_text(p.start_date, p.end_date), str(p.hours),
                 format_value(p.cost_per_person), p.funding_source, str(p.enrolled), str(p.completed), str(p.passed)]
                for p in self._shown
            ],
            ids=[p.id for p in self._shown],
        )
        row = next((r for r, p in enumerate(self._shown) if p.id == prefer), 0 if self._shown else None)
        if row is not None:
            table.selectRow(row)
        table.blockSignals(False)
        self._take_programme(self._shown[row] if row is not None else None)

    def _may_leave_results(self) -> bool:
        return not self.results.is_dirty() or dialogs.ask_yes_no(
            self, self.tr("放弃修改"), self.tr("当前项目有尚未保存的成绩。确定要放弃这些修改吗？")
        )

    def _year_changed(self) -> None:
        keeps_current = self.programme is not None and any(
            p.id == self.programme.id for p in self._in_year(self.year.currentData())
        )
        if not keeps_current and not self._may_leave_results():
            self.year.blockSignals(True)
            self.year.setCurrentIndex(max(self.year.findData(self.programme.start_date.year), 0))
            self.year.blockSignals(False)
            return
        self._show_programmes(self.programme.id if self.programme else None)

    def _programme_clicked(self) -> None:
        row = _selected_row(self.programme_list)
        if row is None or (self.programme is not None and self._shown[row].id == self.programme.id):
            return
        if not self._may_leave_results():
            back = next((r for r, p in enumerate(self._shown) if self.programme and p.id == self.programme.id), None)
            table = self.programme_list.table
            table.blockSignals(True)
            if back is None:
                table.clearSelection()
            else:
                table.selectRow(back)
            table.blockSignals(False)
            return
        self._take_programme(self._shown[row])

    def _take_programme(self, programme: ProgrammeRow | None) -> None:
        same = programme is not None and self.programme is not None and programme.id == self.programme.id
        self.programme = programme
        self.edit_button.setEnabled(programme is not None)
        self.enrol_button.setEnabled(programme is not None)
        if same and self.results.is_dirty():
            self.results.programme = programme  # keep what was typed; show the new counts
            self._show_results_title()
        else:
            self._load_results()

    def _load_results(self) -> None:
        programme = self.programme
        rows = enrolments_of_programme(self.engine, programme.id) if programme else []
        choices = certificate_choices(self.engine, programme) if programme else {}
        self._clear_result_problems()
        self.results.load(programme, rows, choices)
        self._show_results_title()

    def _show_results_title(self) -> None:
        p = self.programme
        if p is None:
            self.results_title.setText(self.tr("选择上面的培训项目，在此登记学员的学时、成绩和扣费。"))
            return
        self.results_title.setText(
            self.tr("<b>%1</b>　%2　%3 学时　人均 %4 元　报名 %5 人，已结业 %6 人，合格 %7 人")
            .replace("%1", p.name).replace("%2", period_text(p.start_date, p.end_date)).replace("%3", str(p.hours))
            .replace("%4", format_value(p.cost_per_person)).replace("%5", str(p.enrolled))
            .replace("%6", str(p.completed)).replace("%7", str(p.passed))
        )

    def _results_edited(self) -> None:
        changed = sum(1 for edits in self.results.edits if edits)
        self.save_button.setEnabled(changed > 0)
        self.discard_button.setEnabled(changed > 0)
        if changed:
            self.results_note.setText(self.tr("已修改 %1 行，尚未保存").replace("%1", str(changed)))
            self.results_note.setStyleSheet("color: #b54708;")
        else:
            self.results_note.clear()

    def _discard_results(self) -> None:
        if self._may_leave_results():
            self._load_results()

    def _result_activated(self, index: QModelIndex) -> None:
        if index.column() < FIRST_TYPED:
            self.open_worker.emit(self.results.rows[index.row()].worker_id)

    def _clear_result_problems(self) -> None:
        clear_problems(self.results_errors, {})
        self.errors_area.hide()
        self.results.clear_problems()

    def _commit_open_editor(self) -> None:
        """Ctrl+S while a cell is being edited saves what is in that cell too."""
        view = self.results_view
        if view.state() == QAbstractItemView.State.EditingState:
            editor = view.indexWidget(view.currentIndex())
            if editor is not None:
                view.commitData(editor)
                view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def save_results(self) -> None:
        self._commit_open_editor()
        rows = self.results.changed_rows()
        if self.programme is None or not rows:
            return
        engine, programme_id = self.engine, self.programme.id

        def work(_progress):
            try:
                record_results(engine, programme_id, rows)
            except (FieldErrors, StaleRecord) as exc:
                return exc  # the table shows these itself; anything else goes to the job's message box
            return None

        run_job(
            self,
            self.tr("正在保存 %1 人的成绩…").replace("%1", str(len(rows))),
            work,
            on_success=lambda outcome: self._results_saved(outcome, len(rows)),
            cancellable=False,  # one transaction with no progress steps: nothing to cancel midway
        )

    def _results_saved(self, outcome, count: int) -> None:
        if isinstance(outcome, FieldErrors):
            first = self.results.set_problems(outcome.problems)
            show_problems(self.results_errors, {}, outcome.problems)
            # As tall as the messages, up to five lines; more scroll.
            needed = self.results_errors.heightForWidth(self.errors_area.viewport().width())
            self.errors_area.setFixedHeight(min(needed, 5 * self.results_errors.fontMetrics().lineSpacing()) + 4)
            self.errors_area.show()
            self.results_note.setText(self.tr("未保存：请按上面的提示修改标红的单元格"))
            self.results_note.setStyleSheet("color: #b3261e;")
            if first.isValid():
                self.results_view.scrollTo(first)
                # The cursor without a selection: a selected cell would hide its red mark.
                self.results_view.clearSelection()
                self.results_view.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
                self.results_view.setFocus()
            return
        if isinstance(outcome, StaleRecord):
            if dialogs.ask_yes_no(
                self, self.tr("成绩已被修改"),
                str(outcome) + "\n\n" + self.tr("要现在重新加载吗？本页中未保存的修改将被放弃。"),
            ):
                self.results.discard_edits()
                self._load_programmes()
            return
        self.results.discard_edits()
        self._load_programmes()  # the counts changed; the table reads the stored results
        self.results_note.setText(self.tr("已保存 %1 行").replace("%1", str(count)))
        self.results_note.setStyleSheet("color: #1e7e34;")
        self.changed.emit()

    def _open(self, dialog: QWidget) -> QWidget:
        # Non-blocking (window-modal), so tests and the clerk's other windows carry on.
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def new_programme(self) -> RecordDialog:
        dialog = ProgrammeDialog(self.engine, parent=self)
        dialog.saved.connect(self._programme_saved)
        return self._open(dialog)

    def edit_programme(self) -> RecordDialog | None:
        if self.programme is None:
            return None
        dialog = ProgrammeDialog(self.engine, self.programme, self)
        dialog.saved.connect(self._programme_saved)
        programme_id = self.programme.id
        dialog.reload_needed.connect(lambda: self._programme_saved(programme_id))
        return self._open(dialog)

    def _programme_saved(self, programme_id: int) -> None:
        is_current = self.programme is not None and self.programme.id == programme_id
        if not is_current and not self._may_leave_results():
            self._load_programmes()  # the new programme is listed; the typed results stay
        else:
            self._load_programmes(prefer=programme_id)
        self.changed.emit()

    def enrol(self) -> EnrolDialog | None:
        if self.programme is None or not self._may_leave_results():
            return None
        self.results.discard_edits()  # the table reloads with the new people
        dialog = EnrolDialog(self.engine, self.programme, self)
        dialog.enrolled.connect(self._enrolled)
        return self._open(dialog)

    def _enrolled(self, _result) -> None:
        self._load_programmes()
        self.changed.emit()

    # -- 服务期协议 -----------------------------------------------------------------------
    def _agreements_tab(self) -> QWidget:
        new = QPushButton(self.tr("新建协议…"))
        new.setShortcut(QKeySequence.StandardKey.New)
        new.setToolTip(self.tr("新建服务期协议（Ctrl+N）"))
        new.clicked.connect(self.new_agreement)
        self.settle_button = QPushButton(self.tr("结清…"))
        self.settle_button.clicked.connect(self.settle)
        self.fulfil_button = QPushButton(self.tr("标记已履行"))
        self.fulfil_button.clicked.connect(self.fulfil)
        writes(new, self.settle_button, self.fulfil_button)
        self.statement_button = QPushButton(self.tr("打印离职结算单…"))
        self.statement_button.setToolTip(self.tr("离职职工的培训费用偿还结算单，保存为文本文件后打印"))
        self.statement_button.clicked.connect(self.print_statement)
        self.open_list = ListPage(
            [self.tr("工号"), self.tr("姓名"), self.tr("部门"), self.tr("协议编号"), self.tr("费用"), self.tr("服务期"),
             self.tr("剩余天数"), self.tr("今日离职应退")],
            (new, self.settle_button, self.fulfil_button, self.statement_button),
            stretch=2,
            amounts=(4, 6, 7),
        )
        self.open_title = QLabel()
        self.open_list.layout().insertWidget(1, self.open_title)
        self.departure_list = ListPage(
            [self.tr("工号"), self.tr("姓名"), self.tr("部门"), self.tr("状态"), self.tr("离职日期"), self.tr("协议编号"),
             self.tr("费用"), self.tr("服务期"), self.tr("离职应退")],
            stretch=2,
            amounts=(6, 8),
        )
        self.departure_title = QLabel()
        self.departure_title.setStyleSheet("color: #b42318; font-weight: bold;")
        self.departure_list.bar.insertWidget(0, self.departure_title)
        for list_page, other in ((self.open_list, self.departure_list), (self.departure_list, self.open_list)):
            list_page.table.itemSelectionChanged.connect(lambda lp=list_page, o=other: self._agreement_clicked(lp, o))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.open_list)
        splitter.addWidget(self.departure_list)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        return splitter

    def _load_agreements(self) -> None:
        self._departures = departures_with_open_agreements(self.engine)
        departed = {row.id for row in self._departures}
        # Each agreement shows once: a departed worker's under the departures, with the
        # repayment due on the leave date rather than today.
        self._agreements = [row for row in open_agreements(self.engine) if row.id not in departed]
        self.open_title.setText(self.tr("有效协议（在职职工）%1 份").replace("%1", str(len(self._agreements))))
        self.open_list.set_rows(
            [
                [row.employee_no, row.worker_name, row.department, row.agreement_no, format_value(row.cost),
                 period_text(row.service_start, row.service_end), str(row.days_left), format_value(row.repayment_due)]
                for row in self._agreements
            ],
        )
        self.departure_title.setText(
            self.tr("已离职或登记了离职日期、协议仍有效：%1 份，应办理结清（按离职日期计算应退金额）")
            .replace("%1", str(len(self._departures)))
        )
        self.departure_list.set_rows(
            [
                [row.employee_no, row.worker_name, row.department, row.worker_status, format_value(row.leave_date),
                 row.agreement_no,
                 format_value(row.cost), period_text(row.service_start, row.service_end), format_value(row.repayment_due)]
                for row in self._departures
            ],
        )
        table = self.departure_list.table
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                table.item(r, c).setBackground(_DEPARTED)
        self._update_agreement_buttons()

    def _agreement_clicked(self, clicked: ListPage, other: ListPage) -> None:
        if clicked.table.selectionModel().hasSelection():
            # The buttons act on one agreement: a row picked in one list unpicks the other.
            other.table.blockSignals(True)
            other.table.clearSelection()
            other.table.blockSignals(False)
        self._update_agreement_buttons()

    def current_agreement(self) -> AgreementRow | None:
        for list_page, rows in ((self.departure_list, self._departures), (self.open_list, self._agreements)):
            row = _selected_row(list_page)
            if row is not None:
                return rows[row]
        return None

    def _update_agreement_buttons(self) -> None:
        row = self.current_agreement()
        for button in (self.settle_button, self.fulfil_button):
            button.setEnabled(row is not None)
        self.statement_button.setEnabled(row is not None and row.leave_date is not None)

    def _agreements_changed(self, *_args) -> None:
        self._load_agreements()
        self.changed.emit()

    def new_agreement(self) -> AgreementDialog:
        dialog = AgreementDialog(self.engine, self)
        dialog.saved.connect(self._agreements_changed)
        return self._open(dialog)

    def settle(self) -> SettleDialog | None:
        row = self.current_agreement()
        if row is None:
            return None
        dialog = SettleDialog(self.engine, row, self)
        dialog.saved.connect(self._agreements_changed)
        dialog.reload_needed.connect(self._agreements_changed)
        return self._open(dialog)

    def fulfil(self) -> None:
        row = self.current_agreement()
        if row is None or not dialogs.ask_yes_no(
            self, self.tr("标记已履行"),
            self.tr("确认 %1 的服务期（%2）已履行完毕？").replace("%1", row.worker_name)
            .replace("%2", period_text(row.service_start, row.service_end)),
        ):
            return
        try:
            mark_fulfilled(self.engine, row.id, expected_version=row.version)
        except StaleRecord as exc:  # changed meanwhile: show what is there now
            self._agreements_changed()
            dialogs.show_error(self, self.tr("协议已被修改"), str(exc) + "\n\n" + self.tr("本页已重新加载，请核对后再操作。"))
            return
        except Refused as exc:
            dialogs.show_error(self, self.tr("未标记"), str(exc))
            return
        self._agreements_changed()

    def print_statement(self) -> Path | None:
        row = self.current_agreement()
        if row is None:
            return None
        try:
            text = departure_statement(self.engine, row.id)
        except Refused as exc:
            dialogs.show_error(self, self.tr("无法生成结算单"), str(exc))
            return None
        chosen = dialogs.save_file(
            self, self.tr("保存离职结算单"), self.tr("离职结算单_%1.txt").replace("%1", row.worker_name),
            self.tr("文本文件 (*.txt)"),
        )
        if not chosen:
            return None
        path = Path(chosen) if Path(chosen).suffix else Path(chosen).with_suffix(".txt")
        try:
            # A BOM and CRLF: Notepad on the Windows 10 builds Qt 6 runs on reads UTF-8
            # reliably only with the BOM, and the statement is printed from there.
            path.write_text(text, encoding="utf-8-sig", newline="\r\n")
        except OSError as exc:
            dialogs.show_error(self, self.tr("未保存"), self.tr("无法写入文件：%1（%2）").replace("%1", exc.strerror or str(exc)).replace("%2", str(path)))
            return None
        dialogs.show_info(self, self.tr("离职结算单"), self.tr("已保存到：%1").replace("%1", str(path)) + "\n\n" + text)
        return path

    # -- 重点培养对象 ---------------------------------------------------------------------
    def _key_talents_tab(self) -> QWidget:
        self.talent_list = ListPage(
            [self.tr("工号"), self.tr("姓名"), self.tr("部门"), self.tr("当前等级"), self.tr("目标"), self.tr("目标日期"),
             self.tr("账户余额"), self.tr("进度说明")],
            stretch=7,
            amounts=(6,),
        )
        self.talent_count = QLabel()
        hint = QLabel(self.tr("双击或按回车打开职工档案"))
        hint.setStyleSheet("color: #555;")
        self.talent_list.bar.insertWidget(0, self.talent_count)
        self.talent_list.bar.addWidget(hint)
        self.talent_list.table.activated.connect(
            lambda index: self.open_worker.emit(self.talent_list.table.item(index.row(), 0).data(Qt.ItemDataRole.UserRole))
        )
        return self.talent_list

    def _load_key_talents(self) -> None:
        rows = key_talents(self.engine)
        self.talent_count.setText(self.tr("在职重点培养对象 %1 人").replace("%1", str(len(rows))))
        self.talent_list.set_rows(
            [
                [row.employee_no, row.name, row.department, row.current_level, row.target_level,
                 format_value(row.target_date), format_value(row.balance), row.progress]
                for row in rows
            ],
            ids=[row.worker_id for row in rows],
        )
