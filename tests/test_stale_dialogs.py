"""Optimistic locking in the window: a form saved over another clerk's newer save is refused
with the record named, and 重新加载 shows what the other clerk saved (pytest-qt, two engines
on one database)."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt

from app.models.db import make_engine
from app.services import training
from app.services.enterprise import load_enterprise, save_enterprise
from app.ui.enterprise_page import EnterprisePage
from app.ui.training_page import TrainingPage
from tests.factories import add_programme


@pytest.fixture
def other(engine):
    second = make_engine(engine.url.render_as_string(hide_password=False))
    yield second
    second.dispose()


def test_programme_dialog_refuses_a_stale_save_and_reloads_in_place(qtbot, engine, other, answers):
    programme_id = add_programme(engine, date(2026, 3, 1))
    page = TrainingPage(engine)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    dialog = page.edit_programme()
    assert dialog.fields["hours"].text() == "8"

    theirs = training.load_programme(other, programme_id)  # the other clerk changes it meanwhile
    training.save_programme(other, {"name": theirs.name, "form": theirs.form, "start_date": theirs.start_date,
                                    "hours": 16, "funding_source": theirs.funding_source},
                            programme_id=programme_id, expected_version=theirs.version)

    dialog.fields["name"].setText("焊工提升班")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert answers.asked[-1].startswith(f"培训项目「{theirs.name}」在您打开之后已被修改")
    assert "重新加载" in answers.asked[-1]
    assert training.load_programme(engine, programme_id).name == theirs.name  # nothing of it landed
    # 重新加载 (answered yes): the dialog stays open, showing what the other clerk saved.
    assert dialog.isVisible() and dialog.fields["hours"].text() == "16"
    assert dialog.fields["name"].text() == theirs.name and not dialog.is_dirty()
    dialog.fields["name"].setText("焊工提升班")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    saved = training.load_programme(engine, programme_id)
    assert (saved.name, saved.hours) == ("焊工提升班", 16)


def test_enterprise_page_refuses_a_stale_save_and_offers_to_reload(qtbot, engine, other, answers):
    save_enterprise(engine, {"name": "华东机械有限公司"})
    page = EnterprisePage(engine)
    qtbot.addWidget(page)
    page.show()
    save_enterprise(other, {"name": "华东精密机械有限公司"}, expected_version=load_enterprise(other).version)
    page.widgets["principal"].setText("王强")
    answers.yes = False  # first: keep the typing, nothing reloaded
    assert not page.save()
    assert answers.asked[-1].startswith("单位信息在您打开之后已被修改")
    assert page.widgets["principal"].text() == "王强" and load_enterprise(engine).principal == ""
    answers.yes = True
    assert not page.save()
    assert page.widgets["name"].text() == "华东精密机械有限公司" and page.widgets["principal"].text() == ""
