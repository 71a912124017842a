"""The words of the 操作日志: what each audited table and column is called in Chinese, how a
record is named so a clerk recognises it, and how a stored value reads.

The terms are the ones the forms already use (工号, 月工资, 撤销原因, 项目名称 …), keyed here by
column rather than by form field, because the log records columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.services.identity import mask_id_number
from app.services.levels import LEVEL_NAMES

# Audited tables and what a clerk calls their records. A table not listed here (links,
# derived copies such as allowance_line and subsidy_line, app_meta, the log itself) is
# never recorded row by row: its parent's entry says what happened.
ENTITY_NAMES: dict[str, str] = {
    "worker": "职工",
    "labor_contract": "劳动合同",
    "certificate": "证书",
    "certificate_scan": "证书附件",
    "honour": "荣誉",
    "competition_entry": "技能竞赛",
    "department": "部门",
    "occupation": "工种",
    "occupation_shortage": "紧缺工种目录",
    "enterprise": "单位信息",
    "training_programme": "培训项目",
    "training_enrolment": "培训报名",
    "training_account": "培训账户",
    "account_entry": "培训账户流水",
    "training_fund_year": "职工教育经费",
    "service_agreement": "培训服务期协议",
    "apprenticeship": "师徒结对",
    "apprentice_assessment": "师徒考核",
    "special_allowance": "特殊津贴",
    "allowance_roll": "津贴发放表",
    "subsidy_type": "补贴类型",
    "subsidy_application": "补贴申请",
    "saved_survey": "调查表",
    "policy_value": "政策参数",
    "app_user": "用户",
    "database": "数据库",  # backup, restore, demo data: the whole register
}
# Recorded by their service with one explicit entry instead of row by row.
EXPLICIT_ONLY = {"occupation_shortage", "database", "allowance_roll"}

# Columns never recorded: bookkeeping the clerk never typed, and what is derived.
SKIPPED_COLUMNS = {"version", "created_at", "updated_at", "name_initials"}
# Recorded only as "changed", never with their content: secrets and bulky documents.
HIDDEN_COLUMNS = {
    ("app_user", "password_hash"): "（密码已设置）",
    ("saved_survey", "numbers"): "（调查表数字）",
    ("saved_survey", "typed"): "（填写的需求与措施）",
}
# The column whose change is a status change (状态变更), per table.
STATUS_COLUMNS = {
    "worker": "status",
    "certificate": "revoked",
    "apprenticeship": "status",
    "service_agreement": "status",
    "subsidy_application": "status",
    "allowance_roll": "status",
    "app_user": "active",
}
# Columns shown with a status change because they say why.
REASON_COLUMNS = ("revoke_reason", "return_reason", "void_reason", "reason", "override_reason")
LEVEL_COLUMNS = {"level_rank", "target_level"}

_COMMON = {"worker_id": "职工", "notes": "备注", "occupation_id": "职业（工种）"}
FIELD_LABELS: dict[str, dict[str, str]] = {
    "worker": {
        "employee_no": "工号", "name": "姓名", "id_type": "证件类型", "id_number": "证件号码", "gender": "性别",
        "birth_date": "出生日期", "education": "学历", "department_id": "部门", "post": "岗位",
        "occupation_id": "工种", "is_frontline": "是否一线职工", "is_team_leader": "是否班组长",
        "hire_date": "入职日期", "leave_date": "离职日期", "monthly_wage": "月工资", "phone": "联系电话",
        "status": "状态", "notes": "备注", "contract_start": "合同起始日", "contract_end": "合同终止日",
    },
    "labor_contract": {"start_date": "合同起始日", "end_date": "合同终止日"},
    "certificate": {
        "kind": "证书类别", "occupation_id": "工种", "level_rank": "等级", "number": "证书编号",
        "issuing_body": "发证机构", "evaluation_route": "评价方式", "issue_date": "发证日期",
        "expiry_date": "有效期至", "review_date": "复审日期", "revoked": "已撤销", "revoked_on": "撤销日期",
        "revoke_reason": "撤销原因",
    },
    "certificate_scan": {"certificate_id": "证书", "filename": "附件", "media_type": "文件类型"},
    "honour": {"title": "荣誉称号", "level": "级别", "year": "年度", "awarding_body": "授予单位", "reward_amount": "奖励金额"},
    "competition_entry": {
        "competition_name": "竞赛名称", "level": "级别", "category": "类别", "organiser": "主办单位",
        "held_on": "比赛日期", "occupation_id": "工种", "result": "成绩", "placing": "名次", "prize_amount": "奖金",
        "promoted_certificate_id": "晋升证书",
    },
    "department": {"name": "名称"},
    "occupation": {"name": "名称", "code": "职业编码"},
    "occupation_shortage": {"year": "年度", "names": "紧缺工种"},
    "enterprise": {
        "name": "单位名称", "uscc": "统一社会信用代码", "principal": "负责人", "phone": "联系电话", "address": "地址",
        "enterprise_type": "企业类型", "scale": "企业规模", "business_field": "经营领域", "bank_name": "开户银行",
        "bank_account": "银行账号",
    },
    "training_programme": {
        "name": "项目名称", "provider": "培训机构", "form": "培训形式", "start_date": "开始日期", "end_date": "结束日期",
        "hours": "学时", "cost_per_person": "人均费用", "funding_source": "经费来源", "target_level": "目标等级",
    },
    "training_enrolment": {
        "programme_id": "培训项目", "enrolled_on": "报名日期", "hours_attended": "出勤学时", "cost_charged": "扣费金额",
        "result": "成绩", "completed_on": "结业日期", "certificate_id": "取得证书", "sent_by_enterprise": "企业选送",
    },
    "training_account": {
        "key_talent": "重点培养对象", "target_level": "目标等级", "target_date": "目标日期",
        "planned_courses": "计划课程", "self_study_plan": "自学计划", "plan_years": "规划年限",
    },
    "account_entry": {
        "entry_date": "日期", "kind": "类别", "amount": "金额", "enrolment_id": "培训报名",
        "corrects_entry_id": "更正的流水", "reason": "事由", "override_reason": "超支原因",
    },
    "training_fund_year": {
        "year": "年度", "payroll_total": "工资总额", "extraction_rate_bp": "提取比例", "extracted_amount": "提取金额",
    },
    "service_agreement": {
        "agreement_no": "协议编号", "signed_on": "签订日期", "cost": "培训费用", "service_start": "服务期起始日",
        "service_end": "服务期终止日", "status": "状态", "settled_on": "结清日期", "repayment": "偿还金额",
    },
    "apprenticeship": {
        "master_id": "师傅", "apprentice_id": "徒弟", "kind": "类型", "partner": "合作院校/机构",
        "start_date": "开始日期", "planned_end": "计划结束日期", "target_level": "目标等级", "agreement_no": "协议编号",
        "status": "状态", "ended_on": "结束日期", "outcome_certificate_id": "出师证书", "override_reason": "超限原因",
        "reason": "终止原因",
    },
    "apprentice_assessment": {
        "apprenticeship_id": "师徒结对", "assessed_on": "考核日期", "content": "考核内容", "result": "考核结果",
        "assessor": "考核人",
    },
    "special_allowance": {"month_from": "起始月份", "month_to": "截止月份", "amount": "金额", "reason": "发放原因"},
    "allowance_roll": {
        "month": "月份", "status": "状态", "generated_at": "生成时间", "confirmed_at": "确认时间", "total": "合计",
        "workers": "人数", "lines": "明细行数",
    },
    "subsidy_type": {"name": "补贴名称", "basis": "申领依据", "amounts": "金额表"},
    "subsidy_application": {
        "subsidy_type": "补贴类型", "period_from": "期间起", "period_to": "期间止", "status": "状态",
        "generated_at": "生成时间", "submitted_on": "提交日期", "received_on": "到账日期", "received_amount": "到账金额",
        "returned_on": "退回日期", "return_reason": "退回原因", "voided_at": "作废时间", "void_reason": "作废原因",
        "policy_values": "所用政策参数", "total": "合计金额", "lines": "行数",
    },
    "saved_survey": {"as_of": "填表时间", "numbers": "数字", "typed": "需求与措施"},
    "policy_value": {"key": "参数", "value": "值", "effective_from": "生效日期", "note": "依据/说明"},
    "app_user": {"login": "登录名", "name": "姓名", "role": "角色", "password_hash": "密码", "active": "启用"},
    "database": {
        "file": "文件", "workers": "职工", "certificates": "证书", "seed": "随机种子", "kept_as": "恢复前另存为",
    },
}
# The import's entry, under entity "worker".
IMPORT_LABELS = {
    "file": "文件", "new_workers": "新增职工", "updated_workers": "更新职工", "unchanged_workers": "无变化",
    "skipped_workers": "跳过", "new_certificates": "新增证书", "new_contracts": "新增合同",
    "updated_contracts": "更新合同", "on_duplicate": "已有职工",
}


def entity_name(entity: str) -> str:
    return ENTITY_NAMES.get(entity, entity)


def field_label(entity: str, key: str) -> str:
    return (
        FIELD_LABELS.get(entity, {}).get(key)
        or _COMMON.get(key)
        or IMPORT_LABELS.get(key)
        or key
    )


def field_order(entity: str, keys) -> list[str]:
    """Keys in the order the form shows them, unknown ones last."""
    known = list(FIELD_LABELS.get(entity, {}))
    return sorted(keys, key=lambda k: (known.index(k) if k in known else len(known), k))


def value_text(entity: str, key: str, value) -> str:
    """A value of the log's JSON as a clerk reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in LEVEL_COLUMNS and isinstance(value, int) and 0 <= value < len(LEVEL_NAMES):
        return LEVEL_NAMES[value]
    if key == "extraction_rate_bp" and isinstance(value, int):
        return f"{value / 100:.2f} %"
    if key == "key" and entity == "policy_value":
        from app.services.policy import BY_KEY

        return BY_KEY[value].label if value in BY_KEY else str(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}：{v}" for k, v in value.items())
    return str(value)


# ── naming records ──────────────────────────────────────────────────────────────────────
# Each builder gets the row's column values and `ref(table, id)`, the label of a row it
# points at, and returns how a clerk names the record.

Ref = Callable[[str, object], str]


def _join(*parts) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


def _worker(v: Mapping, ref: Ref) -> str:
    return _join(v.get("name"), mask_id_number(v["id_number"]) if v.get("id_number") else None)


def _certificate(v: Mapping, ref: Ref) -> str:
    rank = v.get("level_rank")
    level = LEVEL_NAMES[rank] if isinstance(rank, int) and 0 <= rank < len(LEVEL_NAMES) else None
    return _join(ref("worker", v.get("worker_id")), v.get("kind"), level, v.get("number"))


def _policy(v: Mapping, ref: Ref) -> str:
    from app.services.policy import BY_KEY

    key = v.get("key")
    name = BY_KEY[key].label if key in BY_KEY else key
    return f"{name}（{v.get('effective_from')} 起）" if v.get("effective_from") else str(name)


def _subsidy_application(v: Mapping, ref: Ref) -> str:
    period = f"（{v.get('period_from')}至{v.get('period_to')}）" if v.get("period_from") else ""
    return f"第 {v.get('id')} 号{v.get('subsidy_type') or ''}申请{period}"


_LABELLERS: dict[str, Callable[[Mapping, Ref], str]] = {
    "worker": _worker,
    "labor_contract": lambda v, ref: _join(ref("worker", v.get("worker_id")), "劳动合同", f"{v.get('start_date')} 起"),
    "certificate": _certificate,
    "certificate_scan": lambda v, ref: _join(ref("certificate", v.get("certificate_id")), "附件", v.get("filename")),
    "honour": lambda v, ref: _join(ref("worker", v.get("worker_id")), v.get("title"), v.get("year")),
    "competition_entry": lambda v, ref: _join(
        ref("worker", v.get("worker_id")), v.get("competition_name"),
        v.get("result") or (f"第{v['placing']}名" if v.get("placing") else None),
    ),
    "department": lambda v, ref: str(v.get("name") or ""),
    "occupation": lambda v, ref: str(v.get("name") or ""),
    "enterprise": lambda v, ref: str(v.get("name") or "单位信息"),
    "training_programme": lambda v, ref: _join(v.get("name"), f"（{v.get('start_date')} 开始）" if v.get("start_date") else None),
    "training_enrolment": lambda v, ref: _join(ref("worker", v.get("worker_id")), "·", ref("training_programme", v.get("programme_id"))),
    "training_account": lambda v, ref: _join(ref("worker", v.get("worker_id")), "的培训账户"),
    "account_entry": lambda v, ref: _join(ref("worker", v.get("worker_id")), v.get("kind"), v.get("amount")),
    "training_fund_year": lambda v, ref: f"{v.get('year')} 年度职工教育经费",
    "service_agreement": lambda v, ref: _join(ref("worker", v.get("worker_id")), "服务期协议", v.get("agreement_no")),
    "apprenticeship": lambda v, ref: f"{ref('worker', v.get('master_id'))} → {ref('worker', v.get('apprentice_id'))}",
    "apprentice_assessment": lambda v, ref: _join(ref("apprenticeship", v.get("apprenticeship_id")), "考核", v.get("assessed_on")),
    "special_allowance": lambda v, ref: _join(ref("worker", v.get("worker_id")), "特殊津贴", v.get("amount")),
    "allowance_roll": lambda v, ref: f"{v.get('month')} 津贴发放表",
    "subsidy_type": lambda v, ref: str(v.get("name") or ""),
    "subsidy_application": _subsidy_application,
    "saved_survey": lambda v, ref: f"调查表（填表时间 {v.get('as_of')}）",
    "policy_value": _policy,
    "app_user": lambda v, ref: f"{v.get('name') or ''}（{v.get('login')}）" if v.get("login") else str(v.get("name") or ""),
}

LABEL_LIMIT = 200  # audit_entry.record_label


def record_label(entity: str, values: Mapping, ref: Ref) -> str:
    builder = _LABELLERS.get(entity)
    text = builder(values, ref) if builder else f"#{values.get('id')}"
    return text[:LABEL_LIMIT]


def has_labeller(entity: str) -> bool:
    return entity in _LABELLERS
