"""The worker file dialog, driven with pytest-qt (offscreen) over a real database file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QDate, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QCompleter  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.models import Certificate, Worker  # noqa: E402
from app.models.db import unit_of_work  # noqa: E402
from app.services.workers import add_certificate, add_honour, load_worker, save_worker  # noqa: E402
from app.ui.worker_form import DateField, WorkerDialog  # noqa: E402
from tests.factories import make_id  # noqa: E402

SHOTS = Path("/tmp/shots")
GOOD_ID = make_id(birth=date(1988, 7, 20), seq=24)  # even sequence: a woman
BAD_ID = GOOD_ID[:17] + ("0" if GOOD_ID[-1] != "0" else "1")


@pytest.fixture
def open_dialog(qtbot, engine, answers):
    def opener(worker_id=None) -> WorkerDialog:
        dialog = WorkerDialog(engine, worker_id)
        qtbot.addWidget(dialog)
        # Active, so the cursor (focus) can be checked the way a clerk would see it.
        with qtbot.waitActive(dialog):
            dialog.show()
            dialog.activateWindow()
        return dialog

    return opener


@pytest.fixture
def stored_worker(engine) -> int:
    return save_worker(engine, {
        "employee_no": "2001", "name": "王芳", "id_type": "居民身份证", "id_number": make_id(seq=12),
        "department": "装配车间", "occupation": "钳工", "hire_date": date(2012, 3, 1), "status": "在职",
        "monthly_wage": "5200", "contract_start": date(2012, 3, 1), "contract_open_ended": True,
    })


def workers(engine) -> list[Worker]:
    with unit_of_work(engine) as session:
        return list(session.scalars(select(Worker)))


def test_new_worker_refused_then_fixed_and_saved(qtbot, open_dialog, engine, answers):
    dialog = open_dialog()
    assert dialog.windowTitle() == "新增职工"
    assert QApplication.focusWidget() is dialog.fields["employee_no"]
    assert not dialog.tabs.isTabEnabled(dialog.TAB_CERTIFICATES)
    assert not dialog.delete_button.isVisible()
    dialog.fields["name"].setText("李娜")  # Chinese through setText: keyClicks would abort the process
    id_field = dialog.fields["id_number"]
    qtbot.keyClicks(id_field, BAD_ID)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    message = dialog.problems.text()
    assert "证件号码" in message and f"最后一位应为 {GOOD_ID[-1]}" in message
    assert dialog.problems.isVisible()
    assert id_field.text() == BAD_ID and dialog.fields["name"].text() == "李娜"
    assert id_field.styleSheet()  # marked
    assert QApplication.focusWidget() is id_field
    assert dialog.fields["gender"].currentText() == ""  # a wrong number fills nothing
    assert workers(engine) == []
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "worker_form_refused.png"))

    id_field.clear()
    qtbot.keyClicks(id_field, GOOD_ID)
    assert dialog.fields["gender"].currentText() == "女"
    assert dialog.fields["birth_date"].value() == date(1988, 7, 20)
    with qtbot.waitSignal(dialog.saved, timeout=1000) as signal:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    worker_id = signal.args[0]
    [stored] = workers(engine)
    assert (stored.id, stored.name, stored.gender, stored.name_initials) == (worker_id, "李娜", "女", "ln")
    # Saving keeps the dialog open, now as the worker's file with every tab.
    assert dialog.isVisible() and not dialog.problems.isVisible()
    assert dialog.windowTitle().startswith("职工档案 — 李娜")
    assert dialog.tabs.isTabEnabled(dialog.TAB_CERTIFICATES) and dialog.delete_button.isVisible()
    assert not dialog.is_dirty()


def test_every_refused_field_is_marked_and_the_first_gets_the_cursor(qtbot, open_dialog, engine):
    dialog = open_dialog()
    dialog.fields["monthly_wage"].setText("-5")
    dialog.fields["contract_start"].set_value(date(2024, 1, 1))
    dialog.fields["contract_end"].set_value(date(2023, 1, 1))
    dialog.tabs.setCurrentIndex(dialog.TAB_BASIC)
    dialog.save()
    text = dialog.problems.text()
    for label in ("姓名", "证件号码", "合同终止日", "月工资"):
        assert label in text
    assert QApplication.focusWidget() is dialog.fields["name"]  # first in the form, not in the list
    assert dialog.fields["monthly_wage"].styleSheet() and dialog.fields["contract_end"].styleSheet()
    assert dialog.fields["monthly_wage"].text() == "-5"


def test_duplicate_employee_no_names_the_other_worker(qtbot, open_dialog, stored_worker):
    dialog = open_dialog()
    dialog.fields["name"].setText("赵六")
    qtbot.keyClicks(dialog.fields["employee_no"], "2001")
    qtbot.keyClicks(dialog.fields["id_number"], GOOD_ID)
    dialog.save()
    assert "工号" in dialog.problems.text() and "王芳" in dialog.problems.text()
    assert QApplication.focusWidget() is dialog.fields["employee_no"]


def test_enter_in_a_field_neither_saves_nor_closes(qtbot, open_dialog, engine):
    dialog = open_dialog()
    dialog.fields["name"].setText("李娜")
    qtbot.keyClicks(dialog.fields["id_number"], GOOD_ID)
    qtbot.keyClick(dialog.fields["id_number"], Qt.Key.Key_Return)
    assert dialog.isVisible() and workers(engine) == []


def test_ctrl_s_saves(qtbot, open_dialog, engine):
    dialog = open_dialog()
    dialog.fields["name"].setText("李娜")
    qtbot.keyClicks(dialog.fields["id_number"], GOOD_ID)
    with qtbot.waitSignal(dialog.saved, timeout=1000):
        qtbot.keyClick(dialog.fields["id_number"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert len(workers(engine)) == 1


def test_escape_asks_before_discarding_changes(qtbot, open_dialog, answers):
    dialog = open_dialog()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes without asking
    assert not dialog.isVisible() and answers.asked == []
    dialog = open_dialog()
    qtbot.keyClicks(dialog.fields["employee_no"], "3001")
    answers.yes = False
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and "未保存" in answers.asked[0]
    assert dialog.fields["employee_no"].text() == "3001"
    answers.yes = True
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_existing_worker_is_shown_and_saved_in_place(qtbot, open_dialog, engine, stored_worker):
    dialog = open_dialog(stored_worker)
    assert dialog.windowTitle() == "职工档案 — 王芳"
    assert dialog.fields["department"].currentText() == "装配车间"
    assert dialog.fields["monthly_wage"].text() == "5200.00"
    assert dialog.fields["contract_open_ended"].isChecked() and not dialog.fields["contract_end"].isEnabled()
    assert dialog.fields["id_number"].text() == make_id(seq=12)  # the full number: it is the record
    dialog.fields["post"].setText("钳工组长")
    with qtbot.waitSignal(dialog.saved, timeout=1000):
        dialog.save()
    assert dialog.isVisible() and load_worker(engine, stored_worker).post == "钳工组长"
    assert dialog.record.version == 2
    dialog.fields["post"].setText("钳工")  # saving again uses the new version, so it is not stale
    assert dialog.save()


def test_department_and_occupation_complete_by_any_part(open_dialog, stored_worker):
    dialog = open_dialog(stored_worker)
    for key in ("department", "occupation"):
        combo = dialog.fields[key]
        completer = combo.completer()
        assert combo.isEditable()
        assert completer.caseSensitivity() == Qt.CaseSensitivity.CaseInsensitive
        assert completer.filterMode() == Qt.MatchFlag.MatchContains
        assert completer.completionMode() == QCompleter.CompletionMode.PopupCompletion
    completer = dialog.fields["department"].completer()
    completer.setCompletionPrefix("配车")
    assert completer.currentCompletion() == "装配车间"


def test_stale_record_offers_to_reload(qtbot, open_dialog, engine, answers, stored_worker):
    dialog = open_dialog(stored_worker)
    save_worker(engine, {**vars(load_worker(engine, stored_worker)), "post": "别人改的"}, worker_id=stored_worker)
    dialog.fields["post"].setText("我改的")
    answers.conflict = "reload"
    assert not dialog.save()
    assert "已被修改" in answers.asked[0] and "重新加载" in answers.asked[0]
    (conflict,) = answers.conflicts  # both versions, field by field
    assert (conflict.label, conflict.theirs, conflict.mine, conflict.both_changed) == ("岗位", "别人改的", "我改的", True)
    assert dialog.fields["post"].text() == "别人改的"
    assert load_worker(engine, stored_worker).post == "别人改的"


def test_stale_record_can_be_overwritten_knowingly(qtbot, open_dialog, engine, answers, stored_worker):
    dialog = open_dialog(stored_worker)
    save_worker(engine, {**vars(load_worker(engine, stored_worker)), "phone": "13900000000"}, worker_id=stored_worker)
    dialog.fields["post"].setText("我改的")
    answers.conflict = "overwrite"
    dialog.save()
    (conflict,) = answers.conflicts
    assert conflict.label == "联系电话" and not conflict.both_changed
    saved = load_worker(engine, stored_worker)
    assert (saved.post, saved.phone) == ("我改的", "13900000000")  # mine saved, theirs kept


def test_add_certificate_updates_level_history_and_title(qtbot, open_dialog, engine, stored_worker):
    dialog = open_dialog(stored_worker)
    dialog.tabs.setCurrentIndex(dialog.TAB_CERTIFICATES)
    child = dialog.add_certificate()
    qtbot.waitUntil(child.isActiveWindow)  # window activation is asynchronous
    assert QApplication.focusWidget() is child.fields["kind"]
    assert child.fields["occupation"].currentText() == "钳工"
    # Without an issue date the certificate is refused, and the dialog stays with what was typed.
    child.fields["level"].setCurrentText("高级工")
    qtbot.keyClicks(child.fields["number"], "S320100202400013000123")
    qtbot.mouseClick(child.save_button, Qt.MouseButton.LeftButton)
    assert child.isVisible() and "发证日期" in child.problems.text()
    assert QApplication.focusWidget() is child.fields["issue_date"]
    child.fields["issue_date"].set_value(date(2016, 6, 1))
    with qtbot.waitSignal(child.saved, timeout=1000):
        qtbot.mouseClick(child.save_button, Qt.MouseButton.LeftButton)
    assert not child.isVisible()

    table = dialog.certificate_list.table
    assert table.rowCount() == 1 and table.item(0, 3).text() == "S320100202400013000123"
    assert table.item(0, 8).text() == "有效"
    levels = dialog.level_list.table
    assert levels.rowCount() == 1
    assert [levels.item(0, c).text() for c in range(3)] == [
        "2016-06-01", "高级工", "职业技能等级证书 S320100202400013000123",
    ]
    assert "高级工" in dialog.windowTitle() and "高级工" in dialog.header.text()


def test_safety_licence_has_no_level_but_dates(qtbot, open_dialog, stored_worker):
    dialog = open_dialog(stored_worker)
    child = dialog.add_certificate()
    child.fields["kind"].setCurrentText("特种作业操作证")
    assert not child.fields["level"].isEnabled() and child.fields["expiry_date"].isEnabled()
    child.fields["kind"].setCurrentText("职业资格证书")
    assert child.fields["level"].isEnabled() and not child.fields["expiry_date"].isEnabled()


def test_certificate_warning_is_shown_but_saved(qtbot, open_dialog, engine, answers, stored_worker):
    dialog = open_dialog(stored_worker)
    child = dialog.add_certificate()
    child.fields["level"].setCurrentText("中级工")
    qtbot.keyClicks(child.fields["number"], "S320100202400013000123")  # the 16th digit says 高级工
    child.fields["issue_date"].set_value(date(2016, 6, 1))
    assert child.save()
    assert answers.told and "证书编号" in answers.told[0]


def test_revoking_keeps_the_certificate_and_drops_the_level(qtbot, open_dialog, engine, stored_worker):
    add_certificate(engine, stored_worker, {"kind": "职业技能等级证书", "level": "中级工", "issue_date": date(2014, 1, 1)})
    dialog = open_dialog(stored_worker)
    dialog.tabs.setCurrentIndex(dialog.TAB_CERTIFICATES)
    assert not dialog.revoke_button.isEnabled()
    dialog.certificate_list.table.selectRow(0)
    assert dialog.revoke_button.isEnabled()
    child = dialog.revoke_certificate()
    qtbot.mouseClick(child.save_button, Qt.MouseButton.LeftButton)
    assert "撤销原因" in child.problems.text()
    child.fields["reason"].setText("发证机构通报证书无效")
    assert child.save()
    assert dialog.certificate_list.table.item(0, 8).text() == "已撤销"
    assert dialog.level_list.table.rowCount() == 0 and "无等级证书" in dialog.header.text()
    with unit_of_work(engine) as session:
        assert session.scalars(select(Certificate)).one().revoked


def test_honour_and_competition_are_added(qtbot, open_dialog, stored_worker):
    dialog = open_dialog(stored_worker)
    child = dialog.add_honour()
    child.fields["title"].setEditText("技术能手")
    child.fields["level"].setCurrentText("市")
    qtbot.keyClicks(child.fields["year"], "2021")
    qtbot.keyClicks(child.fields["reward_amount"], "2000")
    assert child.save()
    assert [dialog.honour_list.table.item(0, c).text() for c in (0, 1, 2, 4)] == ["技术能手", "市", "2021", "2000.00"]

    child = dialog.add_competition()
    child.fields["competition_name"].setText("全市职工职业技能大赛")
    child.fields["result"].setEditText("特等奖")
    assert not child.save() and "成绩" in child.problems.text()
    child.fields["result"].setEditText("第3名")
    child.fields["held_on"].set_value(date(2022, 10, 1))
    assert child.save()
    table = dialog.competition_list.table
    assert table.item(0, 0).text() == "全市职工职业技能大赛" and table.item(0, 6).text() == "第3名"


def test_delete_without_history_deletes(qtbot, open_dialog, engine, answers):
    worker_id = save_worker(engine, {"name": "临时", "id_type": "护照", "id_number": "E12345678"})
    dialog = open_dialog(worker_id)
    with qtbot.waitSignal(dialog.removed, timeout=1000):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert "临时" in answers.asked[0]
    assert "已删除" in answers.told[0]
    assert workers(engine) == [] and not dialog.isVisible()


def test_delete_with_history_sets_left(qtbot, open_dialog, engine, answers, stored_worker):
    add_honour(engine, stored_worker, {"title": "技术能手"})
    dialog = open_dialog(stored_worker)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert "离职" in answers.told[0] and "未删除" in answers.told[0]
    [worker] = workers(engine)
    assert worker.status == "离职" and worker.leave_date == date.today()
    assert not dialog.isVisible()


def test_delete_answered_no_changes_nothing(qtbot, open_dialog, engine, answers, stored_worker):
    answers.yes = False
    dialog = open_dialog(stored_worker)
    dialog.remove()
    assert dialog.isVisible() and answers.told == [] and len(workers(engine)) == 1


def test_date_field_can_be_left_empty_and_typed(qtbot):
    field = DateField()
    qtbot.addWidget(field)
    field.show()
    assert field.value() is None and field.text() == "未填"
    field.setFocus()
    qtbot.keyClicks(field, "20210630")
    assert field.value() == date(2021, 6, 30)
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    assert field.value() is None
    field.stepBy(1)  # the arrow keys from 未填 start at today, not in 1900
    assert field.date() == QDate.currentDate()


def test_screenshots_of_every_tab(qtbot, open_dialog, engine, stored_worker):
    add_certificate(engine, stored_worker, {
        "kind": "职业技能等级证书", "occupation": "钳工", "level": "中级工", "number": "S320100202400014000001",
        "issuing_body": "某市职业技能鉴定指导中心", "evaluation_route": "社会化评价", "issue_date": date(2014, 6, 1),
    })
    add_honour(engine, stored_worker, {"title": "技术能手", "level": "市", "year": "2021", "reward_amount": "2000"})
    dialog = open_dialog(stored_worker)
    assert dialog.width() <= 1366 and dialog.height() <= 700  # fits 1366×768 with a taskbar
    SHOTS.mkdir(exist_ok=True)
    for index, name in enumerate(("basic", "certificates", "honours", "competitions", "levels")):
        dialog.tabs.setCurrentIndex(index)
        assert dialog.grab().save(str(SHOTS / f"worker_form_{name}.png"))


@pytest.fixture
def mentor_register(engine, stored_worker):
    """王芳 (2001) is a 技师 master of one apprentice and was herself an apprentice once; her
    allowances were rolled for two months, the first confirmed."""
    from app.services.allowances import confirm_roll, generate_roll
    from app.services.apprenticeships import end_pairing, save_pairing
    from tests.factories import add_worker

    add_certificate(engine, stored_worker, {
        "kind": "职业技能等级证书", "occupation": "钳工", "level": "技师", "number": "S320100202400044000001",
        "issuing_body": "某市职业技能鉴定指导中心", "evaluation_route": "社会化评价", "issue_date": date(2020, 6, 1),
    })
    apprentice = add_worker(engine, "陈小明", employee_no="3001", hired=date(2023, 7, 1))
    old_master = add_worker(engine, "周老师傅", employee_no="1001", rank=5, rank_issued=date(2008, 6, 1))
    taught = save_pairing(engine, {"master_id": stored_worker, "apprentice_id": apprentice, "kind": "企业新型学徒制",
                                   "partner": "市技师学院", "start_date": date(2025, 9, 1),
                                   "planned_end": date(2027, 8, 31), "occupation": "钳工"})
    learnt = save_pairing(engine, {"master_id": old_master, "apprentice_id": stored_worker, "kind": "企业师带徒",
                                   "start_date": date(2012, 4, 1), "planned_end": date(2014, 3, 31)})
    end_pairing(engine, learnt, status="终止", on=date(2014, 3, 31), reason="期满，未申请出师")
    generate_roll(engine, "2026-09")
    confirm_roll(engine, "2026-09")
    generate_roll(engine, "2026-10")
    return {"apprentice": apprentice, "old_master": old_master, "taught": taught, "learnt": learnt}


def table_texts(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_apprentice_tab_lists_pairings_both_ways_and_the_allowance_history(
    qtbot, open_dialog, engine, stored_worker, mentor_register
):
    dialog = open_dialog(stored_worker)
    assert dialog.tabs.tabText(dialog.TAB_APPRENTICES) == "师徒与津贴"
    assert dialog.tabs.isTabEnabled(dialog.TAB_APPRENTICES)
    tab = dialog.apprentice_tab
    dialog.tabs.setCurrentIndex(dialog.TAB_APPRENTICES)
    pairings = table_texts(tab.pairing_list.table)
    assert [row[:6] for row in pairings] == [
        ["师傅", "陈小明（3001）", "企业新型学徒制", "2025-09-01", "2027-08-31", "在培"],
        ["徒弟", "周老师傅（1001）", "企业师带徒", "2012-04-01", "2014-03-31", "终止（2014-03-31）"],
    ]
    # the next assessment of the 在培 pairing (3 months after the start: long past today)
    assert pairings[0][6] == "2025-12-01 已逾期" and pairings[1][6] == ""
    assert tab.pairing_title.text() == "师徒结对：作为师傅 1 项，作为徒弟 1 项（结对在「师徒」页登记）"
    assert "合作院校/机构：市技师学院" in tab.pairing_list.table.item(0, 0).toolTip()
    history = table_texts(tab.history_list.table)
    assert [row[:4] for row in history] == [
        ["2026-10", "草稿", "技能津贴", "400.00"], ["2026-10", "草稿", "岗位津贴", "200.00"],
        ["2026-10", "草稿", "带徒津贴", "200.00"],
        ["2026-09", "已确认", "技能津贴", "400.00"], ["2026-09", "已确认", "岗位津贴", "200.00"],
        ["2026-09", "已确认", "带徒津贴", "200.00"],
    ]
    assert all(row[4] for row in history)  # the rule
    assert "陈小明" in history[2][4]
    assert tab.history_title.text() == "津贴发放记录：2 个月的发放表中共 6 笔（最近 24 个月）"


def test_apprentice_tab_is_disabled_for_a_new_worker_and_empty_without_records(qtbot, open_dialog, stored_worker):
    new = open_dialog()
    assert not new.tabs.isTabEnabled(new.TAB_APPRENTICES)
    dialog = open_dialog(stored_worker)
    dialog.tabs.setCurrentIndex(dialog.TAB_APPRENTICES)
    tab = dialog.apprentice_tab
    assert tab.pairing_list.table.rowCount() == 0 and tab.history_list.table.rowCount() == 0
    assert tab.history_title.text() == "津贴发放记录：尚未列入任何津贴发放表"


def test_apprentice_tab_reads_only_when_shown(qtbot, open_dialog, stored_worker, mentor_register, monkeypatch):
    from app.ui import worker_form

    calls = []
    real = worker_form.list_pairings
    monkeypatch.setattr(worker_form, "list_pairings", lambda *a, **k: calls.append(k) or real(*a, **k))
    dialog = open_dialog(stored_worker)
    assert calls == []  # opening the file on 基本信息 reads no pairings
    dialog.tabs.setCurrentIndex(dialog.TAB_APPRENTICES)
    assert len(calls) == 2 and dialog.apprentice_tab.pairing_list.table.rowCount() == 2


def test_screenshot_of_the_apprentice_tab(qtbot, open_dialog, stored_worker, mentor_register):
    dialog = open_dialog(stored_worker)
    dialog.tabs.setCurrentIndex(dialog.TAB_APPRENTICES)
    SHOTS.mkdir(exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "worker_tab_apprentices.png"))
