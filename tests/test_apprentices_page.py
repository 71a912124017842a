"""The 师徒 page offscreen over a real SQLite file: a pairing made through its dialog, a
refused master told to give 超限原因, assessments and endings, the masters tab, export."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("PySide6")

from openpyxl import load_workbook  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.services.apprenticeships import list_pairings, save_pairing  # noqa: E402
from app.ui import dialogs  # noqa: E402
from app.ui.apprentices_page import COL_NEXT, ApprenticesPage  # noqa: E402
from tests.factories import add_worker  # noqa: E402

START = date(2026, 3, 1)


@pytest.fixture
def page(qtbot, engine, answers):
    widget = ApprenticesPage(engine)
    qtbot.addWidget(widget)
    widget.resize(1150, 700)
    widget.show()
    return widget


@pytest.fixture
def people(engine):
    return {
        "master": add_worker(engine, "王师傅", rank=4, employee_no="M001", department="一车间"),
        "junior": add_worker(engine, "李中级", rank=2, employee_no="M002", department="一车间"),
        "apprentice": add_worker(engine, "张徒弟", employee_no="A001", department="一车间"),
        "other": add_worker(engine, "赵徒弟", employee_no="A002", department="一车间"),
    }


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def fill(dialog, master: int, apprentice: int) -> None:
    dialog.select_master(master)
    dialog.select_apprentice(apprentice)
    dialog.fields["kind"].setCurrentText("企业师带徒")  # Chinese through setText, never keyClicks
    dialog.fields["occupation"].setEditText("焊工")
    dialog.fields["start_date"].set_value(START)
    dialog.fields["planned_end"].set_value(date(2027, 3, 1))
    dialog.fields["target_level"].setCurrentText("高级工")


def texts(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_a_pairing_made_through_the_dialog_is_listed(page, qtbot, engine, people):
    dialog = page.new_pairing()
    fill(dialog, people["master"], people["apprentice"])
    qtbot.keyClicks(dialog.fields["agreement_no"], "XT-2026-01")
    click(qtbot, dialog.save_button)

    assert not dialog.isVisible()
    [saved] = list_pairings(engine)
    assert (saved.master_id, saved.apprentice_id, saved.occupation, saved.target_level) == (
        people["master"], people["apprentice"], "焊工", 3)
    assert saved.agreement_no == "XT-2026-01"
    row = texts(page.pairing_list.table, 0)
    assert row[:4] == ["王师傅（工号 M001）", "技师", "张徒弟（工号 A001）", "企业师带徒"]
    assert row[5:8] == ["2026-03-01", "2027-03-01", "在培"]
    assert page.pairing_list.selected_id() == saved.id
    assert page.master_list.table.rowCount() == 1
    assert texts(page.master_list.table, 0)[:3] == ["王师傅（工号 M001）", "技师", "1/3"]


def test_a_master_below_the_level_is_refused_until_a_reason_is_given(page, qtbot, engine, people):
    dialog = page.new_pairing()
    fill(dialog, people["junior"], people["apprentice"])
    click(qtbot, dialog.save_button)

    assert dialog.isVisible() and list_pairings(engine) == []
    message = dialog.problems.text()
    assert "李中级" in message and "低于要求的 高级工" in message and "超限原因" in message
    assert dialog.fields["master_id"].toolTip()  # the picker is marked
    assert "超限原因" in dialog.fields["override_reason"].toolTip()  # and the field to fill
    assert dialog.fields["override_reason"].styleSheet()

    dialog.fields["override_reason"].setText("该工种暂无高级工")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    [saved] = list_pairings(engine)
    assert saved.override_reason == "该工种暂无高级工"
    assert "⚠" in page.pairing_list.table.item(0, 0).text()


def test_missing_pickers_are_named(page, qtbot, engine, people):
    dialog = page.new_pairing()
    click(qtbot, dialog.save_button)
    assert "师傅：不能为空" in dialog.problems.text() and "徒弟：不能为空" in dialog.problems.text()


def test_assessment_overdue_and_ending(page, qtbot, engine, people, answers):
    pairing = save_pairing(engine, {"master_id": people["master"], "apprentice_id": people["apprentice"],
                                    "kind": "企业师带徒", "start_date": date(2025, 1, 6)})
    save_pairing(engine, {"master_id": people["master"], "apprentice_id": people["other"],
                          "kind": "企业师带徒", "start_date": date(2026, 10, 1)})
    page.refresh()
    table = page.pairing_list.table
    assert table.rowCount() == 2
    old = next(r for r in range(2) if table.item(r, 0).data(Qt.ItemDataRole.UserRole) == pairing)
    assert table.item(old, COL_NEXT).foreground().color().name() == "#b3261e"  # overdue in red
    assert "考核逾期 1 对" in page.pairing_count.text()

    table.selectRow(old)
    dialog = page.record_assessment()
    dialog.fields["assessed_on"].set_value(date(2026, 6, 1))
    dialog.fields["content"].setText("阶段考核")
    dialog.fields["result"].setEditText("合格")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    assert table.item(old, 8).text() == "2026-06-01"

    table.selectRow(old)
    dialog = page.end_selected()
    dialog.fields["status"].setCurrentText("终止")
    dialog.fields["on"].set_value(date(2026, 7, 1))
    click(qtbot, dialog.save_button)
    assert "终止须填写原因" in dialog.problems.text()
    dialog.fields["reason"].setText("徒弟调岗")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    assert table.rowCount() == 1  # the filter shows 在培 only
    page.status_filter.setCurrentText("全部")
    assert table.rowCount() == 2
    ended = next(r for r in list_pairings(engine) if r.id == pairing)
    assert (ended.status, ended.ended_on) == ("终止", date(2026, 7, 1))


def test_export_writes_the_listed_pairings(page, engine, people, monkeypatch, tmp_path, answers):
    save_pairing(engine, {"master_id": people["master"], "apprentice_id": people["apprentice"],
                          "kind": "企业师带徒", "start_date": START})
    page.refresh()
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(tmp_path / "师徒"))
    path = page.export()
    assert path.suffix == ".xlsx" and path.exists()
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[1][:5] == ("M001", "王师傅", "技师", "A001", "张徒弟")
    assert "已导出 1 对" in answers.told[-1]


def test_double_click_opens_the_master_or_the_apprentice(page, engine, people):
    save_pairing(engine, {"master_id": people["master"], "apprentice_id": people["apprentice"],
                          "kind": "企业师带徒", "start_date": START})
    page.refresh()
    opened = []
    page.open_worker.connect(opened.append)
    table = page.pairing_list.table
    table.activated.emit(table.model().index(0, 0))
    table.activated.emit(table.model().index(0, 2))
    assert opened == [people["master"], people["apprentice"]]
