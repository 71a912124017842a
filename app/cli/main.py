"""The command line of SPEC §8. Exit codes: 0 done, 1 refused (nothing written), 2 usage error.
Errors go to stderr in Chinese; without a command the window opens."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from app import APP_NAME, __version__
from app.errors import Refused, describe_failure
from app.logs import get_logger, setup_logging

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
log = get_logger("cli")

# On a database with users, a command acts as the user these name (signed in like the window).
ENV_USER, ENV_PASSWORD = "SKILLDESK_USER", "SKILLDESK_PASSWORD"
ENV_NEW_PASSWORD = "SKILLDESK_NEW_PASSWORD"  # `user add`: the new user's password
# app.models.users.ROLES, spelled out so that --help does not wait for SQLAlchemy.
_ROLES = ("管理员", "经办人", "只读")

# argparse looks its texts up through the module-level `_` at call time; giving it a
# Chinese table keeps usage errors in the clerk's language.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
}
_argparse_gettext = argparse._


def _zh(text: str) -> str:
    return _ARGPARSE_ZH.get(text, _argparse_gettext(text))


argparse._ = _zh


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：用法错误：{message}\n")


def _month(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"月份应写成 YYYY-MM，例如 2026-10，而不是 {text!r}")
    return text


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD，例如 2026-10-31，而不是 {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是 {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是 {text!r}")
    return value


def _year(text: str) -> int:
    # Imported here: the fund service pulls in SQLAlchemy, which --help and the window's start need not wait for.
    from app.services.fund import FIRST_YEAR, LAST_YEAR

    if not re.fullmatch(r"\d{4}", text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的四位数字，例如 2025，而不是 {text!r}")
    return int(text)


def _survey_out(text: str) -> str:
    if Path(text).suffix.lower() not in (".xlsx", ".pdf", ".json"):
        raise argparse.ArgumentTypeError(f"输出文件应以 .xlsx、.pdf 或 .json 结尾，而不是 {text!r}")
    return text


def _pdf(text: str) -> str:
    if Path(text).suffix.lower() != ".pdf":
        raise argparse.ArgumentTypeError(f"输出文件应以 .pdf 结尾，而不是 {text!r}")
    return text


def _xlsx(text: str) -> str:
    if Path(text).suffix.lower() != ".xlsx":
        raise argparse.ArgumentTypeError(f"输出文件应以 .xlsx 结尾，而不是 {text!r}")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="skilldesk",
        description=f"{APP_NAME} 技能人才台账。不带命令时打开程序窗口。",
    )
    parser.add_argument("--db", metavar="PATH|URL", help="数据库文件路径或连接地址（默认：用户数据文件夹中的 SQLite）")
    parser.add_argument("--version", action="store_true", help="显示版本、数据库位置及其结构版本并退出（不会创建数据库）")
    # The release check's proof that the built program opens its window (scripts/release_check.sh).
    parser.add_argument("--screenshot", metavar="FILE.png", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)

    commands.add_parser("init", help="创建或升级数据库结构")

    demo = commands.add_parser("demo", help="生成演示数据（同一种子生成相同数据）")
    demo.add_argument("--workers", type=_positive, required=True, metavar="N", help="职工人数")
    demo.add_argument("--seed", type=int, default=0, metavar="S", help="随机种子（默认 0）")

    imp = commands.add_parser("import", help="导入花名册")
    imp.add_argument("what", choices=["workers"], help="导入的内容：workers（职工花名册）")
    imp.add_argument("file", metavar="FILE.xlsx", help="Excel 花名册（.xlsx 或 .xls）")
    imp.add_argument("--dry-run", action="store_true", help="只检查并报告将做的改动，不写入")
    imp.add_argument(
        "--on-duplicate", choices=["update", "skip", "error"], default="update",
        help="库中已有同一证件号码的职工时：update 更新（默认）、skip 跳过、error 拒绝整个文件",
    )

    exp = commands.add_parser("export", help="导出职工花名册")
    exp.add_argument("what", choices=["workers"], help="导出的内容：workers（职工花名册）")
    exp.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出的 Excel 文件")
    exp.add_argument("--mask-id", action="store_true", help="证件号码打码（110105********002X）")

    survey = commands.add_parser("survey", help="企业技能人才现状及需求情况调查表")
    survey.add_argument("--as-of", type=_iso_date, required=True, metavar="YYYY-MM-DD", help="填表时间")
    survey.add_argument("--out", type=_survey_out, required=True, metavar="FILE.xlsx|FILE.pdf|FILE.json", help="输出文件")

    roll = commands.add_parser("allowance-roll", help="月度津贴发放表")
    roll.add_argument("--month", type=_month, required=True, metavar="YYYY-MM", help="月份")
    roll.add_argument("--out", type=_xlsx, required=True, metavar="FILE.xlsx", help="输出的 Excel 文件")
    roll.add_argument("--confirm", action="store_true", help="确认并冻结该月发放表")

    subsidy = commands.add_parser("subsidy", help="补贴申请")
    subsidy_commands = subsidy.add_subparsers(dest="subsidy_command", metavar="操作", required=True, parser_class=ChineseArgumentParser)
    for name, help_text in (("candidates", "列出候选人及各项条件"), ("apply", "生成申请并输出 PDF")):
        sub = subsidy_commands.add_parser(name, help=help_text)
        sub.add_argument("--type", required=True, metavar="TYPE", help="补贴类型，如 技能提升培训补贴")
        sub.add_argument("--from", dest="date_from", type=_iso_date, required=True, metavar="DATE", help="起始日期")
        sub.add_argument("--to", dest="date_to", type=_iso_date, required=True, metavar="DATE", help="截止日期")
        if name == "candidates":
            sub.add_argument("--json", action="store_true", help="以 JSON 输出")
        else:
            sub.add_argument("--out", type=_pdf, required=True, metavar="FILE.pdf", help="输出的 PDF 文件")

    training = commands.add_parser("training", help="培训")
    training_commands = training.add_subparsers(dest="training_command", metavar="操作", required=True, parser_class=ChineseArgumentParser)
    report = training_commands.add_parser("report", help="培训达标情况：高技能人才年度培训、技能人才定期轮训")
    report.add_argument("--year", type=_year, required=True, metavar="YYYY", help="年度")
    report.add_argument("--out", type=_xlsx, required=True, metavar="FILE.xlsx", help="输出的 Excel 文件")

    apprentices = commands.add_parser("apprentices", help="导出师徒结对名单")
    apprentices.add_argument("--status", choices=["在培", "已出师", "终止"], help="只导出该状态的结对（默认全部）")
    apprentices.add_argument("--out", type=_xlsx, required=True, metavar="FILE.xlsx", help="输出的 Excel 文件")

    fund = commands.add_parser("fund", help="职工教育经费年度情况")
    fund.add_argument("--year", type=_year, required=True, metavar="YYYY", help="年度")
    fund.add_argument("--json", action="store_true", help="以 JSON 输出")

    backup = commands.add_parser("backup", help="备份数据库")
    backup.add_argument("--out", required=True, metavar="FILE", help="备份文件")

    restore = commands.add_parser("restore", help="从备份恢复数据库（当前数据库先另存一份）")
    restore.add_argument("file", metavar="FILE", help="备份文件")

    user = commands.add_parser("user", help="用户与角色（数据库设有两个以上用户时，打开程序需要登录）")
    user_commands = user.add_subparsers(dest="user_command", metavar="操作", required=True, parser_class=ChineseArgumentParser)
    add = user_commands.add_parser(
        "add", help=f"新增用户；密码取自环境变量 {ENV_NEW_PASSWORD}，未设置时在终端中输入",
    )
    add.add_argument("--login", required=True, metavar="L", help="用户名（登录时输入，不区分大小写）")
    add.add_argument("--name", required=True, metavar="N", help="姓名")
    add.add_argument("--role", required=True, choices=_ROLES, help="角色：管理员、经办人或只读（第一个用户必须是管理员）")
    user_commands.add_parser("list", help="列出用户")
    return parser


def version_text(db: str | None) -> str:
    """The program's version, the database `--db` names and that database's schema revision
    beside the one this program brings. Reads only: a database that does not exist yet is
    said to be missing, not created."""
    from sqlalchemy.engine import make_url

    from app.models.db import database_url, head_revision, sqlite_file

    url = database_url(db)
    file = sqlite_file(url)
    where = str(file) if file is not None else make_url(url).render_as_string(hide_password=True)
    return (f"{APP_NAME} {__version__}\n数据库：{where}\n"
            f"数据库结构版本：{_stored_revision(url)}（本程序的结构版本：{head_revision()}）")


def _stored_revision(url: str) -> str:
    import sqlite3
    from urllib.parse import quote

    from sqlalchemy import create_engine, inspect, text

    from app.models.db import sqlite_file

    file = sqlite_file(url)
    if file is not None:
        if not file.exists():
            return "无（数据库尚未创建，第一次打开程序或执行 init 时创建）"
        # A bare connection, not make_engine's (which prepares the file for writing). mode=rw
        # never creates a file; mode=ro would leave the -wal and -shm behind, as a reader
        # cannot remove them when it closes.
        uri = f"file:{quote(file.as_posix(), safe='/:')}?mode=rw"
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    else:
        engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return "无（尚未建立结构，或不是 SkillDesk 数据库）"
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or "无"
    except Exception as exc:  # --version answers whatever state the database is in
        from app.errors import _database_reason

        return f"无法读取（{_database_reason(exc).splitlines()[0]}）"
    finally:
        engine.dispose()


def _say(text: str) -> None:
    print(text, flush=True)


def _complain(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _open_engine(args, *, upgrade: bool = True, needs: str | None = None):
    """The database of --db, acting as the user of this command (`_act`). `needs` is what the
    command requires of that user: "write", "full_ids" or "admin"."""
    from app.models.db import database_url, ensure_schema, make_engine

    url = database_url(args.db)
    engine = make_engine(url)
    if upgrade:
        result = ensure_schema(engine)
        if result.changed and result.previous is not None:
            _complain(f"数据库结构已从 {result.previous} 升级到 {result.current}。" + _backup_note(result))
    _act(engine, args)
    if needs:
        _require(engine, args, needs)
    return engine


def _act(engine, args) -> None:
    """Who this command acts as. A database without users: the local clerk, as always, so
    scripts keep working unchanged. With users: the one SKILLDESK_USER and SKILLDESK_PASSWORD
    name; without them, the only active user if there is one, else a 只读 「命令行」 that may
    read (IDs masked) but not write."""
    from app.models.db import sqlite_file
    from app.models.users import LOCAL_ACTOR, set_actor
    from app.services.users import has_users, sign_in, startup_actor

    file = sqlite_file(str(engine.url))
    if (file is not None and not file.exists()) or not has_users(engine):
        actor = LOCAL_ACTOR  # nobody can sign in to a database without users: the variables name nobody
    elif os.environ.get(ENV_USER):
        try:
            actor = sign_in(engine, os.environ[ENV_USER], os.environ.get(ENV_PASSWORD, ""))
        except Refused as exc:
            raise Refused(f"{str(exc).rstrip('。')}（环境变量 {ENV_USER} 和 {ENV_PASSWORD}），未作任何改动。") from exc
    else:
        actor = startup_actor(engine) or _command_line_reader()
    set_actor(engine, actor)
    log.info("acting as %s (%s)", actor.login or actor.name, actor.role)


def _command_line_reader():
    from app.models.users import ROLE_READER, Actor

    return Actor(login="", name="命令行", role=ROLE_READER)


def _require(engine, args, needs: str) -> None:
    from app.models.db import require_writer
    from app.models.users import actor_of

    actor = actor_of(engine)
    allowed = {"write": actor.can_write, "full_ids": actor.sees_full_id_numbers, "admin": actor.can_manage_users}[needs]
    if allowed:
        return
    verb = " ".join(v for v in (args.command, getattr(args, "subsidy_command", None), getattr(args, "user_command", None)) if v)
    if actor == _command_line_reader():
        who = "管理员" if needs == "admin" else "经办人或管理员"
        raise Refused(
            f"该数据库已设有用户，「{verb}」需要以{who}身份运行：请用环境变量 {ENV_USER} 和 {ENV_PASSWORD} "
            f"给出用户名和密码后再运行（例如 {ENV_USER}=lisi {ENV_PASSWORD}=… skilldesk …）。未作任何改动。"
        )
    if needs == "write":
        require_writer(engine)
    if needs == "admin":
        raise Refused(f"只有管理员可以管理用户；当前用户{actor.name}是{actor.role}，未作任何改动。")
    raise Refused(f"「{verb}」需要查看完整的证件号码，当前用户{actor.name}（{actor.role}）不能执行。")


def _backup_note(result) -> str:
    if result.backup is not None:
        return f"升级前的文件已备份为 {result.backup}"
    return "（服务器上的数据库不在本机复制；升级前请确认管理员已做备份。）"


def cmd_init(args) -> int:
    from app.models.db import database_url, ensure_schema, make_engine

    engine = make_engine(database_url(args.db))
    result = ensure_schema(engine)
    where = engine.url.render_as_string(hide_password=True)
    if result.previous is None:
        _say(f"已创建数据库（结构版本 {result.current}）：{where}")
    elif result.changed:
        _say(f"已将数据库从 {result.previous} 升级到 {result.current}：{where}\n" + _backup_note(result))
    else:
        _say(f"数据库已是最新结构（{result.current}）：{where}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from app.services.demo import generate_demo

    engine = _open_engine(args, needs="write")
    summary = generate_demo(engine, args.workers, args.seed)
    _say(
        f"已生成演示数据：职工 {summary.workers} 名，证书 {summary.certificates} 张，劳动合同 {summary.contracts} 份，"
        f"荣誉 {summary.honours} 项，竞赛记录 {summary.competitions} 条，部门 {summary.departments} 个，工种 {summary.occupations} 个。"
    )
    return EXIT_OK


def cmd_import(args) -> int:
    from app.services.roster_import import import_roster

    # --dry-run too: its report would tell a 只读 user which 证件号码 are registered.
    engine = _open_engine(args, needs="write")
    report = import_roster(engine, Path(args.file), on_duplicate=args.on_duplicate, dry_run=args.dry_run)
    log.info("import %s: %s problems, written=%s", args.file, len(report.problems), report.written)
    for warning in report.warnings:
        _complain(f"警告：{warning}")
    if not report.ok:
        _complain(f"导入被拒绝：发现 {len(report.problems)} 个问题，未写入任何数据。")
        for problem in report.problems:
            _complain(str(problem))
        return EXIT_REFUSED
    _say(report.summary() + ("（试运行，未写入任何数据）" if args.dry_run else ""))
    return EXIT_OK


def cmd_export(args) -> int:
    from app.models.users import actor_of
    from app.reports.workers_xlsx import export_workers

    engine = _open_engine(args)
    count = export_workers(engine, Path(args.out), mask_ids=args.mask_id)
    actor = actor_of(engine)
    masked = args.mask_id or not actor.sees_full_id_numbers  # export_workers masks for such a user anyway
    _say(f"已导出职工 {count} 名：{args.out}" + ("（证件号码已打码）" if masked else ""))
    if masked and not args.mask_id:
        who = (f"未指定用户（{ENV_USER}），以只读身份运行" if actor == _command_line_reader()
               else f"当前用户{actor.name}（{actor.role}）不能查看完整的证件号码")
        _complain(f"提醒：{who}，导出的证件号码已打码。")
    return EXIT_OK


def cmd_training(args) -> int:
    from app.reports.training_xlsx import write_compliance_report
    from app.services.compliance import compliance_report

    engine = _open_engine(args)
    report = compliance_report(engine, args.year)
    write_compliance_report(report, Path(args.out))
    _say(
        f"{report.year}年培训达标情况（统计日期 {report.as_of.isoformat()}）：\n"
        f"高技能人才 {report.high_skilled_total} 名，其中未完成年度培训（每年至少 {report.min_per_year} 次）的 "
        f"{len(report.high_skilled_untrained)} 名；\n"
        f"初级工、中级工 {report.skilled_total} 名，其中 {report.rotation_start}–{report.year} 年未参加轮训的 "
        f"{len(report.skilled_not_rotated)} 名。\n已写入 {args.out}"
    )
    return EXIT_OK


def cmd_apprentices(args) -> int:
    from app.reports.apprentices_xlsx import write_apprentices
    from app.services.apprenticeships import list_pairings

    rows = list_pairings(_open_engine(args), status=args.status)
    write_apprentices(rows, Path(args.out))
    _say(f"已导出师徒结对 {len(rows)} 对：{args.out}")
    return EXIT_OK


def cmd_fund(args) -> int:
    from app.services.fund import amount_text, fund_as_json, fund_year, percent_text

    fund = fund_year(_open_engine(args), args.year)
    if args.json:
        _say(json.dumps(fund_as_json(fund), ensure_ascii=False, indent=2))
        return EXIT_OK
    payroll = "尚未确认" if fund.payroll_total is None else f"{amount_text(fund.payroll_total)} 元"
    extracted = "—" if fund.extracted_amount is None else f"{amount_text(fund.extracted_amount)} 元"
    share = "—" if fund.frontline_share is None else f"{fund.frontline_share}%"
    lines = [
        f"{fund.year}年职工教育经费",
        f"工资总额：{payroll}（按在职职工月工资 × 12 估算为 {amount_text(fund.payroll_proposal)} 元）",
        f"提取比例：{fund.extraction_rate}%（下限 {percent_text(fund.min_rate)}%）",
        f"提取金额：{extracted}",
        f"已用经费：{amount_text(fund.used)} 元，其中用于一线职工 {amount_text(fund.used_frontline)} 元",
        f"用于一线职工的比例：{share}（下限 {percent_text(fund.min_frontline_share)}%）",
    ]
    if fund.warnings:
        lines.append("提醒：")
        lines.extend(f"  - {warning}" for warning in fund.warnings)
    _say("\n".join(lines))
    return EXIT_OK


def cmd_backup(args) -> int:
    from app.services import audit
    from app.services.backup import backup_database

    engine = _open_engine(args, upgrade=False, needs="full_ids")
    out = backup_database(engine, Path(args.out))
    audit.record_backup(engine, out)
    _say(f"已备份到 {out}")
    return EXIT_OK


def cmd_restore(args) -> int:
    from app.services import audit
    from app.services.backup import restore_database

    engine = _open_engine(args, upgrade=False, needs="write")
    safety = restore_database(engine, Path(args.file))
    audit.record_restore(engine, Path(args.file), safety)
    _say(f"已从 {args.file} 恢复数据库。" + (f"恢复前的数据库已另存为 {safety}" if safety else ""))
    return EXIT_OK


def cmd_allowance_roll(args) -> int:
    """A draft (regenerating the month's earlier draft) unless the month is confirmed, when
    the frozen roll is written again unchanged; --confirm generates and freezes, and is
    refused for a month already confirmed (nothing written)."""
    from app.reports.allowance_xlsx import write_roll
    from app.services.allowances import (
        ALLOWANCE_TYPES,
        STATUS_CONFIRMED,
        generate_roll,
        load_roll,
        month_title,
    )

    engine = _open_engine(args)
    stored = load_roll(engine, args.month, with_lines=False)
    frozen = stored is not None and stored.status == STATUS_CONFIRMED
    if frozen and args.confirm:
        when = f"已于 {stored.confirmed_at:%Y-%m-%d %H:%M} " if stored.confirmed_at else "已"
        raise Refused(f"{month_title(args.month)}津贴发放表{when}确认，不能再次确认；未写入任何文件。")
    if not frozen:
        _require(engine, args, "write")  # a draft is written too; a confirmed month is only read
        generate_roll(engine, args.month, confirm=args.confirm)
    roll = load_roll(engine, args.month)
    write_roll(roll, Path(args.out))
    note = "（已确认，按冻结的发放表输出，未重新计算）" if frozen else ""
    by_type = "，".join(f"{kind} {roll.by_type[kind]} 元" for kind in ALLOWANCE_TYPES if roll.count_by_type[kind])
    _say(
        f"{month_title(roll.month)}津贴发放表：{roll.status}{note}\n"
        f"职工 {roll.workers} 名，明细 {roll.line_count} 条，合计 {roll.total} 元" + (f"（{by_type}）" if by_type else "")
        + f"\n已写入 {args.out}"
    )
    return EXIT_OK


def cmd_subsidy(args) -> int:
    """`candidates` lists every basis record of the type in the period, rule by rule;
    `apply` claims every eligible line not yet claimed as one 已生成 application and writes
    its PDF in the same transaction (no PDF, no application)."""
    from app.services.identity import mask_id_number
    from app.services.subsidies import create_application, find_candidates

    engine = _open_engine(args, needs="write" if args.subsidy_command == "apply" else None)
    if args.subsidy_command == "candidates":
        found = find_candidates(engine, args.type, args.date_from, args.date_to)
        if args.json:
            _say(json.dumps([c.as_json() for c in found.candidates], ensure_ascii=False, indent=2))
            return EXIT_OK
        _say(f"{found.type.name} {found.period_from}至{found.period_to}：候选 {len(found.candidates)} 条，"
             f"符合条件 {len(found.eligible)} 条，合计 {sum((c.amount for c in found.eligible), Decimal('0.00'))} 元")
        for candidate in found.candidates:
            mark = "符合" if candidate.eligible else "不符合"
            _say(f"\n[{mark}] {candidate.name} {mask_id_number(candidate.id_number)} {candidate.basis_text} "
                 f"{candidate.amount} 元")
            for condition in candidate.conditions:
                _say(f"    {'✓' if condition.ok else '✗'} {condition.rule}：{condition.reason}")
        return EXIT_OK

    from app.reports.subsidy_pdf import write_application_pdf
    from app.services.enterprise import load_enterprise
    from app.services.rmb import rmb_capitals

    out = Path(args.out)
    enterprise = load_enterprise(engine)
    written: list = []

    def write(doc) -> None:
        # Into a neighbour first: a failed write leaves neither a half PDF nor the application.
        partial = out.with_name(out.name + ".part")
        write_application_pdf(doc, enterprise, partial)
        partial.replace(out)
        written.append(doc)

    create_application(engine, args.type, args.date_from, args.date_to, generate=True, write=write)
    (doc,) = written
    _say(f"已生成第 {doc.id} 号申请：{doc.title}，{doc.period_from}至{doc.period_to}，"
         f"{doc.persons} 人 {len(doc.lines)} 条，合计 {doc.total} 元（{rmb_capitals(doc.total)}）\n已写入 {out}")
    if enterprise.missing:
        _complain(f"提醒：单位信息未填全（{'、'.join(enterprise.missing)}），申请表上这些栏为空。")
    return EXIT_OK


def cmd_survey(args) -> int:
    """The survey on --as-of: the saved one when the clerk saved that date (its numbers as
    saved), else computed now from the register."""
    from app.services.survey import ROWS, compute_survey, load_survey

    engine = _open_engine(args)
    survey = load_survey(engine, args.as_of)
    if survey is not None:
        _complain(f"使用 {args.as_of} 已保存的调查表（保存于 {survey.saved_at:%Y-%m-%d %H:%M}），未重新计算。")
    else:
        survey = compute_survey(engine, args.as_of)
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix == ".json":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(survey.as_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".xlsx":
        from app.reports.survey_xlsx import write_survey_xlsx

        write_survey_xlsx(survey, out)
    else:
        from app.reports.survey_pdf import write_survey_pdf

        write_survey_pdf(survey, out)
    skilled = survey.rows[ROWS[-1]].count
    _say(f"{args.as_of} 调查表：职工总数 {survey.header.total_employees} 人，技能人才 {skilled} 人"
         + (f"（{survey.folded_note.removeprefix('注：').removesuffix('。')}）" if survey.folded else "")
         + f"\n已写入 {out}")
    for warning in survey.warnings:
        _complain(f"提醒：{warning.text}")
    return EXIT_OK


def cmd_user(args) -> int:
    """Setting up the users of a database: `add` (the first must be a 管理员) and `list`."""
    from app.services.users import create_user, list_users, needs_sign_in

    engine = _open_engine(args, needs="admin")
    if args.user_command == "list":
        rows = list_users(engine)
        if not rows:
            _say("该数据库还没有用户：单机使用，打开程序无需登录。")
            return EXIT_OK
        _say("用户名\t姓名\t角色\t状态")
        for row in rows:
            _say(f"{row.login}\t{row.name}\t{row.role}\t{'启用' if row.active else '停用'}")
        return EXIT_OK
    create_user(engine, args.login, args.name, args.role, _new_password())
    _say(f"已新增用户 {args.login.strip().lower()}（{args.name.strip()}，{args.role}）。")
    if needs_sign_in(engine):
        _say(f"该数据库有两个以上启用的用户：打开程序时需要登录；命令行请用环境变量 {ENV_USER} 和 {ENV_PASSWORD} 指定用户。")
    return EXIT_OK


def _new_password() -> str:
    password = os.environ.get(ENV_NEW_PASSWORD)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise Refused(f"请用环境变量 {ENV_NEW_PASSWORD} 给出新用户的密码，或在终端中运行本命令按提示输入。未作任何改动。")
    from getpass import getpass

    password = getpass("新用户的密码：")
    if getpass("再输入一次：") != password:
        raise Refused("两次输入的密码不一致，未作任何改动。")
    return password


COMMANDS: dict[str, Callable] = {
    "init": cmd_init,
    "demo": cmd_demo,
    "import": cmd_import,
    "export": cmd_export,
    "training": cmd_training,
    "fund": cmd_fund,
    "apprentices": cmd_apprentices,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "survey": cmd_survey,
    "allowance-roll": cmd_allowance_roll,
    "subsidy": cmd_subsidy,
    "user": cmd_user,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help exits 0, usage errors 2
        return int(exc.code or 0)
    if args.version:
        _say(version_text(args.db))
        return EXIT_OK
    log_path = setup_logging()
    if args.command is None:
        from app.ui.app import run_window

        return run_window(args.db, screenshot=args.screenshot)
    log.info("command: %s", " ".join(sys.argv[1:] if argv is None else argv))
    try:
        return COMMANDS[args.command](args)
    except Refused as exc:
        log.info("refused: %s", exc)
        _complain(f"错误：{exc}")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        _complain("已取消，未写入任何数据。")
        return EXIT_REFUSED
    except Exception as exc:
        log.exception("command failed")
        _complain(f"错误：{describe_failure(exc, log_path)}")
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
