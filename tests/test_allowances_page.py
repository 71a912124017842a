"""The 津贴 page offscreen over a real SQLite file: generating a month's roll through the job,
its lines and totals, confirming (and that a confirmed roll cannot be generated or confirmed
again), the export's 合计, paging through the lines, and 特殊津贴."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

pytest.importorskip("PySide6")

from openpyxl import load_workbook  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.services.allowances import load_roll, roll_lines  # noqa: E402
from app.services.demo import generate_demo  # noqa: E402
from app.ui import allowances_page, dialogs  # noqa: E402
from app.ui.allowances_page import AllowancesPage, last_month  # noqa: E402

MONTH = "2026-10"  # the demo's register is as of 2026-11-01


@pytest.fixture
def page(qtbot, engine, answers):
    generate_demo(engine, 200, seed=5)
    widget = AllowancesPage(engine)
    qtbot.addWidget(widget)
    widget.resize(1150, 700)
    widget.show()
    widget.set_month(MONTH)
    return widget


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_last_month_is_the_default():
    assert last_month(date(2026, 1, 15)) == "2025-12"
    assert last_month(date(2026, 11, 1)) == "2026-10"


def test_a_month_without_a_roll(page):
    assert "未生成" in page.status_label.text()
    assert page.generate_button.isEnabled() and page.generate_button.text() == "生成"
    assert not page.confirm_button.isEnabled() and not page.export_button.isEnabled()
    assert page.lines.rowCount() == 0


def test_generate_shows_lines_and_totals(page, qtbot, engine):
    click(qtbot, page.generate_button)
    roll = load_roll(engine, MONTH, with_lines=False)
    assert roll is not None and roll.line_count > 0 and roll.total > 0
    assert "草稿" in page.status_label.text()
    assert page.generate_button.text() == "重新生成草稿" and page.generate_button.isEnabled()
    assert page.confirm_button.isEnabled()
    assert page.lines.rowCount() == roll.line_count
    first = roll_lines(engine, MONTH, limit=1)[0]
    model = page.lines
    assert [model.index(0, c).data() for c in range(4)] == [
        first.employee_no or "", first.name, first.department or "", first.allowance_type]
    assert model.index(0, 4).data() == f"{first.amount:,.2f}"
    # totals by type and by department each end with the roll's total
    last = page.by_type.rowCount() - 1
    assert page.by_type.item(last, 0).text() == "合计"
    assert page.by_type.item(last, 2).text() == f"{roll.total:,.2f}"
    skill = next(r for r in range(last) if page.by_type.item(r, 0).text() == "技能津贴")
    assert page.by_type.item(skill, 2).text() == f"{roll.by_type['技能津贴']:,.2f}"
    dept_last = page.by_department.rowCount() - 1
    assert page.by_department.item(dept_last, 1).text() == f"{roll.total:,.2f}"
    assert page.by_department.rowCount() == len(roll.by_department) + 1
    assert f"{roll.total:,.2f}" in page.totals_label.text()


def test_confirm_freezes_the_roll(page, qtbot, engine, answers):
    click(qtbot, page.generate_button)
    roll = load_roll(engine, MONTH, with_lines=False)
    answers.yes = True
    click(qtbot, page.confirm_button)
    [question] = answers.asked
    assert "2026年10月" in question and f"{roll.workers} 人" in question and f"{roll.total:,.2f}" in question
    assert load_roll(engine, MONTH, with_lines=False).confirmed
    assert "已确认" in page.status_label.text() and "已冻结" in page.status_label.text()
    assert not page.generate_button.isEnabled()
    assert not page.confirm_button.isEnabled()
    assert page.export_button.isEnabled()
    # nothing in the page confirms or generates it a second time
    assert page.confirm() is False
    page.generate()
    assert answers.asked == [question] and answers.errors == []


def test_declining_the_question_keeps_the_draft(page, qtbot, engine, answers):
    click(qtbot, page.generate_button)
    answers.yes = False
    click(qtbot, page.confirm_button)
    assert not load_roll(engine, MONTH, with_lines=False).confirmed
    assert page.generate_button.isEnabled() and "草稿" in page.status_label.text()


def test_export_total_row_equals_the_total(page, qtbot, engine, monkeypatch, tmp_path, answers):
    click(qtbot, page.generate_button)
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(tmp_path / "发放表"))
    path = page.export()
    assert path == tmp_path / "发放表.xlsx" and path.exists()
    sheet = load_workbook(path)["津贴发放表"]
    rows = list(sheet.iter_rows(values_only=True))
    total_row = next(r for r in rows if r[0] == "合计")
    assert Decimal(str(total_row[-1])).quantize(Decimal("0.01")) == load_roll(engine, MONTH, with_lines=False).total
    assert "已导出" in answers.told[-1]


def test_lines_are_read_a_page_at_a_time(page, qtbot, engine, monkeypatch):
    monkeypatch.setattr(allowances_page, "PAGE_SIZE", 7)
    click(qtbot, page.generate_button)
    every = roll_lines(engine, MONTH)
    model = page.lines
    assert model.rowCount() == len(every) > 20
    for row in (0, 6, 7, 13, 14, len(every) - 1):
        assert model.index(row, 5).data() == every[row].rule
    assert len(model._pages) < len(every) // 7  # only the pages looked at were read


def test_double_click_opens_the_worker(page, qtbot, engine):
    click(qtbot, page.generate_button)
    opened = []
    page.open_worker.connect(opened.append)
    page.lines_view.activated.emit(page.lines.index(0, 1))
    assert opened == [roll_lines(engine, MONTH, limit=1)[0].worker_id]


def test_special_allowance_is_counted_when_generated(page, qtbot, engine, answers):
    worker_id = _some_worker(engine)
    dialog = page.special_allowance()
    assert dialog.fields["month_from"].text() == MONTH
    click(qtbot, dialog.save_button)
    assert "请在列表中选择职工" in dialog.problems.text()
    dialog.select_worker(worker_id)
    qtbot.keyClicks(dialog.fields["amount"], "300")
    dialog.fields["reason"].setText("重点项目攻关")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    assert "已登记" in answers.told[-1]
    click(qtbot, page.generate_button)
    lines = [line for line in roll_lines(engine, MONTH) if line.allowance_type == "特殊津贴"]
    assert [(line.worker_id, line.amount) for line in lines] == [(worker_id, Decimal("300.00"))]


def _some_worker(engine) -> int:
    from sqlalchemy import select

    from app.models import Worker

    with engine.connect() as conn:
        return conn.scalar(select(Worker.id).where(Worker.status == "在职").order_by(Worker.id).limit(1))
