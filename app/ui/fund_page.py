"""职工教育经费: one year's figures against the policy floors, the form that confirms the
工资总额 and the extraction, and a chart of the recent years (extracted, used, used on
一线职工)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine, extract, select, union

from app.errors import FieldErrors, Refused
from app.models import TrainingFundYear, TrainingProgramme
from app.models.base import CENT
from app.services.fund import (
    FundYear,
    fund_year,
    fund_years,
    percent_of,
    percent_text,
    save_fund_year,
)
from app.services.training_rules import FUNDING_FUND
from app.services.workers import StaleRecord
from app.ui import dialogs
from app.ui.form_support import clear_problems, error_label, show_problems
from app.ui.home_page import cjk_font
from app.ui.lazy_page import ReadsWhenShown
from app.ui.roles import writes

RECENT_YEARS = 5  # this year and the 4 before, whatever the data
CHART_YEARS = 8  # more bars than this would not read on a laptop screen
_WARNING_COLOUR = "#b42318"
_SERIES_COLOURS = ("#8fb4d9", "#2f6ea8", "#e0a040")
_TEN_THOUSAND = Decimal(10000)


def yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f} 元"


def years_with_data(engine: Engine) -> list[int]:
    """Years with a stored fund row or a programme paid from the fund, newest first."""
    stored = select(TrainingFundYear.year.label("year"))
    spent = select(extract("year", TrainingProgramme.start_date).label("year")).where(
        TrainingProgramme.funding_source == FUNDING_FUND
    )
    with engine.connect() as conn:
        years = {int(year) for year in conn.scalars(select(union(stored, spent).subquery().c.year))}
    return sorted(years, reverse=True)


def _of_payroll(payroll: Decimal, rate: Decimal) -> Decimal:
    """`rate` percent of the payroll, to the cent, as the fund service computes it."""
    return (payroll * rate / 100).quantize(CENT, ROUND_HALF_UP)


def _typed_amount(fund: FundYear) -> Decimal | None:
    """The 提取金额 the clerk typed, or None when it is the computed payroll × rate.

    FundYear gives the amount in force either way; showing a computed amount in the form
    would store it as typed on the next save, and it would then no longer follow the
    payroll."""
    if fund.extracted_amount is None or fund.payroll_total is None:
        return fund.extracted_amount
    computed = _of_payroll(fund.payroll_total, fund.extraction_rate)
    return None if fund.extracted_amount == computed else fund.extracted_amount


class FundPage(ReadsWhenShown, QWidget):
    every_show = False  # its tables are read only after refresh() says something changed
    def __init__(self, engine: Engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.fund: FundYear | None = None
        self._form_shown: dict[str, str] = {}
        self.history: list[FundYear] = []

        title = QLabel(self.tr("职工教育经费"))
        title.setFont(cjk_font(16, bold=True))
        self.year_combo = QComboBox()
        self.year_combo.setMinimumWidth(96)
        self.year_combo.currentIndexChanged.connect(self._year_chosen)
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addSpacing(16)
        title_row.addWidget(QLabel(self.tr("年度：")))
        title_row.addWidget(self.year_combo)
        title_row.addStretch(1)

        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(f"color: {_WARNING_COLOUR};")
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)

        left = QVBoxLayout()
        left.addWidget(self._figures_box())
        left.addWidget(self.warnings)
        left.addWidget(self._form_box())
        left.addStretch(1)
        side = QWidget()
        side.setLayout(left)
        side.setMinimumWidth(430)
        side.setMaximumWidth(520)

        self.chart_view = self._build_chart()
        # The frontline share per year, under the bars: as a second line of the year labels
        # it was cut to "2026年 一…" at laptop widths.
        self.share_label = QLabel()
        self.share_label.setTextFormat(Qt.TextFormat.PlainText)
        self.share_label.setWordWrap(True)
        self.share_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        chart_column = QVBoxLayout()
        chart_column.addWidget(self.chart_view, 1)
        chart_column.addWidget(self.share_label)
        body = QHBoxLayout()
        body.addWidget(side)
        body.addLayout(chart_column, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(title_row)
        layout.addLayout(body, 1)

    # -- building ------------------------------------------------------------------------

    def _figures_box(self) -> QGroupBox:
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(12)
        self.figures: dict[str, tuple[QLabel, QLabel]] = {}
        rows = (
            ("payroll", self.tr("工资总额")), ("rate", self.tr("提取比例")), ("extracted", self.tr("提取金额")),
            ("used", self.tr("已用")), ("frontline", self.tr("用于一线职工")),
        )
        bold = cjk_font(bold=True)
        for row, (key, caption) in enumerate(rows):
            value, note = QLabel(), QLabel()
            value.setFont(bold)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            note.setWordWrap(True)
            note.setStyleSheet("color: palette(placeholder-text);")
            grid.addWidget(QLabel(caption + self.tr("：")), row, 0)
            grid.addWidget(value, row, 1)
            grid.addWidget(note, row, 2)
            self.figures[key] = (value, note)
        self.adopt_button = QPushButton(self.tr("采用建议值"))
        self.adopt_button.setToolTip(self.tr("把建议的工资总额填入下方表单，核对后保存"))
        self.adopt_button.clicked.connect(self.adopt_proposal)
        writes(self.adopt_button)
        grid.addWidget(self.adopt_button, len(rows), 2, Qt.AlignmentFlag.AlignLeft)
        self.figures_box = QGroupBox()
        self.figures_box.setLayout(grid)
        return self.figures_box

    def _form_box(self) -> QGroupBox:
        self.payroll_edit = QLineEdit()
        self.payroll_edit.setPlaceholderText(self.tr("元，含奖金、津贴，以财务数为准"))
        self.rate_edit = QLineEdit()
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText(self.tr("可空：留空按 工资总额 × 提取比例 计算"))
        self.notes_edit = QLineEdit()
        self.fields = {
            "payroll_total": self.payroll_edit, "extraction_rate": self.rate_edit,
            "extracted_amount": self.amount_edit, "notes": self.notes_edit,
        }
        self.problems = error_label()
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.clicked.connect(self.save)
        writes(self.save_button)
        self.saved_note = QLabel()
        self.saved_note.setStyleSheet("color: #1e7e34;")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("工资总额（元）："), self.payroll_edit)
        form.addRow(self.tr("提取比例（%）："), self.rate_edit)
        form.addRow(self.tr("提取金额（元）："), self.amount_edit)
        form.addRow(self.tr("备注："), self.notes_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved_note, 1)
        buttons.addWidget(self.save_button)
        self.form_box = QGroupBox()
        box = self.form_box
        layout = QVBoxLayout(box)
        layout.addWidget(self.problems)
        layout.addLayout(form)
        layout.addLayout(buttons)
        return box

    def _build_chart(self) -> QChartView:
        self.bar_sets = []
        self.series = QBarSeries()
        names = (self.tr("提取金额"), self.tr("已用"), self.tr("一线职工使用"))
        for name, colour in zip(names, _SERIES_COLOURS, strict=True):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour))
            bar_set.setLabelColor(QColor("#1f2328"))
            bar_set.setLabelFont(cjk_font(8))
            self.series.append(bar_set)
            self.bar_sets.append(bar_set)
        self.series.setLabelsVisible(True)
        self.series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.series.setLabelsFormat("@value")
        self.series.setLabelsPrecision(12)  # the default (6) writes large sums as 1e+06

        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setTitle(self.tr("各年度职工教育经费（万元）"))
        chart.setTitleFont(cjk_font(11, bold=True))
        chart.legend().setFont(cjk_font(9))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.addSeries(self.series)
        self.year_axis = QBarCategoryAxis()
        self.year_axis.setLabelsFont(cjk_font(9))
        chart.addAxis(self.year_axis, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.year_axis)
        self.amount_axis = QValueAxis()
        self.amount_axis.setLabelsFont(cjk_font(9))
        self.amount_axis.setLabelFormat("%.0f")
        chart.addAxis(self.amount_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.amount_axis)
        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumSize(420, 300)
        return view

    # -- reading -------------------------------------------------------------------------

    def _load(self, *, keep_typed: bool = True) -> None:
        self._stale = False
        this_year = date.today().year
        years = sorted({*range(this_year - RECENT_YEARS + 1, this_year + 1), *years_with_data(self.engine)},
                       reverse=True)
        chosen = self.year_combo.currentData() or this_year
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in years:
            self.year_combo.addItem(self.tr("%1 年").replace("%1", str(year)), year)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(chosen), 0))
        self.year_combo.blockSignals(False)
        self.history = fund_years(self.engine, sorted(years[:CHART_YEARS]))
        self._show_chart(self.history)
        # A change made elsewhere (a class recorded on another tab) must not wipe what the
        # clerk was typing for the same year.
        same_year = self.fund is not None and self.fund.year == self.year_combo.currentData()
        keep_typed = keep_typed and same_year and self.form_is_dirty()
        self._show(fund_year(self.engine, self.year_combo.currentData()), fill_form=not keep_typed)

    def _year_chosen(self, _index: int) -> None:
        year = self.year_combo.currentData()
        if year is not None:
            self._show(fund_year(self.engine, year), fill_form=True)

    def _show(self, fund: FundYear, *, fill_form: bool) -> None:
        self.fund = fund
        self.figures_box.setTitle(self.tr("%1 年度情况").replace("%1", str(fund.year)))
        self._show_figures(fund)
        self.warnings.setText("\n".join(f"⚠ {warning}" for warning in fund.warnings))
        self.warnings.setVisible(bool(fund.warnings))
        if fill_form:
            self.form_box.setTitle(self.tr("确认 %1 年度数据").replace("%1", str(fund.year)))
            self._fill_form(fund)

    def _show_figures(self, fund: FundYear) -> None:
        min_rate = percent_text(fund.min_rate)
        low = f"color: {_WARNING_COLOUR};"

        def put(key: str, value: str, note: str, below: bool = False) -> None:
            value_label, note_label = self.figures[key]
            value_label.setText(value)
            value_label.setStyleSheet(low if below else "")
            note_label.setText(note)

        if fund.payroll_total is None:
            put("payroll", self.tr("未确认"),
                self.tr("建议值 %1（在职职工月工资 × 12）").replace("%1", yuan(fund.payroll_proposal)),
                below=True)
        else:
            put("payroll", yuan(fund.payroll_total), self.tr("已确认；建议值 %1").replace("%1", yuan(fund.payroll_proposal)))
        self.adopt_button.setEnabled(fund.payroll_proposal > 0 and fund.payroll_proposal != fund.payroll_total)
        put("rate", f"{fund.extraction_rate}%", self.tr("下限 %1%").replace("%1", min_rate),
            below=fund.extraction_rate < fund.min_rate)
        if fund.payroll_total is not None:
            floor = _of_payroll(fund.payroll_total, fund.min_rate)
            how = self.tr("手工填写") if _typed_amount(fund) is not None else self.tr("工资总额 × 提取比例")
            put("extracted", yuan(fund.extracted_amount),
                self.tr("%1；下限 %2（工资总额的 %3%）").replace("%1", how).replace("%2", yuan(floor))
                .replace("%3", min_rate),
                below=fund.extracted_amount is not None and fund.extracted_amount < floor)
        else:
            put("extracted", yuan(fund.extracted_amount), self.tr("确认工资总额后计算"))
        over = fund.extracted_amount is not None and fund.used > fund.extracted_amount
        share_of_extracted = (
            self.tr("占提取金额 %1%").replace("%1", str(percent_of(fund.used, fund.extracted_amount)))
            if fund.extracted_amount else ""
        )
        put("used", yuan(fund.used), share_of_extracted, below=over)
        min_share = percent_text(fund.min_frontline_share)
        if fund.frontline_share is None:
            put("frontline", yuan(fund.used_frontline), self.tr("尚无支出；下限 %1%").replace("%1", min_share))
        else:
            put("frontline", f"{yuan(fund.used_frontline)}（{fund.frontline_share}%）",
                self.tr("下限 %1%").replace("%1", min_share),
                below=fund.frontline_share < fund.min_frontline_share)

    def form_values(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.fields.items()}

    def form_is_dirty(self) -> bool:
        return self.form_values() != self._form_shown

    def _fill_form(self, fund: FundYear) -> None:
        clear_problems(self.problems, self.fields)
        self.saved_note.clear()
        self.payroll_edit.setText("" if fund.payroll_total is None else f"{fund.payroll_total:.2f}")
        self.rate_edit.setText(f"{fund.extraction_rate}")
        self.rate_edit.setPlaceholderText(self.tr("留空即下限 %1").replace("%1", percent_text(fund.min_rate)))
        typed = _typed_amount(fund)
        self.amount_edit.setText("" if typed is None else f"{typed:.2f}")
        self.notes_edit.setText(fund.notes or "")
        self._form_shown = self.form_values()

    def _show_chart(self, history: list[FundYear]) -> None:
        def wan(value: Decimal | None) -> float:
            return float(value / _TEN_THOUSAND) if value else 0.0

        def share(fund: FundYear) -> str:
            return "—" if fund.frontline_share is None else f"{fund.frontline_share.quantize(Decimal('0.1'))}%"

        self.year_axis.clear()
        self.year_axis.append([self.tr("%1年").replace("%1", str(f.year)) for f in history])
        columns = (
            [f.extracted_amount for f in history], [f.used for f in history], [f.used_frontline for f in history],
        )
        highest = max((wan(v) for values in columns for v in values), default=0.0)
        # A label wider than its bar runs into the next one: whole 万元 once the bars are
        # tens of 万元 high, one decimal (1,000 元) below that.
        digits = 0 if highest >= 10 else 1
        for bar_set, values in zip(self.bar_sets, columns, strict=True):
            bar_set.remove(0, bar_set.count())
            bar_set.append([round(wan(v), digits) for v in values])
        minimum = {percent_text(f.min_frontline_share) for f in history}
        self.share_label.setText(
            self.tr("用于一线职工的比例（下限 %2%）：%1")
            # Lines break between years, never inside one (Chinese may break between any two
            # characters): a word joiner and a no-break space hold each year together.
            .replace("%1", "　".join(f"{f.year}\u2060年\u00a0{share(f)}" for f in history))
            .replace("%2", "/".join(sorted(minimum)))
        )
        # Headroom above the tallest bar keeps its value label inside the plot.
        self.amount_axis.setRange(0, max(1.0, highest * 1.15))
        self.amount_axis.applyNiceNumbers()

    # -- actions ---------------------------------------------------------------------------

    def adopt_proposal(self) -> None:
        if self.fund is None:
            return
        self.payroll_edit.setText(f"{self.fund.payroll_proposal:.2f}")
        self.payroll_edit.setFocus()
        self.saved_note.setText(self.tr("已填入建议值，核对后请保存"))

    def save(self) -> bool:
        if self.fund is None:
            return False
        clear_problems(self.problems, self.fields)
        self.saved_note.clear()
        try:
            fund = save_fund_year(
                self.engine, self.fund.year, payroll_total=self.payroll_edit.text(),
                extraction_rate=self.rate_edit.text(), extracted_amount=self.amount_edit.text(),
                notes=self.notes_edit.text(), expected_version=self.fund.version,
            )
        except FieldErrors as exc:
            show_problems(self.problems, self.fields, exc.problems)
            return False
        except StaleRecord as exc:
            if dialogs.ask_yes_no(
                self, self.tr("数据已被修改"), str(exc) + "\n\n" + self.tr("要现在重新加载吗？本页未保存的修改将被放弃。")
            ):
                self._load(keep_typed=False)
            return False
        except Refused as exc:
            dialogs.show_error(self, self.tr("未保存"), str(exc))
            return False
        self.history = [fund if f.year == fund.year else f for f in self.history]
        self._show_chart(self.history)
        self._show(fund, fill_form=True)
        self.saved_note.setText(self.tr("%1 年度已保存").replace("%1", str(fund.year)))
        return True
