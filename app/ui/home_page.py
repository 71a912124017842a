"""工作台: the first page a clerk sees. Today's figures of the register, the level
distribution as a bar chart, the training compliance line, and the to-do list (licences
and contracts falling due, 师徒结对 ending and apprentices' overdue 考核, departures with an
open 培训服务期协议, 高技能人才 without this year's training)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import (
    QAbstractItemModel,
    QMargins,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.services.dashboard import SOON_DAYS, Dashboard, TodoItem, dashboard
from app.services.levels import HIGH_SKILLED_MIN_RANK, JUNIOR
from app.ui.lazy_page import ReadsWhenShown

WORKER_ID_ROLE = Qt.ItemDataRole.UserRole

# Tried in order when the application font cannot draw Chinese. Widgets fall back to another
# font on their own; chart text in the graphics scene did not always, so it gets a CJK family.
_CJK_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "SimHei",
)
_WEEKDAYS = "一二三四五六日"
# A long group of overdue or later to-dos starts folded, so the urgent groups after it
# (今天, 7天内) show without scrolling; its header still gives the count.
FOLD_GROUP_OVER = 20
_BAR_COLOUR = QColor("#8fb4d9")
_HIGH_SKILLED_COLOUR = QColor("#2f6ea8")
_OVERDUE_COLOUR = "#b42318"
_SOON_COLOUR = "#b54708"


def cjk_font(point_size: float | None = None, bold: bool = False) -> QFont:
    """The application font if it covers Simplified Chinese, else the first CJK family found."""
    font = QFont(QApplication.font())
    chinese = _chinese_families()
    if font.family() not in chinese:
        family = next((name for name in _CJK_FAMILIES if name in chinese), None)
        if family:
            font.setFamily(family)
    if point_size:
        font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


@cache
def _chinese_families() -> frozenset[str]:
    return frozenset(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def percent(share: Decimal) -> str:
    """0.3539 → 35.4%, rounded the way a clerk rounds by hand (half up)."""
    return f"{(share * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


class _Figure(QFrame):
    """One summary figure: a big number over its caption."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("figure")
        self.setStyleSheet(
            "#figure { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }"
        )
        self.value = QLabel("—")
        self.value.setFont(cjk_font(20, bold=True))
        self.caption = QLabel(caption)
        self.note = QLabel()
        self.note.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)

    def show_value(self, value: str, note: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)


@dataclass
class _Section:
    """A heading of the to-do list over either sub-groups or to-do items."""

    title: str
    groups: list[_Section] = field(default_factory=list)
    items: list[TodoItem] = field(default_factory=list)
    overdue: bool = False
    foldable: bool = True  # 今天 and 7天内 stay open however long they are
    total: int | None = None  # when `items` lists only the first of this many

    def count(self) -> int:
        if self.total is not None:
            return self.total
        return len(self.items) + sum(group.count() for group in self.groups)


@dataclass(slots=True)
class _Node:
    section: _Section | None
    todo: TodoItem | None
    parent: int  # node number of the parent, -1 at the top
    row: int
    children: list[int] = field(default_factory=list)


class TodoModel(QAbstractItemModel):
    """The to-do list as a tree model: sections, sub-groups, items.

    A model rather than a QTreeWidget: with PySide6 6.12 on Python 3.11 every call of a
    method returning void drops a reference to None, and filling thousands of QTreeWidgetItems
    (setData, setForeground, setToolTip on each) brought the process down with "deallocating
    None". The model answers from Python and costs a handful of such calls per refresh."""

    NAME, WHAT, DUE = range(3)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._nodes: list[_Node] = []
        self._top: list[int] = []
        self._headers = (self.tr("姓名"), self.tr("事项"), self.tr("日期"))
        self._overdue = QColor(_OVERDUE_COLOUR)
        self._soon = QColor(_SOON_COLOUR)
        self._bold = cjk_font(bold=True)

    def clear(self) -> None:
        self.set_sections([])

    def set_sections(self, sections: list[_Section]) -> None:
        self.beginResetModel()
        self._nodes = []
        self._top = [self._add_section(section, -1, row) for row, section in enumerate(sections)]
        self.endResetModel()

    def _add_section(self, section: _Section, parent: int, row: int) -> int:
        number = len(self._nodes)
        node = _Node(section, None, parent, row)
        self._nodes.append(node)
        for child_row, group in enumerate(section.groups):
            node.children.append(self._add_section(group, number, child_row))
        for todo in section.items:
            node.children.append(len(self._nodes))
            self._nodes.append(_Node(None, todo, number, len(node.children) - 1))
        return number

    def section_indexes(self) -> list[QModelIndex]:
        return [
            self.createIndex(node.row, 0, number)
            for number, node in enumerate(self._nodes)
            if node.section is not None
        ]

    def section(self, index: QModelIndex) -> _Section | None:
        return self._nodes[index.internalId()].section

    def _children(self, parent: QModelIndex) -> list[int]:
        return self._nodes[parent.internalId()].children if parent.isValid() else self._top

    # — QAbstractItemModel —

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        children = self._children(parent)
        if not 0 <= row < len(children) or not 0 <= column < len(self._headers):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        parent = self._nodes[index.internalId()].parent
        if parent < 0:
            return QModelIndex()
        return self.createIndex(self._nodes[parent].row, 0, parent)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        column = index.column()
        if node.section is not None:
            if column != 0:
                return None
            section = node.section
            if role == Qt.ItemDataRole.DisplayRole:
                count = str(section.count())
                if section.total is not None and section.total > len(section.items):
                    return (
                        self.tr("%1（%2，列出前 %3 人）").replace("%1", section.title).replace("%2", count)
                        .replace("%3", str(len(section.items)))
                    )
                return self.tr("%1（%2）").replace("%1", section.title).replace("%2", count)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.ForegroundRole and node.section.overdue:
                return self._overdue
            return None
        todo = node.todo
        if role == Qt.ItemDataRole.DisplayRole:
            return (todo.worker_name, todo.text, todo.due.isoformat())[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{todo.worker_name}：{todo.text}（{todo.due.isoformat()}）"
        if role == Qt.ItemDataRole.ForegroundRole:
            if todo.days_left < 0:
                return self._overdue
            if todo.days_left <= SOON_DAYS:
                return self._soon
            return None
        if role == WORKER_ID_ROLE:
            return todo.worker_id
        return None


class HomePage(ReadsWhenShown, QWidget):
    """The 工作台 page. It reads the dashboard each time it is shown, so the window need
    not; the window calls refresh() after a change to the data."""

    open_worker = Signal(int)

    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        # None: today, read at each refresh, so a window left open overnight moves on.
        self.as_of: date | None = None
        self.data: Dashboard | None = None

        self.title = QLabel(self.tr("工作台"))
        self.title.setFont(cjk_font(18, bold=True))
        self.date_label = QLabel()
        self.date_label.setFont(cjk_font(11))
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addSpacing(16)
        title_row.addWidget(self.date_label, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addStretch(1)

        self.active_figure = _Figure(self.tr("在职职工"))
        self.skilled_figure = _Figure(self.tr("技能人才"))
        self.high_figure = _Figure(self.tr("高技能人才"))
        self.no_level_figure = _Figure(self.tr("无等级"))
        figures_row = QHBoxLayout()
        figures_row.setSpacing(12)
        for figure in (self.active_figure, self.skilled_figure, self.high_figure, self.no_level_figure):
            figures_row.addWidget(figure, 1)
        self.compliance_label = QLabel()
        self.compliance_label.setFont(cjk_font(11))

        self.chart_view = self._build_chart()
        self.todo_model = TodoModel(self)
        self.todo_view = self._build_todo_view()
        self.empty_label = QLabel(self.tr("暂无待办事项"))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(placeholder-text);")
        self.empty_label.setFont(cjk_font(12))
        self.todo_stack = QStackedWidget()
        self.todo_stack.addWidget(self.todo_view)
        self.todo_stack.addWidget(self.empty_label)
        todo_title = QLabel(self.tr("待办事项"))
        todo_title.setFont(cjk_font(12, bold=True))
        todo_box = QVBoxLayout()
        todo_box.setSpacing(6)
        todo_box.addWidget(todo_title)
        todo_box.addWidget(self.todo_stack, 1)

        lower = QHBoxLayout()
        lower.setSpacing(12)
        lower.addWidget(self.chart_view, 1)
        lower.addLayout(todo_box, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(12)
        layout.addLayout(title_row)
        layout.addLayout(figures_row)
        layout.addWidget(self.compliance_label)
        layout.addLayout(lower, 1)

    # — building —

    def _build_chart(self) -> QChartView:
        self.bar_set = QBarSet(self.tr("人数"))
        self.bar_set.setColor(_BAR_COLOUR)
        self.bar_set.setBorderColor(_BAR_COLOUR)
        # 高技能人才 bars stand out as "selected" bars in a darker colour.
        self.bar_set.setSelectedColor(_HIGH_SKILLED_COLOUR)
        self.bar_set.setLabelColor(QColor("#1f2328"))
        self.bar_set.setLabelFont(cjk_font(9))
        self.series = QBarSeries()
        self.series.append(self.bar_set)
        self.series.setLabelsVisible(True)
        self.series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.series.setLabelsFormat("@value")
        self.series.setLabelsPrecision(12)  # the default (6) turns a count of 1,000,000 into 1e+06

        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setTitle(self.tr("在职职工技能等级分布（深色为高技能人才）"))
        chart.setTitleFont(cjk_font(11, bold=True))
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.addSeries(self.series)

        self.level_axis = QBarCategoryAxis()
        self.level_axis.setLabelsFont(cjk_font(9))
        chart.addAxis(self.level_axis, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.level_axis)
        self.count_axis = QValueAxis()
        self.count_axis.setLabelFormat("%d")
        self.count_axis.setLabelsFont(cjk_font(9))
        chart.addAxis(self.count_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.count_axis)

        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumSize(360, 260)
        return view

    def _build_todo_view(self) -> QTreeView:
        view = QTreeView()
        view.setModel(self.todo_model)
        view.setUniformRowHeights(True)  # thousands of overdue rows stay quick to lay out
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TodoModel.NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TodoModel.WHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TodoModel.DUE, QHeaderView.ResizeMode.ResizeToContents)
        view.setColumnWidth(TodoModel.NAME, 110)
        view.activated.connect(self._activated)
        return view

    # — data —

    def _load(self) -> None:
        self.data = dashboard(self.engine, self.as_of)
        self._show_header(self.data)
        self._show_figures(self.data)
        self._show_compliance(self.data)
        self._show_chart(self.data)
        self._show_todo(self.data)

    def _show_header(self, data: Dashboard) -> None:
        day = data.as_of
        self.date_label.setText(
            self.tr("%1年%2月%3日 星期%4")
            .replace("%1", str(day.year))
            .replace("%2", str(day.month))
            .replace("%3", str(day.day))
            .replace("%4", _WEEKDAYS[day.weekday()])
        )

    def _show_figures(self, data: Dashboard) -> None:
        self.active_figure.show_value(str(data.active_workers), self.tr("不含离职、退休人员"))
        self.skilled_figure.show_value(str(data.skilled), self.tr("持有职业资格或职业技能等级证书"))
        share = (
            self.tr("占技能人才 %1").replace("%1", percent(data.high_skilled_share))
            if data.high_skilled_share is not None
            else self.tr("占技能人才 —")
        )
        self.high_figure.show_value(str(data.high_skilled), share)
        self.no_level_figure.show_value(str(data.no_level), self.tr("未取得等级证书"))

    def _untrained_title(self, data: Dashboard) -> str:
        if data.min_trainings_per_year == 1:
            return self.tr("高技能人才本年尚无完成的培训")
        return self.tr("高技能人才本年完成培训不足 %1 次").replace("%1", str(data.min_trainings_per_year))

    def _show_compliance(self, data: Dashboard) -> None:
        self.compliance_label.setText(
            self.tr("%1：%2 人").replace("%1", self._untrained_title(data)).replace("%2", str(data.high_skilled_untrained))
        )
        self.compliance_label.setStyleSheet(f"color: {_SOON_COLOUR};" if data.high_skilled_untrained else "")
        self.compliance_label.setToolTip(
            self.tr("按政策参数：高技能人才每年至少完成 %1 次培训；全部名单见「培训」中的培训达标情况")
            .replace("%1", str(data.min_trainings_per_year))
        )

    def _show_chart(self, data: Dashboard) -> None:
        names = list(data.level_counts)
        counts = list(data.level_counts.values())
        self.level_axis.clear()
        self.level_axis.append(names)
        self.bar_set.remove(0, self.bar_set.count())
        self.bar_set.append([float(count) for count in counts])
        self.bar_set.deselectAllBars()
        self.bar_set.selectBars(list(range(HIGH_SKILLED_MIN_RANK - JUNIOR, len(counts))))
        # Headroom above the tallest bar keeps its value label inside the plot.
        self.count_axis.setRange(0, max(5, max(counts) * 1.15))
        self.count_axis.setTickCount(6)
        self.count_axis.applyNiceNumbers()

    def _show_todo(self, data: Dashboard) -> None:
        if not data.has_todo:
            self.todo_model.clear()
            self.todo_stack.setCurrentWidget(self.empty_label)
            return
        due = data.licences_due
        licence_groups = (
            _Section(self.tr("已过期 / 逾期未复审"), items=[i for i in due if i.days_left < 0], overdue=True),
            _Section(self.tr("今天"), items=[i for i in due if i.days_left == 0], foldable=False),
            _Section(self.tr("7天内"), items=[i for i in due if 0 < i.days_left <= SOON_DAYS], foldable=False),
            _Section(self.tr("30天内"), items=[i for i in due if i.days_left > SOON_DAYS]),
        )
        sections = []
        if due:
            groups = [group for group in licence_groups if group.items]
            sections.append(_Section(self.tr("特种作业操作证"), groups=groups))
        if data.contracts_ending:
            sections.append(_Section(self.tr("劳动合同 30天内到期"), items=data.contracts_ending))
        if data.pairings_ending:
            sections.append(_Section(self.tr("师徒结对 30 天内到期"), items=data.pairings_ending))
        if data.assessments_overdue:
            sections.append(_Section(self.tr("徒弟考核逾期"), items=data.assessments_overdue, overdue=True))
        if data.departures_open:
            sections.append(
                _Section(self.tr("离职人员有未结清的培训服务期协议"), items=data.departures_open, overdue=True)
            )
        if data.untrained_listed:
            sections.append(
                _Section(self._untrained_title(data), items=data.untrained_listed, total=data.high_skilled_untrained)
            )
        self.todo_model.set_sections(sections)
        self.todo_stack.setCurrentWidget(self.todo_view)
        view = self.todo_view
        # Expanding section by section: expandAll() asks the model about every row (0.1 s
        # for 4,000 to-dos).
        for index in self.todo_model.section_indexes():
            view.setFirstColumnSpanned(index.row(), index.parent(), True)
            section = self.todo_model.section(index)
            view.setExpanded(index, not (section.foldable and len(section.items) > FOLD_GROUP_OVER))
        first = self._first_visible_todo()
        if first.isValid():
            view.setCurrentIndex(first)

    def _first_visible_todo(self) -> QModelIndex:
        view = self.todo_view
        index = self.todo_model.index(0, 0)
        while index.isValid() and index.data(WORKER_ID_ROLE) is None:
            index = view.indexBelow(index)
        return index

    def _activated(self, index: QModelIndex) -> None:
        worker_id = index.siblingAtColumn(0).data(WORKER_ID_ROLE)
        if worker_id is not None:
            self.open_worker.emit(int(worker_id))
