"""Errors that reach a person. Their text is Chinese and says what to do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import OperationalError, SQLAlchemyError


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


class Cancelled(Exception):
    """The clerk cancelled a long job; raised from its progress callback so the job's
    transaction rolls back and nothing is written."""


def describe_failure(exc: BaseException, log_path) -> str:
    """One Chinese sentence for an unexpected failure; the traceback goes to the log."""
    if isinstance(exc, OperationalError):
        return f"无法使用数据库（{_database_reason(exc)}），未写入任何数据。详细信息已写入日志：{log_path}"
    if isinstance(exc, SQLAlchemyError):
        return f"数据库操作失败，未写入任何数据。详细信息已写入日志：{log_path}"
    if isinstance(exc, OSError):
        return f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）。"
    return f"程序内部出错，未写入任何数据。请把日志文件发给技术支持：{log_path}"


def _database_reason(exc: OperationalError) -> str:
    text = str(exc.orig) if exc.orig else str(exc)
    for needle, reason in (
        ("unable to open", "无法打开数据库文件，请检查路径和权限"),
        ("locked", "数据库被其他程序占用，请稍后再试"),
        ("readonly", "数据库文件只读，无法写入"),
        ("read-only", "数据库文件只读，无法写入"),
        ("disk is full", "磁盘已满"),
        ("not a database", "该文件不是数据库"),
        ("could not connect", "无法连接数据库服务器"),
        ("connection refused", "无法连接数据库服务器"),
    ):
        if needle in text:
            return reason
    return text
