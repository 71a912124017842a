"""The log a clerk sends to support: commands, refusals and tracebacks, never a full ID."""

from __future__ import annotations

import logging
from datetime import date

from app.cli.main import main
from app.logs import mask_ids_in, setup_logging
from tests.factories import make_id, write_roster

ZHANG = make_id("110105", date(1985, 3, 12), 11)


def test_masking_keeps_area_and_tail_only():
    assert mask_ids_in(f"id {ZHANG}.") == f"id {ZHANG[:6]}********{ZHANG[-4:]}."
    assert mask_ids_in("110105850312001") == "110105*****2001"
    assert mask_ids_in("phone 13800138000, 工号 A0001") == "phone 13800138000, 工号 A0001"


def test_commands_and_failures_reach_the_log_masked(tmp_path, db_path, capsys):
    log_file = setup_logging()
    roster = write_roster(tmp_path / f"{ZHANG}.xlsx", ["姓名", "身份证号"], [["张三", ZHANG]])
    assert main(["--db", str(db_path), "import", "workers", str(roster)]) == 0
    try:
        raise ValueError(f"broken row for {ZHANG}")
    except ValueError:
        logging.getLogger("skilldesk.test").exception("import failed")
    for handler in logging.getLogger("skilldesk").handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "import workers" in text and "Traceback" in text
    assert ZHANG not in text and f"{ZHANG[:6]}********{ZHANG[-4:]}" in text
    assert str(tmp_path) in str(log_file)  # the tests' user folders, never the real ones
