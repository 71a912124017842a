"""The 职工 page, the import wizard and 单位信息, driven with pytest-qt on real widgets."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.models import Enterprise, Worker
from app.services.demo import generate_demo
from app.ui import dialogs
from app.ui.enterprise_page import EnterprisePage
from app.ui.import_wizard import ImportWizard
from app.ui.workers_page import WorkersPage
from tests.factories import make_id, write_roster

A = make_id("110105", date(1985, 3, 12), 11)
B = make_id("320102", date(1992, 7, 30), 22)


def workers_count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Worker))


@pytest.fixture
def page(qtbot, engine):
    generate_demo(engine, 400, seed=2)
    widget = WorkersPage(engine)
    qtbot.addWidget(widget)
    widget.resize(1150, 700)
    widget.show()
    return widget


def test_search_filters_the_list(page, qtbot):
    everyone = page.model.rowCount()
    assert everyone > 300 and page.count.text() == f"共 {everyone} 名"
    qtbot.keyClicks(page.search, "a00001")  # ASCII only: see PITFALLS.md
    assert page.model.rowCount() == 1 and page.count.text() == "共 1 名"
    page.search.clear()
    page.search.setText("王")  # Chinese is set, not typed
    assert 0 < page.model.rowCount() < everyone
    page.search.clear()
    page.status.setCurrentIndex(0)  # 全部状态
    assert page.model.rowCount() == 400


def test_sort_by_clicking_a_header(page, qtbot):
    name_column = page.model.column_keys().index("name")
    page.table.sortByColumn(name_column, Qt.SortOrder.DescendingOrder)
    shown = [page.model.data(page.model.index(r, name_column)) for r in range(5)]
    assert shown == sorted(shown, reverse=True)


def test_high_skilled_filter_and_id_masking(page):
    page.high_skilled.setCurrentIndex(1)
    level_column = page.model.column_keys().index("level")
    levels = {page.model.data(page.model.index(r, level_column)) for r in range(page.model.rowCount())}
    assert levels <= {"高级工", "技师", "高级技师", "特级技师", "首席技师"}
    id_column = page.model.column_keys().index("id_number")
    assert "********" in page.model.data(page.model.index(0, id_column))


def test_enter_opens_the_only_match(page, qtbot):
    opened = []
    page.open_worker.connect(opened.append)
    page.status.setCurrentIndex(0)  # 全部状态
    qtbot.keyClicks(page.search, "a00002")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert opened == [page.model.ids[0]]
    page.search.clear()
    qtbot.keyClicks(page.search, "a0001")  # several matches: Enter moves into the list …
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Down)  # … where the arrows move and Enter opens
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened[-1] == page.model.ids[1]


def test_columns_are_chosen_and_remembered(page, qtbot, engine):
    page._column_actions["phone"].setChecked(True)
    page._column_actions["gender"].setChecked(False)
    assert "phone" in page.model.column_keys() and "gender" not in page.model.column_keys()
    again = WorkersPage(engine)
    qtbot.addWidget(again)
    assert again.model.column_keys() == page.model.column_keys()


def test_export_what_is_filtered(page, qtbot, tmp_path, monkeypatch, answers):
    from openpyxl import load_workbook

    out = tmp_path / "list.xlsx"
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(out))
    qtbot.keyClicks(page.search, "a0001")  # A00010 … A00019 who are 在职
    page.export_list()
    rows = list(load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert 0 < len(rows) == page.model.rowCount() <= 10
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    assert all("********" in row[3] for row in rows)


def good_roster(tmp_path):
    return write_roster(tmp_path / "good.xlsx", ["序号", "姓名", "身份证号码", "部门"], [[1, "张三", A, "焊接车间"], [2, "李四", B, "装配车间"]])


def test_wizard_shows_every_problem_and_writes_nothing(qtbot, engine, tmp_path, answers):
    bad = write_roster(tmp_path / "bad.xlsx", ["姓名", "身份证号码", "月工资"], [["张三", A, 5000], ["李四", B[:17] + "0" if B[17] != "0" else B[:17] + "1", "-3"]])
    wizard = ImportWizard(engine, path=str(bad))
    qtbot.addWidget(wizard)
    wizard.check()
    assert wizard.steps.currentIndex() == 1
    assert wizard.problems.rowCount() == 2 and not wizard.import_button.isEnabled()
    assert wizard.problems.item(0, 0).text() == "5" and "证件号码" in wizard.problems.item(0, 1).text()
    assert "未写入任何数据" in wizard.problem_title.text()
    assert workers_count(engine) == 0


def test_wizard_imports_a_good_roster(qtbot, engine, tmp_path, answers):
    wizard = ImportWizard(engine, path=str(good_roster(tmp_path)))
    qtbot.addWidget(wizard)
    reports = []
    wizard.imported.connect(reports.append)
    wizard.check()
    mapping = {wizard.mapping.item(r, 2).text(): wizard.mapping.item(r, 0).text() for r in range(wizard.mapping.rowCount())}
    assert mapping == {"姓名": "B", "证件号码": "C", "部门": "D"}
    assert "序号（A列）" in " ".join(wizard.warnings.item(i).text() for i in range(wizard.warnings.count()))
    assert wizard.import_button.isEnabled()
    wizard.start_import()
    assert wizard.steps.currentIndex() == 2 and "已新增职工 2 名" in wizard.result.text()
    assert reports and workers_count(engine) == 2


def test_cancelling_an_import_midway_writes_nothing(qtbot, engine, tmp_path, answers):
    wizard = ImportWizard(engine, path=str(good_roster(tmp_path)))
    qtbot.addWidget(wizard)
    wizard.check()
    wizard.start_import()
    assert workers_count(engine) == 2  # the baseline: it does write
    with engine.begin() as conn:
        conn.execute(Worker.__table__.delete())

    from app.ui import jobs

    real_start = jobs.Job.start

    def start_then_cancel_at_first_progress(job):
        job.worker.progressed.connect(lambda *_: job.cancel())
        real_start(job)

    wizard = ImportWizard(engine, path=str(good_roster(tmp_path)))
    qtbot.addWidget(wizard)
    wizard.check()
    jobs.Job.start = start_then_cancel_at_first_progress
    try:
        wizard.start_import()
    finally:
        jobs.Job.start = real_start
    assert ("info", "已取消", "已取消，未写入任何数据。") in answers.log
    assert workers_count(engine) == 0 and wizard.steps.currentIndex() == 1


def test_enterprise_form_refuses_a_bad_code_and_keeps_the_text(qtbot, engine, answers):
    page = EnterprisePage(engine)
    qtbot.addWidget(page)
    page.show()
    page.widgets["name"].setText("华东精密机械制造有限公司")
    qtbot.keyClicks(page.widgets["uscc"], "91350100M000100Y44")
    assert not page.save()
    assert "统一社会信用代码" in page.errors.text() and page.widgets["uscc"].text() == "91350100M000100Y44"
    assert page.focusWidget() is page.widgets["uscc"]  # offscreen windows are never active
    page.widgets["uscc"].setText("91350100M000100Y43")
    page.widgets["enterprise_type"].setCurrentIndex(page.widgets["enterprise_type"].findData("国有企业"))
    assert page.save()
    with engine.connect() as conn:
        assert conn.execute(select(Enterprise.name, Enterprise.uscc, Enterprise.enterprise_type)).one() == (
            "华东精密机械制造有限公司", "91350100M000100Y43", "国有企业")


def test_policy_page_adds_a_dated_value_and_keeps_history(qtbot, engine, answers):
    from app.services.policy import PARAMETERS, policy_value
    from app.ui.policy_page import PolicyPage

    page = PolicyPage(engine)
    qtbot.addWidget(page)
    page.show()
    row = [p.key for p in PARAMETERS].index("subsidy.competition.一等奖")
    page.table.selectRow(row)
    assert page.table.item(row, 2).text() == "2000.00"
    qtbot.keyClicks(page.value, "abc")
    assert not page.save() and "应为数字" in page.errors.text() and page.value.text() == "abc"
    page.value.setText("2500")
    page.effective.setDate(page.effective.date().addDays(-1))
    assert page.save()
    assert page.table.item(row, 2).text() == "2500.00"
    assert page.history.count() == 2  # the default from 2000 and the new value
    with engine.connect() as conn:
        assert policy_value(conn, "subsidy.competition.一等奖", date(2020, 1, 1)) == 2000
