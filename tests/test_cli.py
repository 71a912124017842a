"""The command line is a contract (SPEC §8): verbs, options, exit codes, Chinese on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

from openpyxl import load_workbook

from app.cli.main import main
from tests.factories import make_id, write_roster

ZHANG = make_id("110105", date(1985, 3, 12), 11)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_creates_then_reports_up_to_date(capsys, db_path):
    code, out, _ = run(capsys, "--db", db_path, "init")
    assert code == 0 and "已创建数据库" in out
    code, out, _ = run(capsys, "--db", db_path, "init")
    assert code == 0 and "已是最新" in out


def test_usage_errors_exit_2_in_chinese(capsys, db_path):
    code, _, err = run(capsys, "--db", db_path, "demo")
    assert code == 2 and "缺少必需的参数" in err
    code, _, err = run(capsys, "--db", db_path, "import", "people", "x.xlsx")
    assert code == 2 and "无效的选择" in err
    code, _, err = run(capsys, "--db", db_path, "frobnicate")
    assert code == 2
    code, _, err = run(capsys, "--db", db_path, "import", "workers", "x.xlsx", "--on-duplicate", "merge")
    assert code == 2


def test_import_refusal_exit_1_lists_problems_on_stderr(capsys, db_path, tmp_path):
    bad = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")
    roster = write_roster(tmp_path / "r.xlsx", ["姓名", "身份证号", "月工资"], [["张三", bad, "abc"], ["", ZHANG, 1]])
    code, out, err = run(capsys, "--db", db_path, "import", "workers", roster)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("导入被拒绝：发现 3 个问题")
    assert any(line.startswith("第4行，证件号码（B列）") for line in lines)
    assert any(line.startswith("第4行，月工资（C列）「abc」") for line in lines)
    assert any(line.startswith("第5行，姓名（A列）") for line in lines)


def test_import_dry_run_then_real_then_export(capsys, db_path, tmp_path):
    roster = write_roster(tmp_path / "r.xlsx", ["序号", "姓名", "身份证号码"], [[1, "张三", ZHANG]])
    code, out, err = run(capsys, "--db", db_path, "import", "workers", roster, "--dry-run")
    assert code == 0 and "将新增职工 1 名" in out and "试运行" in out and "序号" in err
    code, out, _ = run(capsys, "--db", db_path, "import", "workers", roster)
    assert code == 0 and "已新增职工 1 名" in out
    code, out, _ = run(capsys, "--db", db_path, "import", "workers", roster, "--on-duplicate", "error")
    assert code == 1
    export = tmp_path / "out.xlsx"
    code, out, _ = run(capsys, "--db", db_path, "export", "workers", "--out", export, "--mask-id")
    assert code == 0
    values = [c.value for c in load_workbook(export).active[2]]
    assert "110105********" + ZHANG[-4:] in values and ZHANG not in values


def test_missing_file_is_refused(capsys, db_path, tmp_path):
    code, _, err = run(capsys, "--db", db_path, "import", "workers", tmp_path / "none.xlsx")
    assert code == 1 and "找不到文件" in err


def test_backup_and_restore(capsys, db_path, tmp_path):
    roster = write_roster(tmp_path / "r.xlsx", ["姓名", "身份证号码"], [["张三", ZHANG]])
    run(capsys, "--db", db_path, "import", "workers", roster)
    backup = tmp_path / "备份.db"
    code, out, _ = run(capsys, "--db", db_path, "backup", "--out", backup)
    assert code == 0 and backup.exists()
    other = tmp_path / "other.db"
    code, out, _ = run(capsys, "--db", other, "restore", backup)
    assert code == 0
    code, out, _ = run(capsys, "--db", other, "export", "workers", "--out", tmp_path / "e.xlsx")
    assert "1 名" in out
    not_ours = tmp_path / "notes.txt"
    not_ours.write_text("hello")
    code, _, err = run(capsys, "--db", other, "restore", not_ours)
    assert code == 1 and "不是 SkillDesk 数据库" in err


def test_console_entry_point_runs_as_module(db_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(db_path), "init"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "已创建数据库" in done.stdout


def test_unopenable_database_explains_in_chinese(capsys, tmp_path):
    code, _, err = run(capsys, "--db", tmp_path / "no" / "such" / "folder" / "x.db", "init")
    assert code == 1 and "无法打开数据库文件" in err and "Traceback" not in err


def test_version_names_the_database_and_both_schema_revisions_without_creating_it(capsys, tmp_path):
    from app.models.db import head_revision

    db_file = tmp_path / "skilldesk.db"  # a file of its own: --version reads SQLite's file itself
    code, out, _ = run(capsys, "--db", db_file, "--version")
    assert code == 0 and "SkillDesk 0." in out and str(db_file) in out and "尚未创建" in out
    assert not db_file.exists()
    run(capsys, "--db", db_file, "init")
    code, out, _ = run(capsys, "--db", db_file, "--version")
    assert code == 0 and f"数据库结构版本：{head_revision()}（本程序的结构版本：{head_revision()}）" in out
    db_file.write_bytes(b"not a database at all")
    code, out, _ = run(capsys, "--db", db_file, "--version")
    assert code == 0 and "无法读取（该文件不是数据库）" in out


def test_version_of_the_default_database(capsys, user_folders):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and str(user_folders) in out and "尚未创建" in out
