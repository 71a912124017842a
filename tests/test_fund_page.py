"""The 职工教育经费 and 培训合规 pages offscreen over a real database file: confirming a year,
the warnings against the policy floors, what enrolments paid from the fund change; who was
not trained, opening them, exporting the lists."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCharts import QChart  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QFontDatabase  # noqa: E402

from app.services.fund import NOT_STORED, fund_year, save_fund_year  # noqa: E402
from app.services.training import enrol_workers, enrolments_of_programme, record_results  # noqa: E402
from app.ui.compliance_page import CompliancePage  # noqa: E402
from app.ui.fund_page import FundPage  # noqa: E402
from tests.test_training_service import certify, hire, new_programme  # noqa: E402

YEAR = date.today().year


@pytest.fixture
def page(qtbot, engine, answers):
    page = FundPage(engine)
    qtbot.addWidget(page)
    page.resize(1100, 620)
    page.show()
    qtbot.waitExposed(page)
    return page


def figure(page, key: str) -> str:
    return page.figures[key][0].text()


def confirm(page, payroll: str, rate: str, amount: str = "") -> bool:
    page.payroll_edit.setText(payroll)
    page.rate_edit.setText(rate)
    page.amount_edit.setText(amount)
    return page.save()


def bars(page) -> list[list[float]]:
    """This year's bars: 提取金额, 已用, 一线职工使用 (万元)."""
    return [bar_set.at(bar_set.count() - 1) for bar_set in page.bar_sets]


def test_the_year_selector_offers_this_year_and_the_four_before(page):
    years = [page.year_combo.itemData(i) for i in range(page.year_combo.count())]
    assert years == [YEAR, YEAR - 1, YEAR - 2, YEAR - 3, YEAR - 4]
    assert page.year_combo.currentData() == YEAR
    assert figure(page, "payroll") == "未确认"
    assert "尚未确认工资总额" in page.warnings.text()


def test_a_year_with_data_joins_the_selector(qtbot, engine, answers):
    new_programme(engine, start_date=date(YEAR - 9, 3, 2), end_date=None)
    page = FundPage(engine)
    qtbot.addWidget(page)
    page.show()
    assert page.year_combo.findData(YEAR - 9) >= 0


def test_payroll_and_rate_saved_give_the_extracted_amount_and_a_warning_below_the_floor(page, engine):
    assert confirm(page, "1,000,000", "1.2")
    assert figure(page, "payroll") == "1,000,000.00 元"
    assert figure(page, "rate") == "1.20%"
    assert figure(page, "extracted") == "12,000.00 元"
    assert "提取比例 1.20% 低于 1.5% 的下限" in page.warnings.text()
    assert page.warnings.isVisibleTo(page)
    assert page.figures["rate"][0].styleSheet()  # shown in red
    assert page.figures["rate"][1].text() == "下限 1.5%"
    assert page.saved_note.text() == f"{YEAR} 年度已保存"
    assert fund_year(engine, YEAR).extracted_amount == 12000

    assert confirm(page, "1000000", "2")
    assert figure(page, "extracted") == "20,000.00 元"
    assert page.warnings.isHidden()
    assert not page.figures["rate"][0].styleSheet()
    assert page.amount_edit.text() == ""  # computed, not typed: it follows the payroll
    assert bars(page)[0] == 2.0


def test_a_typed_amount_below_the_floor_is_warned_and_kept(page):
    assert confirm(page, "1000000", "1.5", "9000")
    assert figure(page, "extracted") == "9,000.00 元"
    assert page.amount_edit.text() == "9000.00"
    assert "低于工资总额的 1.5%" in page.warnings.text()


def test_refused_input_is_marked_per_field(page, engine):
    assert not confirm(page, "abc", "200")
    text = page.problems.text()
    assert "工资总额：" in text and "提取比例：不能超过 100%" in text
    assert page.payroll_edit.styleSheet() and page.rate_edit.styleSheet()
    assert not page.amount_edit.styleSheet()
    assert page.payroll_edit.text() == "abc"  # what was typed stays
    assert fund_year(engine, YEAR).version == NOT_STORED


def test_enrolments_paid_from_the_fund_change_used_and_the_frontline_share(page, engine):
    confirm(page, "1000000", "2")
    welder = hire(engine, "张三", 11, is_frontline=True, monthly_wage="5000")
    clerk = hire(engine, "李四", 12, is_frontline=False, monthly_wage="5000")
    fitter = hire(engine, "王五", 13, is_frontline=True, monthly_wage="5000")
    paid = new_programme(engine, start_date=date(YEAR, 1, 5), end_date=None, cost_per_person="3000")
    by_worker = new_programme(engine, name="自费课程", start_date=date(YEAR, 1, 5), end_date=None,
                              cost_per_person="800", funding_source="个人")
    enrol_workers(engine, paid, [welder, clerk], enrolled_on=date(YEAR, 1, 4))
    enrol_workers(engine, by_worker, [welder], enrolled_on=date(YEAR, 1, 4))
    page.refresh()
    assert figure(page, "used") == "6,000.00 元"  # the self-paid course is not the fund's
    assert figure(page, "frontline") == "3,000.00 元（50.00%）"
    assert "用于一线职工的比例 50.00% 低于 60% 的下限" in page.warnings.text()

    enrol_workers(engine, paid, [fitter], enrolled_on=date(YEAR, 1, 4))
    page.refresh()
    assert figure(page, "used") == "9,000.00 元"
    assert figure(page, "frontline") == "6,000.00 元（66.67%）"
    assert page.warnings.isHidden()
    assert bars(page) == [2.0, 0.9, 0.6]
    assert page.year_axis.categories()[-1] == f"{YEAR}年"
    assert page.share_label.text().endswith(f"{YEAR}\u2060年\u00a066.7%")


def test_a_refresh_keeps_what_the_clerk_is_typing_and_a_stale_save_reloads(page, engine, answers):
    page.payroll_edit.setText("2000000")
    page.refresh()  # a class recorded on another tab
    assert page.payroll_edit.text() == "2000000"
    assert confirm(page, "2000000", "1.5")
    save_fund_year(engine, YEAR, payroll_total="1000000", extraction_rate="2")  # another clerk
    assert not confirm(page, "3000000", "1.5")
    assert "已被修改" in answers.asked[-1]
    assert page.payroll_edit.text() == "1000000.00"  # reloaded, as the clerk agreed
    assert figure(page, "payroll") == "1,000,000.00 元"


def test_the_proposal_is_put_into_the_form_for_the_clerk_to_save(page, engine):
    for seq, name in ((11, "张三"), (12, "李四")):
        hire(engine, name, seq, monthly_wage="5000")
    page.refresh()
    assert page.figures["payroll"][1].text() == "建议值 120,000.00 元（在职职工月工资 × 12）"
    page.adopt_button.click()
    assert page.payroll_edit.text() == "120000.00"
    assert fund_year(engine, YEAR).payroll_total is None  # nothing saved yet
    assert page.save()
    assert figure(page, "payroll") == "120,000.00 元"
    assert not page.adopt_button.isEnabled()


def test_the_chart_draws_chinese_without_animation(page):
    chart = page.chart_view.chart()
    assert chart.animationOptions() == QChart.AnimationOption.NoAnimation
    assert [s.label() for s in page.bar_sets] == ["提取金额", "已用", "一线职工使用"]
    chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert page.year_axis.labelsFont().family() in chinese
    assert page.series.isLabelsVisible()
    assert len(page.year_axis.categories()) == 5
    assert page.year_axis.categories()[0] == f"{YEAR - 4}年"
    assert page.share_label.text().startswith("用于一线职工的比例（下限 60%）：")
    assert f"{YEAR - 4}\u2060年\u00a0—" in page.share_label.text()


# --- the compliance page (培训合规), the fund page's neighbour on the 培训 page ---------------


@pytest.fixture
def register(engine):
    """张三 高级工 untrained, 李四 高级工 trained this year, 王五 中级工 never trained, 赵六 no level."""
    zhang = hire(engine, "张三", 11)
    li = hire(engine, "李四", 12)
    wang = hire(engine, "王五", 13)
    hire(engine, "赵六", 14)
    certify(engine, zhang, "高级工", date(2019, 5, 1), "G-1")
    certify(engine, li, "高级工", date(2019, 5, 1), "G-2")
    certify(engine, wang, "中级工", date(2018, 5, 1), "Z-1")
    programme = new_programme(engine, start_date=date(YEAR, 1, 1), end_date=None, cost_per_person="0")
    enrol_workers(engine, programme, [li], enrolled_on=date(YEAR, 1, 1))
    enrolment = enrolments_of_programme(engine, programme)[0].id
    record_results(engine, programme, [{"enrolment_id": enrolment, "hours_attended": 8, "result": "合格",
                                        "completed_on": date.today()}])
    return {"张三": zhang, "李四": li, "王五": wang}


@pytest.fixture
def compliance(qtbot, engine, register, answers):
    page = CompliancePage(engine)
    qtbot.addWidget(page)
    page.resize(1100, 620)
    page.show()
    qtbot.waitExposed(page)
    return page


def names(box) -> list[str]:
    model = box.model
    return [model.index(row, 1).data() for row in range(model.rowCount())]


def test_the_compliance_page_lists_who_was_not_trained(compliance):
    assert compliance.year() == YEAR
    assert names(compliance.high) == ["张三"]
    assert compliance.high.heading.text() == "高技能人才未完成年度培训：1 人"
    assert "在职高技能人才（高级工及以上）共 2 人" in compliance.high.rule.text()
    assert "每年至少完成 1 次培训" in compliance.high.rule.text()
    assert names(compliance.rotation) == ["王五"]
    assert compliance.rotation.heading.text() == "技能人才未按期轮训：1 人"
    assert f"轮训周期 3 年：{YEAR - 2}–{YEAR} 年内" in compliance.rotation.rule.text()
    assert compliance.high.model.index(0, 3).data() == "高级工"


def test_double_click_opens_the_worker(qtbot, compliance, register):
    view = compliance.high.view
    index = compliance.high.model.index(0, 1)
    centre = view.visualRect(index).center()
    with qtbot.waitSignal(compliance.open_worker, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args == [register["张三"]]


def test_another_year_is_read_when_chosen(compliance):
    compliance.year_combo.setCurrentIndex(compliance.year_combo.findData(YEAR - 1))
    assert compliance.report.year == YEAR - 1
    assert names(compliance.high) == ["张三", "李四"]  # 李四 trained this year, not last


def test_the_lists_are_exported_to_excel(compliance, answers, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    from app.ui import dialogs

    asked = []

    def save_file(parent, title, suggested, file_filter):
        asked.append(suggested)
        return str(tmp_path / "培训达标")  # typed without the extension

    monkeypatch.setattr(dialogs, "save_file", save_file)
    job = compliance.export()
    assert job.outcome == "success"
    assert asked == [f"培训达标情况_{YEAR}.xlsx"]
    out = tmp_path / "培训达标.xlsx"
    assert answers.told == [f"已导出到 {out}"]
    yearly, rotation = load_workbook(out).worksheets
    assert [row[1] for row in yearly.iter_rows(min_row=3, values_only=True)] == ["张三"]
    assert [row[1] for row in rotation.iter_rows(min_row=3, values_only=True)] == ["王五"]


def test_an_export_cancelled_in_the_file_dialog_writes_nothing(compliance, monkeypatch, tmp_path):
    from app.ui import dialogs

    monkeypatch.setattr(dialogs, "save_file", lambda *args: None)
    assert compliance.export() is None
    assert list(tmp_path.glob("*.xlsx")) == []
