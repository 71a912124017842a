"""The 调查表 page offscreen over a real SQLite file and a hand-counted register: the computed
cells, typing demand and the live 合计, saving and reopening (stored numbers, not a
recomputation), 重新计算 with the changes listed, refused input kept and marked, switching
dates with unsaved edits, the exports, the warnings that open workers, the chart, the window."""

from __future__ import annotations

import importlib.util
import json
from datetime import date

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QDate, Qt

from app.services import survey as sv
from app.services.enterprise import save_enterprise
from app.ui import dialogs, survey_page
from app.ui.survey_page import (
    COL_AGE,
    COL_COUNT,
    COL_DEMAND,
    COL_EDUCATION,
    COL_MEASURE,
    COL_OCCUPATION,
    COL_WAGE,
    SurveyPage,
    WorkerPickDialog,
)
from tests.test_survey import hand as survey_worker

AS_OF = date(2026, 10, 31)
ISSUED = date(2020, 1, 1)


def hand(engine, name, *, ranks=(), **fields) -> int:
    """tests.test_survey's worker, with certificates of the given ranks issued on ISSUED."""
    return survey_worker(engine, name, ranks=[(rank, ISSUED) for rank in ranks], **fields)


@pytest.fixture
def register(engine):
    """8 active workers on AS_OF, 7 with a level (高级工 2, 中级工 2, 初级工 1, 技师 1, 高级技师 1)."""
    ids = {
        "满31": hand(engine, "满31", birth=date(1995, 10, 31), education="本科", wage="8000", ranks=[3]),
        "差一天31": hand(engine, "差一天31", birth=date(1995, 11, 1), education="大专", wage="6000.50", ranks=[3]),
        "未成年": hand(engine, "未成年", birth=date(2009, 1, 1), wage="4000", ranks=[1]),
        "特级": hand(engine, "特级", birth=date(1975, 10, 31), education="技工学校", wage="10000", ranks=[6]),
        "无工资": hand(engine, "无工资", birth=date(1985, 6, 1), education="硕士研究生", wage=None, ranks=[4]),
        "中级": hand(engine, "中级", birth=date(1990, 1, 1), education="中专", wage="6500", ranks=[2]),
        "缺资料": hand(engine, "缺资料", birth=None, education=None, wage="7000", ranks=[2]),
        "无证书": hand(engine, "无证书"),
    }
    hand(engine, "已离职", ranks=[2], left=AS_OF)
    return ids


@pytest.fixture
def page(qtbot, engine, answers, register):
    widget = SurveyPage(engine)
    qtbot.addWidget(widget)
    widget.resize(1250, 760)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_date(AS_OF)
    return widget


def text(page, name, column) -> str:
    return page.cell(name, column).text()


def type_into(page, name, column, value) -> None:
    page.cell(name, column).setText(value)


def test_the_computed_cells_and_header(page):
    assert page.survey is not None and page.survey.as_of == AS_OF
    assert page.as_of() == AS_OF
    assert [text(page, name, COL_COUNT) for name in sv.ROWS] == ["1", "2", "2", "1", "1", "7"]
    assert [text(page, "高级工", COL_AGE[band]) for band in sv.AGE_BANDS] == ["1", "1", "0", "0"]
    assert text(page, "高级工", COL_EDUCATION["本科及以上"]) == "1"
    assert text(page, "高级工", COL_WAGE) == "7,000.25"
    assert text(page, "技师", COL_WAGE) == "—"  # nobody in the row has a 月工资
    assert text(page, "合计", COL_AGE["18-30"]) == "2"
    assert page.header_labels["total_employees"].text() == "8 人"
    assert page.header_labels["avg_monthly_wage"].text() == "6,642.93 元"
    assert page.header_labels["enterprise_name"].text() == "（未填）"
    assert page.enterprise_hint.isVisibleTo(page) and "单位信息" in page.enterprise_hint.text()
    assert page.status_label.text() == "未保存（按台账计算）"
    assert not page.recompute_button.isEnabled()  # nothing saved to recompute
    assert page.folded_label.text() == "注：高级技师行含特级技师、首席技师 1 人。"
    assert page.filled_date_label.text() == "填表时间：2026 年 10 月 31 日"
    editable = Qt.ItemFlag.ItemIsEditable
    assert not page.cell("高级工", COL_COUNT).flags() & editable
    assert page.cell("高级工", COL_DEMAND).flags() & editable
    assert page.cell("高级工", COL_MEASURE["自主培养"]).flags() & editable
    assert not page.cell("合计", COL_DEMAND).flags() & editable


def test_the_enterprise_block_comes_from_单位信息(qtbot, engine, answers, register):
    save_enterprise(engine, {"name": "华东机械有限公司", "principal": "王强", "phone": "021-12345678",
                             "enterprise_type": "民营企业", "scale": "中", "business_field": "装备制造"})
    widget = SurveyPage(engine)
    qtbot.addWidget(widget)
    widget.show()
    widget.set_date(AS_OF)
    assert widget.header_labels["enterprise_name"].text() == "华东机械有限公司"
    assert widget.header_labels["business_field"].text() == "装备制造"
    assert widget.enterprise_hint.isHidden()
    emitted = []
    widget.open_enterprise.connect(lambda: emitted.append(True))
    widget.enterprise_hint.linkActivated.emit("enterprise")
    assert emitted


def test_typing_demand_updates_合计_live(page):
    type_into(page, "高级工", COL_OCCUPATION, "焊工")
    type_into(page, "高级工", COL_DEMAND, "5")
    type_into(page, "技师", COL_OCCUPATION, "数控车工、焊工")
    type_into(page, "技师", COL_DEMAND, "2")
    type_into(page, "初级工", COL_MEASURE["自主培养"], "3")
    assert text(page, "合计", COL_DEMAND) == "7"
    assert text(page, "合计", COL_OCCUPATION) == "焊工、数控车工"
    assert text(page, "合计", COL_MEASURE["自主培养"]) == "3"
    assert page.is_dirty() and "有未保存的修改" in page.status_label.text()


def test_save_keeps_what_was_typed_and_reopening_shows_the_stored_numbers(page, engine, qtbot, answers, monkeypatch):
    type_into(page, "高级工", COL_OCCUPATION, "焊工")
    type_into(page, "高级工", COL_DEMAND, "5")
    page.filled_by_edit.setText("李娜")
    page.filled_phone_edit.setText("13800138000")
    assert page.save()
    stored = sv.load_survey(engine, AS_OF)
    assert stored.rows["高级工"].demand_occupation == "焊工" and stored.rows["高级工"].demand_count == 5
    assert stored.rows["合计"].demand_count == 5 and stored.filled_by == "李娜"
    assert page.status_label.text().startswith("已保存 ")
    assert not page.is_dirty() and page.recompute_button.isEnabled()
    assert page.saved_combo.findData("2026-10-31") > 0 and page.saved_combo.currentData() == "2026-10-31"

    hand(engine, "新来的", ranks=[3], wage="9000")
    # A saved date opens without computing: what was saved is shown.
    monkeypatch.setattr(survey_page, "compute_survey", lambda *_a: pytest.fail("a saved survey was recomputed"))
    reopened = SurveyPage(engine)
    qtbot.addWidget(reopened)
    reopened.show()
    reopened.set_date(AS_OF)
    assert text(reopened, "高级工", COL_COUNT) == "2"
    assert text(reopened, "高级工", COL_DEMAND) == "5" and text(reopened, "高级工", COL_OCCUPATION) == "焊工"
    assert reopened.filled_by_edit.text() == "李娜"
    assert reopened.status_label.text().startswith("已保存 ")


def test_the_saved_list_opens_a_saved_date(page, engine):
    assert page.save()
    page.set_date(date(2026, 1, 1))
    assert page.survey.as_of == date(2026, 1, 1) and page.saved_combo.currentIndex() == 0
    page.saved_combo.activated.emit(page.saved_combo.findData("2026-10-31"))
    assert page.survey.as_of == AS_OF and page.saved_at is not None


def test_recompute_lists_the_changes_and_keeps_typed_demand(page, engine, answers):
    type_into(page, "高级工", COL_DEMAND, "3")
    type_into(page, "高级工", COL_OCCUPATION, "钳工")
    assert page.save()
    hand(engine, "新来的", ranks=[3], wage="9000")
    answers.yes = False
    page.recompute()
    question = answers.asked[-1]
    assert "高级工 · 人数：2 → 3" in question and "职工总数：8 → 9" in question
    assert "需求工种、需求人数、填表人和联系电话保留" in question
    assert text(page, "高级工", COL_COUNT) == "2"  # declined: nothing replaced

    answers.yes = True
    page.recompute()
    assert text(page, "高级工", COL_COUNT) == "3" and text(page, "合计", COL_COUNT) == "8"
    assert text(page, "高级工", COL_DEMAND) == "3" and text(page, "高级工", COL_OCCUPATION) == "钳工"
    assert page.header_labels["total_employees"].text() == "9 人"
    assert "已重新计算，未保存" in page.status_label.text() and page.is_dirty()
    assert sv.load_survey(engine, AS_OF).rows["高级工"].count == 2  # replaced on screen, not yet saved
    assert page.save()
    stored = sv.load_survey(engine, AS_OF)
    assert stored.rows["高级工"].count == 3 and stored.rows["高级工"].demand_count == 3 and stored.version == 2
    assert page.status_label.text().startswith("已保存 ")


def test_recompute_with_nothing_changed_says_so(page, answers):
    assert page.save()
    page.recompute()
    assert answers.told and "相同" in answers.told[-1]
    assert not page.numbers_unsaved


def test_invalid_demand_is_refused_named_and_kept(page, engine):
    type_into(page, "高级工", COL_DEMAND, "十个")
    type_into(page, "技师", COL_MEASURE["自主培养"], "-1")
    assert not page.save()
    assert page.problems.isVisibleTo(page)
    message = page.problems.text()
    assert message.startswith("未保存：") and "高级工 需求人数" in message and "技师 自主培养" in message
    assert text(page, "高级工", COL_DEMAND) == "十个"  # what was typed stays
    marked = page.cell("高级工", COL_DEMAND)
    assert marked.background().color().name() == "#ffd6d3" and "需求人数" in marked.toolTip()
    assert sv.load_survey(engine, AS_OF) is None
    assert page.survey.rows["高级工"].demand_count is None  # the shown survey is untouched

    type_into(page, "高级工", COL_DEMAND, "10")
    assert marked.background().color().name() == "#ffffff"  # edited: the mark goes
    type_into(page, "技师", COL_MEASURE["自主培养"], "1")
    assert page.save() and page.problems.isHidden()
    assert sv.load_survey(engine, AS_OF).rows["高级工"].demand_count == 10


def test_switching_date_with_unsaved_edits_asks_first(page, answers):
    type_into(page, "高级工", COL_DEMAND, "4")
    answers.yes = False
    page.set_date(date(2026, 6, 30))
    assert "尚未保存的修改" in answers.asked[-1]
    assert page.as_of() == AS_OF and page.survey.as_of == AS_OF
    assert text(page, "高级工", COL_DEMAND) == "4"
    answers.yes = True
    page.set_date(date(2026, 6, 30))
    assert page.survey.as_of == date(2026, 6, 30) and text(page, "高级工", COL_DEMAND) == ""
    asked = len(answers.asked)
    page.set_date(AS_OF)  # nothing typed: no question
    assert len(answers.asked) == asked


def test_showing_the_page_again_keeps_unsaved_edits(page):
    type_into(page, "高级工", COL_DEMAND, "4")
    page.hide()
    page.show()
    assert text(page, "高级工", COL_DEMAND) == "4"


def test_a_survey_saved_by_another_clerk_meanwhile_is_not_overwritten(page, engine, answers):
    other = sv.apply_typed(sv.compute_survey(engine, AS_OF), {"rows": {"技师": {"demand_count": 9}}})
    sv.save_survey(engine, other)
    type_into(page, "高级工", COL_DEMAND, "4")
    answers.yes = False
    assert not page.save()
    assert "另一位经办人" in answers.asked[-1]
    assert sv.load_survey(engine, AS_OF).rows["技师"].demand_count == 9


def _writer(module: str) -> None:
    if importlib.util.find_spec(f"app.reports.{module}") is None:
        pytest.skip(f"app/reports/{module}.py is not there yet")


def test_export_excel(page, monkeypatch, tmp_path, answers):
    _writer("survey_xlsx")
    from openpyxl import load_workbook

    type_into(page, "高级工", COL_OCCUPATION, "焊工")
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(tmp_path / "调查表"))
    path = page.export_xlsx()
    assert path == tmp_path / "调查表.xlsx" and path.exists()
    assert "已导出" in answers.told[-1]
    sheet = load_workbook(path).active
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert any("企业技能人才现状及需求情况调查表" in v for v in values)
    assert "焊工" in values  # what was typed, though not saved


def test_export_pdf(page, monkeypatch, tmp_path):
    _writer("survey_pdf")
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(tmp_path / "调查表.pdf"))
    path = page.export_pdf()
    assert path.read_bytes().startswith(b"%PDF")


def test_export_json_and_refused_input_is_not_exported(page, monkeypatch, tmp_path):
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(tmp_path / "调查表"))
    path = page.export_json()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["as_of"] == "2026-10-31" and data["levels"]["高级工"]["count"] == 2
    type_into(page, "高级工", COL_DEMAND, "abc")
    assert page.export_json() is None and page.problems.text().startswith("未导出")


def test_export_cancelled_writes_nothing(page, monkeypatch):
    monkeypatch.setattr(dialogs, "save_file", lambda *args: None)
    assert page.export_json() is None


def test_warnings_open_the_workers_they_name(page, qtbot, engine, register):
    texts = [page.warnings.item(i).text() for i in range(page.warnings.count())]
    assert len(texts) == len(page.survey.warnings) >= 4
    assert any("未填月工资" in t and "无工资" in t for t in texts)
    row = next(i for i, t in enumerate(texts) if "未填月工资" in t)
    item = page.warnings.item(row)
    page.warnings.scrollToItem(item)
    rect = page.warnings.visualItemRect(item)
    with qtbot.waitSignal(page.open_worker) as opened:
        # Qt 6's QTest double click sends no press first; an item view wants one on the same item.
        qtbot.mouseClick(page.warnings.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.warnings.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [register["无工资"]]


def test_a_warning_naming_several_lists_them_to_pick(page, qtbot, engine):
    second = hand(engine, "也没生日", birth=None, ranks=[1])
    page.set_date(date(2026, 10, 30))
    page.set_date(AS_OF)
    row = next(i for i in range(page.warnings.count()) if "未填出生日期" in page.warnings.item(i).text())
    dialog = page.open_warning(page.warnings.item(row))
    assert isinstance(dialog, WorkerPickDialog) and dialog.list.count() == 2
    assert "也没生日" in dialog.list.item(1).text()
    dialog.list.setCurrentRow(1)
    with qtbot.waitSignal(page.open_worker) as opened:
        dialog.accept()
    assert opened.args == [second]


def test_the_chart_stacks_each_level_by_age(page):
    values = {key: [bar_set.at(i) for i in range(bar_set.count())] for key, bar_set in page.bar_sets.items()}
    assert values["18-30"] == [1, 0, 1, 0, 0]
    assert values["31-40"] == [0, 1, 1, 0, 0]
    assert values["none"] == [0, 1, 0, 0, 0]  # 缺资料 has no 出生日期
    assert page.level_axis.categories() == list(sv.LEVEL_ROWS)


def test_computing_runs_as_a_job(page, monkeypatch):
    jobs = []
    real = survey_page.run_job

    def spy(parent, label, work, **kwargs):
        jobs.append(label)
        return real(parent, label, work, **kwargs)

    monkeypatch.setattr(survey_page, "run_job", spy)
    page.set_date(date(2026, 9, 30))
    assert jobs and "2026-09-30" in jobs[0]


def test_a_late_result_for_another_date_is_ignored(page, engine):
    page.date_edit.blockSignals(True)
    page.date_edit.setDate(QDate(2026, 9, 30))
    page.date_edit.blockSignals(False)
    page._computed(sv.compute_survey(engine, AS_OF))
    assert page.survey.as_of == AS_OF  # still the one shown before; 2026-09-30 is not replaced by it


def test_the_main_window_has_the_page(qtbot, engine, answers, register):
    from app.ui.main_window import NOT_YET, MainWindow

    window = MainWindow(engine)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert "survey" not in NOT_YET
    window.show_page("survey")
    page = window.pages["survey"]
    assert isinstance(page, SurveyPage) and window.stack.currentWidget() is page
    assert page.survey is not None and page.survey.as_of == date.today()
    page.open_enterprise.emit()
    assert window.current_page_key() == "enterprise"


def test_the_saved_time_is_local_time(page, monkeypatch):
    """SQLite's CURRENT_TIMESTAMP (the saved row's updated_at) is UTC; the service gives the
    clerk local time."""
    import time
    from datetime import datetime

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert page.save()
        shown = datetime.strptime(page._saved_text(), "%Y-%m-%d %H:%M")
        assert abs((shown - datetime.now()).total_seconds()) < 300
    finally:
        monkeypatch.undo()
        time.tzset()


def test_typing_a_demand_from_the_keyboard_and_ctrl_s_with_the_cell_open(page, qtbot, engine):
    from PySide6.QtWidgets import QApplication

    with qtbot.waitActive(page):
        page.activateWindow()
    item = page.cell("高级工", COL_DEMAND)
    page.table.setFocus()
    page.table.setCurrentItem(item)
    qtbot.keyClicks(page.table, "1")  # ASCII only (PITFALLS: keyClicks with Chinese aborts)
    qtbot.keyClicks(QApplication.focusWidget(), "2")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.saved_at is not None)
    assert sv.load_survey(engine, AS_OF).rows["高级工"].demand_count == 12
    assert text(page, "合计", COL_DEMAND) == "12"


def test_closing_the_window_asks_before_dropping_unsaved_survey_typing(qtbot, engine, answers, register):
    from app.ui.main_window import MainWindow

    window = MainWindow(engine)
    qtbot.addWidget(window)
    window.show()
    window.show_page("survey")
    page = window.pages["survey"]
    page.cell("高级工", COL_DEMAND).setText("4")
    assert page.is_dirty()
    answers.yes = False
    assert not window.close() and window.isVisible()
    assert "调查表有尚未保存的修改" in answers.asked[-1]
    answers.yes = True
    assert window.close()
