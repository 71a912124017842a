"""Users and roles in the window (issue 9), driven with pytest-qt (offscreen): the sign-in
dialog, who is asked at start-up, a 只读 user's window and worker file, 用户管理."""

from __future__ import annotations

from datetime import date

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton

from app.errors import Refused
from app.models.users import (
    LOCAL_ACTOR,
    ROLE_ADMIN,
    ROLE_CLERK,
    ROLE_READER,
    actor_of,
    set_actor,
)
from app.services import users as u
from app.services.identity import mask_id_number
from app.services.workers import add_certificate, load_worker, save_worker
from app.ui import app as ui_app
from app.ui import sign_in
from app.ui.main_window import MainWindow
from app.ui.sign_in import SignInDialog
from app.ui.users_dialog import NewUserDialog, PasswordDialog, UsersDialog
from app.ui.worker_form import WorkerDialog
from tests.factories import make_id

FULL_ID = make_id(birth=date(1988, 7, 20), seq=11)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    monkeypatch.setattr(u, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def users(engine):
    """管理员 admin, 经办人 lisi, 只读 zhao; the engine's actor back to the local clerk after."""
    ids = {
        "admin": u.create_user(engine, "admin", "王主任", ROLE_ADMIN, "admin-pass-1"),
        "lisi": u.create_user(engine, "lisi", "李四", ROLE_CLERK, "lisi-pass-1"),
        "zhao": u.create_user(engine, "zhao", "赵六", ROLE_READER, "zhao-pass-1"),
    }
    yield ids
    set_actor(engine, LOCAL_ACTOR)


@pytest.fixture
def worker(engine) -> int:
    worker_id = save_worker(engine, {
        "employee_no": "2001", "name": "王芳", "id_type": "居民身份证", "id_number": FULL_ID,
        "hire_date": date(2012, 3, 1), "status": "在职", "contract_start": date(2012, 3, 1), "contract_open_ended": True,
    })
    add_certificate(engine, worker_id, {"kind": "职业技能等级证书", "level": "高级工", "occupation": "钳工",
                                        "issue_date": date(2020, 6, 1), "number": "Y000000000000000300001"})
    return worker_id


def signed_in_window(qtbot, engine, login, password):
    set_actor(engine, u.sign_in(engine, login, password))
    window = MainWindow(engine)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


# -- signing in --------------------------------------------------------------------------------

def test_sign_in_takes_the_right_password_with_enter(qtbot, engine, users):
    dialog = SignInDialog(engine)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    assert dialog.login.hasFocus()
    qtbot.keyClicks(dialog.login, "LiSi")
    qtbot.keyClick(dialog.login, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password, "lisi-pass-1")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor.login == "lisi" and dialog.actor.role == ROLE_CLERK


def test_a_wrong_password_is_said_in_the_dialog_and_the_login_stays(qtbot, engine, users):
    dialog = SignInDialog(engine)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.login.setText("lisi")
    dialog.password.setText("wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.problem.isVisible() and dialog.problem.text() == "用户名或密码不正确。"
    assert dialog.login.text() == "lisi" and dialog.password.text() == ""
    dialog.password.setText("lisi-pass-1")
    assert dialog.attempt() and dialog.actor.login == "lisi"


def test_without_users_the_window_opens_without_asking(engine, monkeypatch):
    asked = []
    monkeypatch.setattr(sign_in.SignInDialog, "exec", lambda self: asked.append(self) or QDialog.DialogCode.Rejected)
    assert ui_app.choose_actor(engine) == LOCAL_ACTOR and not asked
    u.create_user(engine, "admin", "王主任", ROLE_ADMIN, "admin-pass-1")
    assert ui_app.choose_actor(engine).login == "admin" and not asked  # one user: that user
    u.create_user(engine, "lisi", "李四", ROLE_CLERK, "lisi-pass-1")
    assert ui_app.choose_actor(engine) is None and len(asked) == 1  # two: sign in (cancelled here)


def test_start_up_asks_before_the_window_and_cancel_opens_nothing(db_path, engine, users, monkeypatch):
    opened = []
    monkeypatch.setattr("app.ui.sign_in.ask_sign_in", lambda *args, **kwargs: None)
    monkeypatch.setattr("app.ui.main_window.MainWindow.show", lambda self: opened.append(self))
    assert ui_app.run_window(str(db_path)) == 0
    assert opened == []


# -- a 只读 user's window -----------------------------------------------------------------------

def test_a_reader_sees_a_read_only_window(qtbot, engine, users, worker, answers):
    window = signed_in_window(qtbot, engine, "zhao", "zhao-pass-1")
    assert window.user_label.text() == "赵六（只读）" and window.user_label.isVisible()
    for action in (window.import_action, window.restore_action, window.backup_action, window.users_action):
        assert not action.isEnabled()
    workers = window.pages["workers"]
    add = next(b for b in workers.findChildren(QPushButton) if b.text() == "新增职工")
    assert not add.isEnabled() and "只读" in add.toolTip()
    window.show_page("workers")
    assert mask_id_number(FULL_ID) in [workers.model.index(0, c).data() for c in range(workers.model.columnCount())]
    subsidies = window.pages["subsidies"]
    subsidies.new_button.setEnabled(True)  # a page enabling it by selection: it stays grey
    assert not subsidies.new_button.isEnabled()


def test_a_reader_gets_the_masked_worker_file_and_cannot_save(qtbot, engine, users, worker, answers, monkeypatch):
    window = signed_in_window(qtbot, engine, "zhao", "zhao-pass-1")
    shown = []
    monkeypatch.setattr(WorkerDialog, "exec", lambda self: shown.append(self) or 0)
    window.open_worker(worker)
    (dialog,) = shown
    qtbot.addWidget(dialog)
    assert dialog.fields["id_number"].text() == mask_id_number(FULL_ID) != FULL_ID
    assert dialog.fields["id_number"].isReadOnly() and dialog.fields["name"].isReadOnly()
    assert not dialog.fields["department"].isEnabled()
    assert not dialog.save_button.isEnabled() and not dialog.delete_button.isEnabled()
    dialog.certificate_list.table.selectRow(0)  # selecting a certificate enables 撤销 for others
    assert not dialog.revoke_button.isEnabled()
    assert not dialog.is_dirty()  # nothing to lose on closing
    # The service refuses anyway, even if the form were saved.
    dialog.fields["name"].setText("王芳芳")
    assert not dialog.save()
    assert answers.errors and "赵六（只读）不能修改数据" in answers.errors[-1]
    set_actor(engine, LOCAL_ACTOR)
    assert load_worker(engine, worker).name == "王芳"


def test_a_clerk_sees_the_full_number_and_may_save(qtbot, engine, users, worker, answers, monkeypatch):
    window = signed_in_window(qtbot, engine, "lisi", "lisi-pass-1")
    assert window.user_label.text() == "李四（经办人）"
    assert window.import_action.isEnabled() and not window.users_action.isEnabled()
    shown = []
    monkeypatch.setattr(WorkerDialog, "exec", lambda self: shown.append(self) or 0)
    window.open_worker(worker)
    (dialog,) = shown
    qtbot.addWidget(dialog)
    assert dialog.fields["id_number"].text() == FULL_ID and dialog.save_button.isEnabled()
    dialog.fields["name"].setText("王芳芳")
    assert dialog.save()


def test_the_readers_export_is_masked_without_asking(qtbot, engine, users, worker, answers, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    from app.ui import dialogs

    window = signed_in_window(qtbot, engine, "zhao", "zhao-pass-1")
    out = tmp_path / "花名册.xlsx"
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(out))
    window.export_roster()
    assert not answers.asked  # nothing to choose: masked
    values = [c.value for c in load_workbook(out).active[2]]
    assert mask_id_number(FULL_ID) in values and FULL_ID not in values


def test_switching_user_rebuilds_the_window_for_the_new_role(qtbot, engine, users, answers, monkeypatch):
    window = signed_in_window(qtbot, engine, "zhao", "zhao-pass-1")
    monkeypatch.setattr("app.ui.sign_in.ask_sign_in", lambda engine, *a, **k: u.sign_in(engine, "admin", "admin-pass-1"))
    window.switch_user()
    assert actor_of(engine).login == "admin" and window.user_label.text() == "王主任（管理员）"
    assert window.users_action.isEnabled() and window.import_action.isEnabled()
    assert window.pages["subsidies"].new_button.isEnabled()


def test_opening_a_database_with_users_asks_who_signs_in(qtbot, engine, answers, monkeypatch, tmp_path):
    from app.models.db import database_url, ensure_schema, make_engine

    other = make_engine(database_url(tmp_path / "other.db"))
    ensure_schema(other)
    u.create_user(other, "admin", "王主任", ROLE_ADMIN, "admin-pass-1")
    u.create_user(other, "zhao", "赵六", ROLE_READER, "zhao-pass-1")
    other.dispose()
    window = MainWindow(engine)
    qtbot.addWidget(window)
    monkeypatch.setattr("app.ui.sign_in.ask_sign_in", lambda *a, **k: None)
    assert not window.open_database(str(tmp_path / "other.db"))  # cancelled: this one stays
    assert window.engine is engine
    monkeypatch.setattr("app.ui.sign_in.ask_sign_in", lambda e, *a, **k: u.sign_in(e, "zhao", "zhao-pass-1"))
    assert window.open_database(str(tmp_path / "other.db"))
    assert actor_of(window.engine).role == ROLE_READER and window.user_label.text() == "赵六（只读）"
    window.engine.dispose()


# -- 用户管理 -----------------------------------------------------------------------------------

@pytest.fixture
def users_dialog(qtbot, engine, users, answers):
    set_actor(engine, u.sign_in(engine, "admin", "admin-pass-1"))
    dialog = UsersDialog(engine)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill_and_accept(**values):
    def open_form(form) -> bool:
        for key, value in values.items():
            widget = form.fields[key]
            if hasattr(widget, "setText"):
                widget.setText(value)
            else:
                widget.setCurrentIndex(widget.findData(value))
        open_form.forms.append(form)
        return form.attempt()

    open_form.forms = []
    return open_form


def test_the_menu_opens_user_management_for_an_administrator_only(qtbot, engine, users, answers):
    window = signed_in_window(qtbot, engine, "admin", "admin-pass-1")
    assert window.users_action.isEnabled()
    assert [a.text() for a in window.users_action.parent().actions()][:2] == ["用户管理(&U)…", "切换用户(&W)…"]


def test_an_administrator_adds_a_user(users_dialog, engine):
    assert [users_dialog.table.item(r, 0).text() for r in range(users_dialog.table.rowCount())] == ["admin", "lisi", "zhao"]
    users_dialog.open_form = fill_and_accept(login="sunqi", name="孙七", role=ROLE_CLERK, password="sunqi-pass-1",
                                             repeat="sunqi-pass-1")
    users_dialog.add_user()
    assert "sunqi" in [users_dialog.table.item(r, 0).text() for r in range(users_dialog.table.rowCount())]
    assert users_dialog.selected().login == "sunqi"
    assert u.sign_in(engine, "sunqi", "sunqi-pass-1").role == ROLE_CLERK


def test_refused_input_is_named_on_the_form_and_kept(users_dialog, engine):
    form = NewUserDialog(engine, users_dialog)
    form.fields["login"].setText("lisi")
    form.fields["password"].setText("short")
    form.fields["repeat"].setText("short")
    assert not form.attempt()
    text = form.problems.text()
    assert "用户名：lisi 已被使用" not in text  # what was typed is checked first …
    assert "姓名：不能为空" in text and "密码：至少 8 个字符" in text
    assert form.fields["login"].text() == "lisi"
    form.fields["password"].setText("long-enough-1")
    assert not form.attempt() and "再输入一次：两次输入的密码不一致" in form.problems.text()
    form.fields["repeat"].setText("long-enough-1")
    form.fields["name"].setText("李四")
    assert not form.attempt() and "用户名：lisi 已被使用" in form.problems.text()  # … then against the database


def test_reset_password_change_role_and_deactivate_with_confirmation(users_dialog, engine, answers):
    users_dialog.select_login("lisi")
    users_dialog.open_form = fill_and_accept(password="new-pass-123", repeat="new-pass-123")
    users_dialog.reset_password()
    assert isinstance(users_dialog.open_form.forms[0], PasswordDialog)
    assert u.sign_in(engine, "lisi", "new-pass-123")
    users_dialog.open_form = fill_and_accept(role=ROLE_READER)
    users_dialog.change_role()
    assert "把 李四（lisi）的角色从经办人改为只读吗" in answers.asked[-1]
    assert u.sign_in(engine, "lisi", "new-pass-123").role == ROLE_READER
    answers.yes = False
    users_dialog.toggle_active()
    assert "停用 李四（lisi）吗" in answers.asked[-1]
    assert u.sign_in(engine, "lisi", "new-pass-123")  # not confirmed: still active
    answers.yes = True
    users_dialog.toggle_active()
    with pytest.raises(Refused, match="已停用"):
        u.sign_in(engine, "lisi", "new-pass-123")
    assert users_dialog.selected().login == "lisi" and users_dialog.active_button.text() == "启用"
    users_dialog.toggle_active()
    assert u.sign_in(engine, "lisi", "new-pass-123")


def test_the_last_administrator_stays(users_dialog, answers):
    users_dialog.select_login("admin")
    users_dialog.toggle_active()
    assert answers.errors and "不能停用自己" in answers.errors[-1]
