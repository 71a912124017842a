"""The 操作日志 page: who changed what, when, searched by keyword, user, action, record kind
and dates, with the fields before and after of the entry selected.

Read-only by design: there is no edit or delete here, nor anywhere in the program, and the
database's triggers refuse both. The log may hold millions of entries: the table model
reads a page at a time (app.services.audit.search_audit with offset/limit), filtering and
ordering (newest first) run in SQL.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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

from app.models.users import actor_of
from app.services.audit import (
    ACTIONS,
    AuditFilter,
    AuditRow,
    audit_users,
    count_audit,
    entities,
    entry_changes,
    search_audit,
)
from app.ui.lazy_page import ReadsWhenShown
from app.ui.worker_form import DateField

HEADERS = ("时间", "用户", "操作", "对象", "记录", "摘要")
PAGE_SIZE = 200
ANY = "全部"
# Keystrokes in 关键字 wait this long for the next one before the list reads again.
TYPING_PAUSE_MS = 300
_ROOT = QModelIndex()


def _time_text(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


class AuditModel(QAbstractTableModel):
    """Entries matching a filter, newest first, read PAGE_SIZE at a time as they scroll in."""

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.filter = AuditFilter()
        self.count = 0
        self._pages: dict[int, list[AuditRow]] = {}

    def reload(self, flt: AuditFilter | None = None) -> None:
        if flt is not None:
            self.filter = flt
        self.beginResetModel()
        self.count = count_audit(self.engine, self.filter)
        self._pages = {}
        self.endResetModel()

    def entry(self, row: int) -> AuditRow | None:
        if not 0 <= row < self.count:
            return None
        page = row // PAGE_SIZE
        if page not in self._pages:
            self._pages[page] = search_audit(self.engine, self.filter, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        rows = self._pages[page]
        offset = row - page * PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else self.count

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(HEADERS[section])
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        entry = self.entry(index.row())
        if entry is None:
            return None
        values = (_time_text(entry.at), entry.user, entry.action, entry.entity_name, entry.label, entry.summary)
        if role == Qt.ItemDataRole.ToolTipRole:
            return values[index.column()] if index.column() >= 4 else None
        return values[index.column()]


class AuditPage(ReadsWhenShown, QWidget):
    """操作日志. Shown to 管理员 only: the log names every clerk's work and every record."""

    count_changed = Signal(int)

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.model = AuditModel(engine, self)
        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr("姓名、证件号码后几位、证书编号、文件名、摘要中的字…"))
        self.text.setClearButtonEnabled(True)
        self.user = QComboBox()
        self.action = QComboBox()
        self.action.addItem(self.tr(ANY), None)
        for action in ACTIONS:
            self.action.addItem(self.tr(action), action)
        self.entity = QComboBox()
        self.entity.addItem(self.tr(ANY), None)
        for key, name in entities():
            self.entity.addItem(self.tr(name), key)
        self.date_from, self.date_to = DateField(), DateField()
        clear = QPushButton(self.tr("清除条件"))
        clear.clicked.connect(self.clear_filters)
        self.typing = QTimer(self)
        self.typing.setSingleShot(True)
        self.typing.setInterval(TYPING_PAUSE_MS)
        self.typing.timeout.connect(self.apply_filter)
        self.text.textChanged.connect(self.typing.start)
        self.text.returnPressed.connect(self.apply_filter)
        for combo in (self.user, self.action, self.entity):
            combo.currentIndexChanged.connect(self.apply_filter)
        for field in (self.date_from, self.date_to):
            field.dateChanged.connect(self.apply_filter)

        filters = QHBoxLayout()
        for label, widget in ((self.tr("关键字"), self.text), (self.tr("用户"), self.user),
                              (self.tr("操作"), self.action), (self.tr("对象"), self.entity),
                              (self.tr("日期从"), self.date_from), (self.tr("到"), self.date_to)):
            filters.addWidget(QLabel(label + "："))
            filters.addWidget(widget, 3 if widget is self.text else 0)
        filters.addWidget(clear)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        for column, width in enumerate((150, 90, 70, 100, 230)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self.show_entry(current.row()))

        self.detail_title = QLabel()
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.changes = QTableWidget(0, 3)
        self.changes.setHorizontalHeaderLabels([self.tr("字段"), self.tr("修改前"), self.tr("修改后")])
        self.changes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes.verticalHeader().hide()
        self.changes.verticalHeader().setDefaultSectionSize(24)
        changes_header = self.changes.horizontalHeader()
        changes_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        changes_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        changes_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.changes, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.count_label = QLabel()
        self.note = QLabel(self.tr("操作日志只能查看：程序中没有修改或删除日志的功能，数据库也拒绝修改和删除。"))
        self.note.setStyleSheet("color: #5f6368;")
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(filters)
        body.addWidget(splitter, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addStretch(1)
        footer.addWidget(self.note)
        body.addLayout(footer)
        self.refused = QLabel(self.tr("只有管理员可以查看操作日志。"))
        self.refused.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>操作日志</h2>")))
        layout.addWidget(self.body, 1)
        layout.addWidget(self.refused, 1)

    # -- reading --------------------------------------------------------------------------
    def _load(self) -> None:
        allowed = actor_of(self.engine).can_manage_users
        self.body.setVisible(allowed)
        self.refused.setVisible(not allowed)
        if not allowed:
            return
        self._fill_users()
        self.apply_filter()

    def _fill_users(self) -> None:
        chosen = self.user.currentData()
        self.user.blockSignals(True)
        self.user.clear()
        self.user.addItem(self.tr(ANY), None)
        for login, name in audit_users(self.engine):
            self.user.addItem(f"{name}（{login}）" if login else name, login)
        index = self.user.findData(chosen) if chosen is not None else 0
        self.user.setCurrentIndex(max(index, 0))
        self.user.blockSignals(False)

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            text=self.text.text().strip(), user=self.user.currentData(), action=self.action.currentData(),
            entity=self.entity.currentData(), date_from=self.date_from.value(), date_to=self.date_to.value(),
        )

    def apply_filter(self) -> None:
        self.typing.stop()
        if not actor_of(self.engine).can_manage_users:
            return
        self.model.reload(self.current_filter())
        self.count_label.setText(self.tr("共 %1 条").replace("%1", f"{self.model.count:,}"))
        self.count_changed.emit(self.model.count)
        if self.model.count:
            self.table.selectRow(0)
        else:
            self.show_entry(-1)

    def clear_filters(self) -> None:
        for widget in (self.text, self.user, self.action, self.entity, self.date_from, self.date_to):
            widget.blockSignals(True)
        self.text.clear()
        for combo in (self.user, self.action, self.entity):
            combo.setCurrentIndex(0)
        self.date_from.set_value(None)
        self.date_to.set_value(None)
        for widget in (self.text, self.user, self.action, self.entity, self.date_from, self.date_to):
            widget.blockSignals(False)
        self.apply_filter()

    # -- the entry selected ---------------------------------------------------------------
    def show_entry(self, row: int) -> None:
        entry = self.model.entry(row)
        if entry is None:
            self.detail_title.setText("")
            self.changes.setRowCount(0)
            return
        self.detail_title.setText(
            f"<b>{escape(entry.action)}　{escape(entry.entity_name)}</b>　{escape(entry.label)}<br>"
            f"{_time_text(entry.at)}　{escape(entry.user)}　{escape(entry.summary)}"
        )
        changes = entry_changes(self.engine, entry.id)
        self.changes.setRowCount(len(changes))
        for r, change in enumerate(changes):
            for c, text in enumerate((change.label, change.before, change.after)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.changes.setItem(r, c, item)
