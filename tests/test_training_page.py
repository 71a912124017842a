"""The 培训 page driven with pytest-qt (offscreen) over a real SQLite file: programmes through
their dialog, enrolment by search, results typed into the table and saved in one call, the
training accounts following them, service agreements and the departure statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.models import AccountEntry, ServiceAgreement, Worker  # noqa: E402
from app.models.db import unit_of_work  # noqa: E402
from app.services.accounts import balance, credit, save_plan  # noqa: E402
from app.services.agreements import save_agreement  # noqa: E402
from app.services.demo import generate_demo  # noqa: E402
from app.services.training import (  # noqa: E402
    enrol_workers,
    enrolments_of_programme,
    list_programmes,
    record_results,
    save_programme,
)
from app.services.workers import add_certificate  # noqa: E402
from app.ui import dialogs  # noqa: E402
from app.ui.training_dialogs import AgreementDialog, ProgrammeDialog  # noqa: E402
from app.ui.training_page import RESULT_KEYS, TrainingPage  # noqa: E402

SHOTS = Path("/tmp/shots")
START, END = date(2026, 9, 7), date(2026, 9, 25)  # after every demo worker was hired (demo.py: REF − 60 days)


@pytest.fixture
def page(qtbot, engine, answers):
    generate_demo(engine, 200, seed=5, training=False)  # the tests add their own programmes
    widget = TrainingPage(engine)
    qtbot.addWidget(widget)
    widget.resize(1150, 700)
    widget.show()
    return widget


def new_programme(engine, **changes) -> int:
    values = {
        "name": "焊工技师培训班", "provider": "市技师学院", "form": "校企合作", "start_date": START, "end_date": END,
        "hours": 120, "cost_per_person": "1500.00", "funding_source": "职工教育经费", "occupation": "焊工",
        "target_level": "技师",
    }
    values.update(changes)
    return save_programme(engine, values)


def active_workers(engine, prefix: str) -> list[tuple[int, str, str]]:
    """(id, 工号, 姓名) of the 在职 demo workers whose 工号 starts with `prefix`."""
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Worker.id, Worker.employee_no, Worker.name)
            .where(Worker.employee_no.startswith(prefix), Worker.status == "在职")
            .order_by(Worker.employee_no)
        ).all()
    return [tuple(row) for row in rows]


def cell(page, row: int, key: str):
    return page.results.index(row, RESULT_KEYS.index(key))


def type_results(page, row: int, **values) -> None:
    """What a clerk types into one row of the results table."""
    for key, value in values.items():
        assert page.results.setData(cell(page, row, key), value), key


def row_of(page, worker_id: int) -> int:
    return next(r for r, e in enumerate(page.results.rows) if e.worker_id == worker_id)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def double_click(qtbot, view, rect) -> None:
    # the view acts on a double click only on the row its first click pressed
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# -- programmes ---------------------------------------------------------------------------


def test_new_programme_through_its_dialog(page, qtbot, engine):
    dialog = page.new_programme()
    assert dialog.windowTitle() == "新建培训项目"
    dialog.fields["name"].setText("焊工技师培训班")  # Chinese through setText: keyClicks would abort
    dialog.fields["provider"].setText("市技师学院")
    dialog.fields["form"].setCurrentText("校企合作")
    dialog.fields["start_date"].set_value(START)
    dialog.fields["end_date"].set_value(END)
    qtbot.keyClicks(dialog.fields["hours"], "120")
    qtbot.keyClicks(dialog.fields["cost_per_person"], "1500")
    dialog.fields["funding_source"].setCurrentText("政府补贴")
    dialog.fields["occupation"].setEditText("焊工")
    dialog.fields["target_level"].setCurrentText("技师")
    click(qtbot, dialog.save_button)

    assert not dialog.isVisible()
    [saved] = list_programmes(page.engine)
    assert (saved.name, saved.provider, saved.form, saved.hours) == ("焊工技师培训班", "市技师学院", "校企合作", 120)
    assert (saved.cost_per_person, saved.funding_source, saved.occupation) == (Decimal("1500.00"), "政府补贴", "焊工")
    assert (saved.start_date, saved.end_date, saved.target_level) == (START, END, 4)
    table = page.programme_list.table
    assert [table.item(0, c).text() for c in range(table.columnCount())] == [
        "焊工技师培训班", "校企合作", "市技师学院", "2026-09-07 至 2026-09-25", "120", "1500.00", "政府补贴", "0", "0", "0",
    ]
    assert page.programme.id == saved.id and "焊工技师培训班" in page.results_title.text()
    assert [page.year.itemText(i) for i in range(page.year.count())] == ["全部", "2026 年"]

    edit = page.edit_programme()  # the same dialog shows the stored values and saves over them
    assert edit.fields["hours"].text() == "120" and edit.fields["target_level"].currentText() == "技师"
    edit.fields["hours"].setText("96")
    click(qtbot, edit.save_button)
    assert list_programmes(page.engine)[0].hours == 96 and table.item(0, 4).text() == "96"


def test_a_bad_programme_is_refused_field_by_field(page, qtbot):
    dialog = page.new_programme()
    dialog.fields["name"].setText("安全生产培训")
    dialog.fields["start_date"].set_value(date(2026, 9, 10))
    dialog.fields["end_date"].set_value(date(2026, 9, 1))
    qtbot.keyClicks(dialog.fields["hours"], "0")
    click(qtbot, dialog.save_button)

    assert dialog.isVisible() and list_programmes(page.engine) == []
    messages = dialog.problems.text().splitlines()
    assert "结束日期：早于开始日期 2026-09-10" in messages
    assert "学时：应大于 0" in messages
    assert dialog.fields["end_date"].styleSheet() and dialog.fields["hours"].styleSheet()
    assert not dialog.fields["name"].styleSheet()
    assert dialog.focusWidget() is dialog.fields["end_date"]  # the cursor goes to the first refused field
    assert dialog.fields["hours"].text() == "0" and dialog.fields["name"].text() == "安全生产培训"


def test_year_filter_lists_each_year_with_programmes(page, engine):
    new_programme(engine, name="数控车工提升班", start_date=date(2025, 4, 1), end_date=date(2025, 4, 20))
    new_programme(engine)
    page.refresh()
    assert [page.year.itemText(i) for i in range(page.year.count())] == ["全部", "2026 年", "2025 年"]
    assert page.programme_list.table.rowCount() == 2
    page.year.setCurrentIndex(2)
    assert page.programme_list.table.rowCount() == 1 and page.programme.name == "数控车工提升班"


# -- enrolment ----------------------------------------------------------------------------


def test_enrol_by_search_and_ticks(page, qtbot, engine, answers):
    new_programme(engine)
    page.refresh()
    dialog = page.enrol()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.finder.search, "a0001")  # a 工号 prefix, typed
    expected = active_workers(engine, "A0001")
    assert dialog.finder.model.ids == [worker_id for worker_id, _no, _name in expected]
    ticks = dialog.finder.ticks
    for row in (0, 1):  # as a click on the tick box does
        ticks.setData(ticks.index(row, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    dialog.finder.table.setCurrentIndex(ticks.index(2, 0))
    qtbot.keyClick(dialog.finder.table, Qt.Key.Key_Space)  # the keyboard ticks the current row
    assert ticks.index(2, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert dialog.selected.text() == "已选 3 人" and dialog.ok_button.text() == "报名（3 人）"

    dialog.finder.search.clear()  # a new search keeps the ticks made before
    qtbot.keyClicks(dialog.finder.search, "a0002")
    more = active_workers(engine, "A0002")
    dialog.finder.tick_all_shown()  # 全选当前结果
    assert dialog.selected.text() == f"已选 {3 + len(more)} 人"
    click(qtbot, dialog.ok_button)

    assert not dialog.isVisible()
    chosen = expected[:3] + more
    assert answers.told == [f"「焊工技师培训班」新报名 {len(chosen)} 人。"]
    assert {(e.employee_no, e.worker_name) for e in page.results.rows} == {(no, name) for _id, no, name in chosen}
    assert [e.id for e in page.results.rows] == [e.id for e in enrolments_of_programme(engine, page.programme.id)]
    assert page.programme_list.table.item(0, 7).text() == str(len(chosen))
    assert page.results.rowCount() == len(chosen)


def test_enrol_summary_names_the_already_enrolled_and_the_refused(page, qtbot, engine, answers):
    # A class that ended in 2020: workers hired later cannot have attended it.
    programme_id = new_programme(engine, start_date=date(2020, 5, 6), end_date=date(2020, 5, 8))
    candidates = active_workers(engine, "A0003")
    with unit_of_work(engine) as session:
        hired = {w.id: w.hire_date for w in session.scalars(select(Worker).where(Worker.id.in_([c[0] for c in candidates])))}
    late = [c for c in candidates if hired[c[0]] > date(2020, 5, 8)]
    early = [c for c in candidates if hired[c[0]] <= date(2020, 5, 8)]
    assert late and len(early) >= 2, "seed 5 gives both kinds among A0003x"
    enrol_workers(engine, programme_id, [early[0][0]])
    page.refresh()
    dialog = page.enrol()
    qtbot.keyClicks(dialog.finder.search, "a0003")
    dialog.finder.tick_all_shown()
    click(qtbot, dialog.ok_button)

    [summary] = answers.told
    lines = summary.splitlines()
    assert lines[0] == f"「焊工技师培训班」新报名 {len(early) - 1} 人。"
    assert lines[1] == f"已在本项目中、未重复报名 1 人：{early[0][2]}（工号 {early[0][1]}）"
    assert lines[2] == f"未能报名 {len(late)} 人："
    for (_id, number, name), line in zip(late, lines[3:]):
        assert line.startswith(f"　{name}（工号 {number}）：入职日期 ") and line.endswith("晚于培训结束日期 2020-05-08，不能报名")
    assert page.results.rowCount() == len(early)


# -- results ------------------------------------------------------------------------------


@pytest.fixture
def enrolled(page, engine):
    """A programme with three enrolled workers: two with 3000.00 credited, one with nothing."""
    programme_id = new_programme(engine)
    people = active_workers(engine, "A0001")[:3]
    ids = [worker_id for worker_id, _no, _name in people]
    enrol_workers(engine, programme_id, ids)
    for worker_id in ids[:2]:
        credit(engine, worker_id, "3000.00", on=date(2026, 1, 1), reason="2026 年度培训预算")
    page.refresh()
    assert page.programme.id == programme_id
    return people


def test_results_typed_and_saved_move_the_accounts(page, qtbot, engine, enrolled):
    (first, _no1, _n1), (second, _no2, _n2), _third = enrolled
    type_results(page, row_of(page, first), hours_attended=120, result="合格", completed_on=END, cost_charged="1500")
    type_results(page, row_of(page, second), hours_attended=100, result="不合格", completed_on=END, cost_charged="800.50")
    assert page.save_button.isEnabled() and page.results_note.text() == "已修改 2 行，尚未保存"
    assert cell(page, row_of(page, first), "hours_attended").data(Qt.ItemDataRole.BackgroundRole) is not None

    click(qtbot, page.save_button)

    assert balance(engine, first) == Decimal("1500.00")
    assert balance(engine, second) == Decimal("2199.50")
    stored = {e.worker_id: e for e in enrolments_of_programme(engine, page.programme.id)}
    assert (stored[first].hours_attended, stored[first].result, stored[first].completed_on) == (120, "合格", END)
    assert (stored[second].result, stored[second].cost_charged) == ("不合格", Decimal("800.50"))
    assert not page.results.is_dirty() and not page.save_button.isEnabled()
    assert page.results_note.text() == "已保存 2 行"
    table = page.programme_list.table
    assert [table.item(0, c).text() for c in (7, 8, 9)] == ["3", "2", "1"]


def test_results_from_the_keyboard_like_a_sheet_and_ctrl_s(page, qtbot, engine, enrolled):
    worker_id = enrolled[0][0]
    row = row_of(page, worker_id)
    view = page.results_view
    with qtbot.waitActive(page):
        page.activateWindow()

    def key(*args):
        qtbot.keyClick(QApplication.focusWidget(), *args)

    view.setFocus()
    view.setCurrentIndex(cell(page, row, "hours_attended"))
    qtbot.keyClicks(view, "9")  # the first key opens the cell's editor over 未填 …
    qtbot.keyClicks(QApplication.focusWidget(), "6")  # … and the next ones go into it
    key(Qt.Key.Key_Tab)  # Tab saves the cell and opens the next: 结果
    key(Qt.Key.Key_Down)  # 合格
    key(Qt.Key.Key_Tab)  # 结业日期, already the last day of the class
    key(Qt.Key.Key_Tab)  # 扣费: typing replaces 1500.00
    qtbot.keyClicks(QApplication.focusWidget(), "800")
    key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # saves with the cost still open
    qtbot.waitUntil(lambda: page.results_note.text() == "已保存 1 行")

    [stored] = [e for e in enrolments_of_programme(engine, page.programme.id) if e.worker_id == worker_id]
    assert (stored.hours_attended, stored.result, stored.completed_on, stored.cost_charged) == (
        96, "合格", END, Decimal("800.00"),
    )


def test_ctrl_n_makes_what_the_tab_holds(page, qtbot):
    with qtbot.waitActive(page):
        page.activateWindow()
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(page.dialog, ProgrammeDialog))
    page.dialog.done(0)
    page.tabs.setCurrentIndex(page.TAB_AGREEMENTS)
    with qtbot.waitActive(page):
        page.activateWindow()
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(page.dialog, AgreementDialog))


def test_a_result_without_a_date_takes_the_last_day_of_the_class(page, enrolled):
    row = row_of(page, enrolled[0][0])
    type_results(page, row, result="合格")
    assert page.results.value(row, "completed_on") == END
    assert cell(page, row, "completed_on").data() == "2026-09-25"


def test_an_overdraft_needs_a_reason(page, qtbot, engine, enrolled):
    poor, number, name = enrolled[2]  # nothing credited
    row = row_of(page, poor)
    type_results(page, row, hours_attended=120, result="合格", completed_on=END)
    click(qtbot, page.save_button)

    message = page.results_errors.text()
    assert message.startswith(f"{name}（工号 {number}）：扣费金额：培训账户余额不足")
    assert "请填写超支原因" in message and page.errors_area.isVisibleTo(page)
    for key in ("cost_charged", "override_reason"):
        assert cell(page, row, key).data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f6c9c4"
        assert "余额不足" in cell(page, row, key).data(Qt.ItemDataRole.ToolTipRole)
    assert page.results_view.currentIndex() == cell(page, row, "cost_charged")
    assert balance(engine, poor) == Decimal("0.00")
    assert enrolments_of_programme(engine, page.programme.id)[row].result == ""  # nothing written
    assert page.results.value(row, "hours_attended") == 120  # what was typed is kept

    page.results.setData(cell(page, row, "override_reason"), "车间急需持证焊工")
    click(qtbot, page.save_button)

    assert not page.results_errors.isVisibleTo(page) and not page.results.problems
    assert balance(engine, poor) == Decimal("-1500.00")
    with unit_of_work(engine) as session:
        entry = session.scalars(select(AccountEntry).where(AccountEntry.worker_id == poor)).one()
        assert entry.override_reason == "车间急需持证焊工"


def test_hours_above_the_programme_are_refused_naming_the_worker(page, qtbot, engine, enrolled):
    worker_id, number, name = enrolled[0]
    row = row_of(page, worker_id)
    type_results(page, row, hours_attended=130)
    click(qtbot, page.save_button)
    assert page.results_errors.text() == f"{name}（工号 {number}）：出勤学时：超过项目学时 120"
    assert cell(page, row, "hours_attended").data(Qt.ItemDataRole.ToolTipRole).endswith("超过项目学时 120")
    assert cell(page, row, "result").data(Qt.ItemDataRole.BackgroundRole) is None
    assert page.results.value(row, "hours_attended") == 130
    assert enrolments_of_programme(engine, page.programme.id)[row].hours_attended is None


def test_cell_editors_and_the_certificate_obtained(page, qtbot, engine, enrolled):
    worker_id = enrolled[0][0]
    cert_id, _warnings = add_certificate(
        engine, worker_id, {"kind": "职业技能等级证书", "level": "技师", "number": "S000123", "issue_date": date(2026, 10, 9),
                            "occupation": "焊工"},
    )
    page.refresh()
    row = row_of(page, worker_id)
    view = page.results_view
    with qtbot.waitActive(page):
        page.activateWindow()

    def edit(key):
        index = cell(page, row, key)
        view.setCurrentIndex(index)
        view.edit(index)
        return view.indexWidget(index)

    spin = edit("hours_attended")
    assert spin.text() == "未填"
    spin.setValue(110)
    view.commitData(spin)
    result = edit("result")
    assert isinstance(result, QComboBox) and [result.itemText(i) for i in range(result.count())] == ["", "合格", "不合格"]
    result.setCurrentText("合格")
    view.commitData(result)
    certificate = edit("certificate_id")
    assert certificate.itemText(1) == "职业技能等级证书 技师 S000123（2026-10-09）"
    certificate.setCurrentIndex(1)
    view.commitData(certificate)
    cost = edit("cost_charged")
    assert cost.text() == "1500.00"
    cost.setText("")
    qtbot.keyClicks(cost, "12x00.5")  # the letter is not taken
    assert cost.text() == "1200.5"
    page.save_results()  # Ctrl+S with the cost still being edited saves it too

    [stored] = [e for e in enrolments_of_programme(engine, page.programme.id) if e.worker_id == worker_id]
    assert (stored.hours_attended, stored.result, stored.certificate_id) == (110, "合格", cert_id)
    assert stored.cost_charged == Decimal("1200.50") and stored.certificate_number == "S000123"
    assert cell(page, row, "certificate_id").data() == "职业技能等级证书 技师 S000123（2026-10-09）"


def test_results_saved_meanwhile_by_another_clerk(page, qtbot, engine, answers, enrolled):
    worker_id = enrolled[0][0]
    row = row_of(page, worker_id)
    type_results(page, row, hours_attended=100)
    record_results(engine, page.programme.id, [{"enrolment_id": page.results.rows[row].id, "hours_attended": 80}])
    click(qtbot, page.save_button)
    assert answers.asked[-1].startswith("报名记录在您打开之后已被修改")
    assert page.results.value(row_of(page, worker_id), "hours_attended") == 80  # reloaded: the other clerk's value
    assert not page.results.is_dirty()


def test_double_click_or_enter_on_a_name_opens_the_worker(page, qtbot, enrolled):
    opened = []
    page.open_worker.connect(opened.append)
    row = row_of(page, enrolled[1][0])
    view = page.results_view
    name = cell(page, row, "worker_name")
    double_click(qtbot, view, view.visualRect(name))
    assert opened == [enrolled[1][0]]
    view.setCurrentIndex(cell(page, row_of(page, enrolled[0][0]), "employee_no"))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened[-1] == enrolled[0][0]


def test_switching_programme_asks_before_dropping_typed_results(page, engine, answers, enrolled):
    new_programme(engine, name="叉车司机复训", start_date=date(2026, 8, 3), end_date=date(2026, 8, 4), hours=16)
    page.refresh()
    first = page.programme.id
    type_results(page, 0, hours_attended=120)
    answers.yes = False
    page.programme_list.table.selectRow(1)
    assert answers.asked == ["当前项目有尚未保存的成绩。确定要放弃这些修改吗？"]
    assert page.programme.id == first and page.results.value(0, "hours_attended") == 120
    assert page.programme_list.table.currentRow() == 0
    answers.yes = True
    page.programme_list.table.selectRow(1)
    assert page.programme.name == "叉车司机复训" and not page.results.is_dirty()


# -- service agreements -------------------------------------------------------------------


def test_agreement_created_then_departure_statement_and_settlement(page, qtbot, engine, answers, enrolled, monkeypatch, tmp_path):
    worker_id, number, name = enrolled[0]
    record_results(engine, page.programme.id, [
        {"enrolment_id": next(e.id for e in page.results.rows if e.worker_id == worker_id), "hours_attended": 120,
         "result": "合格", "completed_on": END},
    ])
    page.tabs.setCurrentIndex(page.TAB_AGREEMENTS)
    dialog = page.new_agreement()
    qtbot.keyClicks(dialog.finder.search, number.lower())
    qtbot.keyClick(dialog.finder.search, Qt.Key.Key_Return)  # the only match is picked
    assert dialog.worker_id == worker_id and name in dialog.chosen.text()
    assert dialog.covered.count() == 1 and "焊工技师培训班" in dialog.covered.item(0).text()
    dialog.covered.item(0).setCheckState(Qt.CheckState.Checked)
    assert dialog.fields["cost"].placeholderText() == "所选培训扣费合计 1500.00 元"
    qtbot.keyClicks(dialog.fields["agreement_no"], "FW-2026-001")
    dialog.fields["signed_on"].set_value(date(2026, 8, 28))
    qtbot.keyClicks(dialog.fields["cost"], "36500")
    dialog.fields["service_start"].set_value(date(2026, 9, 1))
    dialog.fields["service_end"].set_value(date(2027, 8, 31))  # 365 days: 100.00 a day
    click(qtbot, dialog.save_button)

    assert not dialog.isVisible()
    opened = page.open_list.table
    assert opened.rowCount() == 1 and page.departure_list.table.rowCount() == 0
    assert [opened.item(0, c).text() for c in (0, 1, 3, 4, 5)] == [
        number, name, "FW-2026-001", "36500.00", "2026-09-01 至 2027-08-31",
    ]
    with unit_of_work(engine) as session:  # the worker leaves
        worker = session.get(Worker, worker_id)
        worker.leave_date, worker.status = date(2026, 11, 15), "离职"
    page.refresh()

    departures = page.departure_list.table
    assert opened.rowCount() == 0 and departures.rowCount() == 1
    # 2026-09-01 … 2026-11-15 served (76 days, the leaving day counts); 289 days × 100.00 to repay
    assert [departures.item(0, c).text() for c in (0, 1, 3, 4, 8)] == [number, name, "离职", "2026-11-15", "28900.00"]
    assert departures.item(0, 0).background().color().name() == "#fde8cf"
    assert "1 份" in page.departure_title.text()

    assert not page.statement_button.isEnabled()
    departures.selectRow(0)
    assert page.statement_button.isEnabled()
    monkeypatch.setattr(dialogs, "save_file", lambda *_args: str(tmp_path / "结算单"))
    saved = page.print_statement()
    assert saved == tmp_path / "结算单.txt"
    text = saved.read_text(encoding="utf-8-sig")
    assert f"职工姓名：{name}" in text and "应偿还培训费用：28900.00 元" in text
    assert saved.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in saved.read_bytes()
    assert answers.told[-1].startswith(f"已保存到：{saved}\n\n培训服务期协议 离职结算单")

    settle = page.settle()
    assert settle.fields["repayment"].text() == "28900.00"
    settle.fields["repayment"].setText("28000")
    settle.fields["note"].setText("双方协商减免 900 元")
    click(qtbot, settle.save_button)
    with unit_of_work(engine) as session:
        agreement = session.scalars(select(ServiceAgreement)).one()
        assert (agreement.status, agreement.repayment) == ("已结清", Decimal("28000.00"))
    assert departures.rowCount() == 0


def test_agreement_refused_names_its_fields(page, qtbot, engine):
    page.tabs.setCurrentIndex(page.TAB_AGREEMENTS)
    dialog = page.new_agreement()
    dialog.fields["service_start"].set_value(date(2026, 9, 1))
    dialog.fields["service_end"].set_value(date(2026, 8, 1))
    click(qtbot, dialog.save_button)
    messages = dialog.problems.text().splitlines()
    assert "职工：不能为空" in messages and "培训费用：不能为空" in messages
    assert "服务期终止日：早于服务期起始日 2026-09-01" in messages
    assert dialog.finder.styleSheet() and dialog.fields["service_end"].styleSheet()


def test_fulfilled_only_once_the_period_is_served(page, engine, answers):
    worker_id = active_workers(engine, "A0004")[0][0]
    save_agreement(engine, {"worker_id": worker_id, "cost": "5000", "service_start": date(2026, 1, 1),
                            "service_end": date(2030, 12, 31), "agreement_no": "FW-1"})
    save_agreement(engine, {"worker_id": worker_id, "cost": "3000", "service_start": date(2023, 1, 1),
                            "service_end": date(2025, 12, 31), "agreement_no": "FW-2"})
    page.tabs.setCurrentIndex(page.TAB_AGREEMENTS)
    page.refresh()
    table = page.open_list.table
    assert [table.item(r, 3).text() for r in range(2)] == ["FW-2", "FW-1"]  # the period ending first, first
    table.selectRow(1)
    page.fulfil()
    assert answers.errors == ["履行完毕日期：服务期至 2030-12-31 尚未届满"]
    table.selectRow(0)
    page.fulfil()
    assert [table.item(r, 3).text() for r in range(table.rowCount())] == ["FW-1"]


# -- key talents --------------------------------------------------------------------------


def test_key_talents_listed_and_opened(page, qtbot, engine):
    worker_id, number, name = active_workers(engine, "A0005")[0]
    save_plan(engine, worker_id, {"key_talent": True, "target_level": "首席技师", "target_date": date(2030, 12, 31)})
    credit(engine, worker_id, "2000", on=date(2026, 1, 1), reason="年度预算")
    page.refresh()
    page.tabs.setCurrentIndex(page.TAB_KEY_TALENTS)
    table = page.talent_list.table
    assert table.rowCount() == 1 and page.talent_count.text() == "在职重点培养对象 1 人"
    assert [table.item(0, c).text() for c in (0, 1, 4, 5, 6)] == [number, name, "首席技师", "2030-12-31", "2000.00"]
    assert "目标 首席技师（2030-12-31），还差" in table.item(0, 7).text()
    opened = []
    page.open_worker.connect(opened.append)
    double_click(qtbot, table, table.visualItemRect(table.item(0, 1)))
    assert opened == [worker_id]


# -- how it looks -------------------------------------------------------------------------


def test_screenshots_of_every_tab(page, qtbot, engine, enrolled):
    (first, _n, _m), (second, _n2, _m2), (third, _n3, _m3) = enrolled
    rows = {e.worker_id: e.id for e in page.results.rows}
    record_results(engine, page.programme.id, [
        {"enrolment_id": rows[first], "hours_attended": 120, "result": "合格", "completed_on": END},
        {"enrolment_id": rows[second], "hours_attended": 96, "result": "不合格", "completed_on": END},
    ])
    new_programme(engine, name="数控车工中级提升班", form="企业自办", provider="", start_date=date(2026, 6, 1),
                  end_date=date(2026, 6, 30), hours=160, cost_per_person="800", funding_source="政府补贴")
    new_programme(engine, name="安全生产线上课程", form="线上", provider="省安全培训平台", start_date=date(2025, 11, 3),
                  end_date=None, hours=24, cost_per_person="0", funding_source="职工教育经费")
    for worker_id, cost in ((first, "36500"), (third, "12000")):
        save_agreement(engine, {"worker_id": worker_id, "cost": cost, "service_start": date(2026, 9, 1),
                                "service_end": date(2029, 8, 31), "agreement_no": f"FW-2026-{worker_id:03d}"})
    with unit_of_work(engine) as session:
        session.get(Worker, third).leave_date = date(2026, 11, 15)
    for worker_id in (first, second):
        save_plan(engine, worker_id, {"key_talent": True, "target_level": "首席技师", "target_date": date(2029, 12, 31)})
    page.refresh()
    type_results(page, row_of(page, third), hours_attended=130)
    click(qtbot, page.save_button)  # refused: the marked cell shows in the picture
    SHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(50)  # the layout settles (new label texts) before the picture
    for tab, name in ((page.TAB_PROGRAMMES, "programmes"), (page.TAB_AGREEMENTS, "agreements"),
                      (page.TAB_KEY_TALENTS, "key_talents")):
        page.tabs.setCurrentIndex(tab)
        assert page.grab().save(str(SHOTS / f"training_{name}.png"))
    page.tabs.setCurrentIndex(page.TAB_PROGRAMMES)
    dialog = page.enrol()
    qtbot.keyClicks(dialog.finder.search, "a001")
    dialog.finder.ticks.toggle(1)
    qtbot.wait(50)
    assert dialog.grab().save(str(SHOTS / "training_enrol_dialog.png"))
    dialog.reject()
    page.tabs.setCurrentIndex(page.TAB_AGREEMENTS)
    agreement = page.new_agreement()
    agreement.select_worker(first)
    qtbot.wait(50)
    assert agreement.grab().save(str(SHOTS / "training_agreement_dialog.png"))
