"""Errors that reach a person. Their text is Chinese and says what to do."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError, SQLAlchemyError

# SQLite waits this long for a database another program is writing (app.models.db).
BUSY_WAIT_SECONDS = 10


class Refused(Exception):
    """The program refuses the request and has written nothing (CLI exit code 1)."""


@dataclass(frozen=True)
class FieldProblem:
    """One refused field of a form: `field` is the form's key, `message` Chinese, naming it."""

    field: str
    message: str


class FieldErrors(Refused):
    """A form's input refused; every problem is listed so the form can mark each field."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__("；".join(p.message for p in self.problems))


class StaleRecord(Refused):
    """Optimistic locking: the record changed (or vanished) since the form loaded it, so the
    save is refused and nothing of it lands. The form offers to load the record again."""

    def __init__(self, message: str = ""):
        super().__init__(message or stale_message("该记录"))


def stale_message(what: str) -> str:
    """`what` names the record as the clerk knows it, e.g. 培训项目「焊工高级班」."""
    return f"{what}在您打开之后已被修改（可能是另一位经办人），本次修改未保存。请重新加载后再改。"


class Cancelled(Exception):
    """The clerk cancelled a long job; raised from its progress callback so the job's
    transaction rolls back and nothing is written."""


def is_database_error(exc: BaseException) -> bool:
    """Raised by the database: through SQLAlchemy, or by sqlite3 or psycopg directly (the
    bulk writes of app.models.bulk use the drivers' own cursors)."""
    return isinstance(exc, (SQLAlchemyError, sqlite3.DatabaseError)) or type(exc).__module__.startswith("psycopg")


def is_conflict(exc: BaseException) -> bool:
    """A unique key or a lock another transaction holds: the work of another clerk that
    landed between this action's check and its write."""
    orig = getattr(exc, "orig", None) or exc
    name = type(orig).__name__
    return name in ("UniqueViolation", "DeadlockDetected", "SerializationFailure", "LockNotAvailable") or (
        name == "IntegrityError" and "unique" in str(orig).lower()  # sqlite3's: UNIQUE constraint failed
    )


def describe_failure(exc: BaseException, log_path) -> str:
    """One Chinese sentence for an unexpected failure; the traceback goes to the log."""
    if is_database_error(exc):
        reason = _database_reason(exc)
        # A deadlock is an OperationalError too, but the database was usable: the clerk's
        # action met another's.
        if isinstance(exc, (OperationalError, sqlite3.OperationalError)) and not is_conflict(exc):
            return f"无法使用数据库（{reason}），未写入任何数据。详细信息已写入日志：{log_path}"
        if reason.isascii():
            return f"数据库操作失败，未写入任何数据。详细信息已写入日志：{log_path}"
        return f"数据库操作失败（{reason}），未写入任何数据。详细信息已写入日志：{log_path}"
    if isinstance(exc, OSError):
        return f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）。"
    return f"程序内部出错，未写入任何数据。请把日志文件发给技术支持：{log_path}"


def _database_reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig else str(exc)
    for needle, reason in (
        # Before "locked": PostgreSQL's deadlock detail says "blocked by process …".
        ("deadlock", "与另一位经办人同时修改了相同的记录，数据库撤销了本次操作；请稍后重试"),
        ("could not serialize", "与另一位经办人同时修改了相同的记录，数据库撤销了本次操作；请稍后重试"),
        ("unique constraint", "要写入的数据与已有的数据重复（同一证件号码、证书编号或名称），可能是另一位经办人刚刚保存的；请重新查看后再试"),
        ("duplicate key", "要写入的数据与已有的数据重复（同一证件号码、证书编号或名称），可能是另一位经办人刚刚保存的；请重新查看后再试"),
        ("unable to open", "无法打开数据库文件：文件夹不存在、没有访问权限，或数据库所在的文件夹是只读的"),
        ("database is locked", f"数据库正被其他程序占用，等待 {BUSY_WAIT_SECONDS} 秒后仍未释放；请关闭其他正在使用该数据库的程序或窗口后再试"),
        ("database table is locked", f"数据库正被其他程序占用，等待 {BUSY_WAIT_SECONDS} 秒后仍未释放；请关闭其他正在使用该数据库的程序或窗口后再试"),
        ("database is busy", f"数据库正被其他程序占用，等待 {BUSY_WAIT_SECONDS} 秒后仍未释放；请关闭其他正在使用该数据库的程序或窗口后再试"),
        # PostgreSQL refusing a 只读 user's write (app.models.db opens their sessions read-only).
        ("read-only transaction", "当前用户是只读角色，只能查看，不能修改数据"),
        ("readonly", "数据库文件或其所在的文件夹是只读的，只能查看，不能修改；请检查文件的“只读”属性和文件夹的写入权限"),
        ("read-only", "数据库文件或其所在的文件夹是只读的，只能查看，不能修改；请检查文件的“只读”属性和文件夹的写入权限"),
        ("disk is full", "磁盘已满，请腾出磁盘空间后再试"),
        ("disk i/o error", "读写磁盘出错，可能是磁盘已满、文件超出大小限制或磁盘故障，请检查磁盘后再试"),
        ("malformed", "数据库文件已损坏，请从备份恢复"),
        ("not a database", "该文件不是数据库"),
        ("could not connect", "无法连接数据库服务器"),
        ("connection refused", "无法连接数据库服务器"),
    ):
        if needle in text.lower():
            return reason
    return text
