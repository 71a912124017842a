"""The small windows of the 培训 page: a programme, the enrolment picker, a service-period
agreement and its settlement.

Every check lives in app.services (training, agreements); these dialogs collect what was
typed or picked and show what the service refused on the field it names.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from PySide6.QtCore import QCoreApplication, QIdentityProxyModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.services.agreements import AgreementRow, save_agreement, settle_agreement
from app.services.levels import LEVEL_NAMES
from app.services.training import (
    EnrolResult,
    ProgrammeRow,
    enrol_workers,
    enrolments_of_worker,
    load_programme,
    save_programme,
)
from app.services.training_rules import FUNDING_SOURCES, HOURS_PER_DAY, TRAINING_FORMS
from app.services.vocab import STATUS_ACTIVE
from app.services.workers import StaleRecord
from app.services.worker_list import WorkerFilter, filter_choices, format_value, worker_rows
from app.ui import dialogs
from app.ui.jobs import run_job
from app.ui.worker_form import DateField, RecordDialog, choice_combo, name_combo, read_value
from app.ui.worker_table import ID_ROLE, WorkerTableModel

# How many names a summary lists before it says 等 N 人: a message box taller than the
# screen hides its own OK button.
NAMES_LISTED = 20


def _tr(text: str) -> str:
    return QCoreApplication.translate("training", text)


def who(name: str, employee_no: str) -> str:
    """How the page names a worker, as the services' messages do: 张三（工号 1001）."""
    return _tr("%1（工号 %2）").replace("%1", name).replace("%2", employee_no) if employee_no else name


def period_text(start: date, end: date | None) -> str:
    if end is None:
        return _tr("%1 起").replace("%1", f"{start:%Y-%m-%d}")
    return _tr("%1 至 %2").replace("%1", f"{start:%Y-%m-%d}").replace("%2", f"{end:%Y-%m-%d}")


class ProgrammeDialog(RecordDialog):
    """新建 / 修改 a training programme 培训项目: every field of save_programme."""

    def __init__(self, engine: Engine, programme: ProgrammeRow | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine, self.programme = engine, programme
        self.setWindowTitle(self.tr("新建培训项目") if programme is None else self.tr("修改培训项目"))
        with engine.connect() as conn:
            occupations = [name for _id, name in filter_choices(conn)["occupations"]]
        notes = QPlainTextEdit()
        notes.setTabChangesFocus(True)  # Tab moves on, as in every other field
        notes.setFixedHeight(56)
        self.add_rows([
            ("name", self.tr("项目名称"), QLineEdit()),
            ("provider", self.tr("培训机构"), QLineEdit()),
            ("form", self.tr("培训形式"), choice_combo(TRAINING_FORMS, blank=False)),
            ("start_date", self.tr("开始日期"), DateField()),
            ("end_date", self.tr("结束日期"), DateField()),
            ("hours", self.tr("学时"), QLineEdit()),
            ("cost_per_person", self.tr("人均费用"), QLineEdit()),
            ("funding_source", self.tr("经费来源"), choice_combo(FUNDING_SOURCES, blank=False)),
            ("occupation", self.tr("职业（工种）"), name_combo(occupations)),
            ("target_level", self.tr("目标等级"), choice_combo(LEVEL_NAMES[1:])),
            ("notes", self.tr("备注"), notes),
        ])
        self.fields["name"].setPlaceholderText(self.tr("如：焊工技师培训班"))
        self.fields["provider"].setPlaceholderText(self.tr("承办单位，如：市技师学院"))
        self.fields["hours"].setPlaceholderText(
            self.tr("如 120（每天 %1 学时，120 学时 = 15 天）").replace("%1", str(HOURS_PER_DAY))
        )
        self.fields["cost_per_person"].setPlaceholderText(self.tr("元，如 1500.00；报名时作为每人的扣费"))
        if programme is not None:
            self._show(programme)

    def _show(self, programme: ProgrammeRow) -> None:
        shown = asdict(programme)
        shown.update(
            hours=str(programme.hours),
            cost_per_person=format_value(programme.cost_per_person),
            target_level=LEVEL_NAMES[programme.target_level] if programme.target_level is not None else "",
        )
        self.set_values(shown)

    def reload_record(self) -> None:
        """The programme as another clerk saved it, in this dialog, to edit again."""
        if self.programme is None:
            return super().reload_record()
        try:
            self.programme = load_programme(self.engine, self.programme.id)
        except StaleRecord as exc:  # deleted meanwhile: nothing left to edit
            dialogs.show_error(self, self.tr("无法重新加载"), str(exc))
            return super().reload_record()
        self.clear_problems()
        self._show(self.programme)
        self.mark_clean()
        self.reload_needed.emit()  # the page's list shows it too

    def submit(self, values: dict) -> tuple[int, list[str]]:
        if self.programme is None:
            return save_programme(self.engine, values), []
        return save_programme(
            self.engine, values, programme_id=self.programme.id, expected_version=self.programme.version
        ), []


class TickedWorkers(QIdentityProxyModel):
    """The worker list with a tick box in its first column. The ticks are kept by worker
    id, so they survive a new search: a clerk can gather people from several searches."""

    changed = Signal()

    def __init__(self, source: WorkerTableModel, parent=None):
        super().__init__(parent)
        self.setSourceModel(source)
        self.ticked: set[int] = set()

    def flags(self, index: QModelIndex):
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            ticked = index.data(ID_ROLE) in self.ticked
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802 (Qt's name)
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0:
            return super().setData(index, value, role)
        # The view hands over an int or a Qt.CheckState, depending on where the click came from.
        state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(value)
        self.set_ticked([index.data(ID_ROLE)], state == Qt.CheckState.Checked)
        return True

    def toggle(self, row: int) -> None:
        worker_id = self.index(row, 0).data(ID_ROLE)
        self.set_ticked([worker_id], worker_id not in self.ticked)

    def set_ticked(self, worker_ids, ticked: bool) -> None:
        if ticked:
            self.ticked.update(worker_ids)
        else:
            self.ticked.difference_update(worker_ids)
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, 0), [Qt.ItemDataRole.CheckStateRole]
            )
        self.changed.emit()


class WorkerFinder(QWidget):
    """Find workers as the 职工 page does — name, 工号, pinyin initials or the last digits of
    the ID number, within a department — over the same lazy list model, so 100,000
    workers search as fast there as here. Ticks several (`ticks`) or picks one (`picked`)."""

    picked = Signal(int)

    def __init__(self, engine: Engine, *, status: str | None, checkable: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.status = status
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索：姓名、工号、拼音首字母（如 zsf）或证件号码后几位"))
        self.search.setClearButtonEnabled(True)
        self.department = QComboBox()
        self.department.addItem(self.tr("全部部门"), None)
        with engine.connect() as conn:
            for department_id, name in filter_choices(conn)["departments"]:
                self.department.addItem(name, department_id)
        self.model = WorkerTableModel(engine, self)
        columns = ["employee_no", "name", "department", "occupation", "level"]
        self.model.set_columns(columns if status else columns + ["status"])
        self.ticks = TickedWorkers(self.model, self) if checkable else None
        self.table = QTableView()
        self.table.setModel(self.ticks or self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Fixed widths: fitting them to the contents would read every row of a lazy list.
        for index, width in enumerate((110 if checkable else 80, 70, 100, 130, 70)):
            self.table.setColumnWidth(index, width)
        self.count = QLabel()
        self.model.count_changed.connect(lambda n: self.count.setText(self.tr("找到 %1 人").replace("%1", str(n))))
        self.search.textChanged.connect(self.apply_filter)
        self.department.currentIndexChanged.connect(self.apply_filter)
        self.search.returnPressed.connect(self._into_list)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        if self.ticks is not None:
            self.table.activated.connect(lambda index: self.ticks.toggle(index.row()))
            space = QShortcut(QKeySequence(Qt.Key.Key_Space), self.table, activated=self._toggle_current)
            space.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.setFocusProxy(self.search)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.department, 1)
        filters.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.model.filter = self.current_filter()
        self.model.reload()

    def current_filter(self) -> WorkerFilter:
        return WorkerFilter(text=self.search.text(), department_id=self.department.currentData(), status=self.status)

    def apply_filter(self, *_args) -> None:
        self.model.set_filter(self.current_filter())

    def _into_list(self) -> None:
        """Enter in the search box moves into the list, on the first match."""
        if self.model.rowCount():
            self.table.setFocus()
            self.table.setCurrentIndex(self.table.model().index(0, 0))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        worker_id = self.model.worker_id(current.row())
        if worker_id is not None:
            self.picked.emit(worker_id)

    def _toggle_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.ticks.toggle(index.row())

    def tick_all_shown(self) -> None:
        self.ticks.set_ticked(self.model.ids, True)


class EnrolDialog(QDialog):
    """报名: tick 在职 workers found by search, then enrol them all in one job."""

    enrolled = Signal(object)  # the EnrolResult

    def __init__(self, engine: Engine, programme: ProgrammeRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine, self.programme = engine, programme
        self.setWindowTitle(self.tr("报名 — %1").replace("%1", programme.name))
        self.finder = WorkerFinder(engine, status=STATUS_ACTIVE, checkable=True)
        self.finder.ticks.changed.connect(self._update_count)
        tick_all = QPushButton(self.tr("全选当前结果"))
        tick_all.clicked.connect(self.finder.tick_all_shown)
        untick = QPushButton(self.tr("清除选择"))
        untick.clicked.connect(lambda: self.finder.ticks.set_ticked(list(self.finder.ticks.ticked), False))
        self.selected = QLabel()
        self.ok_button = QPushButton()
        self.ok_button.clicked.connect(self.confirm)
        cancel = QPushButton(self.tr("取消"))
        cancel.clicked.connect(self.reject)
        for button in (tick_all, untick, self.ok_button, cancel):
            button.setAutoDefault(False)  # Enter in the search box must not enrol anyone
        hint = QLabel(self.tr("勾选要报名的职工（空格键勾选当前行）；换一个搜索条件时，已勾选的人保留。"))
        hint.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        buttons.addWidget(tick_all)
        buttons.addWidget(untick)
        buttons.addWidget(self.selected)
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.finder, 1)
        layout.addLayout(buttons)
        self.resize(760, 520)
        self._update_count()
        self.finder.search.setFocus()

    def _update_count(self) -> None:
        count = len(self.finder.ticks.ticked)
        self.selected.setText(self.tr("已选 %1 人").replace("%1", str(count)))
        self.ok_button.setText(self.tr("报名（%1 人）").replace("%1", str(count)))
        self.ok_button.setEnabled(count > 0)

    def confirm(self) -> None:
        ids = sorted(self.finder.ticks.ticked)
        if not ids:
            return
        engine, programme_id = self.engine, self.programme.id
        run_job(
            self,
            self.tr("正在为 %1 人报名…").replace("%1", str(len(ids))),
            lambda _progress: enrol_workers(engine, programme_id, ids),
            on_success=self._done,
            cancellable=False,  # one transaction with no progress steps: nothing to cancel midway
        )

    def _done(self, result: EnrolResult) -> None:
        dialogs.show_info(self, self.tr("报名结果"), self.summary(result))
        self.enrolled.emit(result)
        self.accept()

    def summary(self, result: EnrolResult) -> str:
        lines = [self.tr("「%1」新报名 %2 人。").replace("%1", self.programme.name).replace("%2", str(len(result.added)))]
        if result.already:
            with self.engine.connect() as conn:
                rows = worker_rows(conn, result.already[:NAMES_LISTED])
            names = "、".join(who(rows[i]["name"], rows[i]["employee_no"]) for i in result.already[:NAMES_LISTED] if i in rows)
            if len(result.already) > NAMES_LISTED:
                names += self.tr(" 等")
            lines.append(
                self.tr("已在本项目中、未重复报名 %1 人：%2").replace("%1", str(len(result.already))).replace("%2", names)
            )
        if result.refused:
            lines.append(self.tr("未能报名 %1 人：").replace("%1", str(len(result.refused))))
            lines += [f"　{p.message}" for p in result.refused[:NAMES_LISTED]]
            if len(result.refused) > NAMES_LISTED:
                lines.append(self.tr("　……另有 %1 人").replace("%1", str(len(result.refused) - NAMES_LISTED)))
        return "\n".join(lines)


class AgreementDialog(RecordDialog):
    """新建服务期协议: the worker picked by search, the cost and period, and which of the
    worker's enrolments the agreement covers."""

    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.worker_id: int | None = None
        self._charges: dict[int, object] = {}  # enrolment id → its charge, for the cost hint
        self.setWindowTitle(self.tr("新建服务期协议"))
        # Any status: a clerk may record the agreement of someone who has already left.
        self.finder = WorkerFinder(engine, status=None, checkable=False)
        self.finder.table.setMinimumHeight(180)
        self.finder.picked.connect(self._worker_picked)
        self.chosen = QLabel(self.tr("（在上面的列表中选择职工）"))
        self.covered = QListWidget()
        self.covered.setFixedHeight(90)
        self.covered.itemChanged.connect(self._update_cost_hint)
        self.add_rows([
            ("worker_id", self.tr("职工"), self.finder),
            ("agreement_no", self.tr("协议编号"), QLineEdit()),
            ("signed_on", self.tr("签订日期"), DateField()),
            ("cost", self.tr("培训费用"), QLineEdit()),
            ("service_start", self.tr("服务期起始日"), DateField()),
            ("service_end", self.tr("服务期终止日"), DateField()),
            ("enrolment_ids", self.tr("所含培训"), self.covered),
            ("notes", self.tr("备注"), QLineEdit()),
        ])
        self.form.insertRow(1, self.tr("已选职工："), self.chosen)
        self.finder.search.setFocus()  # a new agreement starts by finding the worker
        self.fields["cost"].setPlaceholderText(self.tr("元，企业支付的培训费用"))
        self.resize(720, 640)

    def values(self) -> dict:
        # The worker and the enrolments are picked, not typed: they come from the pickers.
        picked = {"worker_id": self.worker_id, "enrolment_ids": self.covered_ids()}
        typed = {key: read_value(widget) for key, widget in self.fields.items() if key not in picked}
        return typed | picked

    def covered_ids(self) -> list[int]:
        items = (self.covered.item(i) for i in range(self.covered.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item.checkState() == Qt.CheckState.Checked]

    def _worker_picked(self, worker_id: int) -> None:
        if worker_id == self.worker_id:
            return
        self.worker_id = worker_id
        with self.engine.connect() as conn:
            row = worker_rows(conn, [worker_id])[worker_id]
        status = "" if row["status"] == STATUS_ACTIVE else f"（{row['status']}）"
        self.chosen.setText(f"<b>{who(row['name'], row['employee_no'])}</b>　{row['department']}{status}")
        enrolments = enrolments_of_worker(self.engine, worker_id)
        self._charges = {e.id: e.cost_charged for e in enrolments}
        self.covered.blockSignals(True)
        self.covered.clear()
        for e in enrolments:
            text = self.tr("%1（%2 开班，扣费 %3 元）").replace("%1", e.programme_name)
            item = QListWidgetItem(text.replace("%2", format_value(e.programme_start)).replace("%3", format_value(e.cost_charged)))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, e.id)
            self.covered.addItem(item)
        if not enrolments:
            self.covered.addItem(self.tr("该职工没有报名记录"))
        self.covered.blockSignals(False)
        self._update_cost_hint()

    def _update_cost_hint(self, *_args) -> None:
        ids = self.covered_ids()
        if ids:
            total = sum(self._charges[i] for i in ids)
            self.fields["cost"].setPlaceholderText(self.tr("所选培训扣费合计 %1 元").replace("%1", format_value(total)))

    def select_worker(self, worker_id: int) -> None:
        """Pick `worker_id` in the list, as a click on its row would."""
        row = self.finder.model.row_of(worker_id)
        if row is not None:
            self.finder.table.selectionModel().setCurrentIndex(
                self.finder.table.model().index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )

    def submit(self, values: dict) -> tuple[int, list[str]]:
        return save_agreement(self.engine, values), []


class SettleDialog(RecordDialog):
    """结清: close an open agreement with the repayment received, by default the amount due."""

    def __init__(self, engine: Engine, agreement: AgreementRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine, self.agreement = engine, agreement
        self.setWindowTitle(self.tr("结清服务期协议"))
        what = QLabel(
            self.tr("%1　协议 %2　培训费用 %3 元　服务期 %4<br>按 %5 离职计算，应偿还 <b>%6 元</b>")
            .replace("%1", who(agreement.worker_name, agreement.employee_no))
            .replace("%2", agreement.agreement_no or self.tr("（无编号）"))
            .replace("%3", format_value(agreement.cost))
            .replace("%4", period_text(agreement.service_start, agreement.service_end))
            .replace("%5", format_value(agreement.as_of))
            .replace("%6", format_value(agreement.repayment_due))
        )
        what.setWordWrap(True)
        self.body.insertWidget(0, what)
        self.add_rows([
            ("settled_on", self.tr("结清日期"), DateField()),
            ("repayment", self.tr("偿还金额"), QLineEdit()),
            ("note", self.tr("说明"), QLineEdit()),
        ])
        self.fields["settled_on"].set_value(date.today())
        self.fields["repayment"].setText(format_value(agreement.repayment_due))
        self.fields["note"].setPlaceholderText(self.tr("如：双方协商减免 500 元"))

    def submit(self, values: dict) -> tuple[int, list[str]]:
        settle_agreement(
            self.engine, self.agreement.id, settled_on=values["settled_on"], repayment=values["repayment"],
            note=values["note"], expected_version=self.agreement.version,
        )
        return self.agreement.id, []
