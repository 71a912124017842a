"""The window over a real database file, driven with pytest-qt (offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from app.ui import app as ui_app  # noqa: E402
from app.ui import dialogs  # noqa: E402


@pytest.fixture
def window(qtbot, engine):
    win = ui_app.MainWindow(engine)
    qtbot.addWidget(win)
    win.show()
    return win


def test_window_shows_the_database_and_its_counts(window, db_path):
    assert "SkillDesk" in window.windowTitle()
    assert str(db_path) in window.statusBar().currentMessage()
    assert "职工 <b>0</b> 名" in window.summary.text()


def test_empty_database_offers_demo_data(window, monkeypatch, tmp_path):
    monkeypatch.setattr(ui_app, "DEMO_WORKERS", 50)
    asked = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, text: asked.append(text) or True)
    window.offer_demo()
    assert asked and "50 名职工" in asked[0]
    assert "职工 <b>50</b> 名" in window.summary.text()
    window.grab().save(str(tmp_path / "home.png"))
    asked.clear()
    window.offer_demo()  # no longer empty: nothing is asked
    assert asked == []


def test_declining_demo_leaves_the_database_empty(window, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *args: False)
    window.offer_demo()
    assert "职工 <b>0</b> 名" in window.summary.text()
