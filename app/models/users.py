"""Users 用户 with their roles, the one acting on each engine, and the audit log 操作日志.

The acting user belongs to the engine, not to a global: the window and the command line
each hold one engine, and a test can give two engines to two different clerks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import Boolean, DateTime, Engine, Index, Integer, String, Text, func, text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamped

ROLE_ADMIN = "管理员"
ROLE_CLERK = "经办人"
ROLE_READER = "只读"
ROLES = (ROLE_ADMIN, ROLE_CLERK, ROLE_READER)


class User(Timestamped, Base):
    """A person who signs in. `password_hash` is argon2 (argon2-cffi), never the password."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)  # 登录名
    name: Mapped[str] = mapped_column(String(64))  # 姓名, as shown in the audit log
    role: Mapped[str] = mapped_column(String(8))  # one of ROLES
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class AuditEntry(Base):
    """One line of 操作日志: who did what to which record, when, with the values before and
    after (JSON objects of the changed fields). Append-only: the migration puts triggers on
    the table that refuse UPDATE and DELETE on both SQLite and PostgreSQL."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_record", "entity", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # Local wall-clock time of the PC that made the change, as a clerk reads it.
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp(), index=True)
    user_login: Mapped[str] = mapped_column(String(64), index=True)
    user_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16), index=True)  # 新增 修改 删除 导入 确认 状态变更 …
    entity: Mapped[str] = mapped_column(String(32))  # the table, e.g. worker
    record_id: Mapped[int | None] = mapped_column(Integer)
    record_label: Mapped[str | None] = mapped_column(String(200))  # e.g. 张三 110105********002X
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    summary: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Actor:
    """Who is acting on an engine: a signed-in user, the single clerk of an embedded database
    without users, or the command line."""

    login: str
    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role in (ROLE_ADMIN, ROLE_CLERK)

    @property
    def can_manage_users(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def sees_full_id_numbers(self) -> bool:
        """SPEC §11: 证件号码 in full only for roles allowed to see it."""
        return self.role in (ROLE_ADMIN, ROLE_CLERK)


# No users in the database yet: the one clerk of the embedded default may do everything.
LOCAL_ACTOR = Actor(login="", name="本机经办人", role=ROLE_ADMIN)

_actors: WeakKeyDictionary[Engine, Actor] = WeakKeyDictionary()


def set_actor(engine: Engine, actor: Actor) -> None:
    before = actor_of(engine)
    _actors[engine] = actor
    if before.can_write != actor.can_write:
        # A 只读 user's connections are opened read-only by the database itself
        # (app.models.db): the pooled ones were opened for the role before.
        engine.dispose()


def actor_of(engine: Engine) -> Actor:
    return _actors.get(engine, LOCAL_ACTOR)
