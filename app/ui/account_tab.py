"""个人培训账户 inside the worker file: the balance, the ledger with its two actions
(预算拨入, 更正), the 个性化培养方案 and how far the worker is from its target, and the
trainings the worker attended.

The ledger is never edited here: a mistake is put right by a 更正 entry (app.services.accounts),
so the table only ever grows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.errors import FieldErrors, Refused
from app.services.accounts import (
    KIND_CORRECTION,
    KIND_CREDIT,
    PLAN_YEARS,
    FormCheck,
    LedgerRow,
    PlanRecord,
    balance,
    correct,
    credit,
    ledger,
    load_plan,
    progress,
    save_plan,
)
from app.services.levels import LEVEL_NAMES
from app.services.training import enrolments_of_worker
from app.services.workers import StaleRecord
from app.ui import dialogs
from app.ui.form_support import clear_problems, error_label, show_problems
from app.ui.home_page import cjk_font
from app.ui.roles import writes
from app.ui.worker_form import DateField, ListPage, RecordDialog, choice_combo

_WARNING_COLOUR = "#b42318"


def money_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def signed_money_text(value: Decimal) -> str:
    """+5,000.00 / -1,234.56: which way the money went, at a glance."""
    return f"{value:+,.2f}"


def _checked(values: dict, labels: dict[str, str], *, positive: bool) -> date:
    """The entry date, after checking the amount, date and reason together. The services take
    the date as a Python date, so an empty one must be refused here; the other fields are
    read the service's way at the same time, so the clerk sees every problem at once."""
    check = FormCheck(values, labels)
    check.money("amount", required=True, positive=positive)
    on = check.date("on", required=True)
    if "reason" in labels:
        check.text("reason", required=True)
    check.raise_if_any()
    return on


class CreditDialog(RecordDialog):
    """预算拨入: the year's budget (or a top-up) put into the account."""

    def __init__(self, engine: Engine, worker_id: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("预算拨入"))
        self.engine, self.worker_id = engine, worker_id
        self.add_rows([
            ("amount", self.tr("拨入金额"), QLineEdit()),
            ("on", self.tr("拨入日期"), DateField()),
            ("reason", self.tr("说明"), QLineEdit()),
        ])
        self.fields["amount"].setPlaceholderText(self.tr("元，如 3000.00"))
        self.fields["on"].set_value(date.today())
        self.fields["reason"].setPlaceholderText(self.tr("如：%1 年度培训预算").replace("%1", str(date.today().year)))

    def submit(self, values: dict) -> tuple[int, list[str]]:
        on = _checked(values, {"amount": self.tr("拨入金额"), "on": self.tr("拨入日期")}, positive=True)
        return credit(self.engine, self.worker_id, values["amount"], on=on, reason=values["reason"]), []


class CorrectionDialog(RecordDialog):
    """更正 of one entry: the amount it should have been, and why. The entry itself stays."""

    def __init__(self, engine: Engine, entry: LedgerRow, standing: Decimal, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("更正账目"))
        self.engine, self.entry_id = engine, entry.id
        what = entry.programme_name or entry.reason
        summary = QLabel(
            self.tr("%1 %2 %3 元%4")
            .replace("%1", f"{entry.entry_date:%Y-%m-%d}")
            .replace("%2", entry.kind)
            .replace("%3", money_text(abs(entry.amount)))
            .replace("%4", f"（{what}）" if what else "")
        )
        summary.setWordWrap(True)
        self.form.addRow(self.tr("原账目") + "：", summary)
        self.amount_label = self.tr("更正后拨入金额") if entry.kind == KIND_CREDIT else self.tr("更正后扣费金额")
        self.add_rows([
            ("amount", self.amount_label, QLineEdit()),
            ("on", self.tr("更正日期"), DateField()),
            ("reason", self.tr("更正原因"), QLineEdit()),
            ("override_reason", self.tr("超支原因"), QLineEdit()),
        ])
        self.fields["amount"].setText(f"{standing:.2f}")
        self.fields["amount"].selectAll()
        self.fields["on"].set_value(date.today())
        self.fields["override_reason"].setPlaceholderText(self.tr("仅在更正后余额不足时填写"))
        hint = QLabel(self.tr("原账目保留不变，另记一笔更正，金额为两者之差。扣费金额填 0 即撤销该笔扣费。"))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.body.addWidget(hint)

    def submit(self, values: dict) -> tuple[int, list[str]]:
        labels = {"amount": self.amount_label, "on": self.tr("更正日期"), "reason": self.tr("更正原因")}
        on = _checked(values, labels, positive=False)
        entry_id = correct(
            self.engine, self.entry_id, values["amount"], on=on, reason=values["reason"],
            override_reason=values["override_reason"],
        )
        return entry_id, []


class AccountTab(QWidget):
    """The 培训账户 tab of one worker. `refresh()` reads everything again but keeps a plan
    the clerk is typing."""

    LEDGER_HEADERS = ("日期", "类别", "金额", "余额", "关联培训", "说明", "超支原因")
    ENROLMENT_HEADERS = ("项目", "日期", "学时", "结果", "扣费", "证书")
    PART_LEDGER, PART_PLAN, PART_ENROLMENTS = range(3)

    def __init__(self, engine: Engine, worker_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.worker_id = worker_id
        self.rows: list[LedgerRow] = []
        self.plan: PlanRecord | None = None
        self._plan_shown: dict | None = None
        self.child: RecordDialog | None = None

        self.balance_label = QLabel("—")
        self.balance_label.setFont(cjk_font(20, bold=True))
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.credit_button = QPushButton(self.tr("预算拨入…"))
        self.credit_button.clicked.connect(self.add_credit)
        self.correct_button = QPushButton(self.tr("更正…"))
        self.correct_button.clicked.connect(self.correct_entry)
        writes(self.credit_button, self.correct_button)

        caption = QLabel(self.tr("账户余额（今日，元）"))
        figure = QVBoxLayout()
        figure.setSpacing(0)
        figure.addWidget(caption)
        figure.addWidget(self.balance_label)
        top = QHBoxLayout()
        top.addLayout(figure)
        top.addSpacing(24)
        top.addWidget(self.progress_label, 1, Qt.AlignmentFlag.AlignBottom)

        self.ledger_list = ListPage(
            [self.tr(h) for h in self.LEDGER_HEADERS], (self.credit_button, self.correct_button), stretch=5,
            amounts=(2, 3),
        )
        self.ledger_list.table.itemSelectionChanged.connect(self._update_correct_button)
        # Course names run long: a fixed width with the full text in the row's tooltip, so
        # the amounts and the 说明 stay in view in the worker file.
        self.ledger_list.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.ledger_list.table.setColumnWidth(4, 220)
        self.enrolment_list = ListPage([self.tr(h) for h in self.ENROLMENT_HEADERS], stretch=0, amounts=(4,))

        # The worker file is 960 px wide: side by side, the ledger's seven columns and the
        # plan's text boxes were each cut off, so each part gets the full width in turn.
        self.parts = QTabWidget()
        self.parts.setDocumentMode(True)
        self.parts.addTab(self.ledger_list, self.tr("账目明细"))
        self.parts.addTab(self._plan_page(), self.tr("个性化培养方案"))
        self.parts.addTab(self.enrolment_list, self.tr("参加的培训"))

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.parts, 1)
        self.refresh()

    def _plan_page(self) -> QWidget:
        self.key_talent = QCheckBox(self.tr("列为重点培养对象"))
        self.target_level = choice_combo(LEVEL_NAMES[1:])
        self.target_date = DateField()
        self.plan_years = QComboBox()
        self.plan_years.addItem("", None)
        for years in range(PLAN_YEARS[0], PLAN_YEARS[1] + 1):
            self.plan_years.addItem(self.tr("%1 年").replace("%1", str(years)), years)
        self.planned_courses = QPlainTextEdit()
        self.self_study_plan = QPlainTextEdit()
        self.planned_courses.setPlaceholderText(self.tr("每行一门，如：焊接工艺评定与操作（2027 年）"))
        self.self_study_plan.setPlaceholderText(self.tr("书目与要练的技能，如：《焊接手册》第 2 卷；仰焊单面焊双面成形"))
        for edit in (self.planned_courses, self.self_study_plan):
            edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
            edit.setMinimumHeight(56)
        self.plan_fields: dict[str, QWidget] = {
            "key_talent": self.key_talent, "target_level": self.target_level, "target_date": self.target_date,
            "plan_years": self.plan_years, "planned_courses": self.planned_courses,
            "self_study_plan": self.self_study_plan,
        }
        self.plan_problems = error_label()
        self.save_plan_button = QPushButton(self.tr("保存计划"))
        self.save_plan_button.clicked.connect(self.save_plan)
        writes(self.save_plan_button)
        self.plan_saved_note = QLabel()
        self.plan_saved_note.setStyleSheet("color: #1e7e34;")

        goal = QFormLayout()
        goal.addRow(self.tr("重点培养对象："), self.key_talent)
        goal.addRow(self.tr("目标等级："), self.target_level)
        goal.addRow(self.tr("目标日期："), self.target_date)
        goal.addRow(self.tr("培养年限："), self.plan_years)
        goal_box = QWidget()
        goal_box.setLayout(goal)
        goal_box.setMaximumWidth(300)
        texts = QFormLayout()
        texts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        texts.addRow(self.tr("计划课程："), self.planned_courses)
        texts.addRow(self.tr("自学计划：\n书目与技能"), self.self_study_plan)
        columns = QHBoxLayout()
        columns.addWidget(goal_box, 0, Qt.AlignmentFlag.AlignTop)
        columns.addSpacing(16)
        columns.addLayout(texts, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.plan_saved_note, 1)
        buttons.addWidget(self.save_plan_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.plan_problems)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)
        return page

    # -- reading -------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.worker_id is None:
            return
        self.rows = ledger(self.engine, self.worker_id)
        self._show_balance(balance(self.engine, self.worker_id, on=date.today()))
        self._show_ledger(self.rows)
        self._show_progress()
        self._show_enrolments()
        # A plan being typed survives a refresh caused elsewhere (a certificate added in
        # another tab); the clerk's words are never thrown away silently.
        if not self.plan_is_dirty():
            self._show_plan(load_plan(self.engine, self.worker_id))

    def _show_balance(self, amount: Decimal) -> None:
        self.balance_label.setText(money_text(amount))
        self.balance_label.setStyleSheet(f"color: {_WARNING_COLOUR};" if amount < 0 else "")

    def _show_ledger(self, rows: list[LedgerRow]) -> None:
        self.ledger_list.set_rows(
            [
                # A charge's 说明 is its course's name, already in 关联培训.
                [f"{r.entry_date:%Y-%m-%d}", r.kind, signed_money_text(r.amount), money_text(r.balance),
                 r.programme_name, "" if r.reason == r.programme_name else r.reason, r.override_reason]
                for r in rows
            ],
            ids=[r.id for r in rows],
            tips=[self._row_tip(r) for r in rows],
        )
        self._update_correct_button()

    def _row_tip(self, row: LedgerRow) -> str:
        lines = [text for text in (row.programme_name, row.reason) if text]
        original = next((r for r in self.rows if r.id == row.corrects_entry_id), None)
        if original is not None:
            lines.append(
                self.tr("更正 %1 的%2").replace("%1", f"{original.entry_date:%Y-%m-%d}").replace("%2", original.kind)
            )
        if row.override_reason:
            lines.append(self.tr("超支原因：%1").replace("%1", row.override_reason))
        return "\n".join(lines)

    def _show_progress(self) -> None:
        found = progress(self.engine, self.worker_id)
        self.progress_label.setText(self.tr("培养进度：%1").replace("%1", found.text))
        self.progress_label.setStyleSheet(f"color: {_WARNING_COLOUR};" if found.on_track is False else "")

    def _show_enrolments(self) -> None:
        rows = enrolments_of_worker(self.engine, self.worker_id)
        self.parts.setTabText(self.PART_ENROLMENTS, self.tr("参加的培训（%1）").replace("%1", str(len(rows))))
        self.enrolment_list.set_rows([
            [r.programme_name, f"{r.programme_start:%Y-%m-%d}",
             f"{'—' if r.hours_attended is None else r.hours_attended}/{r.programme_hours}", r.result,
             money_text(r.cost_charged), r.certificate_number]
            for r in rows
        ])

    def _show_plan(self, plan: PlanRecord) -> None:
        self.plan = plan
        self.key_talent.setChecked(plan.key_talent)
        self.target_level.setCurrentText(LEVEL_NAMES[plan.target_level] if plan.target_level else "")
        self.target_date.set_value(plan.target_date)
        self.plan_years.setCurrentIndex(max(self.plan_years.findData(plan.plan_years), 0))
        self.planned_courses.setPlainText(plan.planned_courses)
        self.self_study_plan.setPlainText(plan.self_study_plan)
        clear_problems(self.plan_problems, self.plan_fields)
        self._plan_shown = self.plan_values()

    # -- the plan ------------------------------------------------------------------------

    def plan_values(self) -> dict:
        return {
            "key_talent": self.key_talent.isChecked(),
            "target_level": self.target_level.currentText(),
            "target_date": self.target_date.value(),
            "plan_years": self.plan_years.currentData(),
            "planned_courses": self.planned_courses.toPlainText(),
            "self_study_plan": self.self_study_plan.toPlainText(),
        }

    def plan_is_dirty(self) -> bool:
        return self._plan_shown is not None and self.plan_values() != self._plan_shown

    def save_plan(self) -> bool:
        clear_problems(self.plan_problems, self.plan_fields)
        self.plan_saved_note.clear()
        version = self.plan.version if self.plan else None
        try:
            save_plan(self.engine, self.worker_id, self.plan_values(), version)
        except FieldErrors as exc:
            self.parts.setCurrentIndex(self.PART_PLAN)  # so the marked field can take the cursor
            show_problems(self.plan_problems, self.plan_fields, exc.problems)
            return False
        except StaleRecord as exc:
            if dialogs.ask_yes_no(
                self, self.tr("培养方案已被修改"),
                str(exc) + "\n\n" + self.tr("要现在重新加载吗？本页未保存的修改将被放弃。"),
            ):
                self._show_plan(load_plan(self.engine, self.worker_id))
            return False
        except Refused as exc:
            dialogs.show_error(self, self.tr("未保存"), str(exc))
            return False
        self._show_plan(load_plan(self.engine, self.worker_id))
        self._show_progress()
        self.plan_saved_note.setText(self.tr("培养方案已保存"))
        return True

    # -- the ledger's actions ----------------------------------------------------------

    def selected_entry(self) -> LedgerRow | None:
        entry_id = self.ledger_list.selected_id()
        return next((r for r in self.rows if r.id == entry_id), None)

    def _update_correct_button(self) -> None:
        entry = self.selected_entry()
        # A 更正 is put right by correcting its original again: the service sums them.
        self.correct_button.setEnabled(entry is not None and entry.kind != KIND_CORRECTION)
        self.correct_button.setToolTip(
            self.tr("更正记录不能再更正，请选中原始账目") if entry is not None and entry.kind == KIND_CORRECTION
            else self.tr("选中一笔账目后更正其金额；原账目保留不变")
        )

    def _standing(self, entry: LedgerRow) -> Decimal:
        """What the entry amounts to now with its corrections, as the clerk reads it."""
        total = entry.amount + sum((r.amount for r in self.rows if r.corrects_entry_id == entry.id), Decimal("0.00"))
        return total if entry.kind == KIND_CREDIT else -total

    def _open(self, child: RecordDialog) -> RecordDialog:
        # Window-modal, as the worker file's own small dialogs: the ledger stays in view.
        child.saved.connect(lambda _id: self.refresh())
        child.finished.connect(child.deleteLater)
        self.child = child
        child.open()
        return child

    def add_credit(self) -> RecordDialog:
        return self._open(CreditDialog(self.engine, self.worker_id, self))

    def correct_entry(self) -> RecordDialog | None:
        entry = self.selected_entry()
        if entry is None or entry.kind == KIND_CORRECTION:
            return None
        return self._open(CorrectionDialog(self.engine, entry, self._standing(entry), self))
