"""The 培训账户 tab of the worker file, offscreen over a real database file: credits and
corrections through its dialogs, the plan form, and the worker's trainings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

pytest.importorskip("PySide6")

from app.services.accounts import balance, ledger, load_plan  # noqa: E402
from app.services.training import enrol_workers, enrolments_of_programme, record_results  # noqa: E402
from app.ui.account_tab import AccountTab  # noqa: E402
from app.ui.worker_form import WorkerDialog  # noqa: E402
from tests.test_training_service import certify, hire, new_programme  # noqa: E402

TODAY = date.today()


@pytest.fixture
def zhang(engine):
    return hire(engine, "张三", 11)


@pytest.fixture
def tab(qtbot, engine, zhang, answers):
    tab = AccountTab(engine, zhang)
    qtbot.addWidget(tab)
    tab.resize(900, 480)
    tab.show()
    return tab


def cells(list_page) -> list[list[str]]:
    table = list_page.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def credit_through_dialog(tab, amount: str, on: date, reason: str):
    dialog = tab.add_credit()
    dialog.fields["amount"].setText(amount)
    dialog.fields["on"].set_value(on)
    dialog.fields["reason"].setText(reason)
    return dialog, dialog.save()


def test_a_credit_shows_in_the_balance_and_the_ledger(tab, engine, zhang):
    assert tab.balance_label.text() == "0.00"
    assert cells(tab.ledger_list) == []
    _, saved = credit_through_dialog(tab, "3000", TODAY - timedelta(days=10), "年度培训预算")
    assert saved
    assert tab.balance_label.text() == "3,000.00"
    assert cells(tab.ledger_list) == [
        [f"{TODAY - timedelta(days=10):%Y-%m-%d}", "预算拨入", "+3,000.00", "3,000.00", "", "年度培训预算", ""],
    ]
    assert balance(engine, zhang) == Decimal("3000.00")


def test_a_refused_credit_marks_its_fields_and_writes_nothing(tab, engine, zhang):
    dialog = tab.add_credit()
    dialog.fields["amount"].setText("12.345")
    dialog.fields["on"].set_value(None)
    assert not dialog.save()
    # every problem at once, each field marked
    assert dialog.problems.text() == "拨入金额：金额最多两位小数\n拨入日期：不能为空"
    assert dialog.fields["amount"].styleSheet() and dialog.fields["on"].styleSheet()
    dialog.fields["amount"].setText("100")
    assert not dialog.save()
    assert dialog.problems.text() == "拨入日期：不能为空"
    assert not dialog.fields["amount"].styleSheet()
    assert ledger(engine, zhang) == []


def test_a_correction_adds_a_line_and_fixes_the_balance(tab, engine, zhang):
    credit_through_dialog(tab, "3000", TODAY - timedelta(days=10), "年度培训预算")
    tab.ledger_list.table.selectRow(0)
    assert tab.correct_button.isEnabled()
    dialog = tab.correct_entry()
    assert dialog.fields["amount"].text() == "3000.00"  # what the entry stands at now
    dialog.fields["amount"].setText("2500")
    dialog.fields["reason"].setText("预算调整")
    assert dialog.save()

    rows = cells(tab.ledger_list)
    assert len(rows) == 2
    assert rows[0][1:4] == ["预算拨入", "+3,000.00", "3,000.00"]  # the original is never changed
    assert rows[1][1:4] == ["更正", "-500.00", "2,500.00"]
    assert rows[1][5] == "预算调整"
    assert tab.balance_label.text() == "2,500.00"
    # a correction is corrected through its original, never by itself
    tab.ledger_list.table.selectRow(1)
    assert not tab.correct_button.isEnabled()
    assert tab.correct_entry() is None


def test_a_correction_that_overdraws_needs_a_reason(tab, engine, zhang, answers):
    credit_through_dialog(tab, "100", TODAY - timedelta(days=10), "预算")
    tab.ledger_list.table.selectRow(0)
    # The worker spent 80 since; crediting only 50 would take the account below zero.
    programme = new_programme(engine, start_date=TODAY - timedelta(days=5), end_date=None, cost_per_person="80")
    enrol_workers(engine, programme, [zhang], enrolled_on=TODAY - timedelta(days=6))
    enrolment = enrolments_of_programme(engine, programme)[0].id
    record_results(engine, programme, [{"enrolment_id": enrolment, "cost_charged": "80"}])
    tab.refresh()
    tab.ledger_list.table.selectRow(0)
    dialog = tab.correct_entry()
    dialog.fields["amount"].setText("50")
    dialog.fields["reason"].setText("预算核减")
    assert not dialog.save()
    assert "余额不足" in answers.errors[-1]
    dialog.fields["override_reason"].setText("经领导批准")
    assert dialog.save()
    assert tab.balance_label.text() == "-30.00"
    assert cells(tab.ledger_list)[-1][6] == "经领导批准"


def test_the_plan_is_saved_and_a_target_not_above_the_current_level_refused(tab, engine, zhang):
    certify(engine, zhang, "高级工", date(2020, 5, 1), "G-1")
    tab.refresh()
    assert tab.progress_label.text() == "培养进度：当前 高级工，未设定目标等级"

    tab.target_level.setCurrentText("中级工")
    assert tab.plan_is_dirty()
    assert not tab.save_plan()
    assert "目标等级" in tab.plan_problems.text() and "目标应高于当前等级" in tab.plan_problems.text()
    assert tab.target_level.styleSheet()  # marked
    assert load_plan(engine, zhang).version is None

    tab.key_talent.setChecked(True)
    tab.target_level.setCurrentText("技师")
    tab.target_date.set_value(date(2029, 12, 31))
    tab.plan_years.setCurrentIndex(tab.plan_years.findData(4))
    tab.planned_courses.setPlainText("焊接技师研修班")
    tab.self_study_plan.setPlainText("《焊接手册》；仰焊单面焊双面成形")
    assert tab.save_plan()
    assert tab.plan_problems.isHidden() and not tab.target_level.styleSheet()
    plan = load_plan(engine, zhang)
    assert (plan.key_talent, plan.target_level, plan.target_date, plan.plan_years) == (True, 4, date(2029, 12, 31), 4)
    assert plan.self_study_plan == "《焊接手册》；仰焊单面焊双面成形"
    assert tab.progress_label.text() == "培养进度：当前 高级工，目标 技师（2029-12-31），还差 1 级"
    assert not tab.plan_is_dirty()


def test_a_refresh_keeps_a_plan_being_typed(tab, engine, zhang):
    tab.planned_courses.setPlainText("数控车床编程提高班")
    credit_through_dialog(tab, "500", TODAY, "预算")  # refreshes the tab
    assert tab.planned_courses.toPlainText() == "数控车床编程提高班"


def test_the_worker_file_has_the_account_tab_for_a_saved_worker_only(qtbot, engine, zhang, answers):
    programme = new_programme(engine, start_date=TODAY - timedelta(days=30), end_date=TODAY - timedelta(days=20),
                              cost_per_person="0")
    enrol_workers(engine, programme, [zhang], enrolled_on=TODAY - timedelta(days=31))
    enrolment = enrolments_of_programme(engine, programme)[0].id
    record_results(engine, programme, [{"enrolment_id": enrolment, "hours_attended": 100, "result": "合格",
                                        "completed_on": TODAY - timedelta(days=20)}])
    dialog = WorkerDialog(engine, zhang)
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(dialog.TAB_ACCOUNT) == "培训账户"
    assert dialog.tabs.isTabEnabled(dialog.TAB_ACCOUNT)
    assert cells(dialog.account_tab.enrolment_list) == [
        ["焊工技师培训班", f"{TODAY - timedelta(days=30):%Y-%m-%d}", "100/120", "合格", "0.00", ""],
    ]
    # typing a plan counts as an unsaved change of the file
    assert not dialog.is_dirty()
    dialog.account_tab.planned_courses.setPlainText("技师研修")
    assert dialog.is_dirty()

    new = WorkerDialog(engine)
    qtbot.addWidget(new)
    assert not new.tabs.isTabEnabled(new.TAB_ACCOUNT)
