"""单位信息: the one enterprise a database belongs to (SPEC §3)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm.exc import StaleDataError

from app.errors import FieldErrors, FieldProblem, StaleRecord, stale_message
from app.models import Enterprise
from app.models.db import unit_of_work
from app.services.identity import CheckError, check_uscc
from app.services.vocab import ENTERPRISE_SCALES, ENTERPRISE_TYPES

FIELDS = {  # form key → label
    "name": "单位名称", "uscc": "统一社会信用代码", "principal": "负责人", "phone": "联系电话", "address": "地址",
    "enterprise_type": "企业类型", "scale": "企业规模", "business_field": "经营领域", "bank_name": "开户银行",
    "bank_account": "银行账号",
}


@dataclass
class EnterpriseInfo:
    name: str = ""
    uscc: str = ""
    principal: str = ""
    phone: str = ""
    address: str = ""
    enterprise_type: str = ""
    scale: str = ""
    business_field: str = ""
    bank_name: str = ""
    bank_account: str = ""
    version: int | None = None

    @property
    def missing(self) -> list[str]:
        """Labels of what the bureau's forms need but is not filled in yet."""
        return [FIELDS[key] for key in ("name", "uscc", "principal", "phone", "enterprise_type", "scale") if not getattr(self, key)]


def load_enterprise(engine: Engine) -> EnterpriseInfo:
    with engine.connect() as conn:
        row = conn.execute(select(Enterprise).order_by(Enterprise.id).limit(1)).first()
    if row is None:
        return EnterpriseInfo()
    values = {key: getattr(row, key) or "" for key in FIELDS}
    return EnterpriseInfo(**values, version=row.version)


_UNCHECKED = object()


def save_enterprise(engine: Engine, values: dict, *, expected_version=_UNCHECKED) -> EnterpriseInfo:
    """Check every field, then save in one transaction; FieldErrors lists each refusal,
    StaleRecord when another clerk saved 单位信息 since `expected_version` was loaded (or
    created it while this form was still blank: the version expected was None then)."""
    clean = {key: str(values.get(key) or "").strip() for key in FIELDS}
    problems = []
    if not clean["name"]:
        problems.append(FieldProblem("name", "单位名称：不能为空"))
    if clean["uscc"]:
        try:
            clean["uscc"] = check_uscc(clean["uscc"])
        except CheckError as exc:
            problems.append(FieldProblem("uscc", f"统一社会信用代码：{exc}"))
    if clean["enterprise_type"] and clean["enterprise_type"] not in ENTERPRISE_TYPES:
        problems.append(FieldProblem("enterprise_type", f"企业类型：应为 {'/'.join(ENTERPRISE_TYPES)} 之一"))
    if clean["scale"] and clean["scale"] not in ENTERPRISE_SCALES:
        problems.append(FieldProblem("scale", "企业规模：应为 大/中/小 之一"))
    if problems:
        raise FieldErrors(problems)
    stored = {key: (value or None) for key, value in clean.items()}
    with unit_of_work(engine) as session:
        row = session.scalars(select(Enterprise).order_by(Enterprise.id).limit(1)).first()
        if row is None:
            row = Enterprise(**stored)
            session.add(row)
        else:
            if expected_version is not _UNCHECKED and row.version != expected_version:
                raise StaleRecord(stale_message("单位信息"))
            for key, value in stored.items():
                setattr(row, key, value)
        try:
            session.flush()
        except StaleDataError:
            raise StaleRecord(stale_message("单位信息")) from None
    return load_enterprise(engine)


def enterprise_as_dict(info: EnterpriseInfo) -> dict:
    return asdict(info)
