"""The 师徒 page: pairings 师徒结对 with their assessments and how they ended, and the masters
with their apprentice counts against the policy's limit.

Every check lives in app.services.apprenticeships; the dialogs here collect what was typed
or picked and show what the service refused on the field it names.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine, select

from app.errors import FieldProblem
from app.models import Certificate
from app.services.apprenticeships import (
    ACTIVE,
    ENDED_STATUSES,
    GRADUATED,
    KIND_NEW_APPRENTICESHIP,
    KINDS,
    STATUSES,
    TERMINATED,
    PairingRow,
    add_assessment,
    end_pairing,
    list_pairings,
    masters,
    save_pairing,
)
from app.services.levels import LEVEL_NAMES
from app.services.vocab import STATUS_ACTIVE
from app.services.worker_list import filter_choices, format_value, worker_rows
from app.ui import dialogs
from app.ui.jobs import run_job
from app.ui.lazy_page import ReadsWhenShown
from app.ui.roles import writes
from app.ui.training_dialogs import WorkerFinder, who
from app.ui.training_page import certificate_label
from app.ui.worker_form import (
    DateField,
    ListPage,
    RecordDialog,
    choice_combo,
    name_combo,
    read_value,
)

ALL = "全部"
PAIRING_HEADERS = ("师傅", "师傅等级", "徒弟", "类型", "合作院校/机构", "开始", "计划结束", "状态", "最近考核", "下次考核")
COL_MASTER, COL_MASTER_LEVEL, COL_APPRENTICE = 0, 1, 2
COL_STATUS, COL_NEXT = 7, 9
_RED = QColor("#b3261e")
OVERRIDE_HINT = "超限原因：师傅等级不足或带徒已满时，如确需结对，请在此写明原因（随结对保存）"


def select_worker(finder: WorkerFinder, worker_id: int) -> None:
    """Pick `worker_id` in a finder's list, as a click on its row would."""
    row = finder.model.row_of(worker_id)
    if row is not None:
        finder.table.selectionModel().setCurrentIndex(
            finder.table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )


def pairing_text(row: PairingRow) -> str:
    return (
        f"师傅 <b>{who(row.master_name, row.master_no)}</b>　徒弟 <b>{who(row.apprentice_name, row.apprentice_no)}</b>"
        f"<br>{row.kind}　{format_value(row.start_date)} 起　{row.status}"
    )


class PairingDialog(RecordDialog):
    """新建结对: master and apprentice found by search, then the pairing's fields."""

    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.master_id: int | None = None
        self.apprentice_id: int | None = None
        self.setWindowTitle(self.tr("新建师徒结对"))
        with engine.connect() as conn:
            occupations = [name for _id, name in filter_choices(conn)["occupations"]]
        self.master_finder = WorkerFinder(engine, status=STATUS_ACTIVE, checkable=False)
        self.apprentice_finder = WorkerFinder(engine, status=STATUS_ACTIVE, checkable=False)
        self.master_chosen = QLabel(self.tr("（在列表中选择师傅）"))
        self.apprentice_chosen = QLabel(self.tr("（在列表中选择徒弟）"))
        pickers = QHBoxLayout()
        for title, finder, chosen in (
            (self.tr("师傅"), self.master_finder, self.master_chosen),
            (self.tr("徒弟"), self.apprentice_finder, self.apprentice_chosen),
        ):
            finder.table.setMinimumHeight(150)
            box = QGroupBox(title)
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(finder, 1)
            box_layout.addWidget(chosen)
            pickers.addWidget(box, 1)
        self.body.insertLayout(0, pickers, 1)
        self.master_finder.picked.connect(self._master_picked)
        self.apprentice_finder.picked.connect(self._apprentice_picked)
        # The pickers take the refusals of master_id / apprentice_id.
        self.fields["master_id"] = self.master_finder
        self.fields["apprentice_id"] = self.apprentice_finder
        notes = QPlainTextEdit()
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(48)
        self.add_rows([
            ("kind", self.tr("类型"), choice_combo(KINDS, blank=False)),
            ("partner", self.tr("合作院校/机构"), QLineEdit()),
            ("occupation", self.tr("职业（工种）"), name_combo(occupations)),
            ("start_date", self.tr("开始日期"), DateField()),
            ("planned_end", self.tr("计划结束日期"), DateField()),
            ("target_level", self.tr("目标等级"), choice_combo(LEVEL_NAMES[1:])),
            ("agreement_no", self.tr("协议编号"), QLineEdit()),
            ("notes", self.tr("备注"), notes),
            ("override_reason", self.tr("超限原因"), QLineEdit()),
        ])
        self.fields["start_date"].set_value(date.today())
        self.fields["partner"].setPlaceholderText(self.tr("企业新型学徒制必填，如：市技师学院"))
        self.fields["override_reason"].setPlaceholderText(
            self.tr("师傅低于规定等级或带徒已满时必填，如：该工种仅此一名技师")
        )
        self.fields["kind"].currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.fields["kind"].currentText())
        self.master_finder.search.setFocus()
        self.resize(1000, 760)

    def _kind_changed(self, kind: str) -> None:
        needed = kind == KIND_NEW_APPRENTICESHIP
        self.fields["partner"].setPlaceholderText(
            self.tr("必填：合作的院校或培训机构") if needed else self.tr("选填")
        )

    def _describe(self, worker_id: int) -> dict:
        with self.engine.connect() as conn:
            return worker_rows(conn, [worker_id])[worker_id]

    def _master_picked(self, worker_id: int) -> None:
        self.master_id = worker_id
        row = self._describe(worker_id)
        level = row["level"] or self.tr("无等级")
        self.master_chosen.setText(f"<b>{who(row['name'], row['employee_no'])}</b>　{row['department']}　{level}")
        occupation = self.fields["occupation"]
        if not occupation.currentText().strip() and row["occupation"]:
            occupation.setEditText(row["occupation"])

    def _apprentice_picked(self, worker_id: int) -> None:
        self.apprentice_id = worker_id
        row = self._describe(worker_id)
        level = row["level"] or self.tr("无等级")
        self.apprentice_chosen.setText(f"<b>{who(row['name'], row['employee_no'])}</b>　{row['department']}　{level}")

    def select_master(self, worker_id: int) -> None:
        select_worker(self.master_finder, worker_id)

    def select_apprentice(self, worker_id: int) -> None:
        select_worker(self.apprentice_finder, worker_id)

    def values(self) -> dict:
        picked = {"master_id": self.master_id, "apprentice_id": self.apprentice_id}
        typed = {key: read_value(widget) for key, widget in self.fields.items() if key not in picked}
        return typed | picked

    def show_problems(self, problems: list[FieldProblem]) -> None:
        # A master below the level or over the limit may still be paired with a reason:
        # point at the field that takes it.
        if any(p.field == "master_id" and "超限原因" in p.message for p in problems) and not any(
            p.field == "override_reason" for p in problems
        ):
            problems = [*problems, FieldProblem("override_reason", self.tr(OVERRIDE_HINT))]
        super().show_problems(problems)

    def submit(self, values: dict) -> tuple[int, list[str]]:
        return save_pairing(self.engine, values), []


class AssessmentDialog(RecordDialog):
    """记录考核 of one pairing."""

    def __init__(self, engine: Engine, pairing: PairingRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine, self.pairing = engine, pairing
        self.setWindowTitle(self.tr("记录考核"))
        what = QLabel(pairing_text(pairing))
        what.setWordWrap(True)
        self.body.insertWidget(0, what)
        self.add_rows([
            ("assessed_on", self.tr("考核日期"), DateField()),
            ("content", self.tr("考核内容"), QLineEdit()),
            ("result", self.tr("考核结果"), name_combo(["优秀", "良好", "合格", "不合格"])),
            ("assessor", self.tr("考核人"), QLineEdit()),
        ])
        self.fields["assessed_on"].set_value(date.today())
        self.fields["content"].setPlaceholderText(self.tr("如：焊接操作技能阶段考核"))
        self.fields["assessor"].setText(pairing.master_name)

    def submit(self, values: dict) -> tuple[int, list[str]]:
        return add_assessment(self.engine, self.pairing.id, values), []


class EndDialog(RecordDialog):
    """出师 (with the apprentice's certificate) or 终止 (with its reason)."""

    def __init__(self, engine: Engine, pairing: PairingRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine, self.pairing = engine, pairing
        self.setWindowTitle(self.tr("出师 / 终止"))
        what = QLabel(pairing_text(pairing))
        what.setWordWrap(True)
        self.body.insertWidget(0, what)
        certificates = QComboBox()
        certificates.addItem("", None)
        query = (
            select(Certificate.id, Certificate.kind, Certificate.level_rank, Certificate.number, Certificate.issue_date)
            .where(Certificate.worker_id == pairing.apprentice_id, Certificate.revoked.is_(False))
            .order_by(Certificate.issue_date.desc(), Certificate.id.desc())
        )
        with engine.connect() as conn:
            for cert_id, kind, rank, number, issued in conn.execute(query):
                certificates.addItem(certificate_label(kind, rank, number, issued), cert_id)
        self.add_rows([
            ("status", self.tr("结束方式"), choice_combo(ENDED_STATUSES, blank=False)),
            ("on", self.tr("结束日期"), DateField()),
            ("outcome_certificate_id", self.tr("出师证书"), certificates),
            ("reason", self.tr("终止原因"), QLineEdit()),
        ])
        self.fields["on"].set_value(date.today())
        self.fields["reason"].setPlaceholderText(self.tr("如：徒弟调岗、本人申请解除"))
        if certificates.count() == 1:
            certificates.setToolTip(self.tr("徒弟名下没有有效证书：出师须先在职工档案中登记取得的证书"))
        self.fields["status"].currentTextChanged.connect(self._status_changed)
        self._status_changed(self.fields["status"].currentText())

    def _status_changed(self, status: str) -> None:
        self.fields["outcome_certificate_id"].setEnabled(status == GRADUATED)
        self.fields["reason"].setEnabled(status == TERMINATED)

    def values(self) -> dict:
        values = super().values()
        combo = self.fields["outcome_certificate_id"]
        values["outcome_certificate_id"] = combo.currentData() if combo.isEnabledTo(self) else None
        return values

    def submit(self, values: dict) -> tuple[int, list[str]]:
        end_pairing(
            self.engine, self.pairing.id, status=values["status"], on=values["on"],
            outcome_certificate_id=values["outcome_certificate_id"], reason=values["reason"],
            expected_version=self.pairing.version,
        )
        return self.pairing.id, []


class ApprenticesPage(ReadsWhenShown, QWidget):
    open_worker = Signal(int)
    changed = Signal()  # a pairing was written: 带徒津贴 and the home page count them

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.rows: list[PairingRow] = []
        self.dialog: QWidget | None = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._pairings_tab(), self.tr("师徒结对"))
        self.tabs.addTab(self._masters_tab(), self.tr("按师傅"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>师徒</h2>")))
        layout.addWidget(self.tabs, 1)

    # -- loading --------------------------------------------------------------------------
    def _load(self) -> None:
        self._load_pairings()
        self._load_masters()

    # -- 师徒结对 -------------------------------------------------------------------------
    def _pairings_tab(self) -> QWidget:
        self.status_filter = QComboBox()
        self.status_filter.addItems([*STATUSES, ALL])
        self.kind_filter = QComboBox()
        self.kind_filter.addItems([ALL, *KINDS])
        self.status_filter.currentIndexChanged.connect(self._load_pairings)
        self.kind_filter.currentIndexChanged.connect(self._load_pairings)
        new = QPushButton(self.tr("新建结对…"))
        new.setShortcut(QKeySequence.StandardKey.New)
        new.setToolTip(self.tr("新建师徒结对（Ctrl+N）"))
        new.clicked.connect(self.new_pairing)
        self.assess_button = QPushButton(self.tr("记录考核…"))
        self.assess_button.clicked.connect(self.record_assessment)
        self.end_button = QPushButton(self.tr("出师/终止…"))
        self.end_button.clicked.connect(self.end_selected)
        writes(new, self.assess_button, self.end_button)
        self.export_button = QPushButton(self.tr("导出…"))
        self.export_button.setToolTip(self.tr("把当前列表导出为 Excel"))
        self.export_button.clicked.connect(self.export)
        self.pairing_list = ListPage(list(PAIRING_HEADERS), (new, self.assess_button, self.end_button),
                                     stretch=4)
        bar = self.pairing_list.bar
        for index, widget in enumerate((QLabel(self.tr("状态：")), self.status_filter, QLabel(self.tr("类型：")),
                                        self.kind_filter)):
            bar.insertWidget(index, widget)
        bar.insertSpacing(4, 16)
        bar.addWidget(self.export_button)
        self.pairing_count = QLabel()
        hint = QLabel(self.tr("双击师傅列打开师傅档案，双击其他列打开徒弟档案；下次考核逾期的以红色显示"))
        hint.setStyleSheet("color: #555;")
        footer = QHBoxLayout()
        footer.addWidget(self.pairing_count)
        footer.addStretch(1)
        footer.addWidget(hint)
        self.pairing_list.layout().addLayout(footer)
        table = self.pairing_list.table
        table.itemSelectionChanged.connect(self._update_buttons)
        table.activated.connect(self._pairing_activated)
        self._update_buttons()
        return self.pairing_list

    def current_filter(self) -> tuple[str | None, str | None]:
        status, kind = self.status_filter.currentText(), self.kind_filter.currentText()
        return (None if status == ALL else status), (None if kind == ALL else kind)

    def _load_pairings(self, *_args, prefer: int | None = None) -> None:
        status, kind = self.current_filter()
        chosen = prefer if prefer is not None else self.pairing_list.selected_id()
        self.rows = list_pairings(self.engine, status=status, kind=kind)
        self.pairing_list.set_rows(
            [
                [who(r.master_name, r.master_no), r.master_level_name or self.tr("无等级"),
                 who(r.apprentice_name, r.apprentice_no), r.kind, r.partner, format_value(r.start_date),
                 format_value(r.planned_end),
                 r.status if r.ended_on is None else f"{r.status}（{format_value(r.ended_on)}）",
                 format_value(r.last_assessed_on), format_value(r.next_assessment_due)]
                for r in self.rows
            ],
            ids=[r.id for r in self.rows],
            faded={i for i, r in enumerate(self.rows) if r.status != ACTIVE},
            tips=[r.override_reason and self.tr("超限原因：%1").replace("%1", r.override_reason) for r in self.rows],
        )
        table = self.pairing_list.table
        red = QBrush(_RED)
        overdue = 0
        for i, r in enumerate(self.rows):
            if r.overdue:
                overdue += 1
                item = table.item(i, COL_NEXT)
                item.setForeground(red)
                item.setToolTip(self.tr("考核已逾期：应于 %1 前考核").replace("%1", format_value(r.next_assessment_due)))
            if r.override_reason:
                table.item(i, COL_MASTER).setText(who(r.master_name, r.master_no) + " ⚠")
            if chosen is not None and r.id == chosen:
                table.selectRow(i)
        text = self.tr("共 %1 对").replace("%1", str(len(self.rows)))
        if overdue:
            text += self.tr("，<span style='color:#b3261e'>考核逾期 %1 对</span>").replace("%1", str(overdue))
        self.pairing_count.setText(text)
        self._update_buttons()

    def current_pairing(self) -> PairingRow | None:
        chosen = self.pairing_list.selected_id()
        return next((r for r in self.rows if r.id == chosen), None)

    def _update_buttons(self) -> None:
        row = self.current_pairing()
        active = row is not None and row.status == ACTIVE
        self.assess_button.setEnabled(active)
        self.end_button.setEnabled(active)

    def _pairing_activated(self, index) -> None:
        if not 0 <= index.row() < len(self.rows):
            return
        row = self.rows[index.row()]
        master = index.column() in (COL_MASTER, COL_MASTER_LEVEL)
        self.open_worker.emit(row.master_id if master else row.apprentice_id)

    def _open(self, dialog: RecordDialog) -> RecordDialog:
        dialog.saved.connect(self._saved)
        dialog.reload_needed.connect(self._load)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, pairing_id: int) -> None:
        self._load_pairings(prefer=pairing_id)
        self._load_masters()
        self.changed.emit()

    def new_pairing(self) -> PairingDialog:
        return self._open(PairingDialog(self.engine, self))

    def record_assessment(self) -> AssessmentDialog | None:
        row = self.current_pairing()
        if row is None or row.status != ACTIVE:
            return None
        return self._open(AssessmentDialog(self.engine, row, self))

    def end_selected(self) -> EndDialog | None:
        row = self.current_pairing()
        if row is None or row.status != ACTIVE:
            return None
        return self._open(EndDialog(self.engine, row, self))

    def export(self) -> Path | None:
        path = dialogs.save_path(self, self.tr("导出师徒结对"), self.tr("师徒结对.xlsx"), dialogs.EXCEL_FILTER, ".xlsx")
        if path is None:
            return None
        rows = list(self.rows)

        def work(_progress):
            from app.reports.apprentices_xlsx import write_apprentices

            return write_apprentices(rows, path)

        run_job(
            self, self.tr("正在导出…"), work, cancellable=False,
            on_success=lambda out: dialogs.show_info(
                self, self.tr("导出完成"),
                self.tr("已导出 %1 对师徒结对：\n%2").replace("%1", str(len(rows))).replace("%2", str(out)),
            ),
        )
        return path

    # -- 按师傅 ---------------------------------------------------------------------------
    def _masters_tab(self) -> QWidget:
        self.master_list = ListPage(
            [self.tr("师傅"), self.tr("等级"), self.tr("在培徒弟数/上限"), self.tr("徒弟")], stretch=3, amounts=(2,)
        )
        self.master_count = QLabel()
        hint = QLabel(self.tr("今日在培的师傅；超过上限的以红色显示（已填写超限原因）。双击打开师傅档案"))
        hint.setStyleSheet("color: #555;")
        self.master_list.bar.insertWidget(0, self.master_count)
        self.master_list.bar.addWidget(hint)
        self.master_list.table.activated.connect(
            lambda index: self.open_worker.emit(self.master_rows[index.row()].master_id)
        )
        self.master_rows = []
        return self.master_list

    def _load_masters(self) -> None:
        self.master_rows = masters(self.engine)
        self.master_count.setText(self.tr("在培师傅 %1 人").replace("%1", str(len(self.master_rows))))
        self.master_list.set_rows(
            [
                [who(m.name, m.employee_no), m.level_name or self.tr("无等级"), f"{m.active}/{m.limit}",
                 "、".join(m.apprentices)]
                for m in self.master_rows
            ],
            ids=[m.master_id for m in self.master_rows],
        )
        red = QBrush(_RED)
        for i, m in enumerate(self.master_rows):
            if m.over_limit:
                for c in range(self.master_list.table.columnCount()):
                    self.master_list.table.item(i, c).setForeground(red)


__all__ = ["ApprenticesPage", "AssessmentDialog", "EndDialog", "PairingDialog"]
