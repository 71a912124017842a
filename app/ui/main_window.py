"""The main window: navigation on the left, one page at a time, menus, the database in use."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app import APP_NAME, __version__
from app.models.db import current_revision, sqlite_file
from app.models.users import LOCAL_ACTOR, actor_of, set_actor
from app.ui import dialogs
from app.ui.jobs import run_job
from app.ui.roles import apply_role

# Pages whose issue has not landed yet say so plainly instead of pretending.
NOT_YET = {
    "certificates": "证书一览将在后续版本提供。现在请在「职工」中打开职工档案，在「证书」页查看、添加和撤销证书。",
}
PAGES = (
    ("home", "工作台"), ("workers", "职工"), ("certificates", "证书"), ("training", "培训"), ("apprentices", "师徒"),
    ("allowances", "津贴"), ("subsidies", "补贴申请"), ("survey", "调查表"), ("policy", "政策参数"), ("enterprise", "单位信息"),
    ("audit", "操作日志"),
)


def _placeholder(title: str, text: str) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    heading = QLabel(f"<h2>{title}</h2>")
    body = QLabel(text)
    body.setWordWrap(True)
    layout.addWidget(heading)
    layout.addWidget(body)
    layout.addStretch(1)
    return page


class MainWindow(QMainWindow):
    database_changed = Signal(object)  # the new Engine

    def __init__(self, engine: Engine):
        super().__init__()
        self.engine = engine
        self.setWindowTitle(self.tr("SkillDesk 技能人才台账"))
        self.resize(1280, 760)
        self.setMinimumSize(1024, 640)
        self._build_menus()
        self.database_label = QLabel()
        self.user_label = QLabel()
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.database_label)
        self._build_pages()

    # -- pages ----------------------------------------------------------------------------
    def _build_pages(self) -> None:
        from app.ui.allowances_page import AllowancesPage
        from app.ui.apprentices_page import ApprenticesPage
        from app.ui.audit_page import AuditPage
        from app.ui.enterprise_page import EnterprisePage
        from app.ui.home_page import HomePage
        from app.ui.policy_page import PolicyPage
        from app.ui.subsidies_page import SubsidiesPage
        from app.ui.survey_page import SurveyPage
        from app.ui.workers_page import WorkersPage

        self.nav = QListWidget()
        self.nav.setFixedWidth(128)
        self.nav.setStyleSheet("QListWidget { font-size: 14px; } QListWidget::item { padding: 7px 12px; }")
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        for number, (key, label) in enumerate(PAGES):
            item = QListWidgetItem(self.tr(label))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            if key == "home":
                page = HomePage(self.engine)
                page.open_worker.connect(self.open_worker)
            elif key == "workers":
                page = WorkersPage(self.engine)
                page.open_worker.connect(self.open_worker)
                page.new_worker.connect(lambda: self.open_worker(None))
            elif key == "enterprise":
                page = EnterprisePage(self.engine)
            elif key == "audit":
                page = AuditPage(self.engine)
            elif key == "policy":
                page = PolicyPage(self.engine)
            elif key == "training":
                page = self._training_page()
            elif key == "apprentices":
                page = ApprenticesPage(self.engine)
                page.open_worker.connect(self.open_worker)
                page.changed.connect(lambda: self.pages["home"].refresh())
            elif key == "allowances":
                page = AllowancesPage(self.engine)
                page.open_worker.connect(self.open_worker)
            elif key == "subsidies":
                page = SubsidiesPage(self.engine)
                page.open_worker.connect(self.open_worker)
            elif key == "survey":
                page = SurveyPage(self.engine)
                page.open_worker.connect(self.open_worker)
                page.open_enterprise.connect(lambda: self.show_page("enterprise"))
            else:
                page = _placeholder(self.tr(label), self.tr(NOT_YET[key]))
            self.pages[key] = page
            self.stack.addWidget(page)
            # Ctrl+1 … Ctrl+0: the first ten pages from the keyboard (a second Ctrl+1 would
            # make both ambiguous, and Qt would fire neither).
            if number < 10:
                QShortcut(QKeySequence(f"Ctrl+{(number + 1) % 10}"), self, activated=lambda k=key: self.show_page(k))
        self.nav.currentRowChanged.connect(self._page_changed)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)
        self.nav.setCurrentRow(0)
        file = sqlite_file(str(self.engine.url))
        self.database_label.setText(
            self.tr("数据库：%1").replace("%1", str(file) if file else self.engine.url.render_as_string(hide_password=True))
        )
        self._apply_role()

    def _apply_role(self) -> None:
        """The user acting on the engine: named in the status bar (nobody while the database
        has no users), and for 只读 every writing control greyed (app.ui.roles)."""
        actor = actor_of(self.engine)
        self.user_label.setText("" if actor == LOCAL_ACTOR else f"{actor.name}（{actor.role}）")
        self.user_label.setVisible(actor != LOCAL_ACTOR)
        for action in (self.import_action, self.restore_action):
            action.setEnabled(actor.can_write)
        self.backup_action.setEnabled(actor.sees_full_id_numbers)  # a backup holds every 证件号码
        self.users_action.setEnabled(actor.can_manage_users)
        apply_role(self.centralWidget(), actor)

    def _training_page(self) -> QWidget:
        """培训 with its own tabs, the fund (职工教育经费) and compliance (培训合规) among them."""
        from app.ui.compliance_page import CompliancePage
        from app.ui.fund_page import FundPage
        from app.ui.training_page import TrainingPage

        page = TrainingPage(self.engine)
        page.open_worker.connect(self.open_worker)
        fund = FundPage(self.engine)
        compliance = CompliancePage(self.engine)
        compliance.open_worker.connect(self.open_worker)
        page.tabs.addTab(fund, self.tr("职工教育经费"))
        page.tabs.addTab(compliance, self.tr("培训合规"))
        page.changed.connect(fund.refresh)
        page.changed.connect(compliance.refresh)
        page.changed.connect(lambda: self.pages["home"].refresh())
        self.training_tabs = {"fund": fund, "compliance": compliance}
        return page

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow([k for k, _ in PAGES].index(key))

    def current_page_key(self) -> str:
        return PAGES[self.stack.currentIndex()][0]

    def _page_changed(self, row: int) -> None:
        self.stack.setCurrentIndex(row)  # the home page reads its figures when shown

    def data_changed(self, workers: list[int] | None = None) -> None:
        """Something was written: the pages that show it read it again."""
        self.pages["workers"].refresh(workers)
        self.pages["home"].refresh()
        self.pages["training"].refresh()  # a leave date changes departures and 重点培养对象
        self.pages["apprentices"].refresh()  # names, levels and leavers of masters and apprentices
        self.pages["allowances"].refresh()

    def open_worker(self, worker_id: int | None) -> None:
        from app.ui.worker_form import WorkerDialog

        dialog = WorkerDialog(self.engine, worker_id, self)
        apply_role(dialog, actor_of(self.engine))
        dialog.saved.connect(lambda saved_id: self.data_changed(None if worker_id is None else [saved_id]))
        dialog.removed.connect(lambda _removed_id: self.data_changed(None))
        dialog.exec()
        if worker_id is not None:  # a deletion or a move to 离职 may have happened
            self.data_changed(None)

    # -- menus ----------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        self._action(file_menu, self.tr("打开数据库(&O)…"), self.choose_database, QKeySequence.StandardKey.Open)
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, self.tr("导入花名册(&I)…"), self.import_roster, QKeySequence("Ctrl+I"))
        self._action(file_menu, self.tr("导出职工花名册(&E)…"), self.export_roster, QKeySequence("Ctrl+E"))
        file_menu.addSeparator()
        self.backup_action = self._action(file_menu, self.tr("备份(&B)…"), self.backup)
        self.restore_action = self._action(file_menu, self.tr("恢复(&R)…"), self.restore)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("退出(&X)"), self.close, QKeySequence.StandardKey.Quit)
        system_menu = self.menuBar().addMenu(self.tr("系统(&S)"))
        self.users_action = self._action(system_menu, self.tr("用户管理(&U)…"), self.manage_users)
        self._action(system_menu, self.tr("切换用户(&W)…"), self.switch_user)
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        self._action(help_menu, self.tr("关于(&A)"), self.about)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if shortcut is not None:
            action.setShortcut(shortcut)
        return action

    def import_roster(self) -> None:
        from app.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.engine, self)
        wizard.imported.connect(lambda _report: self.data_changed(None))
        wizard.exec()

    def export_roster(self) -> None:
        path = dialogs.save_file(self, self.tr("导出职工花名册"), self.tr("职工花名册.xlsx"), dialogs.EXCEL_FILTER)
        if not path:
            return
        # Who may not see full numbers is not asked: the export masks them anyway (SPEC §11).
        masked = not actor_of(self.engine).sees_full_id_numbers or dialogs.ask_yes_no(
            self,
            self.tr("证件号码"),
            self.tr("导出时把证件号码打码吗？\n选「是」：110105********002X（日常使用）。\n选「否」：完整号码（仅用于需要完整号码的报送）。"),
        )
        engine = self.engine

        def work(progress):
            from app.reports.workers_xlsx import export_workers

            return export_workers(engine, path, mask_ids=masked, progress=progress)

        run_job(
            self,
            self.tr("正在导出…"),
            work,
            on_success=lambda n: dialogs.show_info(self, self.tr("导出完成"), self.tr("已导出 %1 名职工：\n%2").replace("%1", str(n)).replace("%2", path)),
        )

    def backup(self) -> None:
        path = dialogs.save_file(self, self.tr("备份数据库"), self.tr("SkillDesk备份.db"), dialogs.DATABASE_FILTER)
        if not path:
            return
        engine = self.engine

        def work(progress):
            from app.services import audit
            from app.services.backup import backup_database

            out = backup_database(engine, Path(path))
            audit.record_backup(engine, out)
            return out

        run_job(self, self.tr("正在备份…"), work, cancellable=False,
                on_success=lambda out: dialogs.show_info(self, self.tr("备份完成"), self.tr("已备份到：\n%1").replace("%1", str(out))))

    def restore(self) -> None:
        if not self.may_discard_edits():
            return
        path = dialogs.open_file(self, self.tr("选择备份文件"), dialogs.DATABASE_FILTER)
        if not path:
            return
        if not dialogs.ask_yes_no(
            self,
            self.tr("恢复数据库"),
            self.tr("用备份 %1 替换当前数据库吗？\n当前数据库会先另存一份，不会丢失。").replace("%1", Path(path).name),
        ):
            return
        engine = self.engine

        def work(progress):
            from app.services import audit
            from app.services.backup import restore_database

            safety = restore_database(engine, Path(path))
            audit.record_restore(engine, Path(path), safety)  # into the database restored
            return safety

        def restored(safety):
            if not self._act_again(self.tr("已从备份恢复，其中的用户可能与恢复前不同，请重新登录。")):
                self.close()
                return
            self._rebuild()
            kept = self.tr("恢复前的数据库已另存为：\n%1").replace("%1", str(safety)) if safety else ""
            dialogs.show_info(self, self.tr("恢复完成"), self.tr("已从备份恢复。") + "\n" + kept)

        run_job(self, self.tr("正在恢复…"), work, cancellable=False, on_success=restored)

    def choose_database(self) -> None:
        path = dialogs.open_file(self, self.tr("打开数据库"), dialogs.DATABASE_FILTER)
        if path:
            self.open_database(path)

    def open_database(self, path_or_url: str) -> bool:
        from app.errors import Refused
        from app.models.db import database_url, ensure_schema, make_engine

        if not self.may_discard_edits():
            return False
        engine = make_engine(database_url(path_or_url))
        try:
            ensure_schema(engine)
        except Refused as exc:
            engine.dispose()
            dialogs.show_error(self, self.tr("无法打开"), str(exc))
            return False
        from app.ui.app import choose_actor

        actor = choose_actor(engine, self)
        if actor is None:  # sign-in cancelled: this database stays open
            engine.dispose()
            return False
        set_actor(engine, actor)
        self.engine.dispose()
        self.engine = engine
        self._rebuild()
        self.database_changed.emit(engine)
        return True

    def _rebuild(self) -> None:
        """Every page reads the (new or restored) database afresh."""
        old = self.centralWidget()
        self._build_pages()
        if old is not None:
            old.deleteLater()

    # -- users ----------------------------------------------------------------------------
    def manage_users(self) -> None:
        from app.ui.users_dialog import UsersDialog

        UsersDialog(self.engine, self).exec()

    def switch_user(self) -> None:
        """Sign in as someone else (or again, after a role changed); cancelling keeps the user."""
        from app.services.users import has_users
        from app.ui.sign_in import ask_sign_in

        if not has_users(self.engine):
            dialogs.show_info(self, self.tr("切换用户"), self.tr("该数据库还没有用户，无需登录。可在「系统 → 用户管理」中新增用户。"))
            return
        if not self.may_discard_edits():
            return
        actor = ask_sign_in(self.engine, self, reason=self.tr("以另一位用户的身份登录："))
        if actor is not None:
            set_actor(self.engine, actor)
            self._rebuild()

    def _act_again(self, reason: str) -> bool:
        """The database was replaced: the user acting must be one of it (still active, with
        the role it gives now), else whoever starts it (app.ui.app.choose_actor)."""
        from app.services.users import refresh_actor
        from app.ui.app import choose_actor

        actor = refresh_actor(self.engine, actor_of(self.engine)) or choose_actor(self.engine, self, reason=reason)
        if actor is None:
            return False
        set_actor(self.engine, actor)
        return True

    def about(self) -> None:
        from app.logs import setup_logging
        from app.models.db import head_revision

        file = sqlite_file(str(self.engine.url))
        dialogs.show_info(
            self,
            self.tr("关于 SkillDesk"),
            self.tr("%1 技能人才台账\n版本 %2\n\n数据库：%3\n数据库结构版本：%4（本程序的结构版本：%6）\n日志：%5")
            .replace("%1", APP_NAME)
            .replace("%2", __version__)
            .replace("%3", str(file) if file else self.engine.url.render_as_string(hide_password=True))
            .replace("%4", current_revision(self.engine) or "")
            .replace("%5", str(setup_logging()))
            .replace("%6", head_revision()),
        )

    def may_discard_edits(self) -> bool:
        """Before the window closes or another database replaces this one: a page holding
        unsaved typing (the 调查表) asks first."""
        dirty = [page for page in self.pages.values() if getattr(page, "is_dirty", None) and page.is_dirty()]
        if not dirty:
            return True
        return dialogs.ask_yes_no(self, self.tr("放弃修改"),
                                  self.tr("调查表有尚未保存的修改。确定要放弃这些修改吗？"))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self.may_discard_edits():
            event.ignore()
            return
        self.pages["workers"].save_columns()
        super().closeEvent(event)
