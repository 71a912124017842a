"""The command line on a database with users (issue 9): scripts on a database without users
work unchanged; with users, SKILLDESK_USER and SKILLDESK_PASSWORD say who acts, and without
them reading verbs run as 只读 (IDs masked) while writing verbs are refused (exit 1)."""

from __future__ import annotations

import sys

import pytest
from argon2 import PasswordHasher
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.models import Worker
from app.models.users import ROLE_ADMIN, ROLE_CLERK, ROLE_READER
from app.services import users as u
from app.services.identity import mask_id_number
from tests.factories import make_id, write_roster
from tests.test_cli import ZHANG, run

PASSWORDS = {"admin": "admin-pass-1", "lisi": "lisi-pass-1", "zhao": "zhao-pass-1"}


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    monkeypatch.setattr(u, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    for name in ("SKILLDESK_USER", "SKILLDESK_PASSWORD", "SKILLDESK_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def register(capsys, engine, db_path, tmp_path):
    # After `engine`: on PostgreSQL it recreates the database the roster goes into.
    roster = write_roster(tmp_path / "r.xlsx", ["姓名", "身份证号码"], [["张三", ZHANG]])
    assert run(capsys, "--db", db_path, "import", "workers", roster)[0] == 0
    return db_path


@pytest.fixture
def users(register, engine):
    """管理员 admin, 经办人 lisi and 只读 zhao on the register."""
    u.create_user(engine, "admin", "王主任", ROLE_ADMIN, PASSWORDS["admin"])
    u.create_user(engine, "lisi", "李四", ROLE_CLERK, PASSWORDS["lisi"])
    u.create_user(engine, "zhao", "赵六", ROLE_READER, PASSWORDS["zhao"])
    return register


def as_user(monkeypatch, login, password=None):
    monkeypatch.setenv("SKILLDESK_USER", login)
    monkeypatch.setenv("SKILLDESK_PASSWORD", PASSWORDS[login] if password is None else password)


def workers(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Worker))


def another_roster(tmp_path):
    return write_roster(tmp_path / "r2.xlsx", ["姓名", "身份证号码"], [["钱七", make_id(seq=77)]])


def exported_ids(capsys, db_path, out, *extra):
    code, stdout, stderr = run(capsys, "--db", db_path, "export", "workers", "--out", out, *extra)
    assert code == 0, stderr
    return [c.value for c in load_workbook(out).active[2]], stdout, stderr


def test_without_users_scripts_work_unchanged(capsys, register, tmp_path, monkeypatch):
    # Variables set for another database name nobody here: ignored, as if unset.
    as_user(monkeypatch, "lisi")
    cells, out, err = exported_ids(capsys, register, tmp_path / "e.xlsx")
    assert ZHANG in cells and "打码" not in out and err == ""
    assert run(capsys, "--db", register, "backup", "--out", tmp_path / "b.db")[0] == 0
    code, out, _ = run(capsys, "--db", register, "user", "list")
    assert code == 0 and "还没有用户" in out


def test_the_first_user_is_an_administrator_given_with_a_password_from_the_environment(capsys, register, engine,
                                                                                         monkeypatch):
    code, _, err = run(capsys, "--db", register, "user", "add", "--login", "admin", "--name", "王主任", "--role", "管理员")
    assert code == 1 and "SKILLDESK_NEW_PASSWORD" in err  # no terminal to ask on
    monkeypatch.setenv("SKILLDESK_NEW_PASSWORD", "lisi-pass-1")
    code, _, err = run(capsys, "--db", register, "user", "add", "--login", "lisi", "--name", "李四", "--role", "经办人")
    assert code == 1 and "第一个用户必须是管理员" in err and not u.has_users(engine)
    code, _, err = run(capsys, "--db", register, "user", "add", "--login", "admin", "--name", "王主任", "--role", "超级")
    assert code == 2  # not a role: a usage error
    monkeypatch.setenv("SKILLDESK_NEW_PASSWORD", "admin-pass-1")
    code, out, _ = run(capsys, "--db", register, "user", "add", "--login", "Admin", "--name", "王主任", "--role", "管理员")
    assert code == 0 and "已新增用户 admin（王主任，管理员）" in out
    assert u.sign_in(engine, "admin", "admin-pass-1").role == ROLE_ADMIN


def test_one_user_acts_without_signing_in_the_second_makes_everyone_say_who(capsys, register, engine, monkeypatch,
                                                                             tmp_path):
    u.create_user(engine, "admin", "王主任", ROLE_ADMIN, PASSWORDS["admin"])
    monkeypatch.setenv("SKILLDESK_NEW_PASSWORD", PASSWORDS["lisi"])
    code, out, _ = run(capsys, "--db", register, "user", "add", "--login", "lisi", "--name", "李四", "--role", "经办人")
    assert code == 0 and "需要登录" in out and "SKILLDESK_USER" in out
    code, _, err = run(capsys, "--db", register, "import", "workers", another_roster(tmp_path))
    assert code == 1 and "SKILLDESK_USER" in err and "SKILLDESK_PASSWORD" in err
    assert workers(engine) == 1


@pytest.mark.parametrize("argv", [
    ("import", "workers", "ROSTER"),
    ("import", "workers", "ROSTER", "--dry-run"),
    ("demo", "--workers", "5"),
    ("allowance-roll", "--month", "2026-10", "--out", "OUT.xlsx"),
    ("subsidy", "apply", "--type", "技能竞赛奖励", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "OUT.pdf"),
    ("restore", "BACKUP"),
    ("backup", "--out", "OUT.db"),
    ("user", "list"),
])
def test_without_a_user_writing_verbs_are_refused_and_nothing_is_written(capsys, users, engine, tmp_path, argv):
    backup = tmp_path / "备份.db"
    from app.services.backup import backup_database

    backup_database(engine, backup)
    names = {"ROSTER": another_roster(tmp_path), "OUT.xlsx": tmp_path / "o.xlsx", "OUT.pdf": tmp_path / "o.pdf",
             "BACKUP": backup, "OUT.db": tmp_path / "o.db"}
    code, out, err = run(capsys, "--db", users, *(names.get(a, a) for a in argv))
    assert code == 1 and out == ""
    assert err.startswith("错误：该数据库已设有用户") and "SKILLDESK_USER=" in err
    assert workers(engine) == 1
    assert not any(p.exists() for p in (tmp_path / "o.xlsx", tmp_path / "o.pdf", tmp_path / "o.db"))


def test_without_a_user_reading_verbs_run_with_ids_masked(capsys, users, tmp_path):
    cells, out, err = exported_ids(capsys, users, tmp_path / "e.xlsx")
    assert mask_id_number(ZHANG) in cells and ZHANG not in cells
    assert "证件号码已打码" in out and "以只读身份运行" in err
    for argv in (("survey", "--as-of", "2026-10-31", "--out", tmp_path / "s.json"),
                 ("subsidy", "candidates", "--type", "技能竞赛奖励", "--from", "2026-01-01", "--to", "2026-12-31"),
                 ("fund", "--year", "2026")):
        code, _, err = run(capsys, "--db", users, *argv)
        assert code == 0, err


def test_a_user_given_in_the_environment_acts_with_their_role(capsys, users, engine, monkeypatch, tmp_path):
    as_user(monkeypatch, "lisi", "not-the-password")
    code, out, err = run(capsys, "--db", users, "import", "workers", another_roster(tmp_path))
    assert code == 1 and "用户名或密码不正确" in err and workers(engine) == 1

    as_user(monkeypatch, "zhao")  # 只读: reads, masked; writes refused by role
    code, _, err = run(capsys, "--db", users, "import", "workers", another_roster(tmp_path))
    assert code == 1 and "赵六（只读）不能修改数据" in err and workers(engine) == 1
    cells, _, err = exported_ids(capsys, users, tmp_path / "z.xlsx")
    assert ZHANG not in cells and "赵六（只读）不能查看完整的证件号码" in err

    as_user(monkeypatch, "lisi")  # 经办人: writes and sees full numbers, manages no users
    code, out, err = run(capsys, "--db", users, "import", "workers", another_roster(tmp_path))
    assert code == 0 and workers(engine) == 2
    cells, _, _ = exported_ids(capsys, users, tmp_path / "l.xlsx")
    assert ZHANG in cells
    code, _, err = run(capsys, "--db", users, "user", "list")
    assert code == 1 and "只有管理员可以管理用户" in err

    as_user(monkeypatch, "ADMIN", PASSWORDS["admin"])  # 管理员 (the 用户名 without case): manages users
    code, out, _ = run(capsys, "--db", users, "user", "list")
    assert code == 0
    assert out.splitlines() == ["用户名\t姓名\t角色\t状态", "admin\t王主任\t管理员\t启用", "lisi\t李四\t经办人\t启用",
                                "zhao\t赵六\t只读\t启用"]


def test_a_deactivated_user_is_refused(capsys, users, engine, monkeypatch):
    zhao = next(r.id for r in u.list_users(engine) if r.login == "zhao")
    u.deactivate(engine, zhao)
    as_user(monkeypatch, "zhao")
    code, _, err = run(capsys, "--db", users, "fund", "--year", "2026")
    assert code == 1 and "已停用" in err


def test_the_password_is_asked_twice_on_a_terminal(capsys, register, engine, monkeypatch):
    """`user add` without SKILLDESK_NEW_PASSWORD, run on a terminal, asks (getpass) twice."""
    import getpass

    typed = iter(["admin-pass-1", "other-pass-1", "admin-pass-1", "admin-pass-1"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    monkeypatch.setattr(sys, "stdin", type("Terminal", (), {"isatty": staticmethod(lambda: True)})())
    argv = ("--db", register, "user", "add", "--login", "admin", "--name", "王主任", "--role", "管理员")
    code, _, err = run(capsys, *argv)
    assert code == 1 and "两次输入的密码不一致" in err and not u.has_users(engine)
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert u.sign_in(engine, "admin", "admin-pass-1").login == "admin"
