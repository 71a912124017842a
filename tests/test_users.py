"""Users and roles (issue 9): sign-in, who acts at start-up, the rules of managing users."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from app.errors import FieldErrors, Refused
from app.models import User
from app.models.db import reading
from app.models.users import (
    LOCAL_ACTOR,
    ROLE_ADMIN,
    ROLE_CLERK,
    ROLE_READER,
    Actor,
    actor_of,
    set_actor,
)
from app.services import users as u


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """argon2 at its defaults costs 0.15 s a hash; the rules do not depend on the cost."""
    monkeypatch.setattr(u, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def add(engine, login, role=ROLE_ADMIN, password="secret-123", name=None) -> int:
    return u.create_user(engine, login, name or login.upper(), role, password)


def problems(exc_info) -> dict[str, str]:
    return {p.field: p.message for p in exc_info.value.problems}


def test_without_users_the_local_clerk_acts_without_signing_in(engine):
    assert not u.has_users(engine)
    assert u.startup_actor(engine) == LOCAL_ACTOR
    assert not u.needs_sign_in(engine)
    assert actor_of(engine).can_manage_users  # the one clerk of the embedded default


def test_the_first_user_must_be_an_administrator(engine):
    with pytest.raises(FieldErrors) as refused:
        add(engine, "lisi", ROLE_CLERK)
    assert "第一个用户必须是管理员" in problems(refused)["role"]
    assert not u.has_users(engine)
    add(engine, "admin")
    add(engine, "lisi", ROLE_CLERK)  # the second may be anything


def test_one_active_user_starts_without_signing_in_two_must_sign_in(engine):
    add(engine, "admin", name="王主任")
    assert u.startup_actor(engine) == Actor("admin", "王主任", ROLE_ADMIN)
    assert not u.needs_sign_in(engine)
    clerk = add(engine, "lisi", ROLE_CLERK)
    assert u.startup_actor(engine) is None and u.needs_sign_in(engine)
    u.deactivate(engine, clerk)
    assert u.startup_actor(engine).login == "admin"


def test_sign_in_with_the_right_password_gives_the_user_and_role(engine):
    add(engine, "admin")
    add(engine, "LiSi", ROLE_CLERK, password="correct horse", name="李四")
    actor = u.sign_in(engine, "lisi", "correct horse")
    assert actor == Actor("lisi", "李四", ROLE_CLERK)
    assert u.sign_in(engine, " LISI ", "correct horse") == actor  # 用户名 without case or spaces


def test_wrong_login_and_wrong_password_get_the_same_answer(engine):
    add(engine, "admin", password="secret-123")
    with pytest.raises(Refused) as wrong_password:
        u.sign_in(engine, "admin", "secret-124")
    with pytest.raises(Refused) as unknown:
        u.sign_in(engine, "nobody", "secret-123")
    with pytest.raises(Refused) as empty:
        u.sign_in(engine, "", "")
    assert str(wrong_password.value) == str(unknown.value) == str(empty.value) == "用户名或密码不正确。"


def test_an_inactive_user_cannot_sign_in(engine):
    add(engine, "admin")
    clerk = add(engine, "lisi", ROLE_CLERK, password="lisi-pass-1")
    u.deactivate(engine, clerk)
    with pytest.raises(Refused, match="已停用"):
        u.sign_in(engine, "lisi", "lisi-pass-1")
    u.reactivate(engine, clerk)
    assert u.sign_in(engine, "lisi", "lisi-pass-1").role == ROLE_CLERK


def test_passwords_are_kept_as_argon2_hashes_and_rehashed_when_the_parameters_rise(engine, monkeypatch):
    add(engine, "admin", password="secret-123")
    with reading(engine) as session:
        stored = session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$") and "secret-123" not in stored
    monkeypatch.setattr(u, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    u.sign_in(engine, "admin", "secret-123")
    with reading(engine) as session:
        rehashed = session.scalar(select(User.password_hash))
    assert rehashed != stored and "m=2048,t=2" in rehashed
    u.sign_in(engine, "admin", "secret-123")  # the new hash verifies


def test_refused_input_names_the_field(engine):
    with pytest.raises(FieldErrors) as refused:
        u.create_user(engine, "has space", "", "超级用户", "short")
    found = problems(refused)
    assert found["login"].startswith("用户名：") and "空格" in found["login"]
    assert found["name"] == "姓名：不能为空"
    assert found["role"].startswith("角色：") and "管理员、经办人、只读" in found["role"]
    assert found["password"] == "密码：至少 8 个字符，当前 5 个"
    with pytest.raises(FieldErrors) as refused:
        u.create_user(engine, "admin", "王", ROLE_ADMIN, "Admin")
    assert "至少 8 个字符" in problems(refused)["password"]
    with pytest.raises(FieldErrors) as refused:
        u.create_user(engine, "administrator", "王", ROLE_ADMIN, "Administrator")
    assert problems(refused)["password"] == "密码：不能与用户名相同"
    with pytest.raises(FieldErrors) as refused:
        u.create_user(engine, "admin", "王", ROLE_ADMIN, "aaaaaaaaaa")
    assert "同一个字符" in problems(refused)["password"]


def test_a_login_is_used_once_whatever_its_case(engine):
    add(engine, "admin")
    with pytest.raises(FieldErrors) as refused:
        add(engine, "ADMIN", ROLE_CLERK)
    assert problems(refused) == {"login": "用户名：admin 已被使用，请换一个"}
    assert add(engine, "张三", ROLE_CLERK)  # Chinese logins are letters too


def test_there_is_always_an_active_administrator(engine):
    admin = add(engine, "admin")
    clerk = add(engine, "lisi", ROLE_CLERK)
    set_actor(engine, Actor("other", "另一位", ROLE_ADMIN))  # not the admin user itself
    with pytest.raises(Refused, match="唯一启用的管理员"):
        u.deactivate(engine, admin)
    with pytest.raises(Refused, match="唯一启用的管理员"):
        u.set_role(engine, admin, ROLE_READER)
    u.set_role(engine, clerk, ROLE_ADMIN)
    u.set_role(engine, admin, ROLE_READER)  # another administrator exists now
    assert {r.login: r.role for r in u.list_users(engine)} == {"admin": ROLE_READER, "lisi": ROLE_ADMIN}


def test_an_administrator_cannot_demote_or_deactivate_themself(engine):
    add(engine, "admin")
    second = add(engine, "wang", ROLE_ADMIN)
    set_actor(engine, u.sign_in(engine, "wang", "secret-123"))
    with pytest.raises(Refused, match="不能停用自己"):
        u.deactivate(engine, second)
    with pytest.raises(Refused, match="不能更改自己的角色"):
        u.set_role(engine, second, ROLE_CLERK)


def test_an_administrator_resets_a_password(engine):
    add(engine, "admin")
    clerk = add(engine, "lisi", ROLE_CLERK, password="old-password")
    with pytest.raises(FieldErrors):
        u.change_password(engine, clerk, "short")
    u.change_password(engine, clerk, "new-password")
    with pytest.raises(Refused):
        u.sign_in(engine, "lisi", "old-password")
    assert u.sign_in(engine, "lisi", "new-password").login == "lisi"


@pytest.mark.parametrize("role", [ROLE_CLERK, ROLE_READER])
def test_only_an_administrator_manages_users(engine, role):
    add(engine, "admin")
    clerk = add(engine, "lisi", ROLE_CLERK)
    set_actor(engine, Actor("lisi", "李四", role))
    for attempt in (
        lambda: u.list_users(engine),
        lambda: add(engine, "zhao", ROLE_CLERK),
        lambda: u.change_password(engine, clerk, "another-one"),
        lambda: u.set_role(engine, clerk, ROLE_ADMIN),
        lambda: u.deactivate(engine, clerk),
    ):
        with pytest.raises(Refused, match="只有管理员可以管理用户"):
            attempt()
    set_actor(engine, LOCAL_ACTOR)
    assert [(r.login, r.role, r.active) for r in u.list_users(engine)] == [
        ("admin", ROLE_ADMIN, True), ("lisi", ROLE_CLERK, True)]
