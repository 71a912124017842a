"""Regenerate README's screenshots (docs/screenshots/*.png) at 1366×768 from a demo database.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("SkillDeskScreenshots")
    app = QApplication(sys.argv)
    from app.models.db import database_url, ensure_schema, make_engine
    from app.services.demo import DEMO_REFERENCE_DATE, generate_demo
    from app.ui import jobs
    from app.ui.import_wizard import ImportWizard
    from app.ui.main_window import MainWindow
    from app.ui.worker_form import WorkerDialog
    from tests.factories import make_id, write_roster

    jobs.RUN_INLINE = True
    folder = Path(tempfile.mkdtemp(prefix="skilldesk-shots-"))
    engine = make_engine(database_url(folder / "demo.db"))
    ensure_schema(engine)
    generate_demo(engine, 3000, seed=1)
    OUT.mkdir(parents=True, exist_ok=True)

    def save(widget, name: str) -> None:
        app.processEvents()
        widget.grab().save(str(OUT / f"{name}.png"))
        print(OUT / f"{name}.png")

    window = MainWindow(engine)
    window.pages["home"].as_of = DEMO_REFERENCE_DATE
    window.resize(1366, 768)
    window.show()
    window.show_page("home")
    save(window, "01-home")
    window.show_page("workers")
    workers = window.pages["workers"]
    workers.search.setText("wj")
    save(window, "02-workers")
    workers.search.clear()
    window.show_page("enterprise")
    save(window, "05-enterprise")

    worker_id = workers.model.ids[0]
    dialog = WorkerDialog(engine, worker_id, window)
    dialog.show()
    save(dialog, "03-worker-form")
    tabs = dialog.findChild(type(dialog.tabs)) if hasattr(dialog, "tabs") else None
    if tabs is not None:
        tabs.setCurrentIndex(tabs.count() - 1)
        save(dialog, "03b-worker-levels")
    dialog.close()

    good = make_id("110105", date(1990, 5, 5), 1)
    roster = write_roster(
        folder / "花名册.xlsx",
        ["序号", "姓名", "身份证号码", "部门", "月工资", "入职日期"],
        [[1, "张伟", good, "焊接车间", 6500, "2015-03-01"], [2, "李娜", good[:17] + ("0" if good[17] != "0" else "1"), "装配车间", -300, "2015-13-01"]],
    )
    wizard = ImportWizard(engine, window, path=str(roster))
    wizard.show()
    wizard.check()
    save(wizard, "04-import-problems")
    wizard.close()

    from app.services.subsidies import TYPE_UPGRADE_TRAINING

    window.show_page("subsidies")
    subsidies = window.pages["subsidies"]
    new = subsidies.new_application()
    new.today = DEMO_REFERENCE_DATE
    new.set_criteria(TYPE_UPGRADE_TRAINING, date(2026, 1, 1), date(2026, 10, 31))
    new.find()
    refused = next((r for r in range(new.model.rowCount()) if not new.model.candidate(r).eligible), 0)
    new.view.selectRow(refused)
    save(new, "06-subsidy-candidates")
    new.model.tick_all(True)
    from app.ui import dialogs
    from app.ui.pdf_preview import PdfPreviewDialog

    dialogs.ask_yes_no = lambda *_args: True  # the confirmation is the clerk's; here it is yes
    new.save(generate=True)
    preview = subsidies.dialog
    if isinstance(preview, PdfPreviewDialog):
        preview.resize(900, 760)
        import time

        deadline = time.monotonic() + 3  # QPdfView renders its pages on a thread
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.05)
        save(preview, "08-subsidy-preview")
        preview.close()
    save(window, "07-subsidies")

    from app.ui.survey_page import COL_DEMAND, COL_OCCUPATION

    window.show_page("survey")
    survey = window.pages["survey"]
    survey.set_date(DEMO_REFERENCE_DATE)
    for level, occupations, count in (("高级工", "焊工、数控车工", "12"), ("技师", "电工", "3")):
        survey.cell(level, COL_OCCUPATION).setText(occupations)
        survey.cell(level, COL_DEMAND).setText(count)
    survey.filled_by_edit.setText("李娜")
    survey.save()
    save(window, "09-survey")
    users_shots(engine, window, workers.model.ids[0], save)
    audit_shot(engine, window, workers.model.ids[1], save)


def users_shots(engine, window, worker_id: int, save) -> None:
    """登录, 用户管理 and a 只读 user's worker file (10-, 11-, 12-)."""
    from app.models.users import (
        ROLE_ADMIN,
        ROLE_CLERK,
        ROLE_READER,
        actor_of,
        set_actor,
    )
    from app.services.users import create_user, sign_in
    from app.ui.roles import apply_role
    from app.ui.sign_in import SignInDialog
    from app.ui.users_dialog import UsersDialog
    from app.ui.worker_form import WorkerDialog

    create_user(engine, "admin", "王主任", ROLE_ADMIN, "admin-pass-1")
    create_user(engine, "lisi", "李四", ROLE_CLERK, "lisi-pass-1")
    create_user(engine, "zhao", "赵六", ROLE_READER, "zhao-pass-1")
    dialog = SignInDialog(engine, window)
    dialog.login.setText("lisi")
    dialog.password.setText("not-this-one")
    dialog.attempt()  # as after a mistyped password: said in the dialog, the 用户名 kept
    dialog.show()
    save(dialog, "10-sign-in")
    dialog.close()
    set_actor(engine, sign_in(engine, "admin", "admin-pass-1"))
    users = UsersDialog(engine, window)
    users.select_login("lisi")
    users.show()
    save(users, "11-users")
    users.close()
    set_actor(engine, sign_in(engine, "zhao", "zhao-pass-1"))
    window._rebuild()
    form = WorkerDialog(engine, worker_id, window)
    apply_role(form, actor_of(engine))  # as MainWindow.open_worker does
    form.show()
    save(form, "12-reader-worker-form")
    form.close()


def audit_shot(engine, window, worker_id: int, save) -> None:
    """操作日志 (13-) as the 管理员 reads it, a clerk's change of a worker selected."""
    from PySide6.QtWidgets import QApplication

    from app.models.users import set_actor
    from app.services.users import sign_in
    from app.services.workers import load_worker, save_worker

    set_actor(engine, sign_in(engine, "lisi", "lisi-pass-1"))
    record = load_worker(engine, worker_id)
    keys = ("employee_no", "name", "id_type", "id_number", "gender", "birth_date", "education", "department",
            "post", "occupation", "is_frontline", "is_team_leader", "hire_date", "leave_date", "phone", "status",
            "notes", "contract_start", "contract_end", "contract_open_ended")
    save_worker(engine, {**{key: getattr(record, key) for key in keys}, "department": "装配车间", "post": "班组长",
                         "is_team_leader": True, "monthly_wage": "6850.00"},
                worker_id=worker_id, expected_version=record.version)
    set_actor(engine, sign_in(engine, "admin", "admin-pass-1"))
    window._rebuild()
    window.show_page("audit")
    window.pages["audit"].table.selectRow(0)
    QApplication.instance().processEvents()  # the rebuilt window lays the page out in two passes
    save(window, "13-audit")


if __name__ == "__main__":
    main()
