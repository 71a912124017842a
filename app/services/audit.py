"""操作日志: who changed what, when, with the values before and after.

Two ways in, both inside the transaction of the change they record, so an entry lands
exactly when its change does:

- every ORM flush (`install()` hooks Session): one entry per created, changed or deleted
  row of the register's tables (新增 / 修改 / 删除; 状态变更 when its status column changed),
  with the changed fields' values before and after;
- `record()` for what the ORM never sees or what one row cannot say: a roster import, an
  allowance roll generated and confirmed, a backup or restore, demo data.

The log is append-only: nothing here updates or deletes an entry, and the database's
triggers (migration 0006) refuse UPDATE and DELETE on audit_entry whoever asks.

Values are stored as a clerk reads them: dates ISO, money "12.50", a department or worker
by name rather than by id (ids mean nothing once the row is gone), 证件号码 always masked
(the log is read by administrators, not by the bureau), scans by file name only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import (
    Connection,
    Engine,
    LargeBinary,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
)
from sqlalchemy.orm import Session

from app.models import AuditEntry
from app.models.bulk import bulk_insert_dicts
from app.models.users import actor_of
from app.services.audit_labels import (
    ENTITY_NAMES,
    EXPLICIT_ONLY,
    HIDDEN_COLUMNS,
    REASON_COLUMNS,
    SKIPPED_COLUMNS,
    STATUS_COLUMNS,
    entity_name,
    field_label,
    field_order,
    record_label,
    value_text,
)
from app.services.identity import mask_id_number
from app.services.values import money_text

ADDED, CHANGED, DELETED, STATUS = "新增", "修改", "删除", "状态变更"
IMPORTED, GENERATED, CONFIRMED, BACKED_UP, RESTORED, DEMO = "导入", "生成", "确认", "备份", "恢复", "演示数据"
ACTIONS = (ADDED, CHANGED, DELETED, STATUS, IMPORTED, GENERATED, CONFIRMED, BACKED_UP, RESTORED, DEMO)

_table = AuditEntry.__table__
# Masked wherever it appears in the log (SPEC §11).
_ID_NUMBER_COLUMNS = {("worker", "id_number")}


def now() -> datetime:
    """Local wall-clock time, to the second, as the clerk's PC shows it."""
    return datetime.now().replace(microsecond=0)


def plain(value):
    """A value as the log's JSON keeps it."""
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    return value


def as_json(values: Mapping | None) -> str | None:
    if not values:
        return None
    return json.dumps({k: plain(v) for k, v in values.items()}, ensure_ascii=False)


def entry_row(
    engine: Engine, at: datetime, action: str, entity: str, record_id=None, label=None, summary=None,
    before: Mapping | None = None, after: Mapping | None = None,
) -> dict:
    actor = actor_of(engine)
    return {
        "at": at, "user_login": actor.login, "user_name": actor.name, "action": action, "entity": entity,
        "record_id": record_id if isinstance(record_id, int) else None,
        "record_label": (label or "")[:200] or None, "summary": summary,
        "before": as_json(before), "after": as_json(after),
    }


def record(
    bind: Session | Connection,
    action: str,
    entity: str,
    record_id: int | None = None,
    label: str | None = None,
    summary: str | None = None,
    before: Mapping | None = None,
    after: Mapping | None = None,
) -> None:
    """One explicit entry, written in `bind`'s transaction (a unit_of_work session or an
    engine.begin() connection): it lands with the change it describes, or not at all."""
    conn = bind.connection() if isinstance(bind, Session) else bind
    conn.execute(insert(_table), [entry_row(conn.engine, now(), action, entity, record_id, label, summary, before, after)])


def record_rows(conn: Connection, rows: list[dict]) -> None:
    """Many prepared entries (entry_row) at once: an import's updated workers, through the
    bulk writer (app.models.bulk) the import itself uses."""
    if rows:
        bulk_insert_dicts(conn, _table, rows)


def record_backup(engine: Engine, out) -> bool:
    """备份, in the log of the database backed up, after the copy was made (the copy holds
    the log up to then). A backup is a read: a database this user may only read, a
    read-only file, or one older than the log is backed up without an entry (False)."""
    if not _may_log(engine):
        return False
    with engine.begin() as conn:
        record(conn, BACKED_UP, "database", None, Path(out).name, f"备份到 {out}", after={"file": str(out)})
    return True


def record_restore(engine: Engine, source, kept_as=None) -> None:
    """恢复, written into the restored database (the one in use from now on), naming the
    backup and where the database it replaced was kept."""
    summary = f"从备份 {source} 恢复" + (f"；恢复前的数据库另存为 {kept_as}" if kept_as else "")
    with engine.begin() as conn:
        record(conn, RESTORED, "database", None, Path(source).name, summary,
               after={"file": str(source), "kept_as": str(kept_as) if kept_as else None})


def _may_log(engine: Engine) -> bool:
    from app.models.db import is_read_only

    if not actor_of(engine).can_write or is_read_only(engine):
        return False
    return "audit_entry" in inspect(engine).get_table_names()


# ── the ORM hook ────────────────────────────────────────────────────────────────────────

class _References:
    """Labels of rows a changed row points at (its worker, department …), read once per flush."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.seen: dict[tuple[str, object], str] = {}

    def __call__(self, table_name: str, row_id) -> str:
        if row_id is None:
            return ""
        key = (table_name, row_id)
        if key not in self.seen:
            self.seen[key] = self._read(table_name, row_id)
        return self.seen[key]

    def _read(self, table_name: str, row_id) -> str:
        from app.models import Base

        table = Base.metadata.tables.get(table_name)
        if table is None or len(table.primary_key.columns) != 1:
            return f"#{row_id}"
        pk = next(iter(table.primary_key.columns))
        row = self.conn.execute(select(table).where(pk == row_id)).mappings().first()
        if row is None:
            return f"#{row_id}"
        return record_label(table_name, row, self) or f"#{row_id}"


def _shown(entity: str, column, value, refs: _References):
    """A column's value as the log keeps it: masked, by name, or hidden."""
    key = column.key
    if value is None:
        return None
    hidden = HIDDEN_COLUMNS.get((entity, key))
    if hidden is not None:
        return hidden
    if (entity, key) in _ID_NUMBER_COLUMNS:
        return mask_id_number(str(value))
    if column.foreign_keys:
        return refs(next(iter(column.foreign_keys)).column.table.name, value)
    return plain(value)


def _columns(mapper):
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if attr.key in SKIPPED_COLUMNS or (column.primary_key and attr.key == "id"):
            continue
        if isinstance(column.type, LargeBinary):
            continue  # a scan's content: its file name says enough
        yield attr.key, column


def _status_summary(entity: str, status_key: str, before: dict, after: dict, others: list[str]) -> str:
    text = (f"{field_label(entity, status_key)}：{value_text(entity, status_key, before.get(status_key))}"
            f" → {value_text(entity, status_key, after.get(status_key))}")
    reasons = [f"{field_label(entity, k)}：{after[k]}" for k in REASON_COLUMNS if after.get(k)]
    rest = [field_label(entity, k) for k in others if k not in REASON_COLUMNS]
    if reasons:
        text += "；" + "；".join(reasons)
    if rest:
        text += "；另改：" + "、".join(rest)
    return text


def _entry_of(state, kind: str, refs: _References, engine: Engine, at: datetime) -> dict | None:
    mapper = state.mapper
    entity = mapper.local_table.name
    if entity not in ENTITY_NAMES or entity in EXPLICIT_ONLY:
        return None
    values = {key: state.dict.get(key) for key, _column in _columns(mapper)}
    pk = [state.dict.get(c.key) for c in mapper.primary_key]
    values["id"] = pk[0] if len(pk) == 1 else None
    before: dict = {}
    after: dict = {}
    if kind in (ADDED, DELETED):
        shown = {k: _shown(entity, c, state.dict.get(k), refs) for k, c in _columns(mapper)}
        filled = {k: v for k, v in shown.items() if v not in (None, "")}
        before, after = ({}, filled) if kind == ADDED else (filled, {})
        action, summary = kind, f"{kind}{entity_name(entity)}"
    else:
        for key, column in _columns(mapper):
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            old, new = _shown(entity, column, old, refs), _shown(entity, column, new, refs)
            if old == new and (entity, key) not in HIDDEN_COLUMNS:
                continue
            before[key], after[key] = old, new
        if not after:
            return None  # only bookkeeping (version, updated_at) changed
        changed = field_order(entity, after)
        status_key = STATUS_COLUMNS.get(entity)
        if status_key in after:
            action = STATUS
            summary = _status_summary(entity, status_key, before, after, [k for k in changed if k != status_key])
        else:
            action = CHANGED
            summary = "修改：" + "、".join(field_label(entity, k) for k in changed)
    label = record_label(entity, values, refs)
    return entry_row(engine, at, action, entity, values["id"], label, summary, before, after)


_QUIET = "skilldesk_audit_quiet"


def quiet(session: Session) -> None:
    """This session's writes are bookkeeping nobody did (a password hash renewed at sign-in
    with stronger parameters): the log does not list them."""
    session.info[_QUIET] = True


def _after_flush(session: Session, _context) -> None:
    # Pre-flush state is still readable here (new/dirty/deleted and attribute history),
    # and new rows have their ids; the entries go through the flush's own connection.
    if session.info.get(_QUIET) or not (session.new or session.dirty or session.deleted):
        return
    conn = session.connection()
    refs = _References(conn)
    engine, at = conn.engine, now()
    rows = []
    for kind, objects in ((ADDED, session.new), (CHANGED, session.dirty), (DELETED, session.deleted)):
        for obj in objects:
            state = inspect(obj)
            if kind == CHANGED and not session.is_modified(obj):
                continue
            row = _entry_of(state, kind, refs, engine, at)
            if row is not None:
                rows.append(row)
    if rows:
        rows.sort(key=lambda r: (r["entity"], r["record_id"] or 0))  # the same order every time
        conn.execute(insert(_table), rows)


def install() -> None:
    """Hook every Session of the program (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


install()


# ── reading the log ─────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class AuditFilter:
    """What the 操作日志 page asks for. Empty / None means any."""

    text: str = ""
    user: str | None = None  # a user_login ("" is the 本机经办人 of a database without users)
    action: str | None = None
    entity: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    user: str
    action: str
    entity: str
    entity_name: str
    record_id: int | None
    label: str
    summary: str


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    before: str
    after: str


def _conditions(flt: AuditFilter) -> list:
    c = _table.c
    where = []
    text = (flt.text or "").strip()
    if text:
        pattern = f"%{text}%"
        where.append(or_(c.record_label.ilike(pattern), c.summary.ilike(pattern), c.user_name.ilike(pattern),
                         c.before.ilike(pattern), c.after.ilike(pattern)))
    if flt.user is not None:
        where.append(c.user_login == flt.user)
    if flt.action:
        where.append(c.action == flt.action)
    if flt.entity:
        where.append(c.entity == flt.entity)
    if flt.date_from:
        where.append(c.at >= datetime.combine(flt.date_from, datetime.min.time()))
    if flt.date_to:
        where.append(c.at < datetime.combine(flt.date_to + timedelta(days=1), datetime.min.time()))
    return where


def count_audit(bind: Engine | Connection, flt: AuditFilter = AuditFilter()) -> int:
    with _connected(bind) as conn:
        return conn.scalar(select(func.count()).select_from(_table).where(*_conditions(flt)))


def search_audit(
    bind: Engine | Connection, flt: AuditFilter = AuditFilter(), *, offset: int = 0, limit: int | None = 200
) -> list[AuditRow]:
    """Entries matching `flt`, newest first, filtered and paged in SQL."""
    c = _table.c
    query = (
        select(c.id, c.at, c.user_name, c.user_login, c.action, c.entity, c.record_id, c.record_label, c.summary)
        .where(*_conditions(flt)).order_by(c.at.desc(), c.id.desc()).offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    with _connected(bind) as conn:
        return [
            AuditRow(r.id, r.at, r.user_name or r.user_login, r.action, r.entity, entity_name(r.entity), r.record_id,
                     r.record_label or "", r.summary or "")
            for r in conn.execute(query)
        ]


def audit_users(bind: Engine | Connection) -> list[tuple[str, str]]:
    """(login, name) of everyone who appears in the log, for the 用户 filter."""
    with _connected(bind) as conn:
        rows = conn.execute(select(_table.c.user_login, func.max(_table.c.user_name)).group_by(_table.c.user_login))
        return sorted(((login, name) for login, name in rows), key=lambda r: r[1])


def entry_changes(bind: Engine | Connection, entry_id: int) -> list[FieldChange]:
    """The fields of one entry, before and after, in the order the form shows them."""
    with _connected(bind) as conn:
        row = conn.execute(select(_table.c.entity, _table.c.before, _table.c.after).where(_table.c.id == entry_id)).first()
    if row is None:
        return []
    before = json.loads(row.before) if row.before else {}
    after = json.loads(row.after) if row.after else {}
    return [
        FieldChange(key, field_label(row.entity, key), value_text(row.entity, key, before.get(key)),
                    value_text(row.entity, key, after.get(key)))
        for key in field_order(row.entity, {**before, **after})
    ]


class _connected:
    """An Engine opens (and closes) a connection; a Connection is used as it is."""

    def __init__(self, bind):
        self.bind = bind
        self.conn = None

    def __enter__(self) -> Connection:
        if isinstance(self.bind, Connection):
            return self.bind
        self.conn = self.bind.connect()
        return self.conn

    def __exit__(self, *exc) -> None:
        if self.conn is not None:
            self.conn.close()


def entities() -> list[tuple[str, str]]:
    """(entity, Chinese name) for the 对象 filter."""
    return list(ENTITY_NAMES.items())
