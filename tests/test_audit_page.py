"""The 操作日志 page: lists entries newest first, filters in SQL, shows the fields before and
after of the entry selected, offers nothing to edit or delete, and only to 管理员."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QAbstractItemView, QPushButton

from app.models.users import ROLE_ADMIN, ROLE_CLERK, Actor, set_actor
from app.services import audit
from app.services.workers import save_worker
from app.ui.audit_page import AuditPage
from tests.factories import make_id

ZHANG = make_id("110105", date(1985, 3, 12), 11)


@pytest.fixture
def logged(engine):
    set_actor(engine, Actor("wang", "王经办", ROLE_CLERK))
    worker_id = save_worker(engine, {"name": "张三", "id_number": ZHANG, "department": "焊接车间", "monthly_wage": "5000"})
    set_actor(engine, Actor("li", "李经办", ROLE_CLERK))
    save_worker(engine, {"name": "张三", "id_number": ZHANG, "department": "装配车间", "monthly_wage": "5200"},
                worker_id=worker_id, expected_version=1)
    set_actor(engine, Actor("admin", "刘主任", ROLE_ADMIN))
    return engine


@pytest.fixture
def page(qtbot, logged):
    widget = AuditPage(logged)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def column(page, col: int) -> list[str]:
    model = page.model
    return [model.data(model.index(row, col)) for row in range(model.rowCount())]


def test_entries_newest_first_with_the_changes_of_the_one_selected(page):
    assert column(page, 2) == ["修改", "新增", "新增", "新增"]  # the worker, then its department and worker
    assert column(page, 1)[0] == "李经办" and column(page, 3)[0] == "职工"
    assert column(page, 4)[0] == f"张三 {ZHANG[:6]}********{ZHANG[-4:]}"
    assert page.count_label.text() == "共 4 条"
    # The first row is selected: its fields before and after.
    changes = [[page.changes.item(r, c).text() for c in range(3)] for r in range(page.changes.rowCount())]
    assert changes == [["部门", "焊接车间", "装配车间"], ["月工资", "5000.00", "5200.00"]]
    assert "修改：部门、月工资" in page.detail_title.text()


def test_filters_narrow_the_list(page, qtbot):
    page.action.setCurrentIndex(page.action.findData(audit.CHANGED))
    assert page.model.count == 1
    page.clear_filters()
    page.entity.setCurrentIndex(page.entity.findData("department"))
    assert column(page, 4) == ["装配车间", "焊接车间"]
    page.clear_filters()
    page.text.setText("装配")  # Chinese through setText: keyClicks would abort (PITFALLS.md)
    qtbot.waitUntil(lambda: page.model.count == 2)  # the department and the change that moved him
    page.clear_filters()
    page.user.setCurrentIndex(page.user.findData("li"))  # the change, and the department it made
    assert column(page, 2) == ["修改", "新增"] and set(column(page, 1)) == {"李经办"}
    page.clear_filters()
    page.date_from.set_value(date(2000, 1, 1))
    page.date_to.set_value(date(2000, 12, 31))
    assert page.model.count == 0 and page.changes.rowCount() == 0


def test_nothing_to_edit_or_delete(page):
    assert page.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert page.changes.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert [b.text() for b in page.findChildren(QPushButton)] == ["清除条件"]


def test_only_an_administrator_reads_it(qtbot, logged):
    set_actor(logged, Actor("li", "李经办", ROLE_CLERK))
    widget = AuditPage(logged)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.refused.isVisible() and not widget.body.isVisible() and widget.model.count == 0


def test_the_window_lists_the_page(qtbot, logged, answers):
    from app.ui.main_window import MainWindow

    window = MainWindow(logged)
    qtbot.addWidget(window)
    window.show()
    window.show_page("audit")
    assert window.current_page_key() == "audit" and window.pages["audit"].model.count == 4
