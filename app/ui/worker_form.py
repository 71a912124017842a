"""职工档案: one worker's file — basic data, certificates, honours, competitions, the
dated level history, the training account, and the worker's 师徒结对 and 津贴 — and the small
dialogs that add to it.

Every check lives in app.services.workers; the dialogs only collect what was typed, show
what the service refused (app.ui.form_support) and keep the typed text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from html import escape

from PySide6.QtCore import QDate, QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine, select

from app.errors import FieldErrors, FieldProblem, Refused
from app.models import Department, Occupation
from app.services.allowances import worker_allowance_history
from app.services.apprenticeships import ACTIVE as PAIRING_ACTIVE
from app.services.apprenticeships import list_pairings
from app.services.identity import ID_TYPES, CheckError, check_id_number
from app.services.levels import (
    CERTIFICATE_KINDS,
    KIND_SAFETY_LICENCE,
    LEVEL_BEARING_KINDS,
    LEVEL_NAMES,
    level_label,
)
from app.services.vocab import COMPETITION_RESULTS, EDUCATIONS, EVALUATION_ROUTES, GENDERS, HONOUR_LEVELS, WORKER_STATUSES
from app.services.workers import (
    COMPETITION_CATEGORIES,
    COMPETITION_LEVELS,
    HONOUR_TITLES,
    StaleRecord,
    worker_conflicts,
    WorkerRecord,
    add_certificate,
    add_competition,
    add_honour,
    load_worker,
    new_worker_record,
    remove_worker,
    revoke_certificate,
    save_worker,
)
from app.ui import dialogs
from app.ui.form_support import clear_problems, error_label, show_problems
from app.ui.roles import writes


class DateField(QDateEdit):
    """A date that may be left empty: the minimum date shows 未填 and reads as None."""

    EMPTY = QDate(1900, 1, 1)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(self.EMPTY)
        self.setMaximumDate(QDate(2100, 12, 31))
        self.setSpecialValueText(self.tr("未填"))
        self.setDate(self.EMPTY)
        self.setToolTip(self.tr("输入数字（如 20210630）或点右侧箭头选日期；全选后按 Delete 清空"))
        self.calendarWidget().installEventFilter(self)

    def value(self) -> date | None:
        return None if self.date() == self.EMPTY else self.date().toPython()

    def set_value(self, value: date | None) -> None:
        self.setDate(self.EMPTY if value is None else QDate(value.year, value.month, value.day))

    def keyPressEvent(self, event):
        # Typing over 未填 would mix digits into the special text; start from today's
        # date with the year selected, so 20210630 reads as 2021-06-30.
        if self.isReadOnly():  # a 只读 user's form: nothing typed changes the date
            super().keyPressEvent(event)
            return
        if self.value() is None and event.text().isdigit():
            self.setDate(QDate.currentDate())
            self.setSelectedSection(QDateTimeEdit.Section.YearSection)
        elif self.value() is not None and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and (
            self.lineEdit().selectedText() == self.text()
        ):
            self.set_value(None)
            return
        super().keyPressEvent(event)

    def stepBy(self, steps: int) -> None:
        if self.isReadOnly():
            return
        if self.value() is None:  # the arrow keys from 未填 would walk through January 1900
            self.setDate(QDate.currentDate())
            return
        super().stepBy(steps)

    def eventFilter(self, watched, event):
        if watched is self.calendarWidget() and event.type() == QEvent.Type.Show and self.value() is None:
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)


def choice_combo(choices: Iterable[str], *, blank: bool = True) -> QComboBox:
    combo = QComboBox()
    if blank:
        combo.addItem("")
    combo.addItems(list(choices))
    return combo


def name_combo(names: Iterable[str], *, suggestions_only: bool = False) -> QComboBox:
    """An editable combo over existing names (部门, 工种 …): pick one, or type a new one.
    The completer finds a name by any part of it, whatever the case."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(QStringListModel(combo), combo)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    set_names(combo, names)
    return combo


def set_names(combo: QComboBox, names: Iterable[str]) -> None:
    typed = combo.currentText()
    names = list(names)
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(names)
    combo.completer().model().setStringList(names)
    combo.setEditText(typed)
    combo.blockSignals(False)


def read_value(widget: QWidget):
    if isinstance(widget, DateField):
        return widget.value()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentText().strip()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    return widget.text()


def write_value(widget: QWidget, value) -> None:
    if isinstance(widget, DateField):
        widget.set_value(value)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        text = "" if value is None else str(value)
        if widget.isEditable():
            widget.setEditText(text)
        else:
            if widget.findText(text) < 0:
                widget.addItem(text)  # a value older than today's list: show it, never lose it
            widget.setCurrentIndex(widget.findText(text))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value or "")
    else:
        widget.setText("" if value is None else str(value))


def _date_text(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _money_text(value) -> str:
    return f"{value:.2f}" if value is not None else ""


class FormDialog(QDialog):
    """What every form dialog here shares: refused input shown at the top and marked on its
    fields, 保存 (Ctrl+S) that never fires on Enter, and Esc asking before it discards edits."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.fields: dict[str, QWidget] = {}
        self._baseline: dict | None = None
        self.problems = error_label()
        self.body = QVBoxLayout()
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip(self.tr("保存（Ctrl+S）"))
        self.save_button.clicked.connect(self.save)
        writes(self.save_button)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.save_button)
        self.buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problems)
        layout.addLayout(self.body, 1)
        layout.addLayout(self.buttons)

    def add_field(self, form: QFormLayout, key: str, label: str, widget: QWidget) -> QWidget:
        self.fields[key] = widget
        form.addRow(label + "：", widget)
        return widget

    def finish_layout(self) -> None:
        """Call once every field and button exists."""
        # Enter in a line edit presses an auto-default button in a QDialog; here it must
        # do nothing, so a half-typed form is never saved or closed by accident.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        chain = [w for w in self.fields.values() if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        if chain:
            QWidget.setTabOrder(chain[-1], self.save_button)
            chain[0].setFocus()  # the buttons exist first; the cursor starts in the form

    def values(self) -> dict:
        # A disabled field does not apply (等级 of a safety licence, 终止日 of an open-ended contract).
        return {key: read_value(w) if w.isEnabledTo(self) else None for key, w in self.fields.items()}

    def set_values(self, values: dict) -> None:
        for key, widget in self.fields.items():
            if key in values:
                write_value(widget, values[key])

    def mark_clean(self) -> None:
        self._baseline = self.values()

    def showEvent(self, event):
        if self._baseline is None:  # what the form showed first is what "unchanged" means
            self.mark_clean()
        super().showEvent(event)

    def is_dirty(self) -> bool:
        return self._baseline is not None and self.values() != self._baseline

    def show_problems(self, problems: list[FieldProblem]) -> None:
        # The cursor goes to the first refused field as the form reads, not as the
        # service happened to check.
        order = {key: index for index, key in enumerate(self.fields)}
        problems = sorted(problems, key=lambda p: order.get(p.field, len(order)))
        first = self.fields.get(problems[0].field) if problems else None
        if first is not None:
            self.reveal(first)
        show_problems(self.problems, self.fields, problems)

    def clear_problems(self) -> None:
        clear_problems(self.problems, self.fields)

    def reveal(self, widget: QWidget) -> None:
        """Bring the tab holding `widget` to the front, so it can take the cursor."""
        child, parent = widget, widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QTabWidget) and parent.indexOf(child) >= 0:
                parent.setCurrentWidget(child)
            child, parent = parent, parent.parentWidget()

    def attempt(self, action: Callable[[], object]):
        """Run one service call; refused input goes back to the form. None when refused."""
        self.clear_problems()
        try:
            return action()
        except FieldErrors as exc:
            self.show_problems(exc.problems)
        except StaleRecord as exc:
            self.on_stale(exc)
        except Refused as exc:
            dialogs.show_error(self, self.tr("未保存"), str(exc))
        return None

    def on_stale(self, exc: StaleRecord) -> None:
        dialogs.show_error(self, self.tr("未保存"), str(exc))

    def save(self) -> bool:
        raise NotImplementedError

    def reject(self) -> None:
        if self.is_dirty() and not dialogs.ask_yes_no(
            self, self.tr("放弃修改"), self.tr("有尚未保存的修改。确定要放弃这些修改并关闭吗？")
        ):
            return
        super().reject()


class RecordDialog(FormDialog):
    """A small form that adds one record, or acts on one; `submit(values)` returns (id, warnings)."""

    saved = Signal(int)
    # The record this dialog acts on was changed by someone else and the clerk chose to
    # load it again: the page behind reads it afresh (the dialog has closed).
    reload_needed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.body.addLayout(self.form)
        self.setMinimumWidth(460)

    def add_rows(self, rows: list[tuple[str, str, QWidget]]) -> None:
        for key, label, widget in rows:
            self.add_field(self.form, key, label, widget)
        self.finish_layout()

    def submit(self, values: dict) -> tuple[int, list[str]]:
        raise NotImplementedError

    def save(self) -> bool:
        result = self.attempt(lambda: self.submit(self.values()))
        if result is None:
            return False
        record_id, warnings = result
        if warnings:
            dialogs.show_info(self, self.tr("请核对"), self.tr("已保存，但请核对：") + "\n" + "\n".join(warnings))
        self.saved.emit(record_id)
        self.accept()
        return True

    def on_stale(self, exc: StaleRecord) -> None:
        """Optimistic locking refused the save (nothing of it landed): say which record
        changed and offer 重新加载."""
        if dialogs.ask_yes_no(self, self.tr("记录已被修改"),
                              str(exc) + "\n\n" + self.tr("要现在重新加载吗？本窗口中填写的内容将被放弃。")):
            self.reload_record()

    def reload_record(self) -> None:
        """By default the dialog closes and the page shows the record as it is now; a dialog
        that can show the fresh record itself overrides this."""
        self.reload_needed.emit()
        QDialog.reject(self)  # giving up the typing was just agreed: no second question


class CertificateDialog(RecordDialog):
    def __init__(self, engine: Engine, worker_id: int, occupations: list[str], occupation: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("添加证书"))
        self.engine, self.worker_id = engine, worker_id
        self.add_rows([
            ("kind", self.tr("证书类别"), choice_combo(CERTIFICATE_KINDS, blank=False)),
            ("occupation", self.tr("工种"), name_combo(occupations)),
            ("level", self.tr("等级"), choice_combo(LEVEL_NAMES[1:])),
            ("number", self.tr("证书编号"), QLineEdit()),
            ("issuing_body", self.tr("发证机构"), QLineEdit()),
            ("evaluation_route", self.tr("评价方式"), choice_combo(EVALUATION_ROUTES)),
            ("issue_date", self.tr("发证日期"), DateField()),
            ("expiry_date", self.tr("有效期至"), DateField()),
            ("review_date", self.tr("复审日期"), DateField()),
            ("notes", self.tr("备注"), QLineEdit()),
        ])
        self.fields["occupation"].setEditText(occupation)
        self.fields["kind"].currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.fields["kind"].currentText())

    def _kind_changed(self, kind: str) -> None:
        self.fields["level"].setEnabled(kind in LEVEL_BEARING_KINDS)
        for key in ("expiry_date", "review_date"):
            self.fields[key].setEnabled(kind == KIND_SAFETY_LICENCE)

    def submit(self, values: dict) -> tuple[int, list[str]]:
        return add_certificate(self.engine, self.worker_id, values)


class RevokeDialog(RecordDialog):
    def __init__(self, engine: Engine, certificate: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("撤销证书"))
        self.engine, self.certificate_id, self.version = engine, certificate["id"], certificate.get("version")
        what = QLabel(" ".join(filter(None, (certificate["kind"], certificate["level"], certificate["number"]))))
        what.setWordWrap(True)
        self.form.addRow(self.tr("证书") + "：", what)
        self.add_rows([
            ("on", self.tr("撤销日期"), DateField()),
            ("reason", self.tr("撤销原因"), QLineEdit()),
        ])
        self.fields["on"].set_value(date.today())
        self.fields["reason"].setPlaceholderText(self.tr("如：发证机构通报证书无效"))
        hint = QLabel(self.tr("撤销的证书保留在档案中，不再计入等级。"))
        hint.setStyleSheet("color: #555;")
        self.body.addWidget(hint)

    def submit(self, values: dict) -> tuple[int, list[str]]:
        revoke_certificate(self.engine, self.certificate_id, values["reason"], on=values["on"],
                           expected_version=self.version)
        return self.certificate_id, []


class HonourDialog(RecordDialog):
    def __init__(self, engine: Engine, worker_id: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("添加荣誉"))
        self.engine, self.worker_id = engine, worker_id
        self.add_rows([
            ("title", self.tr("荣誉称号"), name_combo(HONOUR_TITLES)),
            ("level", self.tr("级别"), choice_combo(HONOUR_LEVELS)),
            ("year", self.tr("年度"), QLineEdit()),
            ("awarding_body", self.tr("授予单位"), QLineEdit()),
            ("reward_amount", self.tr("奖励金额"), QLineEdit()),
        ])
        self.fields["year"].setPlaceholderText(self.tr("如 2023"))
        self.fields["reward_amount"].setPlaceholderText(self.tr("元，如 2000.00"))

    def submit(self, values: dict) -> tuple[int, list[str]]:
        return add_honour(self.engine, self.worker_id, values), []


class CompetitionDialog(RecordDialog):
    def __init__(self, engine: Engine, worker_id: int, occupations: list[str], occupation: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("添加竞赛成绩"))
        self.engine, self.worker_id = engine, worker_id
        self.add_rows([
            ("competition_name", self.tr("竞赛名称"), QLineEdit()),
            ("level", self.tr("级别"), choice_combo(COMPETITION_LEVELS)),
            ("category", self.tr("类别"), choice_combo(COMPETITION_CATEGORIES)),
            ("organiser", self.tr("主办单位"), QLineEdit()),
            ("held_on", self.tr("比赛日期"), DateField()),
            ("occupation", self.tr("工种"), name_combo(occupations)),
            ("result", self.tr("成绩"), name_combo(COMPETITION_RESULTS)),
            ("prize_amount", self.tr("奖金"), QLineEdit()),
        ])
        self.fields["occupation"].setEditText(occupation)
        self.fields["result"].lineEdit().setPlaceholderText(self.tr("一等奖…优秀奖，或名次如 第3名"))
        self.fields["prize_amount"].setPlaceholderText(self.tr("元，如 500.00"))

    def submit(self, values: dict) -> tuple[int, list[str]]:
        return add_competition(self.engine, self.worker_id, values), []


class ListPage(QWidget):
    """A read-only table with its buttons above it: one per tab of the worker file."""

    def __init__(
        self, headers: list[str], buttons: Iterable[QPushButton] = (), *, stretch: int, amounts: Iterable[int] = (),
        parent=None,
    ):
        super().__init__(parent)
        self.amounts = set(amounts)  # columns of money, right-aligned so the decimals line up
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.bar = QHBoxLayout()
        for button in buttons:
            self.bar.addWidget(button)
        self.bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.table)

    def set_rows(
        self, rows: list[list[str]], *, ids: list[int] | None = None, faded: set[int] = frozenset(),
        tips: list[str] | None = None,
    ) -> None:
        self.table.setRowCount(len(rows))
        grey = QBrush(QColor("#888888"))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c in self.amounts:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if ids is not None:
                    item.setData(Qt.ItemDataRole.UserRole, ids[r])
                if r in faded:
                    item.setForeground(grey)
                if tips and tips[r]:
                    item.setToolTip(tips[r])
                self.table.setItem(r, c, item)

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None


class ApprenticeTab(QWidget):
    """The 师徒与津贴 tab of one worker: the pairings 师徒结对 in which the worker is master or
    apprentice, and the worker's lines in the allowance rolls 津贴发放表, newest month first.

    Read-only: pairings are made and ended on the 师徒 page, rolls on the 津贴 page. The tab
    reads when it is shown (and again on refresh() while shown), so opening a worker file
    costs nothing for a tab the clerk never looks at."""

    PAIRING_HEADERS = ("身份", "对方", "类型", "开始日期", "计划结束", "状态", "下次考核")
    HISTORY_HEADERS = ("月份", "发放表状态", "津贴类型", "金额（元）", "依据")
    HISTORY_MONTHS = 24

    def __init__(self, engine: Engine, worker_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.worker_id = worker_id
        self._stale = True
        self.pairings: list = []  # (role, PairingRow)
        self.history: list = []
        self.pairing_title = QLabel()
        self.pairing_list = ListPage([self.tr(h) for h in self.PAIRING_HEADERS], stretch=6)
        self.pairing_list.bar.insertWidget(0, self.pairing_title, 1)
        self.history_title = QLabel()
        self.history_list = ListPage([self.tr(h) for h in self.HISTORY_HEADERS], stretch=4, amounts=(3,))
        self.history_list.bar.insertWidget(0, self.history_title, 1)
        for page in (self.pairing_list, self.history_list):
            page.layout().setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pairing_list, 2)
        layout.addWidget(self.history_list, 3)

    def refresh(self) -> None:
        """Read again now if shown, else when next shown."""
        self._stale = True
        if self.isVisible():
            self.load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.load()

    def load(self) -> None:
        self._stale = False
        if self.worker_id is None:
            self.pairings, self.history = [], []
        else:
            today = date.today()
            as_master = list_pairings(self.engine, master_id=self.worker_id, today=today)
            as_apprentice = list_pairings(self.engine, apprentice_id=self.worker_id, today=today)
            both = [(self.tr("师傅"), r) for r in as_master] + [(self.tr("徒弟"), r) for r in as_apprentice]
            # 在培 first, then the latest start first
            both.sort(key=lambda pair: (pair[1].status != PAIRING_ACTIVE, -pair[1].start_date.toordinal(), pair[1].id))
            self.pairings = both
            self.history = worker_allowance_history(self.engine, self.worker_id, limit_months=self.HISTORY_MONTHS)
        self._show_pairings()
        self._show_history()

    def _show_pairings(self) -> None:
        rows, tips, faded, overdue = [], [], set(), []
        for i, (role, r) in enumerate(self.pairings):
            is_master = r.master_id == self.worker_id
            name, number = (r.apprentice_name, r.apprentice_no) if is_master else (r.master_name, r.master_no)
            other = f"{name}（{number}）" if number else name
            status = r.status if r.ended_on is None else f"{r.status}（{_date_text(r.ended_on)}）"
            if r.next_assessment_due is None:
                due = ""
            elif r.overdue:
                due = self.tr("%1 已逾期").replace("%1", _date_text(r.next_assessment_due))
                overdue.append(i)
            else:
                due = _date_text(r.next_assessment_due)
            rows.append([role, other, r.kind, _date_text(r.start_date), _date_text(r.planned_end), status, due])
            if r.ended_on is not None:
                faded.add(i)
            tip = [text for text in (
                self.tr("职业（工种）：%1").replace("%1", r.occupation) if r.occupation else "",
                self.tr("合作院校/机构：%1").replace("%1", r.partner) if r.partner else "",
                self.tr("上次考核：%1").replace("%1", _date_text(r.last_assessed_on)) if r.last_assessed_on else "",
                self.tr("超限原因：%1").replace("%1", r.override_reason) if r.override_reason else "",
                r.notes,
            ) if text]
            tips.append("\n".join(tip))
        self.pairing_list.set_rows(rows, ids=[r.id for _, r in self.pairings], faded=faded, tips=tips)
        red = QBrush(QColor("#b42318"))
        for i in overdue:
            self.pairing_list.table.item(i, 6).setForeground(red)
        masters = sum(1 for role, r in self.pairings if r.master_id == self.worker_id)
        self.pairing_title.setText(
            self.tr("师徒结对：作为师傅 %1 项，作为徒弟 %2 项（结对在「师徒」页登记）")
            .replace("%1", str(masters)).replace("%2", str(len(self.pairings) - masters))
        )

    def _show_history(self) -> None:
        rows = self.history
        self.history_list.set_rows(
            [[h.month, h.roll_status, h.allowance_type, f"{h.amount:,.2f}", h.rule] for h in rows],
            ids=[h.line_id for h in rows],
            tips=[h.rule for h in rows],
        )
        # A 岗位津贴 rule names the certificate and the contract: wrapped, not cut off.
        self.history_list.table.resizeRowsToContents()
        months = len({h.month for h in rows})
        self.history_title.setText(
            self.tr("津贴发放记录：%1 个月的发放表中共 %2 笔（最近 %3 个月）").replace("%1", str(months)).replace("%2", str(len(rows)))
            .replace("%3", str(self.HISTORY_MONTHS))
            if rows else self.tr("津贴发放记录：尚未列入任何津贴发放表")
        )


class WorkerDialog(FormDialog):
    """新增职工 / 职工档案. Saving keeps the dialog open: a new worker then gets the
    certificate, honour and competition tabs, an existing one shows the saved record."""

    saved = Signal(int)
    removed = Signal(int)  # deleted for good (a worker with history is set to 离职 and `saved` instead)

    TAB_BASIC, TAB_CERTIFICATES, TAB_HONOURS, TAB_COMPETITIONS, TAB_LEVELS, TAB_ACCOUNT, TAB_APPRENTICES = range(7)

    def __init__(self, engine: Engine, worker_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.worker_id = worker_id
        self.record: WorkerRecord = new_worker_record()
        self.child: RecordDialog | None = None  # the small dialog open on top, if any
        self.read_only = False  # a 只读 user's view (show_read_only)
        self.cancel_button.setText(self.tr("关闭"))
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(self.header)
        self.tabs = QTabWidget()
        self.body.addWidget(self.tabs, 1)
        self.tabs.addTab(self._basic_page(), self.tr("基本信息"))
        self.tabs.addTab(self._certificate_page(), self.tr("证书"))
        self.tabs.addTab(self._honour_page(), self.tr("荣誉"))
        self.tabs.addTab(self._competition_page(), self.tr("竞赛"))
        self.tabs.addTab(self._level_page(), self.tr("等级历程"))
        self.tabs.addTab(self._account_page(), self.tr("培训账户"))
        self.apprentice_tab = ApprenticeTab(self.engine, None)
        self.tabs.addTab(self.apprentice_tab, self.tr("师徒与津贴"))
        self.delete_button = QPushButton(self.tr("删除职工"))
        self.delete_button.clicked.connect(self.remove)
        writes(self.delete_button)
        self.buttons.insertWidget(0, self.delete_button)
        self.saved_note = QLabel()
        self.saved_note.setStyleSheet("color: #1e7e34;")
        self.buttons.insertWidget(1, self.saved_note)
        self.finish_layout()
        self.resize(960, 600)
        if worker_id is None:
            self._show(self.record)
        else:
            self.reload()

    # -- layout ------------------------------------------------------------------------

    def _basic_page(self) -> QWidget:
        departments, occupations = self._names()
        personal = QFormLayout()
        self.add_field(personal, "employee_no", self.tr("工号"), QLineEdit())
        self.add_field(personal, "name", self.tr("姓名"), QLineEdit())
        self.add_field(personal, "id_type", self.tr("证件类型"), choice_combo(ID_TYPES, blank=False))
        id_number = self.add_field(personal, "id_number", self.tr("证件号码"), QLineEdit())
        self.add_field(personal, "gender", self.tr("性别"), choice_combo(GENDERS))
        self.add_field(personal, "birth_date", self.tr("出生日期"), DateField())
        self.add_field(personal, "education", self.tr("学历"), choice_combo(EDUCATIONS))
        self.add_field(personal, "phone", self.tr("联系电话"), QLineEdit())
        job = QFormLayout()
        self.add_field(job, "department", self.tr("部门"), name_combo(departments))
        self.add_field(job, "post", self.tr("岗位"), QLineEdit())
        self.add_field(job, "occupation", self.tr("工种"), name_combo(occupations))
        self.add_field(job, "is_frontline", self.tr("是否一线职工"), QCheckBox(self.tr("一线职工")))
        self.add_field(job, "is_team_leader", self.tr("是否班组长"), QCheckBox(self.tr("班组长")))
        self.add_field(job, "hire_date", self.tr("入职日期"), DateField())
        self.add_field(job, "leave_date", self.tr("离职日期"), DateField())
        self.add_field(job, "status", self.tr("状态"), choice_combo(WORKER_STATUSES, blank=False))
        contract = QFormLayout()
        self.add_field(contract, "contract_start", self.tr("合同起始日"), DateField())
        end = DateField()
        open_ended = QCheckBox(self.tr("无固定期限"))
        self.fields["contract_end"], self.fields["contract_open_ended"] = end, open_ended
        end_row = QHBoxLayout()
        end_row.addWidget(end, 1)
        end_row.addWidget(open_ended)
        contract.addRow(self.tr("合同终止日") + "：", end_row)
        self.add_field(contract, "monthly_wage", self.tr("月工资"), QLineEdit())
        notes = QPlainTextEdit()
        notes.setTabChangesFocus(True)  # Tab moves on, as in every other field
        notes.setFixedHeight(56)
        self.fields["notes"] = notes

        id_number.setMaxLength(32)
        id_number.setPlaceholderText(self.tr("18 位，末位可为 X"))
        self.fields["monthly_wage"].setPlaceholderText(self.tr("元，如 5800.00"))
        self.fields["name"].setMaxLength(64)
        id_number.textChanged.connect(self._id_typed)
        id_number.editingFinished.connect(self._fill_from_id)
        self.fields["id_type"].currentTextChanged.connect(self._fill_from_id)
        open_ended.toggled.connect(lambda on: end.setEnabled(not on))

        left = QVBoxLayout()
        left.addWidget(self._group(self.tr("个人信息"), personal))
        left.addWidget(self._group(self.tr("劳动合同与工资"), contract))
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self._group(self.tr("任职信息"), job))
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        notes_form = QFormLayout()
        notes_form.addRow(self.tr("备注") + "：", notes)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(columns, 1)
        layout.addLayout(notes_form)
        return page

    @staticmethod
    def _group(title: str, form: QFormLayout) -> QGroupBox:
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        box = QGroupBox(title)
        box.setLayout(form)
        return box

    def _certificate_page(self) -> QWidget:
        add = QPushButton(self.tr("添加证书…"))
        add.clicked.connect(self.add_certificate)
        self.revoke_button = QPushButton(self.tr("撤销证书…"))
        self.revoke_button.clicked.connect(self.revoke_certificate)
        writes(add, self.revoke_button)
        self.certificate_list = ListPage(
            [self.tr("类别"), self.tr("工种"), self.tr("等级"), self.tr("证书编号"), self.tr("发证日期"), self.tr("发证机构"),
             self.tr("评价方式"), self.tr("有效期至"), self.tr("状态")],
            (add, self.revoke_button),
            stretch=5,
        )
        self.certificate_list.table.itemSelectionChanged.connect(self._update_revoke_button)
        return self.certificate_list

    def _honour_page(self) -> QWidget:
        add = QPushButton(self.tr("添加荣誉…"))
        add.clicked.connect(self.add_honour)
        writes(add)
        self.honour_list = ListPage(
            [self.tr("荣誉称号"), self.tr("级别"), self.tr("年度"), self.tr("授予单位"), self.tr("奖励金额（元）")], (add,), stretch=3, amounts=(4,)
        )
        return self.honour_list

    def _competition_page(self) -> QWidget:
        add = QPushButton(self.tr("添加竞赛成绩…"))
        add.clicked.connect(self.add_competition)
        writes(add)
        self.competition_list = ListPage(
            [self.tr("竞赛名称"), self.tr("级别"), self.tr("类别"), self.tr("主办单位"), self.tr("比赛日期"), self.tr("工种"),
             self.tr("成绩"), self.tr("奖金（元）")],
            (add,),
            stretch=0,
            amounts=(7,),
        )
        return self.competition_list

    def _level_page(self) -> QWidget:
        self.level_list = ListPage([self.tr("日期"), self.tr("等级"), self.tr("依据证书")], stretch=2)
        self.current_level = QLabel()
        self.level_list.bar.insertWidget(0, self.current_level)
        return self.level_list

    def _account_page(self) -> QWidget:
        from app.ui.account_tab import AccountTab  # it builds on this module's dialogs

        # Given its worker in _show_history, once the record is loaded: read once, not twice.
        self.account_tab = AccountTab(self.engine, None)
        return self.account_tab

    def _names(self) -> tuple[list[str], list[str]]:
        with self.engine.connect() as conn:
            departments = list(conn.scalars(select(Department.name).order_by(Department.name)))
            occupations = list(conn.scalars(select(Occupation.name).order_by(Occupation.name)))
        return departments, occupations

    def show_read_only(self) -> None:
        """For a 只读 user (app.ui.roles.apply_role): the file to read, nothing to type into;
        the 证件号码 comes masked from load_worker."""
        self.read_only = True
        for widget in self.fields.values():
            if isinstance(widget, (QLineEdit, QPlainTextEdit, QDateEdit)):
                widget.setReadOnly(True)
                palette = widget.palette()  # grey like the disabled boxes: nothing to type here
                palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
                widget.setPalette(palette)
            else:  # combo boxes and check boxes have no read-only state
                widget.setEnabled(False)
        self.cancel_button.setText(self.tr("关闭"))
        self.saved_note.setStyleSheet("color: #5f6368;")
        self.saved_note.setText(self.tr("只读：只能查看"))

    def is_dirty(self) -> bool:
        return not self.read_only and (super().is_dirty() or self.account_tab.plan_is_dirty())

    # -- showing a record ----------------------------------------------------------------

    def reload(self) -> None:
        """Show the stored record, discarding what was typed."""
        try:
            record = load_worker(self.engine, self.worker_id)
        except StaleRecord as exc:  # deleted meanwhile
            dialogs.show_error(self, self.tr("无法打开"), str(exc))
            self.record = new_worker_record()
            self.worker_id = None
            self._show(self.record)
            return
        self._show(record)

    def _show(self, record: WorkerRecord) -> None:
        self.record = record
        departments, occupations = self._names()
        set_names(self.fields["department"], departments)
        set_names(self.fields["occupation"], occupations)
        self.set_values({key: getattr(record, key) for key in self.fields})
        self.clear_problems()
        self._show_history(record)
        self.mark_clean()

    def _show_history(self, record: WorkerRecord) -> None:
        """Title, header and the tabs fed by other records; the typed fields are left alone."""
        self.record.certificates, self.record.honours = record.certificates, record.honours
        self.record.competitions, self.record.level_steps = record.competitions, record.level_steps
        self.record.level_rank = record.level_rank
        existing = self.worker_id is not None
        for tab in (self.TAB_CERTIFICATES, self.TAB_HONOURS, self.TAB_COMPETITIONS, self.TAB_LEVELS, self.TAB_ACCOUNT,
                    self.TAB_APPRENTICES):
            self.tabs.setTabEnabled(tab, existing)
        self.account_tab.worker_id = self.worker_id
        self.account_tab.refresh()
        self.apprentice_tab.worker_id = self.worker_id
        self.apprentice_tab.refresh()
        self.delete_button.setVisible(existing)
        level = level_label(record.level_rank) if record.level_rank is not None else self.tr("无等级证书")
        if not existing:
            self.setWindowTitle(self.tr("新增职工"))
            self.header.setText(self.tr("填写基本信息并保存后，即可登记证书、荣誉和竞赛成绩。"))
        else:
            title = self.tr("职工档案 — %1").replace("%1", record.name)
            if record.level_rank is not None:
                title += f"（{level}）"
            self.setWindowTitle(title)
            parts = [f"<b>{escape(record.name)}</b>"]
            if record.employee_no:
                parts.append(self.tr("工号 %1").replace("%1", escape(record.employee_no)))
            parts.append(self.tr("技能等级：%1").replace("%1", f"<b>{level}</b>"))
            parts.append(self.tr("状态：%1").replace("%1", record.status))
            self.header.setText("　　".join(parts))
        self.current_level.setText(self.tr("当前等级：%1").replace("%1", level))
        self._fill_lists(record)

    def _fill_lists(self, record: WorkerRecord) -> None:
        certs = record.certificates
        self.certificate_list.set_rows(
            [
                [c["kind"], c["occupation"], c["level"], c["number"], _date_text(c["issue_date"]), c["issuing_body"],
                 c["evaluation_route"], _date_text(c["expiry_date"]), self.tr("已撤销") if c["revoked"] else self.tr("有效")]
                for c in certs
            ],
            ids=[c["id"] for c in certs],
            faded={i for i, c in enumerate(certs) if c["revoked"]},
            tips=[
                self.tr("%1 撤销：%2").replace("%1", _date_text(c["revoked_on"])).replace("%2", c["revoke_reason"])
                if c["revoked"] else ""
                for c in certs
            ],
        )
        self._update_revoke_button()
        self.honour_list.set_rows([
            [h["title"], h["level"], str(h["year"] or ""), h["awarding_body"], _money_text(h["reward_amount"])]
            for h in record.honours
        ])
        self.competition_list.set_rows([
            [e["competition_name"], e["level"], e["category"], e["organiser"], _date_text(e["held_on"]),
             e["occupation"], e["result"] or (self.tr("第%1名").replace("%1", str(e["placing"])) if e["placing"] else ""),
             _money_text(e["prize_amount"])]
            for e in record.competitions
        ])
        by_id = {c["id"]: c for c in certs}
        self.level_list.set_rows([
            [_date_text(step.since) or self.tr("日期不详"), LEVEL_NAMES[step.rank],
             self._certificate_text(by_id.get(step.certificate_id))]
            for step in record.level_steps
        ])

    def _certificate_text(self, cert: dict | None) -> str:
        if cert is None:
            return ""
        return f"{cert['kind']} {cert['number'] or self.tr('（无编号）')}"

    # -- the ID number fills 性别 and 出生日期 -------------------------------------------

    def _id_typed(self, text: str) -> None:
        if len("".join(text.split())) >= 18:
            self._fill_from_id()

    def _fill_from_id(self) -> None:
        try:
            info = check_id_number(self.fields["id_type"].currentText(), self.fields["id_number"].text())
        except CheckError:
            return  # said on save, with the reason; half-typed numbers are normal here
        if info.gender:
            write_value(self.fields["gender"], info.gender)
        if info.birth_date:
            self.fields["birth_date"].set_value(info.birth_date)

    # -- actions -------------------------------------------------------------------------

    def save(self) -> bool:
        version = self.record.version
        worker_id = self.attempt(
            lambda: save_worker(self.engine, self.values(), worker_id=self.worker_id, expected_version=version)
        )
        if worker_id is None:
            return False
        self.worker_id = worker_id
        self.reload()
        self.saved_note.setText(self.tr("已保存 %1").replace("%1", datetime.now().strftime("%H:%M:%S")))
        self.saved.emit(worker_id)
        return True


    def on_stale(self, exc: StaleRecord) -> None:
        """Someone saved this worker meanwhile: show both versions, field by field, and let
        the clerk take theirs (reload) or save these edits over them knowingly."""
        try:
            theirs = load_worker(self.engine, self.worker_id)
        except StaleRecord as gone:  # deleted meanwhile: nothing to compare with
            dialogs.show_error(self, self.tr("未保存"), str(gone))
            return
        conflicts = worker_conflicts(self._baseline or {}, self.values(), theirs)
        text = (str(exc) + "\n\n" + self.tr("下表是另一位经办人改动的字段（红色：您也改了同一字段）。"
                                               "要重新加载（放弃本窗口未保存的修改），还是保存您的修改"
                                               "（您没改的字段保留对方的改动）？"))
        choice = dialogs.resolve_conflict(self, self.tr("档案已被修改"), text, conflicts)
        if choice == dialogs.RELOAD:
            self.reload()
        elif choice == dialogs.OVERWRITE:
            # Fields this clerk left alone take what the other saved; only the clerk's own
            # edits go over theirs, knowingly, against the version that is there now.
            for conflict in conflicts:
                if conflict.mine == conflict.opened:
                    write_value(self.fields[conflict.key], getattr(theirs, conflict.key))
            self.record.version = theirs.version
            self.save()

    def remove(self) -> None:
        name = self.record.name
        if not dialogs.ask_yes_no(
            self,
            self.tr("删除职工"),
            self.tr("确定要删除职工 %1 的档案吗？\n\n已有证书、荣誉、竞赛或劳动合同记录的职工不会被删除，而是登记为离职。")
            .replace("%1", name),
        ):
            return
        worker_id = self.worker_id
        try:
            outcome = remove_worker(self.engine, worker_id, expected_version=self.record.version)
        except StaleRecord as exc:  # saved by someone else meanwhile: decide on what is there now
            if dialogs.ask_yes_no(self, self.tr("档案已被修改"),
                                  str(exc) + "\n\n" + self.tr("未删除。要现在重新加载吗？本窗口未保存的修改将被放弃。")):
                self.reload()
            return
        except Refused as exc:
            dialogs.show_error(self, self.tr("未删除"), str(exc))
            return
        if outcome == "deleted":
            dialogs.show_info(self, self.tr("已删除"), self.tr("已删除职工 %1 的档案。").replace("%1", name))
            self.removed.emit(worker_id)
        else:
            left = load_worker(self.engine, worker_id)
            dialogs.show_info(
                self,
                self.tr("已登记为离职"),
                self.tr("%1 有证书、荣誉、竞赛或劳动合同等历史记录，档案保留，未删除；已登记为%2（离职日期 %3）。")
                .replace("%1", name).replace("%2", left.status).replace("%3", _date_text(left.leave_date)),
            )
            self.saved.emit(worker_id)
        self.accept()

    def _open_child(self, child: RecordDialog) -> RecordDialog:
        # Non-blocking (window-modal): the worker file stays visible behind it.
        child.saved.connect(self._history_changed)
        child.reload_needed.connect(lambda: self._history_changed(0))
        child.finished.connect(child.deleteLater)
        self.child = child
        child.open()
        return child

    def _history_changed(self, _record_id: int) -> None:
        self._show_history(load_worker(self.engine, self.worker_id))

    def add_certificate(self) -> RecordDialog:
        return self._open_child(
            CertificateDialog(self.engine, self.worker_id, self._names()[1], self.record.occupation, self)
        )

    def revoke_certificate(self) -> RecordDialog | None:
        cert_id = self.certificate_list.selected_id()
        cert = next((c for c in self.record.certificates if c["id"] == cert_id), None)
        if cert is None or cert["revoked"]:
            return None
        return self._open_child(RevokeDialog(self.engine, cert, self))

    def add_honour(self) -> RecordDialog:
        return self._open_child(HonourDialog(self.engine, self.worker_id, self))

    def add_competition(self) -> RecordDialog:
        return self._open_child(
            CompetitionDialog(self.engine, self.worker_id, self._names()[1], self.record.occupation, self)
        )

    def _update_revoke_button(self) -> None:
        cert_id = self.certificate_list.selected_id()
        cert = next((c for c in self.record.certificates if c["id"] == cert_id), None)
        self.revoke_button.setEnabled(cert is not None and not cert["revoked"])
