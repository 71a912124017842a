"""Roster import 花名册导入 (SPEC §9).

Two phases. `check_roster` reads the whole file and the database and produces a plan or
a list of problems; it writes nothing. `apply_plan` writes a clean plan in one
transaction. `import_roster` does both; a dry run stops after the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, bindparam, insert, select, update

from app.errors import Refused, StaleRecord, is_conflict, is_database_error
from app.models import Certificate, Department, LaborContract, Occupation, Worker
from app.models.bulk import bulk_insert
from app.services import audit, identity
from app.services.audit_labels import field_label, field_order
from app.services.batch import cyclic_gc_paused
from app.services.levels import (
    KIND_QUALIFICATION,
    KIND_SKILL_LEVEL,
    LEVEL_BEARING_KINDS,
    LEVEL_NAMES,
    LevelParseError,
    parse_level,
)
from app.services.pinyin import name_initials
from app.services.roster_sheet import COLUMNS, column_letter, read_roster_sheet
from app.services.text import squash
from app.services.values import (
    ValueProblem,
    add_years,
    cell_text,
    parse_date_or_month,
    parse_money,
)
from app.services.vocab import (
    STATUS_ACTIVE,
    VocabError,
    parse_certificate_kind,
    parse_education,
    parse_gender,
    parse_route,
    parse_yes_no,
)

_ID_TYPE_SYNONYMS = {
    "身份证": identity.ID_TYPE_RESIDENT, "居民身份证": identity.ID_TYPE_RESIDENT,
    "港澳台居民居住证": identity.ID_TYPE_HMT, "港澳台居住证": identity.ID_TYPE_HMT,
    "外国人永久居留身份证": identity.ID_TYPE_FOREIGN, "外国人永久居留证": identity.ID_TYPE_FOREIGN,
    "护照": identity.ID_TYPE_PASSPORT,
}
_OPEN_ENDED = {"无固定期限", "无固定", "长期", "无期限"}
# What clerks write in an optional cell that has nothing to say: it counts as blank.
PLACEHOLDERS = {"无", "暂无", "没有", "/", "／", "\\", "-", "－", "—", "——", "--", "空", "空白", "N/A", "n/a", "NA", "null", "NULL"}
# Text in the 姓名 column of a row without an ID number that marks a footer, not a person.
_FOOTER_WORDS = ("合计", "小计", "总计", "共计", "以下空白", "以下无", "注", "说明", "制表", "填表", "审核", "审批",
                 "盖章", "负责人", "经办人", "日期", "备注")
_NO_TEXT = dict.fromkeys(COLUMNS, "")
_CERT_COLUMNS = ("技能等级", "证书类别", "证书编号", "发证日期", "发证机构", "评价方式")
DUPLICATE_MODES = ("update", "skip", "error")
MIN_WORKING_AGE = 16
# Text no longer than its database column, as the worker form (app/services/workers.py)
# requires: SQLite would store a 10,000-character 姓名 that the form then cannot save,
# and PostgreSQL would refuse it only at the write, naming no row.
_TEXT_LIMITS = {
    column: model.__table__.c[field].type.length
    for column, model, field in (
        ("姓名", Worker, "name"), ("工号", Worker, "employee_no"), ("岗位", Worker, "post"),
        ("联系电话", Worker, "phone"), ("部门", Department, "name"), ("工种", Occupation, "name"),
        ("证书编号", Certificate, "number"), ("发证机构", Certificate, "issuing_body"),
    )
}
_ID_NUMBER_LIMIT = Worker.__table__.c.id_number.type.length  # a 护照 number is checked for nothing else

# Worker columns a new row carries as read, then those apply_plan derives.
_NEW_WORKER_TEXT = (
    "employee_no", "name", "id_type", "id_number", "gender", "birth_date", "education", "post",
    "hire_date", "monthly_wage", "phone",
)
_NEW_WORKER_COLUMNS = (
    *_NEW_WORKER_TEXT, "name_initials", "department_id", "occupation_id", "is_frontline", "is_team_leader", "status",
)
_CERTIFICATE_FIELDS = ("kind", "level_rank", "number", "issue_date", "issuing_body", "evaluation_route")

# Worker columns compared and written on update, in the order of the Worker model.
_WORKER_FIELDS = (
    "employee_no", "name", "gender", "birth_date", "education", "department_id", "post",
    "occupation_id", "is_frontline", "is_team_leader", "hire_date", "monthly_wage", "phone",
)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str
    column_letter: str = ""
    position: int = field(default=-1, compare=False)  # the column's index, to list a row's problems left to right

    def __str__(self) -> str:
        where = f"{self.column}（{self.column_letter}列）" if self.column_letter else self.column
        return f"第{self.row}行，{where}「{self.value}」：{self.reason}"


@dataclass
class RosterRow:
    row: int
    worker: dict  # Worker columns; department/occupation by name until the plan resolves them
    present: set[str]  # worker fields whose cells were filled (update only touches those)
    contract: tuple[date, date | None] | None = None
    certificate: dict | None = None


@dataclass
class ImportReport:
    file: str
    header_row: int = 0
    data_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    new_workers: int = 0
    updated_workers: int = 0
    unchanged_workers: int = 0
    skipped_workers: int = 0
    new_contracts: int = 0
    updated_contracts: int = 0
    new_certificates: int = 0
    existing_certificates: int = 0
    new_departments: list[str] = field(default_factory=list)
    new_occupations: list[str] = field(default_factory=list)
    written: bool = False
    sheet: str = ""
    columns: dict[str, int] = field(default_factory=dict)  # canonical column → index in the sheet
    headers: dict[str, str] = field(default_factory=dict)  # canonical column → its header as written

    def problem(self, row: int, column: str, value, reason: str) -> Problem:
        index = self.columns.get(column, -1)
        letter = column_letter(index) if index >= 0 else ""
        found = Problem(row, column, "" if value is None else str(value), reason, letter, index)
        self.problems.append(found)
        return found

    def sort_problems(self) -> None:
        self.problems.sort(key=lambda p: (p.row, p.position))

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verb = "已" if self.written else "将"
        parts = [
            f"{verb}新增职工 {self.new_workers} 名",
            f"更新 {self.updated_workers} 名",
            f"无变化 {self.unchanged_workers} 名",
            f"跳过 {self.skipped_workers} 名",
            f"新增证书 {self.new_certificates} 张（已有 {self.existing_certificates} 张未重复添加）",
            f"新增合同 {self.new_contracts} 份、更新 {self.updated_contracts} 份",
        ]
        if self.new_departments:
            parts.append(f"新增部门 {len(self.new_departments)} 个")
        if self.new_occupations:
            parts.append(f"新增工种 {len(self.new_occupations)} 个")
        return f"{Path(self.file).name}：数据 {self.data_rows} 行；" + "，".join(parts) + "。"


@dataclass
class ImportPlan:
    report: ImportReport
    on_duplicate: str
    new: list[RosterRow] = field(default_factory=list)
    updates: list[tuple[int, dict]] = field(default_factory=list)  # worker id, changed fields
    contracts_new: list[dict] = field(default_factory=list)
    contracts_changed: list[tuple[int, date, date | None]] = field(default_factory=list)  # worker, start, new end
    certificates_new: list[dict] = field(default_factory=list)
    # Rows whose worker is not in the database yet: their contract and certificate wait
    # for the worker's new id.
    pending_contracts: list[tuple[RosterRow, tuple[date, date | None]]] = field(default_factory=list)
    pending_certificates: list[tuple[RosterRow, dict]] = field(default_factory=list)
    certificate_numbers: list[tuple[int, str]] = field(default_factory=list)  # unnumbered certificate id, its number
    # For the 操作日志: each existing worker the import changes, with the fields before and after.
    changed: dict[int, tuple[str, dict, dict]] = field(default_factory=dict)  # worker id → (label, before, after)
    # Every existing worker the import writes to, with the version checked: a worker saved
    # by a clerk between the check and the write refuses the import (optimistic locking).
    versions: dict[int, tuple[int, str]] = field(default_factory=dict)  # worker id → (version, label)


class _RowReader:
    """Turns one sheet row into clean values, collecting every problem of the row."""

    def __init__(self, row_no: int, cells: list, columns: dict[str, int], today: date, memo: dict):
        self.row_no = row_no
        self.columns = columns
        self.today = today
        self.memo = memo  # (parser, raw value) → (value, error), shared by all rows of a file
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.month_only: list[str] = []  # date columns given as a month alone
        width = len(cells)
        self.values = {
            name: (None if index >= width or cells[index] == "" else cells[index]) for name, index in columns.items()
        }
        # Every cell as text, once: rows are read many times over (presence, value,
        # message), and a plain dict lookup is the cheapest way to do it 100,000 times.
        self.texts = dict(_NO_TEXT)
        for name, value in self.values.items():
            if value is not None:
                text = cell_text(value)
                if text in PLACEHOLDERS:
                    self.values[name] = None
                else:
                    self.texts[name] = text

    def raw(self, column: str):
        return self.values.get(column)

    def text(self, column: str) -> str:
        return self.texts[column]

    def problem(self, column: str, reason: str, value=None) -> None:
        shown = self.texts[column] if value is None else str(value)
        index = self.columns.get(column, -1)
        letter = column_letter(index) if index >= 0 else ""
        self.problems.append(Problem(self.row_no, column, shown, reason, letter, index))

    def parsed(self, column: str, parser: Callable, *errors: type[Exception]):
        raw = self.values.get(column)
        if raw is None or self.texts[column] == "":
            return None
        # A roster repeats the same few values down a column (部门, 学历, 是/否, dates,
        # wages): parse each distinct value once. Parsers are pure, so errors repeat too.
        key = (parser, raw.__class__, raw)
        found = self.memo.get(key)
        if found is None:
            try:
                found = (parser(raw), None)
            except (ValueProblem, VocabError, LevelParseError, *errors) as exc:
                found = (None, str(exc))
            self.memo[key] = found
        if found[1] is not None:
            self.problem(column, found[1])
        return found[0]

    def date(self, column: str, *, future_ok: bool = False) -> date | None:
        found = self.parsed(column, parse_date_or_month)
        if found is None:
            return None
        value, month_only = found
        if month_only:
            self.month_only.append(column)
        if not future_ok and value > self.today:
            self.problem(column, "日期晚于今天")
            return None
        return value


def _clean_name(raw: str) -> str:
    # Clerks pad two-character names to line up (张  三); only CJK names lose inner spaces.
    compact = "".join(raw.split())
    if compact == raw:
        return raw
    if compact and all("\u3400" <= ch <= "\u9fff" or ch == "·" for ch in compact):
        return compact
    return re.sub(r"\s+", " ", raw).strip()


def _read_row(reader: _RowReader) -> RosterRow | None:
    worker: dict = {}
    present: set[str] = set()
    for column, limit in _TEXT_LIMITS.items():
        if column in reader.columns and len(reader.texts[column]) > limit:
            reader.problem(column, f"最多 {limit} 个字，当前 {len(reader.texts[column])} 个")

    name = _clean_name(reader.texts["姓名"])
    if not name:
        reader.problem("姓名", "不能为空")
    worker["name"] = name
    present.add("name")

    id_type_text = reader.texts["证件类型"]
    id_type = identity.ID_TYPE_RESIDENT
    if id_type_text:
        id_type = _ID_TYPE_SYNONYMS.get(squash(id_type_text))
        if id_type is None:
            reader.problem("证件类型", f"无法识别，应为 {'/'.join(identity.ID_TYPES)} 之一")
    raw_id = reader.raw("证件号码")
    info = None
    if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool) and abs(raw_id) >= 1e15:
        reader.problem(
            "证件号码",
            "Excel 把证件号码存成了数字，末尾几位已经丢失；请把该列设为「文本」格式后重新录入号码",
        )
    elif "*" in reader.texts["证件号码"]:
        reader.problem("证件号码", "号码已打码（导出时选了「证件号码打码」），无法导入；请使用未打码的花名册")
    elif id_type is not None:
        try:
            info = identity.check_id_number(id_type, cell_text(raw_id), today=reader.today)
        except identity.CheckError as exc:
            reader.problem("证件号码", str(exc))
    if info is not None and len(info.number) > _ID_NUMBER_LIMIT:
        reader.problem("证件号码", f"最多 {_ID_NUMBER_LIMIT} 个字，当前 {len(info.number)} 个")
        info = None
    if info is not None:
        worker.update(id_type=info.id_type, id_number=info.number)
        worker["gender"], worker["birth_date"] = info.gender, info.birth_date
        present.update(("gender", "birth_date"))

    gender = reader.parsed("性别", parse_gender)
    if gender:
        if info is not None and info.gender and gender != info.gender:
            reader.problem("性别", f"与证件号码不符（证件号码表明为{info.gender}）")
        worker["gender"] = worker.get("gender") or gender
        present.add("gender")
    birth = reader.date("出生日期")
    if birth:
        if info is not None and info.birth_date and birth != info.birth_date:
            reader.problem("出生日期", f"与证件号码不符（证件号码表明为 {info.birth_date:%Y-%m-%d}）")
        worker["birth_date"] = worker.get("birth_date") or birth
        present.add("birth_date")
    birth = worker.get("birth_date")

    for column, key in (("工号", "employee_no"), ("岗位", "post"), ("联系电话", "phone")):
        if text := reader.texts[column]:
            worker[key] = text
            present.add(key)
    for column, key in (("部门", "department"), ("工种", "occupation")):
        if text := reader.texts[column]:
            worker[key] = text
            present.add(f"{key}_id")
    for column, key, parser in (
        ("学历", "education", parse_education),
        ("月工资", "monthly_wage", parse_money),
    ):
        value = reader.parsed(column, parser)
        if value is not None:
            worker[key] = value
            present.add(key)
    for column, key in (("是否一线职工", "is_frontline"), ("是否班组长", "is_team_leader")):
        if column in reader.columns:
            value = reader.parsed(column, parse_yes_no)
            worker[key] = bool(value)
            present.add(key)

    hire = reader.date("入职日期", future_ok=True)  # a new hire may be entered before day one
    if hire:
        if birth and hire < add_years(birth, MIN_WORKING_AGE):
            reader.problem("入职日期", f"入职时未满 {MIN_WORKING_AGE} 周岁（出生日期 {birth:%Y-%m-%d}）")
        worker["hire_date"] = hire
        present.add("hire_date")

    contract = _read_contract(reader, hire)
    certificate = _read_certificate(reader, birth, worker.get("occupation"))
    if reader.problems:
        return None
    return RosterRow(reader.row_no, worker, present, contract, certificate)


def _read_contract(reader: _RowReader, hire: date | None) -> tuple[date, date | None] | None:
    start = reader.date("合同起始日", future_ok=True)  # renewals are signed ahead
    end_text = reader.texts["合同终止日"]
    open_ended = squash(end_text) in _OPEN_ENDED
    end = None
    if end_text and not open_ended:
        end = reader.date("合同终止日", future_ok=True)
    has_end = end is not None or open_ended
    if start is None and has_end and not reader.texts["合同起始日"]:
        start = hire  # an end without a start: the contract runs from the hire date
    if start is None:
        if has_end and not reader.texts["合同起始日"] and not reader.texts["入职日期"]:
            # Incomplete rather than wrong: keep the worker, say what was left out.
            reader.warnings.append(
                f"第{reader.row_no}行：填写了合同终止日「{end_text}」，但没有合同起始日和入职日期，该劳动合同未导入"
            )
        return None
    if end is not None and end <= start:
        reader.problem("合同终止日", f"合同终止日应晚于起始日（{start:%Y-%m-%d}）")
        return None
    return start, end


def _read_certificate(reader: _RowReader, birth: date | None, occupation: str | None) -> dict | None:
    if not any(reader.texts[column] for column in _CERT_COLUMNS):
        return None
    number = reader.texts["证书编号"].replace(" ", "").upper() or None
    kind = reader.parsed("证书类别", parse_certificate_kind)
    if kind is None and not reader.texts["证书类别"]:
        # The number's shape says which kind it is; a new-style level certificate otherwise.
        kind = KIND_QUALIFICATION if number and re.fullmatch(r"\d{16}", number) else KIND_SKILL_LEVEL
    rank = reader.parsed("技能等级", parse_level)
    if kind in LEVEL_BEARING_KINDS and rank is None and not reader.texts["技能等级"]:
        reader.problem("技能等级", f"{kind}须填写技能等级", value="")
    elif kind is not None and kind not in LEVEL_BEARING_KINDS and rank is not None:
        reader.warnings.append(f"第{reader.row_no}行：{kind}不设等级，所填「{reader.texts['技能等级']}」未采用")
        rank = None
    issued = reader.date("发证日期")
    if issued and birth and issued < add_years(birth, MIN_WORKING_AGE):
        reader.problem("发证日期", f"发证时未满 {MIN_WORKING_AGE} 周岁（出生日期 {birth:%Y-%m-%d}），请核对")
    if issued is None and not reader.texts["发证日期"] and rank is not None:
        reader.warnings.append(
            f"第{reader.row_no}行：未填发证日期，等级 {LEVEL_NAMES[rank]} 计入现有等级，但取得日期不详"
        )
    if number and kind:
        warning = identity.cert_number_level_warning(kind, number, rank)
        if warning:
            reader.warnings.append(f"第{reader.row_no}行，证书编号「{number}」：{warning}")
    return {
        "kind": kind,
        "level_rank": rank,
        "number": number,
        "issue_date": issued,
        "issuing_body": reader.texts["发证机构"] or None,
        "evaluation_route": reader.parsed("评价方式", parse_route),
        "occupation": occupation,
    }


def check_roster(
    engine: Engine,
    path: str | Path,
    *,
    on_duplicate: str = "update",
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """Read and check the whole file against itself and the database; write nothing.
    `progress(rows_done, rows_total)` is called now and then (and may raise Cancelled)."""
    with cyclic_gc_paused():
        return _check_roster(engine, path, on_duplicate, today, progress)


def _check_roster(engine, path, on_duplicate, today, progress) -> ImportPlan:
    if on_duplicate not in DUPLICATE_MODES:
        raise ValueError(on_duplicate)
    path = Path(path)
    today = today or date.today()
    report = ImportReport(str(path))
    sheet = read_roster_sheet(path)
    columns = sheet.columns
    report.sheet, report.columns, report.header_row = sheet.sheet, columns, sheet.header_index + 1
    header_cells = sheet.rows[sheet.header_index]
    report.headers = {
        name: cell_text(header_cells[index]) if index < len(header_cells) else "" for name, index in columns.items()
    }
    report.warnings.extend(sheet.notes)
    if sheet.ignored:
        report.ignored_columns = sheet.ignored
        report.warnings.append("以下列未识别，已忽略：" + "、".join(sheet.ignored))

    parsed: list[RosterRow] = []
    not_people: list[int] = []
    month_only: list[tuple[int, str]] = []
    memo: dict = {}
    data = sheet.rows[sheet.header_index + 1 :]
    for offset, cells in enumerate(data, start=sheet.header_index + 2):
        if progress and offset % 2000 == 0:
            progress(offset, len(data))
        if _is_blank(cells):
            continue
        reader = _RowReader(offset, cells, columns, today, memo)
        if not reader.texts["证件号码"] and _is_footer(reader.texts["姓名"]):
            not_people.append(offset)  # 合计 / 制表人 / a template row holding only a 序号
            continue
        report.data_rows += 1
        row = _read_row(reader)
        report.problems.extend(reader.problems)
        report.warnings.extend(reader.warnings)
        month_only.extend((offset, column) for column in reader.month_only)
        if row is not None:
            parsed.append(row)
    if month_only:
        row_no, column = month_only[0]
        report.warnings.append(
            f"{len(month_only)} 个日期只写了年月（如第{row_no}行的{column}），已按当月1日记录"
        )
    if not_people:
        report.warnings.append(f"{_row_ranges(not_people)}没有证件号码，不是职工数据（如合计、制表人、空白行），已跳过")
    if report.data_rows == 0:
        raise Refused(f"{path.name} 的表头（工作表「{sheet.sheet}」第{report.header_row}行）下面没有职工数据。")

    _check_within_file(parsed, report)
    plan = ImportPlan(report, on_duplicate)
    with engine.connect() as conn:
        _plan_against_database(conn, parsed, plan)
    return plan


def _is_footer(name: str) -> bool:
    return not name or ":" in name or "：" in name or any(word in name for word in _FOOTER_WORDS)


def _row_ranges(rows: list[int], most: int = 8) -> str:
    """第3、5–9、12行 — rows as the clerk reads them, runs folded."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:most]]
    more = "等" if len(runs) > most else ""
    return f"第{'、'.join(parts)}{more}行"


def _is_blank(cells: list) -> bool:
    return all(cell == "" or cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _check_within_file(rows: list[RosterRow], report: ImportReport) -> None:
    """The same ID, 工号 or certificate number twice in one file is an error in the later row."""
    seen: dict[str, dict] = {"证件号码": {}, "工号": {}, "证书编号": {}}
    for row in rows:
        keys = {
            "证件号码": (row.worker.get("id_type"), row.worker.get("id_number")),
            "工号": row.worker.get("employee_no"),
            "证书编号": (row.certificate or {}).get("number"),
        }
        for column, key in keys.items():
            if not key or key == (None, None):
                continue
            first = seen[column].setdefault(key, row.row)
            if first != row.row:
                shown = key[1] if isinstance(key, tuple) else key
                report.problem(row.row, column, shown, f"与第{first}行重复")
    report.sort_problems()


def _plan_against_database(conn, rows: list[RosterRow], plan: ImportPlan) -> None:
    report = plan.report
    departments = dict(conn.execute(select(Department.name, Department.id)).all())
    occupations = dict(conn.execute(select(Occupation.name, Occupation.id)).all())
    department_names = {v: k for k, v in departments.items()}
    occupation_names = {v: k for k, v in occupations.items()}
    worker_table = Worker.__table__
    existing = {
        (row.id_type, row.id_number): row
        for row in conn.execute(
            select(worker_table.c.id, worker_table.c.version,
                   *(worker_table.c[f] for f in ("id_type", "id_number", *_WORKER_FIELDS)))
        )
    }
    by_employee_no = {row.employee_no: row for row in existing.values() if row.employee_no}
    cert_owner = {
        number: worker_id
        for number, worker_id in conn.execute(
            select(Certificate.number, Certificate.worker_id).where(Certificate.number.is_not(None))
        )
    }
    # A certificate first imported without a number, then again with one: the same certificate.
    unnumbered = {
        (c.worker_id, c.kind, c.level_rank, c.issue_date): c.id
        for c in conn.execute(
            select(Certificate.id, Certificate.worker_id, Certificate.kind, Certificate.level_rank, Certificate.issue_date)
            .where(Certificate.number.is_(None))
        )
    }
    contracts = {
        (c.worker_id, c.start_date): c.end_date
        for c in conn.execute(select(LaborContract.worker_id, LaborContract.start_date, LaborContract.end_date))
    }

    written: list[RosterRow] = []
    for row in rows:
        key = (row.worker["id_type"], row.worker["id_number"])
        current = existing.get(key)
        if current is not None and plan.on_duplicate == "skip":
            report.skipped_workers += 1
            continue
        if current is not None and plan.on_duplicate == "error":
            report.problem(
                row.row, "证件号码", identity.mask_id_number(key[1]),
                f"库中已有此人（{current.name}），按 --on-duplicate error 拒绝",
            )
            continue
        employee_no = row.worker.get("employee_no")
        holder = by_employee_no.get(employee_no) if employee_no else None
        if holder is not None and (current is None or holder.id != current.id):
            report.problem(row.row, "工号", employee_no, f"已是库中另一名职工（{holder.name}）的工号")
            continue
        number = (row.certificate or {}).get("number")
        if number and number in cert_owner and (current is None or cert_owner[number] != current.id):
            report.problem(row.row, "证书编号", number, "该证书编号已登记在另一名职工名下")
            continue
        written.append(row)
        if current is None:
            plan.new.append(row)
            report.new_workers += 1
            if row.contract:
                plan.pending_contracts.append((row, row.contract))
                report.new_contracts += 1
            if row.certificate:
                plan.pending_certificates.append((row, row.certificate))
                report.new_certificates += 1
            continue
        changes, before = _worker_changes(row, current, department_names, occupation_names)
        if changes:
            plan.updates.append((current.id, changes))
            report.updated_workers += 1
        else:
            report.unchanged_workers += 1
        contract_new, contract_change = False, None
        if row.contract:
            start, end = row.contract
            if (current.id, start) not in contracts:
                plan.contracts_new.append({"worker_id": current.id, "start_date": start, "end_date": end})
                report.new_contracts += 1
                contract_new = True
            elif contracts[(current.id, start)] != end:
                plan.contracts_changed.append((current.id, start, end))
                report.updated_contracts += 1
                contract_change = (contracts[(current.id, start)], end)
        label = f"{current.name} {identity.mask_id_number(current.id_number)}"
        if changes or contract_change:
            after = {key: value for key, value in changes.items() if key != "name_initials"}
            if contract_change:
                before["contract_end"], after["contract_end"] = contract_change
            plan.changed[current.id] = (label, before, after)
        if changes or contract_new or contract_change:
            plan.versions[current.id] = (current.version, label)
        if row.certificate:
            cert = row.certificate
            twin = unnumbered.get((current.id, cert["kind"], cert["level_rank"], cert["issue_date"]))
            if number in cert_owner or (twin is not None and not number):
                report.existing_certificates += 1
            elif twin is not None:
                plan.certificate_numbers.append((twin, number))
                report.existing_certificates += 1
            else:
                plan.certificates_new.append({**cert, "worker_id": current.id})
                report.new_certificates += 1
    # Only rows that will be written may create departments and occupations.
    report.new_departments = sorted({r.worker["department"] for r in written if r.worker.get("department")} - departments.keys())
    report.new_occupations = sorted(
        ({r.worker["occupation"] for r in written if r.worker.get("occupation")}
         | {r.certificate["occupation"] for r in written if r.certificate and r.certificate["occupation"]})
        - occupations.keys()
    )
    report.sort_problems()


def _worker_changes(row: RosterRow, current, department_names: dict, occupation_names: dict) -> tuple[dict, dict]:
    """The filled cells that differ from the stored worker, and their stored values.
    Departments and occupations compare by name and stay names until `apply_plan` resolves
    them (they may be new)."""
    stored = {key: getattr(current, key) for key in _WORKER_FIELDS}
    stored["department_id"] = department_names.get(current.department_id)
    stored["occupation_id"] = occupation_names.get(current.occupation_id)
    wanted = dict(row.worker)
    wanted["department_id"] = wanted.pop("department", None)
    wanted["occupation_id"] = wanted.pop("occupation", None)
    changes = {key: wanted[key] for key in _WORKER_FIELDS if key in row.present and wanted.get(key) != stored[key]}
    before = {key: stored[key] for key in changes}
    if "name" in changes:
        changes["name_initials"] = name_initials(changes["name"])
    return changes, before


def apply_plan(engine: Engine, plan: ImportPlan, *, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Write a checked plan in one transaction: all of it lands or none. A `progress` that
    raises (Cancelled) rolls the whole import back."""
    with cyclic_gc_paused():
        try:
            return _apply_plan(engine, plan, progress)
        except Exception as exc:
            # Another clerk saved the same person, certificate or new 部门 between this
            # import's check and its write (or two imports crossed): the database refused
            # it and the whole import rolled back.
            if is_database_error(exc) and is_conflict(exc):
                raise StaleRecord(
                    "导入期间另一位经办人保存了相同的职工、证书或部门（或同时在导入），"
                    "本次导入未写入任何数据。请重新导入：届时会按最新的数据重新检查。"
                ) from exc
            raise


def _apply_plan(engine: Engine, plan: ImportPlan, progress) -> ImportReport:
    report = plan.report
    if not report.ok:
        raise Refused("导入文件有错误，未写入任何数据")
    worker_table = Worker.__table__
    with engine.begin() as conn:
        departments = _ensure_names(conn, Department, report.new_departments)
        occupations = _ensure_names(conn, Occupation, report.new_occupations)
        total = len(plan.new) + len(plan.updates)
        for start in range(0, len(plan.new), 10000):
            chunk = plan.new[start : start + 10000]
            bulk_insert(
                conn,
                worker_table,
                _NEW_WORKER_COLUMNS,
                [
                    (
                        *(w.get(key) for key in _NEW_WORKER_TEXT),
                        name_initials(w["name"]),
                        departments.get(w.get("department")),
                        occupations.get(w.get("occupation")),
                        w.get("is_frontline", False),
                        w.get("is_team_leader", False),
                        STATUS_ACTIVE,
                    )
                    for w in (row.worker for row in chunk)
                ],
            )
            if progress:
                progress(start + len(chunk), total)
        id_by_key = {
            (row.id_type, row.id_number): row.id
            for row in conn.execute(select(worker_table.c.id, worker_table.c.id_type, worker_table.c.id_number))
        }
        id_of_row = {row.row: id_by_key[(row.worker["id_type"], row.worker["id_number"])] for row in plan.new}
        # Every existing worker written gets a new version (a contract counts: the worker
        # form shows the latest one), so a clerk's open form of that worker detects the
        # import; a worker saved since the check refuses the whole import. One UPDATE per
        # set of changed columns, run for all its workers at once: building 100,000 distinct
        # statements took longer than running them.
        _refuse_if_saved_since(conn, plan)
        changes_of = dict(plan.updates)
        groups: dict[tuple[str, ...], list[dict]] = {}
        for worker_id, (version, _label) in sorted(plan.versions.items()):  # id order: two imports never deadlock
            changes = dict(changes_of.get(worker_id, {}))
            for key, table in (("department_id", departments), ("occupation_id", occupations)):
                if key in changes and changes[key] is not None:
                    changes[key] = table[changes[key]]
            params = {"p_id": worker_id, "p_version": version, **{f"p_{key}": value for key, value in changes.items()}}
            groups.setdefault(tuple(sorted(changes)), []).append(params)
        for keys, params in groups.items():
            statement = (
                update(worker_table)
                .where(worker_table.c.id == bindparam("p_id"), worker_table.c.version == bindparam("p_version"))
                .values({**{key: bindparam(f"p_{key}", type_=worker_table.c[key].type) for key in keys},
                         "version": worker_table.c.version + 1})
            )
            if conn.execute(statement, params).rowcount != len(params):
                # Cannot happen while _refuse_if_saved_since holds the rows (FOR UPDATE, or
                # SQLite's write lock); kept so that a version mismatch can never be a
                # silently skipped row.
                raise Refused(_STALE_PLAN.format(who="职工"))
        bulk_insert(
            conn,
            LaborContract.__table__,
            ("worker_id", "start_date", "end_date"),
            [(c["worker_id"], c["start_date"], c["end_date"]) for c in plan.contracts_new]
            + [(id_of_row[row.row], start, end) for row, (start, end) in plan.pending_contracts],
        )
        for worker_id, start, end in plan.contracts_changed:
            conn.execute(
                update(LaborContract.__table__)
                .where(LaborContract.worker_id == worker_id, LaborContract.start_date == start)
                .values(end_date=end, version=LaborContract.version + 1)
            )
        for certificate_id, number in plan.certificate_numbers:
            conn.execute(
                update(Certificate.__table__)
                .where(Certificate.id == certificate_id)
                .values(number=number, version=Certificate.version + 1)
            )
        certificates = [(c["worker_id"], c) for c in plan.certificates_new] + [
            (id_of_row[row.row], cert) for row, cert in plan.pending_certificates
        ]
        bulk_insert(
            conn,
            Certificate.__table__,
            (*_CERTIFICATE_FIELDS, "worker_id", "occupation_id"),
            [
                (*(c[key] for key in _CERTIFICATE_FIELDS), worker_id, occupations.get(c["occupation"]))
                for worker_id, c in certificates
            ],
        )
        _record_import(conn, plan)
        if progress:
            progress(total, total)  # the last moment a cancel can still roll everything back
    report.written = True
    return report


_STALE_PLAN = "检查花名册之后，{who}已被他人修改或删除，本次导入未写入任何数据。请重新检查花名册后再导入。"


def _refuse_if_saved_since(conn, plan: ImportPlan) -> None:
    """Workers saved (or deleted) by someone else since the check, named: the whole import
    is refused rather than writing over them.

    On PostgreSQL the rows are locked here, in id order, until the import commits: the
    updates below run by sets of changed columns, not in one id order, and two imports
    locking as they update could deadlock. (SQLite's BEGIN IMMEDIATE already holds the
    whole database; it ignores FOR UPDATE.)"""
    ids = sorted(plan.versions)
    stale = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        now = dict(conn.execute(
            select(Worker.id, Worker.version).where(Worker.id.in_(chunk)).order_by(Worker.id).with_for_update()
        ).all())
        stale += [plan.versions[i][1] for i in chunk if now.get(i) != plan.versions[i][0]]
    if stale:
        more = "等" if len(stale) > 5 else ""
        raise Refused(_STALE_PLAN.format(who=f"{len(stale)} 名职工（{'、'.join(stale[:5])}{more}）"))


def _record_import(conn, plan: ImportPlan) -> None:
    """操作日志: one entry for the import, and one per existing worker it changed with the
    fields before and after (new workers are counted in the first: the file holds them)."""
    report = plan.report
    name = Path(report.file).name
    counts = {
        "file": name, "new_workers": report.new_workers, "updated_workers": report.updated_workers,
        "unchanged_workers": report.unchanged_workers, "skipped_workers": report.skipped_workers,
        "new_certificates": report.new_certificates, "new_contracts": report.new_contracts,
        "updated_contracts": report.updated_contracts,
    }
    summary = (
        f"导入花名册 {name}：新增职工 {report.new_workers} 名，更新 {report.updated_workers} 名，"
        f"无变化 {report.unchanged_workers} 名，跳过 {report.skipped_workers} 名；新增证书 {report.new_certificates} 张，"
        f"新增合同 {report.new_contracts} 份、更新 {report.updated_contracts} 份"
    )
    audit.record(conn, audit.IMPORTED, "worker", None, name, summary, after=counts)
    # One row built per worker from a template: at 100,000 workers the entries must cost
    # little next to the import itself.
    template = audit.entry_row(conn.engine, audit.now(), audit.CHANGED, "worker")
    summaries: dict[tuple[str, ...], str] = {}
    rows = []
    for worker_id, (label, before, after) in plan.changed.items():
        keys = tuple(after)
        if keys not in summaries:
            summaries[keys] = f"导入花名册 {name}，修改：" + "、".join(field_label("worker", k) for k in field_order("worker", keys))
        rows.append({**template, "record_id": worker_id, "record_label": label, "summary": summaries[keys],
                     "before": audit.as_json(before), "after": audit.as_json(after)})
    audit.record_rows(conn, rows)


def _ensure_names(conn, model, new_names: list[str]) -> dict[str, int]:
    if new_names:
        conn.execute(insert(model.__table__), [{"name": name} for name in new_names])
    return dict(conn.execute(select(model.name, model.id)).all())


def import_roster(
    engine: Engine,
    path: str | Path,
    *,
    on_duplicate: str = "update",
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    plan = check_roster(engine, path, on_duplicate=on_duplicate, today=today, progress=progress)
    if dry_run or not plan.report.ok:
        return plan.report
    return apply_plan(engine, plan, progress=progress)

