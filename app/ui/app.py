"""Starting the window: the Qt application, the database, and what a first start offers."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTimer, QTranslator
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app import APP_NAME, __version__
from app.errors import Refused
from app.logs import get_logger
from app.models import Worker
from app.models.db import database_url, ensure_schema, make_engine
from app.paths import cjk_font_path, icon_path
from app.ui import dialogs
from app.ui.jobs import run_job

DEMO_WORKERS = 2000
log = get_logger("ui")


def choose_actor(engine, parent=None, *, reason: str | None = None):
    """Who works in the window: without users the local clerk and with one active user that
    user, as before, without a question; with two or more, whoever signs in (None: cancelled)."""
    from app.services.users import startup_actor
    from app.ui.sign_in import ask_sign_in

    return startup_actor(engine) or ask_sign_in(engine, parent, reason=reason)


def first_start(window) -> None:
    """An empty database: offer the demo data; no 单位信息 yet: open its form."""
    from app.models.users import actor_of
    from app.services.enterprise import load_enterprise

    with window.engine.connect() as conn:
        empty = not conn.scalar(select(func.count()).select_from(Worker))
    if empty and actor_of(window.engine).can_write and dialogs.ask_yes_no(
        window,
        window.tr("欢迎使用 SkillDesk"),
        window.tr("数据库中还没有职工。要生成 %1 名职工的演示数据，先熟悉一下程序吗？\n（演示数据可随时新建一个数据库来去掉。）")
        .replace("%1", str(DEMO_WORKERS)),
    ):
        engine = window.engine

        def work(progress):
            from app.services.demo import generate_demo

            return generate_demo(engine, DEMO_WORKERS, seed=1, progress=progress)

        run_job(window, window.tr("正在生成演示数据…"), work, on_success=lambda _summary: window.data_changed(None))
    if not load_enterprise(window.engine).name:
        window.show_page("enterprise")


def install_resources(app: QApplication) -> None:
    """What the window needs beyond Qt itself, the same from source and from the installed folder."""
    # Qt's own words (the 是/否 of a question, 取消, the print dialog) are English unless
    # its Chinese catalogue is loaded; the clerk's Windows language does not matter.
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
        log.info("Qt translations: %s", translator.filePath())
    else:
        log.warning("Qt translations qtbase_zh_CN.qm not found in %s", folder)
    # The PDF font also serves the screen as a fallback, so a PC without a Chinese system
    # font shows Chinese instead of boxes; one with one (微软雅黑) keeps its own.
    QFontDatabase.addApplicationFont(str(cjk_font_path()))
    app.setWindowIcon(QIcon(str(icon_path())))


def _save_picture_and_quit(window, path: str) -> None:
    window.grab().save(path)
    log.info("window picture saved: %s", path)
    QApplication.instance().quit()


def run_window(db: str | None, *, screenshot: str | None = None) -> int:
    """`screenshot`: the release check's proof that the built program opens its window:
    once the window is up, save a picture of it there and quit."""
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv)
    install_resources(app)
    engine = make_engine(database_url(db))
    try:
        ensure_schema(engine)
    except Refused as exc:
        dialogs.show_error(None, APP_NAME, str(exc))
        return 1
    from app.models.users import set_actor

    actor = choose_actor(engine)  # before the window: it shows only what this user may see
    if actor is None:
        return 0  # the clerk cancelled the sign-in
    set_actor(engine, actor)
    from app.ui.main_window import MainWindow

    window = MainWindow(engine)
    window.show()
    if screenshot:
        QTimer.singleShot(0, lambda: _save_picture_and_quit(window, screenshot))
        return app.exec()
    first_start(window)
    return app.exec()
