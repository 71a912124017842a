"""The 职工 page: one search box, the filters, and the lazy list of workers."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.services.levels import LEVEL_NAMES
from app.services.vocab import WORKER_STATUSES
from app.services.worker_list import COLUMNS, WorkerFilter, filter_choices
from app.ui import dialogs
from app.ui.jobs import run_job
from app.ui.roles import writes
from app.ui.worker_table import WorkerTableModel

_SETTINGS_COLUMNS = "workers/columns"
_SETTINGS_HEADER = "workers/header"


def _choice_box(items: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    for label, value in items:
        box.addItem(label, value)
    return box


class WorkersPage(QWidget):
    open_worker = Signal(int)
    new_worker = Signal()

    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.model = WorkerTableModel(engine, self)

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索：姓名、工号、拼音首字母（如 zsf）或证件号码后几位"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.apply_filter)
        self.department = QComboBox()
        self.occupation = QComboBox()
        any_text = self.tr("全部")
        self.level = _choice_box(
            [(self.tr("全部等级"), None), (self.tr("无等级"), 0)] + [(name, rank) for rank, name in enumerate(LEVEL_NAMES) if rank]
        )
        self.high_skilled = _choice_box([(self.tr("高技能人才：") + any_text, None), (self.tr("高技能人才"), True), (self.tr("非高技能人才"), False)])
        self.frontline = _choice_box([(self.tr("一线：") + any_text, None), (self.tr("一线职工"), True), (self.tr("非一线"), False)])
        self.team_leader = _choice_box([(self.tr("班组长：") + any_text, None), (self.tr("班组长"), True), (self.tr("非班组长"), False)])
        self.status = _choice_box([(self.tr("全部状态"), None)] + [(s, s) for s in WORKER_STATUSES])
        self.status.setCurrentIndex(1)  # 在职: what a clerk looks for nearly always
        for box in (self.department, self.occupation, self.level, self.high_skilled, self.frontline, self.team_leader, self.status):
            box.currentIndexChanged.connect(self.apply_filter)
        self.reload_choices()

        self.count = QLabel()
        self.model.count_changed.connect(lambda n: self.count.setText(self.tr("共 %1 名").replace("%1", str(n))))
        add = QPushButton(self.tr("新增职工"))
        add.setShortcut(QKeySequence.StandardKey.New)
        add.clicked.connect(self.new_worker)
        writes(add)
        export = QPushButton(self.tr("导出当前列表…"))
        export.clicked.connect(self.export_list)
        self.columns_button = QToolButton()
        self.columns_button.setText(self.tr("显示列"))
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_button.setMenu(self._columns_menu())

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionsMovable(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Only while the list has focus: Enter in the search box means something else.
            shortcut = QShortcut(QKeySequence(key), self.table, activated=self._open_current)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.focus_search)
        self.search.returnPressed.connect(self._enter_from_search)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for box in (self.department, self.occupation, self.level, self.high_skilled, self.frontline, self.team_leader, self.status):
            filters.addWidget(box, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.count)
        actions.addStretch(1)
        actions.addWidget(self.columns_button)
        actions.addWidget(export)
        actions.addWidget(add)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        self._restore_columns()
        self.model.reload()  # the one query of opening the page
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self._size_columns()

    # -- filters --------------------------------------------------------------------------
    def reload_choices(self) -> None:
        """Departments and occupations change with imports and edits."""
        with self.engine.connect() as conn:
            choices = filter_choices(conn)
        for box, label, items in (
            (self.department, self.tr("全部部门"), choices["departments"]),
            (self.occupation, self.tr("全部工种"), choices["occupations"]),
        ):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(label, None)
            for item_id, name in items:
                box.addItem(name, item_id)
            index = box.findData(current)
            box.setCurrentIndex(max(index, 0))
            box.blockSignals(False)

    def current_filter(self) -> WorkerFilter:
        return WorkerFilter(
            text=self.search.text(),
            department_id=self.department.currentData(),
            occupation_id=self.occupation.currentData(),
            level=self.level.currentData(),
            high_skilled=self.high_skilled.currentData(),
            frontline=self.frontline.currentData(),
            team_leader=self.team_leader.currentData(),
            status=self.status.currentData(),
        )

    def apply_filter(self, *_args) -> None:
        self.model.set_filter(self.current_filter())

    def refresh(self, changed: list[int] | None = None) -> None:
        """Data changed elsewhere: the whole list (None) or some workers."""
        if changed is None:
            self.reload_choices()
            self.model.reload()
        else:
            self.model.refresh_workers(changed)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- opening records ------------------------------------------------------------------
    def _open_row(self, row: int) -> None:
        worker_id = self.model.worker_id(row)
        if worker_id is not None:
            self.open_worker.emit(worker_id)

    def _open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._open_row(index.row())

    def _enter_from_search(self) -> None:
        """Enter in the search box: open the only match, or move into the list."""
        if self.model.rowCount() == 1:
            self._open_row(0)
        elif self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    # -- columns --------------------------------------------------------------------------
    def _columns_menu(self) -> QMenu:
        menu = QMenu(self)
        self._column_actions: dict[str, QAction] = {}
        for column in COLUMNS:
            action = menu.addAction(column.label)
            action.setCheckable(True)
            action.toggled.connect(self._columns_toggled)
            self._column_actions[column.key] = action
        return menu

    def _columns_toggled(self, _checked: bool) -> None:
        keys = [key for key, action in self._column_actions.items() if action.isChecked()]
        if not keys:  # at least one column stays
            return
        self.model.set_columns(keys)
        self._size_columns()
        self.save_columns()

    def _restore_columns(self) -> None:
        settings = QSettings()
        keys = settings.value(_SETTINGS_COLUMNS)
        if isinstance(keys, str):
            keys = [keys]
        if keys:
            self.model.set_columns(list(keys))
        shown = set(self.model.column_keys())
        for key, action in self._column_actions.items():
            action.blockSignals(True)
            action.setChecked(key in shown)
            action.blockSignals(False)
        state = settings.value(_SETTINGS_HEADER)
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

    def save_columns(self) -> None:
        settings = QSettings()
        settings.setValue(_SETTINGS_COLUMNS, self.model.column_keys())
        settings.setValue(_SETTINGS_HEADER, self.table.horizontalHeader().saveState())

    def _size_columns(self) -> None:
        for index, column in enumerate(self.model.columns):
            self.table.setColumnWidth(index, column.width)

    # -- export ---------------------------------------------------------------------------
    def export_list(self) -> None:
        path = dialogs.save_file(self, self.tr("导出当前列表"), self.tr("职工名单.xlsx"), dialogs.EXCEL_FILTER)
        if not path:
            return
        ids = list(self.model.ids)
        engine = self.engine

        def work(progress):
            from app.reports.workers_xlsx import export_workers

            # An ordinary export: ID numbers masked (SPEC §11).
            return export_workers(engine, path, mask_ids=True, worker_ids=ids, progress=progress)

        run_job(
            self,
            self.tr("正在导出…"),
            work,
            on_success=lambda n: dialogs.show_info(
                self, self.tr("导出完成"), self.tr("已导出 %1 名职工（证件号码已打码）：\n%2").replace("%1", str(n)).replace("%2", path)
            ),
        )
