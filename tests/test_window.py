"""The main window over a real database file, driven with pytest-qt (offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.models import Worker
from app.services.demo import generate_demo
from app.ui import app as ui_app
from app.ui import dialogs
from app.ui.main_window import NOT_YET, PAGES, MainWindow


@pytest.fixture
def window(qtbot, engine, answers):
    win = MainWindow(engine)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    return win


def test_every_page_is_there_and_later_ones_say_not_yet(window, db_path):
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [label for _, label in PAGES]
    assert str(db_path) in window.database_label.text()
    for key in NOT_YET:
        window.show_page(key)
        assert "后续版本" in " ".join(label.text() for label in window.stack.currentWidget().findChildren(type(window.database_label)))
    window.show_page("home")
    assert window.current_page_key() == "home"


def test_pages_from_the_keyboard(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "workers"
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "enterprise"


def test_first_start_offers_demo_data_and_the_enterprise_form(window, monkeypatch, answers, engine):
    monkeypatch.setattr(ui_app, "DEMO_WORKERS", 60)
    ui_app.first_start(window)
    assert answers.log[0][0] == "ask" and "60 名职工" in answers.log[0][2]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Worker)) == 60
    assert window.pages["workers"].model.rowCount() > 0
    assert window.current_page_key() == "home"  # the demo brings its own 单位信息


def test_first_start_declined_opens_the_enterprise_form(window, monkeypatch, engine):
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *args: False)
    ui_app.first_start(window)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Worker)) == 0
    assert window.current_page_key() == "enterprise"  # 单位信息 still empty


def test_about_names_version_database_and_schema(window, answers, db_path):
    window.about()
    from app.models.db import head_revision

    kind, title, text = answers.log[-1]
    assert "版本" in text and str(db_path) in text and head_revision() in text


def test_backup_from_the_menu(window, monkeypatch, tmp_path, answers):
    out = tmp_path / "备份.db"
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(out))
    window.backup()
    assert out.exists() and answers.log[-1][1] == "备份完成"


def test_opening_a_worker_from_the_list(window, engine, monkeypatch):
    generate_demo(engine, 30, seed=4)
    window.data_changed(None)
    opened = []

    class FakeDialog:
        def __init__(self, engine, worker_id, parent):
            opened.append(worker_id)
            from PySide6.QtCore import QObject, Signal

            class Signals(QObject):
                saved = Signal(int)
                removed = Signal(int)

            self.signals = Signals()
            self.saved, self.removed = self.signals.saved, self.signals.removed

        def exec(self):
            return 0

    import app.ui.worker_form as worker_form

    monkeypatch.setattr(worker_form, "WorkerDialog", FakeDialog)
    page = window.pages["workers"]
    page._open_row(0)
    assert opened == [page.model.ids[0]]


def test_edit_a_worker_and_find_the_edit_in_the_list(window, engine, monkeypatch):
    generate_demo(engine, 30, seed=4)
    window.data_changed(None)
    page = window.pages["workers"]
    from app.ui import worker_form

    def edit_and_save(dialog):  # what the clerk does inside the (modal) form
        dialog.fields["name"].setText("欧阳测试")
        assert dialog.save()
        return 1

    monkeypatch.setattr(worker_form.WorkerDialog, "exec", edit_and_save)
    worker_id = page.model.ids[0]
    page._open_row(0)
    name_column = page.model.column_keys().index("name")
    assert page.model.data(page.model.index(0, name_column)) == "欧阳测试"
    page.search.setText("欧阳测试")
    assert page.model.ids == [worker_id]
    page.search.clear()
    page.search.setText("oycs")  # the initials were stored on save
    assert page.model.ids == [worker_id]
