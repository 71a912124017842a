"""政策参数: every amount and threshold of SPEC §4 with the value in force, its history, and
a new value from a chosen date on (earlier forms keep the values they used)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.errors import FieldErrors
from app.services.policy import PARAMETERS, policy_history, policy_snapshot, set_policy_value
from app.ui import dialogs
from app.ui.form_support import clear_problems, error_label, show_problems
from app.ui.roles import writes

_HEADERS = ("分组", "参数", "现行值", "单位", "来源")


class PolicyPage(QWidget):
    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.table = QTableWidget(len(PARAMETERS), len(_HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in _HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._select(row))

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.history = QListWidget()
        self.value = QLineEdit()
        self.effective = QDateEdit()
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("yyyy-MM-dd")
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("如：市人社局 2027 年文件"))
        self.errors = error_label()
        save = QPushButton(self.tr("保存新值"))
        save.clicked.connect(self.save)
        writes(save)
        self.value.returnPressed.connect(self.save)
        form = QFormLayout()
        form.addRow(self.tr("新值："), self.value)
        form.addRow(self.tr("生效日期："), self.effective)
        form.addRow(self.tr("依据："), self.note)
        editor = QVBoxLayout()
        editor.addWidget(self.title)
        editor.addWidget(QLabel(self.tr("历次取值")))
        editor.addWidget(self.history, 1)
        editor.addWidget(self.errors)
        editor.addLayout(form)
        editor.addWidget(save, 0, Qt.AlignmentFlag.AlignRight)
        side = QWidget()
        side.setLayout(editor)
        side.setMaximumWidth(380)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addWidget(side)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>政策参数</h2>")))
        layout.addWidget(
            QLabel(self.tr("各地标准不同、会随文件调整。改动从生效日期起适用；已生成的申请表和发放表保留当时使用的数值。"))
        )
        layout.addLayout(body, 1)
        self.refresh()
        self.table.selectRow(0)

    def refresh(self) -> None:
        with self.engine.connect() as conn:
            values = policy_snapshot(conn, date.today())
        for row, parameter in enumerate(PARAMETERS):
            for col, text in enumerate(
                (parameter.group, parameter.label, str(values[parameter.key]), parameter.unit, parameter.source)
            ):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(2)
        self.table.resizeColumnToContents(3)
        self._select(max(self.table.currentRow(), 0))

    def _select(self, row: int) -> None:
        if not 0 <= row < len(PARAMETERS):
            return
        parameter = PARAMETERS[row]
        self.title.setText(f"<b>{parameter.label}</b>（{parameter.unit}）<br>{self.tr('来源')}：{parameter.source}")
        with self.engine.connect() as conn:
            history = policy_history(conn, parameter.key)
        self.history.clear()
        for change in history:
            note = f"　{change.note}" if change.note else ""
            self.history.addItem(f"{change.effective_from:%Y-%m-%d} 起　{change.value}{note}")
        self.value.clear()
        self.effective.setDate(QDate.currentDate())
        self.note.clear()
        clear_problems(self.errors, self._widgets())

    def _widgets(self) -> dict[str, QWidget]:
        return {"value": self.value, "effective_from": self.effective, "note": self.note}

    def save(self) -> bool:
        row = self.table.currentRow()
        if not 0 <= row < len(PARAMETERS):
            return False
        parameter = PARAMETERS[row]
        try:
            set_policy_value(
                self.engine, parameter.key, self.value.text(), self.effective.date().toPython(), self.note.text().strip() or None
            )
        except FieldErrors as exc:
            show_problems(self.errors, self._widgets(), exc.problems)
            return False
        self.refresh()
        self.table.selectRow(row)
        dialogs.show_info(self, self.tr("已保存"), self.tr("「%1」的新值已保存。").replace("%1", parameter.label))
        return True
