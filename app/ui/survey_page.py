"""调查表: the bureau survey 企业技能人才现状及需求情况调查表 (SPEC §7) laid out like the paper
form — the enterprise block, the table of levels with its two-level header, 填表人 and
联系电话 — with the warnings that name workers and a chart of the levels by age.

A date with a saved survey shows the stored numbers; another date is computed from the
register (through run_job: about 0.3 s at 100,000 workers). Recomputing a saved survey is
the clerk's explicit act: the changes are listed and confirmed first, and what was typed
(需求工种, 需求人数, 填表人, 联系电话) is kept.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.errors import FieldErrors, FieldProblem, Refused
from app.services.survey import (
    AGE_BANDS,
    AGE_LABELS,
    EDUCATION_COLUMNS,
    LEVEL_ROWS,
    MEASURES,
    ROWS,
    TOTAL,
    Change,
    Survey,
    apply_typed,
    compare,
    compute_survey,
    join_occupations,
    load_survey,
    recompute,
    save_survey,
    saved_dates,
    typed_count,
)
from app.ui import dialogs
from app.ui.form_support import clear_problems, error_label
from app.ui.home_page import cjk_font
from app.ui.jobs import run_job
from app.ui.lazy_page import ReadsWhenShown
from app.ui.roles import writes

FORM_TITLE = "企业技能人才现状及需求情况调查表"
PDF_FILTER = "PDF 文件 (*.pdf)"
JSON_FILTER = "JSON 文件 (*.json)"
XLSX_FILTER = "Excel 文件 (*.xlsx)"

# The table: two header rows, then the five levels and 合计.
HEADER_ROWS = 2
COL_LEVEL, COL_COUNT = 0, 1
COL_AGE = {band: 2 + i for i, band in enumerate(AGE_BANDS)}
COL_EDUCATION = {column: 6 + i for i, column in enumerate(EDUCATION_COLUMNS)}
COL_WAGE, COL_OCCUPATION, COL_DEMAND = 9, 10, 11
COL_MEASURE = {measure: 12 + i for i, measure in enumerate(MEASURES)}
COLUMNS = 15
TYPED_COLUMNS = {COL_OCCUPATION: "demand_occupation", COL_DEMAND: "demand_count",
                 **{col: measure for measure, col in COL_MEASURE.items()}}
COLUMN_WIDTHS = {COL_LEVEL: 78, COL_COUNT: 56, **dict.fromkeys(COL_AGE.values(), 64),
                 COL_EDUCATION["高中技校及以下"]: 78, COL_EDUCATION["高职大专"]: 70, COL_EDUCATION["本科及以上"]: 70,
                 COL_WAGE: 88, COL_OCCUPATION: 130, COL_DEMAND: 64,
                 COL_MEASURE["自主培养"]: 70, COL_MEASURE["联合、委托培养"]: 78, COL_MEASURE["新型学徒制培养"]: 78}
ROW_HEIGHT, LEAF_HEADER_HEIGHT = 26, 42

CHANGES_LISTED = 40  # lines of a recomputation's changes in its confirmation
PICK_LIMIT = 2000  # workers listed when a warning names more

_COMPUTED = QColor("#f1f3f5")
_HEADER = QColor("#e4e8ee")
_TYPED = QColor("#ffffff")
_MARKED = QColor("#ffd6d3")
_MARKED_TEXT = QColor("#b3261e")
_AGE_COLOURS = ("#9ecae1", "#4292c6", "#2171b5", "#08306b")
_NO_BIRTH_COLOUR = "#bdbdbd"
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter

HEADER_FIELDS = (
    ("enterprise_name", "企业名称"), ("principal", "负责人"), ("phone", "联系电话"),
    ("enterprise_type", "企业类型"), ("scale", "企业规模"), ("business_field", "经营领域"),
    ("total_employees", "职工总数"), ("avg_monthly_wage", "人均月工资"),
    ("fund_extracted", "提取职工培训经费"), ("fund_used", "用于职工培训经费"),
)
ENTERPRISE_FIELDS = HEADER_FIELDS[:6]


def money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


class WorkerPickDialog(QDialog):
    """The workers a warning names, to open one."""

    chosen = Signal(int)

    def __init__(self, engine: Engine, text: str, worker_ids: list[int], parent: QWidget | None = None):
        super().__init__(parent)
        from app.services.worker_list import worker_rows

        self.setWindowTitle(self.tr("选择职工"))
        shown = worker_ids[:PICK_LIMIT]
        with engine.connect() as conn:
            rows = worker_rows(conn, shown)
        self.list = QListWidget()
        for worker_id in shown:
            row = rows.get(worker_id)
            if row is None:  # deleted since the survey was saved
                continue
            parts = [row["name"], row["employee_no"], row["department"] or ""]
            item = QListWidgetItem("　".join(part for part in parts if part))
            item.setData(Qt.ItemDataRole.UserRole, worker_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        about = QLabel(text)
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.PlainText)
        hint = QLabel(self.tr("双击或按回车打开职工档案。"))
        if len(worker_ids) > len(shown):
            hint.setText(hint.text() + self.tr("（共 %1 人，列出前 %2 人）")
                         .replace("%1", str(len(worker_ids))).replace("%2", str(len(shown))))
        hint.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Open).setText(self.tr("打开"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.list, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(420, 460)

    def accept(self) -> None:
        item = self.list.currentItem()
        super().accept()
        if item is not None:
            self.chosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))


class SurveyPage(ReadsWhenShown, QWidget):
    """The 调查表 page. Shown again, it reads again (the register, 单位信息 and training may
    have changed), unless the clerk has typed something not yet saved."""

    open_worker = Signal(int)
    open_enterprise = Signal()

    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.survey: Survey | None = None
        self.saved_at: datetime | None = None  # when the shown date's survey was saved, if it was
        self.numbers_unsaved = False  # recomputed numbers replace saved ones until 保存
        self._shown_typed: dict | None = None
        self._filling = False
        self.dialog: QWidget | None = None
        self.job = None
        self.last_changes: list[Change] = []

        # The toolbar and the refusals stay in sight; the form scrolls when the window is small.
        top = QVBoxLayout()
        top.setContentsMargins(16, 10, 16, 0)
        top.addLayout(self._build_toolbar())
        self.problems = error_label()
        top.addWidget(self.problems)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 4, 16, 10)
        layout.setSpacing(6)
        layout.addLayout(self._build_title())
        layout.addWidget(self._build_header_box())
        self.table = self._build_table()
        layout.addWidget(self.table)
        layout.addLayout(self._build_footer())
        self.folded_label = QLabel()
        self.folded_label.setStyleSheet("color: #555;")
        layout.addWidget(self.folded_label)
        layout.addWidget(self._build_lower(), 1)

        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top)
        outer.addWidget(scroll, 1)
        self._update_controls()

    # -- building ------------------------------------------------------------------------

    def _build_toolbar(self) -> QHBoxLayout:
        title = QLabel(self.tr("调查表"))
        title.setFont(cjk_font(16, bold=True))
        self.date_edit = QDateEdit()
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMinimumDate(QDate(2000, 1, 1))
        self.date_edit.setMaximumDate(QDate(2100, 12, 31))
        # Typed digits take effect on Enter or leaving the field, not at every keystroke.
        self.date_edit.setKeyboardTracking(False)
        self.date_edit.setDate(QDate.currentDate())
        self.date_edit.setToolTip(self.tr("填表时间：按这一天在职的职工和他们当天的等级计算"))
        self.date_edit.dateChanged.connect(self._date_changed)
        self.saved_combo = QComboBox()
        self.saved_combo.setMinimumWidth(150)
        self.saved_combo.setToolTip(self.tr("打开已保存的调查表"))
        self.saved_combo.activated.connect(self._saved_chosen)
        self.status_label = QLabel()
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip(self.tr("保存本日期的调查表：数字和填写的内容（Ctrl+S）"))
        self.save_button.clicked.connect(self.save)
        self.recompute_button = QPushButton(self.tr("重新计算…"))
        self.recompute_button.setToolTip(self.tr("按当前台账重新计算已保存的调查表；先列出将改变的数字，确认后替换。填写的内容保留"))
        self.recompute_button.clicked.connect(self.recompute)
        writes(self.save_button, self.recompute_button)
        self.export_xlsx_button = QPushButton(self.tr("导出 Excel…"))
        self.export_xlsx_button.setToolTip(self.tr("按纸质表格式导出（A4 横向），可打印报送"))
        self.export_xlsx_button.clicked.connect(self.export_xlsx)
        self.export_pdf_button = QPushButton(self.tr("导出 PDF…"))
        self.export_pdf_button.clicked.connect(self.export_pdf)
        self.export_json_button = QPushButton(self.tr("导出 JSON…"))
        self.export_json_button.setToolTip(self.tr("供其他系统读取的数据文件"))
        self.export_json_button.clicked.connect(self.export_json)
        row = QHBoxLayout()
        row.addWidget(title)
        row.addSpacing(12)
        row.addWidget(QLabel(self.tr("填表时间：")))
        row.addWidget(self.date_edit)
        row.addWidget(self.saved_combo)
        row.addStretch(1)
        for button in (self.save_button, self.recompute_button, self.export_xlsx_button, self.export_pdf_button,
                       self.export_json_button):
            row.addWidget(button)
        return row

    def _build_title(self) -> QGridLayout:
        """The status on the left, the form's title in the middle, its unit line on the right."""
        form_title = QLabel(self.tr(FORM_TITLE))
        form_title.setFont(cjk_font(13, bold=True))
        form_title.setAlignment(_CENTRE)
        unit = QLabel(self.tr("（单位：人，元）"))
        unit.setStyleSheet("color: #555;")
        unit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        row = QGridLayout()
        row.addWidget(self.status_label, 0, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(form_title, 0, 1)
        row.addWidget(unit, 0, 2)
        row.setColumnStretch(0, 1)
        row.setColumnStretch(2, 1)
        return row

    def _build_header_box(self) -> QGroupBox:
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.header_labels: dict[str, QLabel] = {}
        bold = cjk_font(bold=True)
        # Three enterprise fields a line, then the four figures on the last line.
        places = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2), (2, 3)]
        for (key, caption), (row, column) in zip(HEADER_FIELDS, places, strict=True):
            value = QLabel()
            value.setFont(bold)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(QLabel(self.tr(caption) + self.tr("：")), row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)
            self.header_labels[key] = value
        for column in range(4):
            grid.setColumnStretch(column * 2 + 1, 1)
        self.enterprise_hint = QLabel()
        self.enterprise_hint.setTextFormat(Qt.TextFormat.RichText)
        self.enterprise_hint.setStyleSheet("color: #9a6700;")
        self.enterprise_hint.linkActivated.connect(lambda _link: self.open_enterprise.emit())
        grid.addWidget(self.enterprise_hint, 1, 6, 1, 2)
        box = QGroupBox(self.tr("企业基本情况"))
        box.setLayout(grid)
        return box

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(HEADER_ROWS + len(ROWS), COLUMNS)
        table.horizontalHeader().hide()
        table.verticalHeader().hide()
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked
        )
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setWordWrap(True)
        table.setStyleSheet("QTableWidget { gridline-color: #9aa4b1; }"
                            "QTableWidget::item:selected { background: #cfe2ff; color: black; }")
        header = table.horizontalHeader()
        for column in range(COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            table.setColumnWidth(column, COLUMN_WIDTHS[column])
        header.setSectionResizeMode(COL_OCCUPATION, QHeaderView.ResizeMode.Stretch)
        table.setRowHeight(0, ROW_HEIGHT)
        table.setRowHeight(1, LEAF_HEADER_HEIGHT)
        for row in range(HEADER_ROWS, table.rowCount()):
            table.setRowHeight(row, ROW_HEIGHT)
        table.setFixedHeight(ROW_HEIGHT * (len(ROWS) + 1) + LEAF_HEADER_HEIGHT + 2 * table.frameWidth())
        table.setMinimumWidth(sum(COLUMN_WIDTHS.values()) + 2 * table.frameWidth())

        def heading(row, column, text, rows=1, columns=1):
            item = QTableWidgetItem(self.tr(text))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setTextAlignment(_CENTRE)
            item.setBackground(_HEADER)
            item.setFont(cjk_font(bold=True))
            table.setItem(row, column, item)
            if rows > 1 or columns > 1:
                table.setSpan(row, column, rows, columns)

        heading(0, COL_LEVEL, "技能等级", rows=2)
        heading(0, COL_COUNT, "人数", rows=2)
        heading(0, COL_AGE[AGE_BANDS[0]], "年龄结构", columns=len(AGE_BANDS))
        heading(0, COL_EDUCATION[EDUCATION_COLUMNS[0]], "文化程度", columns=len(EDUCATION_COLUMNS))
        heading(0, COL_WAGE, "月工资待遇", rows=2)
        heading(0, COL_OCCUPATION, "需求情况", columns=2)
        heading(0, COL_MEASURE[MEASURES[0]], "培养措施", columns=len(MEASURES))
        for band, column in COL_AGE.items():
            heading(1, column, AGE_LABELS[band])
        for name, column in COL_EDUCATION.items():
            heading(1, column, name)
        heading(1, COL_OCCUPATION, "需求工种")
        heading(1, COL_DEMAND, "需求人数")
        for name, column in COL_MEASURE.items():
            heading(1, column, name)
        for index, name in enumerate(ROWS):
            heading(HEADER_ROWS + index, COL_LEVEL, name)
            for column in range(1, COLUMNS):
                item = QTableWidgetItem()
                typed = name != TOTAL and column in TYPED_COLUMNS
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                item.setFlags(flags | Qt.ItemFlag.ItemIsEditable if typed else flags)
                item.setBackground(_TYPED if typed else _COMPUTED)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                                      if column == COL_OCCUPATION else _RIGHT)
                if name == TOTAL:
                    item.setFont(cjk_font(bold=True))
                if typed:
                    item.setToolTip(self.tr("可填写"))
                table.setItem(HEADER_ROWS + index, column, item)
        table.itemChanged.connect(self._cell_changed)
        return table

    def _build_footer(self) -> QHBoxLayout:
        self.filled_by_edit = QLineEdit()
        self.filled_by_edit.setMaximumWidth(160)
        self.filled_phone_edit = QLineEdit()
        self.filled_phone_edit.setMaximumWidth(180)
        self.filled_by_edit.textChanged.connect(lambda _t: self._update_controls())
        self.filled_phone_edit.textChanged.connect(lambda _t: self._update_controls())
        self.filled_date_label = QLabel()
        hint = QLabel(self.tr("白底单元格可填写：需求工种、需求人数和培养措施（双击或直接输入）"))
        hint.setStyleSheet("color: #555;")
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("填表人：")))
        row.addWidget(self.filled_by_edit)
        row.addSpacing(12)
        row.addWidget(QLabel(self.tr("联系电话：")))
        row.addWidget(self.filled_phone_edit)
        row.addSpacing(12)
        row.addWidget(self.filled_date_label)
        row.addStretch(1)
        row.addWidget(hint)
        return row

    def _build_lower(self) -> QSplitter:
        self.warnings_title = QLabel()
        self.warnings = QListWidget()
        self.warnings.setWordWrap(True)
        self.warnings.setAlternatingRowColors(True)
        self.warnings.itemActivated.connect(self.open_warning)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.warnings_title)
        left_layout.addWidget(self.warnings, 1)

        self.chart_view = self._build_chart()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.chart_view)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 560])
        splitter.setChildrenCollapsible(False)
        splitter.setMinimumHeight(180)
        return splitter

    def _build_chart(self) -> QChartView:
        self.series = QStackedBarSeries()
        self.bar_sets: dict[str, QBarSet] = {}
        names = [(band, AGE_LABELS[band], colour) for band, colour in zip(AGE_BANDS, _AGE_COLOURS, strict=True)]
        names.append(("none", "未填出生日期", _NO_BIRTH_COLOUR))
        for key, label, colour in names:
            bar_set = QBarSet(self.tr(label))
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour))
            self.series.append(bar_set)
            self.bar_sets[key] = bar_set
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setTitle(self.tr("各等级人数与年龄结构"))
        chart.setTitleFont(cjk_font(10, bold=True))
        chart.legend().setFont(cjk_font(8))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.addSeries(self.series)
        self.level_axis = QBarCategoryAxis()
        self.level_axis.setLabelsFont(cjk_font(8))
        chart.addAxis(self.level_axis, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.level_axis)
        self.count_axis = QValueAxis()
        self.count_axis.setLabelsFont(cjk_font(8))
        self.count_axis.setLabelFormat("%d")
        chart.addAxis(self.count_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.count_axis)
        self.chart = chart
        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumSize(380, 200)
        return view

    # -- the date --------------------------------------------------------------------------

    def as_of(self) -> date:
        return self.date_edit.date().toPython()

    def set_date(self, day: date) -> None:
        """Choose the 填表时间 as the clerk would (asking first when edits would be lost)."""
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def _put_date(self, day: date) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)
        self._sync_saved_combo(day)

    def _date_changed(self, qdate: QDate) -> None:
        day = qdate.toPython()
        if self.survey is not None and day == self.survey.as_of:
            self._sync_saved_combo(day)
            return
        if self.is_dirty() and not dialogs.ask_yes_no(
            self, self.tr("放弃修改"),
            self.tr("%1 的调查表有尚未保存的修改。确定要放弃这些修改，打开 %2 吗？")
            .replace("%1", self.survey.as_of.isoformat()).replace("%2", day.isoformat()),
        ):
            self._put_date(self.survey.as_of)
            return
        self.open_date(day)

    def _refresh_saved_dates(self) -> None:
        self.saved_combo.blockSignals(True)
        self.saved_combo.clear()
        days = saved_dates(self.engine)
        self.saved_combo.addItem(self.tr("已保存的（%1 份）").replace("%1", str(len(days))), None)
        for day in days:
            self.saved_combo.addItem(day.isoformat(), day.isoformat())  # ISO text: a date would come back a QDate
        self.saved_combo.setEnabled(bool(days))
        self.saved_combo.blockSignals(False)
        self._sync_saved_combo(self.as_of())

    def _sync_saved_combo(self, day: date) -> None:
        self.saved_combo.blockSignals(True)
        self.saved_combo.setCurrentIndex(max(self.saved_combo.findData(day.isoformat()), 0))
        self.saved_combo.blockSignals(False)

    def _saved_chosen(self, index: int) -> None:
        day = self.saved_combo.itemData(index)
        if day is not None:
            self.set_date(date.fromisoformat(day))

    # -- reading ---------------------------------------------------------------------------

    def _load(self) -> None:
        self._refresh_saved_dates()
        if self.is_dirty():
            return  # what the clerk typed stays; reading again would wipe it
        self.open_date(self.as_of())

    def open_date(self, day: date) -> None:
        """Show `day`'s survey: the saved one as it was saved, else computed from the register."""
        self._put_date(day)
        stored = load_survey(self.engine, day)
        if stored is not None:
            self._show(stored, saved_at=stored.saved_at)
            return
        engine = self.engine
        self.status_label.setText(self.tr("正在计算…"))
        self.job = run_job(
            self, self.tr("正在按台账计算 %1 的调查表…").replace("%1", day.isoformat()),
            lambda _progress: compute_survey(engine, day), on_success=self._computed, cancellable=False,
        )

    def _computed(self, survey: Survey) -> None:
        if survey.as_of != self.as_of():
            return  # the clerk chose another date meanwhile; its own computation follows
        self._show(survey, saved_at=None)

    def _show(self, survey: Survey, *, saved_at: datetime | None, numbers_unsaved: bool = False) -> None:
        self.survey = survey
        self.saved_at = saved_at
        self.numbers_unsaved = numbers_unsaved
        self._put_date(survey.as_of)
        self._clear_problems()
        self._show_header(survey)
        self._fill_table(survey)
        self.filled_by_edit.blockSignals(True)
        self.filled_phone_edit.blockSignals(True)
        self.filled_by_edit.setText(survey.filled_by)
        self.filled_phone_edit.setText(survey.filled_phone)
        self.filled_by_edit.blockSignals(False)
        self.filled_phone_edit.blockSignals(False)
        d = survey.as_of
        self.filled_date_label.setText(self.tr("填表时间：%1 年 %2 月 %3 日").replace("%1", str(d.year))
                                       .replace("%2", str(d.month)).replace("%3", str(d.day)))
        self.folded_label.setText(survey.folded_note)
        self.folded_label.setVisible(bool(survey.folded_note))
        self._show_warnings(survey)
        self._show_chart(survey)
        self._shown_typed = self.typed()
        self._update_controls()

    def _show_header(self, survey: Survey) -> None:
        header = survey.header
        blank = []
        for key, caption in HEADER_FIELDS:
            value = getattr(header, key)
            label = self.header_labels[key]
            if key == "total_employees":
                text = self.tr("%1 人").replace("%1", str(value))
            elif key == "fund_extracted" and value is None:
                text = self.tr("—（工资总额未确认）")
            elif key in ("avg_monthly_wage", "fund_extracted", "fund_used"):
                text = "—" if value is None else self.tr("%1 元").replace("%1", money(value))
            else:
                text = value or ""
            if not text and (key, caption) in ENTERPRISE_FIELDS:
                blank.append(self.tr(caption))
                text = self.tr("（未填）")
                label.setStyleSheet("color: #9a6700; font-weight: normal;")
            else:
                label.setStyleSheet("")
            label.setText(text)
        self.enterprise_hint.setText(
            self.tr("空白项请在 <a href='enterprise'>单位信息</a> 中填写，再重新计算。") if blank else ""
        )
        self.enterprise_hint.setVisible(bool(blank))

    def _fill_table(self, survey: Survey) -> None:
        self._filling = True
        for index, name in enumerate(ROWS):
            row = survey.rows[name]
            r = HEADER_ROWS + index
            values = {COL_COUNT: str(row.count), COL_WAGE: money(row.avg_monthly_wage),
                      COL_OCCUPATION: row.demand_occupation,
                      COL_DEMAND: "" if row.demand_count is None else str(row.demand_count)}
            values.update({COL_AGE[band]: str(row.age[band]) for band in AGE_BANDS})
            values.update({COL_EDUCATION[c]: str(row.education[c]) for c in EDUCATION_COLUMNS})
            values.update({COL_MEASURE[m]: str(row.measures[m]) for m in MEASURES})
            for column, text in values.items():
                self.table.item(r, column).setText(text)
        self._filling = False

    def _show_warnings(self, survey: Survey) -> None:
        self.warnings.clear()
        for warning in survey.warnings:
            item = QListWidgetItem(f"⚠ {warning.text}")
            item.setData(Qt.ItemDataRole.UserRole, list(warning.worker_ids))
            if len(warning.worker_ids) == 1:
                item.setToolTip(self.tr("双击打开职工档案"))
            elif warning.worker_ids:
                item.setToolTip(self.tr("双击列出这 %1 名职工，选择后打开档案").replace("%1", str(len(warning.worker_ids))))
            self.warnings.addItem(item)
        count = len(survey.warnings)
        self.warnings_title.setText(
            self.tr("<b>提示（%1 条）</b>　双击一条提示，打开其中的职工档案").replace("%1", str(count)) if count
            else self.tr("<b>提示</b>　没有需要注意的数据问题")
        )

    def _show_chart(self, survey: Survey) -> None:
        rows = [survey.rows[name] for name in LEVEL_ROWS]
        for key, bar_set in self.bar_sets.items():
            bar_set.remove(0, bar_set.count())
            if key == "none":
                bar_set.append([float(row.count - sum(row.age.values())) for row in rows])
            else:
                bar_set.append([float(row.age[key]) for row in rows])
        missing = any(row.count > sum(row.age.values()) for row in rows)
        for marker in self.chart.legend().markers(self.series):
            if marker.barset() is self.bar_sets["none"]:
                marker.setVisible(missing)
        self.level_axis.clear()
        self.level_axis.append([self.tr(name) for name in LEVEL_ROWS])  # the counts are in the table
        highest = max((row.count for row in rows), default=0)
        self.count_axis.setRange(0, max(4, highest * 1.1))
        self.count_axis.applyNiceNumbers()

    # -- what was typed --------------------------------------------------------------------

    def typed(self) -> dict:
        """The typed cells and fields as text, in apply_typed's shape."""
        rows = {}
        for index, name in enumerate(LEVEL_ROWS):
            r = HEADER_ROWS + index
            rows[name] = {
                "demand_occupation": self.table.item(r, COL_OCCUPATION).text(),
                "demand_count": self.table.item(r, COL_DEMAND).text(),
                "measures": {m: self.table.item(r, COL_MEASURE[m]).text() for m in MEASURES},
            }
        return {"filled_by": self.filled_by_edit.text(), "filled_phone": self.filled_phone_edit.text(), "rows": rows}

    def is_dirty(self) -> bool:
        return self.survey is not None and (self.numbers_unsaved or self.typed() != self._shown_typed)

    def cell(self, name: str, column: int) -> QTableWidgetItem:
        return self.table.item(HEADER_ROWS + ROWS.index(name), column)

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() not in TYPED_COLUMNS or item.row() < HEADER_ROWS:
            return
        if item.background().color() == _MARKED:  # edited: its mark goes until the next save
            self._filling = True
            self._unmark(item)
            self._filling = False
        self._update_total()
        self._update_controls()

    def _update_total(self) -> None:
        """合计 of the typed columns, live: the sum of what reads as a number, the 需求工种 joined."""
        texts = {column: [self.cell(name, column).text() for name in LEVEL_ROWS] for column in TYPED_COLUMNS}
        totals = {COL_OCCUPATION: join_occupations(texts[COL_OCCUPATION])}
        demand = [typed_count(t) for t in texts[COL_DEMAND] if t.strip()]
        totals[COL_DEMAND] = str(sum(n for n in demand if n is not None)) if demand else ""
        for column in COL_MEASURE.values():
            totals[column] = str(sum(typed_count(t) or 0 for t in texts[column]))
        self._filling = True
        for column, text in totals.items():
            self.cell(TOTAL, column).setText(text)
        self._filling = False

    def _applied(self, why: str) -> Survey | None:
        """A copy of the shown survey with what was typed, or None after marking what is refused
        (`why` opens the message: 未保存, 未导出 …)."""
        self._commit_open_editor()
        self._clear_problems()
        if self.survey is None:
            return None
        candidate = copy.deepcopy(self.survey)
        try:
            return apply_typed(candidate, self.typed())
        except FieldErrors as exc:
            self._show_problems(exc.problems, why)
            return None

    def _commit_open_editor(self) -> None:
        """Ctrl+S while a cell is being edited takes what is in that cell too."""
        if self.table.state() == QAbstractItemView.State.EditingState:
            editor = self.table.indexWidget(self.table.currentIndex())
            if editor is not None:
                self.table.commitData(editor)
                self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def _show_problems(self, problems: list[FieldProblem], why: str) -> None:
        self.problems.setText(why + "；".join(p.message for p in problems))
        self.problems.show()
        edits = {"filled_by": self.filled_by_edit, "filled_phone": self.filled_phone_edit}
        first = None
        self._filling = True
        for problem in problems:
            if problem.field in edits:
                edits[problem.field].setStyleSheet("border: 1px solid #d93025; background: #fff4f4;")
                edits[problem.field].setToolTip(problem.message)
                continue
            name, _, key = problem.field.partition(".")
            column = next((c for c, k in TYPED_COLUMNS.items() if k == key), None)
            if name not in LEVEL_ROWS or column is None:
                continue
            item = self.cell(name, column)
            item.setBackground(_MARKED)
            item.setForeground(_MARKED_TEXT)
            item.setToolTip(problem.message)
            if first is None:
                first = item
        self._filling = False
        if first is not None:
            self.table.setCurrentItem(first)
            self.table.clearSelection()  # a selected cell would hide its red mark
            self.table.setFocus()

    def _clear_problems(self) -> None:
        clear_problems(self.problems, {})
        for edit in (self.filled_by_edit, self.filled_phone_edit):
            edit.setStyleSheet("")
            edit.setToolTip("")
        self._filling = True
        for name in LEVEL_ROWS:
            for column in TYPED_COLUMNS:
                item = self.cell(name, column)
                if item.background().color() == _MARKED:
                    self._unmark(item)
        self._filling = False

    def _unmark(self, item: QTableWidgetItem) -> None:
        item.setBackground(_TYPED)
        item.setData(Qt.ItemDataRole.ForegroundRole, None)
        item.setToolTip(self.tr("可填写"))

    # -- status ----------------------------------------------------------------------------

    def _saved_text(self) -> str:
        if self.saved_at is None:
            return ""
        when = self.saved_at
        return f"{when:%Y-%m-%d %H:%M}"

    def _update_controls(self) -> None:
        shown = self.survey is not None
        for widget in (self.save_button, self.export_xlsx_button, self.export_pdf_button, self.export_json_button,
                       self.table, self.filled_by_edit, self.filled_phone_edit):
            widget.setEnabled(shown)
        self.recompute_button.setEnabled(shown and self.saved_at is not None)
        if not shown:
            self.status_label.setText("")
            return
        edited = self.typed() != self._shown_typed
        if self.numbers_unsaved:
            text = self.tr("已重新计算，未保存（原保存于 %1）").replace("%1", self._saved_text())
            colour = "#b54708"
        elif self.saved_at is not None:
            text = self.tr("已保存 %1").replace("%1", self._saved_text())
            colour = "#1e7e34"
        else:
            text = self.tr("未保存（按台账计算）")
            colour = "#555"
        if edited:
            text += self.tr("；有未保存的修改")
            colour = "#b54708"
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {colour};")

    # -- actions ---------------------------------------------------------------------------

    def save(self) -> bool:
        candidate = self._applied(self.tr("未保存："))
        if candidate is None:
            return False
        # A date nobody had saved when it was computed may have been saved since by another clerk.
        if self.survey.version is None and candidate.as_of in saved_dates(self.engine):
            self._offer_reload(self.tr("该日期的调查表在您打开之后已被另一位经办人保存，本次未保存。"))
            return False
        try:
            saved = save_survey(self.engine, candidate, expected_version=self.survey.version)
        except FieldErrors as exc:
            self._show_problems(exc.problems, self.tr("未保存："))
            return False
        except Refused as exc:
            self._offer_reload(str(exc))
            return False
        self._show(saved, saved_at=saved.saved_at)
        self._refresh_saved_dates()
        return True

    def _offer_reload(self, why: str) -> None:
        if dialogs.ask_yes_no(
            self, self.tr("未保存"), why + "\n\n" + self.tr("要现在打开已保存的调查表吗？本页未保存的修改将被放弃。")
        ):
            self._refresh_saved_dates()
            self.open_date(self.survey.as_of)

    def recompute(self) -> None:
        """Recompute a saved survey from the register: list the changes, ask, then replace the
        numbers (what was typed stays; 培养措施 are counted again)."""
        if self.survey is None or self.saved_at is None:
            return
        current = self._applied(self.tr("未重新计算，请先改正："))
        if current is None:
            return
        engine = self.engine
        self.job = run_job(
            self, self.tr("正在按台账重新计算…"), lambda _progress: recompute(engine, copy.deepcopy(current)),
            on_success=lambda fresh: self._recomputed(current, fresh), cancellable=False,
        )

    def _recomputed(self, current: Survey, fresh: Survey) -> None:
        if self.survey is None or fresh.as_of != self.survey.as_of:
            return
        changes = self.last_changes = changes_between(current, fresh)
        if not changes:
            dialogs.show_info(self, self.tr("重新计算"),
                              self.tr("按当前台账重新计算的结果与已保存的调查表相同，无需更新。"))
            return
        lines = [f"{c.where}：{c.before or '（空）'} → {c.after or '（空）'}" for c in changes[:CHANGES_LISTED]]
        if len(changes) > CHANGES_LISTED:
            lines.append(self.tr("……共 %1 项").replace("%1", str(len(changes))))
        text = (
            self.tr("按当前台账重新计算 %1 的调查表，以下 %2 项将改变：").replace("%1", fresh.as_of.isoformat())
            .replace("%2", str(len(changes)))
            + "\n\n" + "\n".join(lines) + "\n\n"
            + self.tr("需求工种、需求人数、填表人和联系电话保留；培养措施按台账重新统计。\n替换后请核对并保存。要替换吗？")
        )
        if not dialogs.ask_yes_no(self, self.tr("重新计算"), text):
            return
        self._show(fresh, saved_at=self.saved_at, numbers_unsaved=True)

    def _export(self, title: str, suffix: str, file_filter: str, write) -> Path | None:
        candidate = self._applied(self.tr("未导出，请先改正："))
        if candidate is None:
            return None
        suggested = self.tr("企业技能人才现状及需求情况调查表-%1").replace("%1", candidate.as_of.isoformat()) + suffix
        path = dialogs.save_path(self, title, suggested, file_filter, suffix)
        if path is None:
            return None
        self.job = run_job(
            self, self.tr("正在导出…"), lambda _progress: write(candidate, path) or path, cancellable=False,
            on_success=lambda out: dialogs.show_info(
                self, self.tr("导出完成"), self.tr("已导出 %1 的调查表：\n%2").replace("%1", candidate.as_of.isoformat())
                .replace("%2", str(out))
            ),
        )
        return path

    def export_xlsx(self) -> Path | None:
        def write(survey: Survey, path: Path):
            from app.reports.survey_xlsx import write_survey_xlsx

            return write_survey_xlsx(survey, path)

        return self._export(self.tr("导出调查表（Excel）"), ".xlsx", XLSX_FILTER, write)

    def export_pdf(self) -> Path | None:
        def write(survey: Survey, path: Path):
            from app.reports.survey_pdf import write_survey_pdf

            return write_survey_pdf(survey, path)

        return self._export(self.tr("导出调查表（PDF）"), ".pdf", PDF_FILTER, write)

    def export_json(self) -> Path | None:
        def write(survey: Survey, path: Path):
            path.write_text(json.dumps(survey.as_json(), ensure_ascii=False, indent=2), encoding="utf-8")
            return path

        return self._export(self.tr("导出调查表（JSON）"), ".json", JSON_FILTER, write)

    def open_warning(self, item: QListWidgetItem) -> QWidget | None:
        """One worker named: open them. Several: a list to pick from."""
        worker_ids = item.data(Qt.ItemDataRole.UserRole) or []
        if len(worker_ids) == 1:
            self.open_worker.emit(int(worker_ids[0]))
            return None
        if not worker_ids:
            return None
        dialog = WorkerPickDialog(self.engine, item.text(), [int(i) for i in worker_ids], self)
        dialog.chosen.connect(self.open_worker.emit)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog


def changes_between(shown: Survey, fresh: Survey) -> list[Change]:
    """What a recomputation replaces: compare() lists the enterprise block, the numbers and
    the derived 培养措施 counts."""
    return compare(shown, fresh)


__all__ = ["SurveyPage", "WorkerPickDialog", "changes_between"]
