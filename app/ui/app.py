"""The desktop window. For now a home page over the database: what it holds and where it is;
the register's pages (职工, 证书, …) arrive with the next release."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget
from sqlalchemy import Engine, func, select

from app import APP_NAME, __version__
from app.models import Certificate, Department, Worker
from app.models.db import database_url, ensure_schema, make_engine, sqlite_file
from app.ui import dialogs

DEMO_WORKERS = 2000


class MainWindow(QMainWindow):
    def __init__(self, engine: Engine):
        super().__init__()
        self.engine = engine
        self.setWindowTitle(self.tr("SkillDesk 技能人才台账"))
        self.resize(900, 600)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setWordWrap(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(self.summary)
        self.setCentralWidget(page)
        file = sqlite_file(str(engine.url))
        where = str(file) if file else engine.url.render_as_string(hide_password=True)
        self.statusBar().showMessage(self.tr("数据库：%1").replace("%1", where))
        self.refresh()

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "workers": conn.scalar(select(func.count()).select_from(Worker)),
                "certificates": conn.scalar(select(func.count()).select_from(Certificate)),
                "departments": conn.scalar(select(func.count()).select_from(Department)),
            }

    def refresh(self) -> None:
        counts = self.counts()
        self.summary.setText(
            self.tr(
                "<h2>工作台</h2>"
                "<p>职工 <b>{workers}</b> 名，证书 <b>{certificates}</b> 张，部门 <b>{departments}</b> 个。</p>"
                "<p>本版本提供数据库、花名册导入导出、演示数据与备份恢复（见命令行 <code>skilldesk --help</code>）。"
                "职工、证书等页面将在下一版本中提供。</p>"
            ).format(**counts)
        )

    def offer_demo(self) -> None:
        if self.counts()["workers"]:
            return
        wanted = dialogs.ask_yes_no(
            self,
            self.tr("空数据库"),
            self.tr("数据库中还没有职工。要生成 %1 名职工的演示数据吗？").replace("%1", str(DEMO_WORKERS)),
        )
        if wanted:
            from app.services.demo import generate_demo

            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                generate_demo(self.engine, DEMO_WORKERS, seed=1)
            finally:
                QApplication.restoreOverrideCursor()
            self.refresh()


def run_window(db: str | None) -> int:
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv)
    engine = make_engine(database_url(db))
    from app.errors import Refused

    try:
        ensure_schema(engine)
    except Refused as exc:
        dialogs.show_error(None, APP_NAME, str(exc))
        return 1
    window = MainWindow(engine)
    window.show()
    window.offer_demo()
    return app.exec()
