"""Users 用户 and roles 角色: who may sign in, with which rights (管理员, 经办人, 只读).

Passwords are kept as argon2id hashes (argon2-cffi), never as text. While a database has no
user, the one clerk of the embedded default works without signing in (LOCAL_ACTOR); the first
user created must be a 管理员, and once two users are active everyone signs in. Once users
exist there is always at least one active 管理员, so nobody is ever locked out for good.

Only a 管理员 manages users. The 只读 wall itself is in app.models.db (every write passes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from app.errors import FieldErrors, FieldProblem, Refused
from app.logs import get_logger
from app.models.db import reading, unit_of_work
from app.models.users import LOCAL_ACTOR, ROLE_ADMIN, ROLES, Actor, User, actor_of
from app.services import audit
from app.services.identity import mask_id_number

log = get_logger("users")

# argon2-cffi's defaults (RFC 9106's second recommendation: argon2id, 64 MiB, 3 passes):
# about 0.15 s a sign-in on an office PC. Raising them later makes sign_in rehash.
_hasher = PasswordHasher()

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
LOGIN_MAX_LENGTH = 64
NAME_MAX_LENGTH = 64
# Letters (Chinese too), digits and . _ - @ : what a clerk types as a 用户名 on any keyboard,
# no spaces, so it reads the same in an environment variable.
_LOGIN = re.compile(r"[\w.@-]+")

LABELS = {"login": "用户名", "name": "姓名", "role": "角色", "password": "密码"}

WRONG_CREDENTIALS = "用户名或密码不正确。"


@dataclass(frozen=True)
class UserRow:
    id: int
    login: str
    name: str
    role: str
    active: bool
    version: int


def normalize_login(login: str) -> str:
    """用户名 compare without case: Zhang and zhang are one user."""
    return (login or "").strip().lower()


# -- who acts -------------------------------------------------------------------------------

def has_users(engine: Engine) -> bool:
    """False too for a database older than the users (a backup about to be upgraded)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(User.__tablename__):
            return False
        return bool(conn.scalar(select(func.count()).select_from(User)))


def _active_users(engine: Engine) -> list[User]:
    with reading(engine) as session:
        return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.id).limit(2)))


def needs_sign_in(engine: Engine) -> bool:
    """Two or more active users: whoever starts the program says who they are."""
    return len(_active_users(engine)) >= 2


def startup_actor(engine: Engine) -> Actor | None:
    """Who acts when the program starts without asking: nobody registered yet → the local
    clerk with every right; exactly one active user → that user; otherwise None (sign in)."""
    if not has_users(engine):
        return LOCAL_ACTOR
    active = _active_users(engine)
    if len(active) == 1:
        return _actor(active[0])
    return None


def refresh_actor(engine: Engine, actor: Actor) -> Actor | None:
    """`actor` as the database now has them (after a restore, or a 管理员 changed the role):
    still an active user → with their current role; the local clerk of a database that still
    has no users → unchanged; anyone else → None (sign in again)."""
    if not has_users(engine):
        return LOCAL_ACTOR if actor == LOCAL_ACTOR else None
    if not actor.login:
        return None
    with reading(engine) as session:
        user = session.scalar(select(User).where(User.login == actor.login, User.active.is_(True)))
        return _actor(user) if user is not None else None


def _actor(user: User) -> Actor:
    return Actor(login=user.login, name=user.name, role=user.role)


def sign_in(engine: Engine, login: str, password: str) -> Actor:
    """The user named, when the password is theirs. A wrong 用户名 and a wrong 密码 get the
    same answer (and take the same time), so the refusal never tells which logins exist."""
    key = normalize_login(login)
    with reading(engine) as session:
        user = session.scalar(select(User).where(User.login == key)) if key else None
        stored = user.password_hash if user is not None else None
    if stored is None:
        _verify(_dummy_hash(), password or "")
        raise Refused(WRONG_CREDENTIALS)
    if not _verify(stored, password or ""):
        log.info("sign-in refused for %s", key)
        raise Refused(WRONG_CREDENTIALS)
    if not user.active:
        raise Refused(f"用户 {user.login} 已停用，不能登录。需要时请管理员重新启用。")
    if _hasher.check_needs_rehash(stored):
        _rehash(engine, user.id, password)
    log.info("signed in: %s (%s)", user.login, user.role)
    return _actor(user)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """A hash no password matches: an unknown 用户名 costs as long as a wrong 密码."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash("no password is this one"))
    return _dummy[1]


def _rehash(engine: Engine, user_id: int, password: str) -> None:
    """Stronger argon2 parameters than the stored hash had: keep the new hash. Best effort: a
    sign-in while a 只读 user still acts on this engine (切换用户) cannot write, and the next
    sign-in tries again."""
    try:
        with unit_of_work(engine) as session:
            audit.quiet(session)  # the same password, hashed anew: nobody changed anything
            user = session.get(User, user_id)
            if user is not None:
                user.password_hash = _hasher.hash(password)
    except (Refused, SQLAlchemyError) as exc:
        log.info("password rehash postponed for user %s: %s", user_id, exc)


# -- what a role may see ---------------------------------------------------------------------

def shown_id_number(engine: Engine, number: str | None) -> str:
    """SPEC §11: the full 证件号码 only for a role allowed to see it, masked for the others."""
    if not number:
        return number or ""
    return number if actor_of(engine).sees_full_id_numbers else mask_id_number(number)


# -- managing users (管理员 only) -------------------------------------------------------------

def _require_admin(engine: Engine) -> Actor:
    actor = actor_of(engine)
    if not actor.can_manage_users:
        raise Refused(f"只有管理员可以管理用户；当前用户{actor.name}是{actor.role}，未作任何改动。")
    return actor


def list_users(engine: Engine) -> list[UserRow]:
    _require_admin(engine)
    with reading(engine) as session:
        users = session.scalars(select(User).order_by(User.active.desc(), User.login))
        return [UserRow(u.id, u.login, u.name, u.role, bool(u.active), u.version) for u in users]


def _password_problems(password: str, login: str) -> list[FieldProblem]:
    label = LABELS["password"]
    if len(password) < PASSWORD_MIN_LENGTH:
        return [FieldProblem("password", f"{label}：至少 {PASSWORD_MIN_LENGTH} 个字符，当前 {len(password)} 个")]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [FieldProblem("password", f"{label}：最多 {PASSWORD_MAX_LENGTH} 个字符")]
    if password != password.strip():
        return [FieldProblem("password", f"{label}：开头或结尾不能是空格")]
    if len(set(password)) == 1:
        return [FieldProblem("password", f"{label}：不能由同一个字符重复组成")]
    if normalize_login(password) == normalize_login(login):
        return [FieldProblem("password", f"{label}：不能与用户名相同")]
    return []


def _role_problem(role: str) -> list[FieldProblem]:
    if role not in ROLES:
        return [FieldProblem("role", f"{LABELS['role']}：应为 {'、'.join(ROLES)} 之一，而不是「{role}」")]
    return []


def create_user(engine: Engine, login: str, name: str, role: str, password: str) -> int:
    """A new user; the first one of a database must be a 管理员."""
    _require_admin(engine)
    key = normalize_login(login)
    name = (name or "").strip()
    problems: list[FieldProblem] = []
    if not key:
        problems.append(FieldProblem("login", f"{LABELS['login']}：不能为空"))
    elif len(key) > LOGIN_MAX_LENGTH:
        problems.append(FieldProblem("login", f"{LABELS['login']}：最多 {LOGIN_MAX_LENGTH} 个字符，当前 {len(key)} 个"))
    elif not _LOGIN.fullmatch(key):
        problems.append(FieldProblem("login", f"{LABELS['login']}：只能由字母、汉字、数字和 . _ - @ 组成，不能有空格"))
    if not name:
        problems.append(FieldProblem("name", f"{LABELS['name']}：不能为空"))
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(FieldProblem("name", f"{LABELS['name']}：最多 {NAME_MAX_LENGTH} 个字，当前 {len(name)} 个"))
    problems += _role_problem(role)
    problems += _password_problems(password or "", key)
    if problems:
        raise FieldErrors(problems)
    password_hash = _hasher.hash(password)  # slow on purpose: outside the transaction
    with unit_of_work(engine) as session:
        if session.scalar(select(User.id).where(User.login == key)) is not None:
            raise FieldErrors([FieldProblem("login", f"{LABELS['login']}：{key} 已被使用，请换一个")])
        if role != ROLE_ADMIN and session.scalar(select(func.count()).select_from(User)) == 0:
            raise FieldErrors([FieldProblem(
                "role", f"{LABELS['role']}：第一个用户必须是{ROLE_ADMIN}，否则没有人能管理用户"
            )])
        user = User(login=key, name=name, role=role, password_hash=password_hash, active=True)
        session.add(user)
        session.flush()
        log.info("user created: %s (%s)", key, role)
        return user.id


def _load_for_change(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise Refused("该用户已不存在，未作任何改动。")
    return user


def _keep_an_admin(session, user: User) -> None:
    """Refuse a change that would leave no active 管理员. The admins' rows are locked first
    (PostgreSQL), so two 管理员 demoting each other at once cannot both succeed."""
    admins = session.scalars(
        select(User.id).where(User.role == ROLE_ADMIN, User.active.is_(True)).with_for_update()
    ).all()
    if user.id in admins and len(admins) == 1:
        raise Refused(f"{user.name}（{user.login}）是唯一启用的管理员，必须保留；请先让另一位用户成为管理员。未作任何改动。")


def _not_yourself(actor: Actor, user: User, what: str) -> None:
    # The window would go on with rights the database no longer gives.
    if actor.login and actor.login == user.login:
        raise Refused(f"不能{what}，请由另一位管理员操作。未作任何改动。")


def change_password(engine: Engine, user_id: int, password: str) -> None:
    """A 管理员 sets a new password (a forgotten one is reset this way)."""
    _require_admin(engine)
    with reading(engine) as session:
        login = _load_for_change(session, user_id).login
    problems = _password_problems(password or "", login)
    if problems:
        raise FieldErrors(problems)
    password_hash = _hasher.hash(password)
    with unit_of_work(engine) as session:
        _load_for_change(session, user_id).password_hash = password_hash
    log.info("password set for %s", login)


def set_role(engine: Engine, user_id: int, role: str) -> None:
    actor = _require_admin(engine)
    problems = _role_problem(role)
    if problems:
        raise FieldErrors(problems)
    with unit_of_work(engine) as session:
        user = _load_for_change(session, user_id)
        if user.role == role:
            return
        _not_yourself(actor, user, "更改自己的角色")
        if user.role == ROLE_ADMIN:
            _keep_an_admin(session, user)
        user.role = role
        log.info("role of %s set to %s", user.login, role)


def deactivate(engine: Engine, user_id: int) -> None:
    """停用: the user can no longer sign in; the row stays (the 操作日志 names them)."""
    actor = _require_admin(engine)
    with unit_of_work(engine) as session:
        user = _load_for_change(session, user_id)
        if not user.active:
            return
        _not_yourself(actor, user, "停用自己")
        if user.role == ROLE_ADMIN:
            _keep_an_admin(session, user)
        user.active = False
        log.info("user deactivated: %s", user.login)


def reactivate(engine: Engine, user_id: int) -> None:
    _require_admin(engine)
    with unit_of_work(engine) as session:
        user = _load_for_change(session, user_id)
        user.active = True
        log.info("user reactivated: %s", user.login)


__all__ = [
    "LABELS",
    "PASSWORD_MIN_LENGTH",
    "WRONG_CREDENTIALS",
    "UserRow",
    "change_password",
    "create_user",
    "deactivate",
    "has_users",
    "list_users",
    "needs_sign_in",
    "normalize_login",
    "reactivate",
    "refresh_actor",
    "set_role",
    "shown_id_number",
    "sign_in",
    "startup_actor",
]
