"""One helper for long work off the UI thread: a progress dialog that can cancel, and a
success or failure callback back on the UI thread.

The work is a plain function `work(progress)` from app/services; it opens its own database
connection (never one of the UI thread's) and calls `progress(done, total)` now and then.
When the clerk cancels, the next `progress` call raises `Cancelled`, so the work's
transaction rolls back and nothing is written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import Cancelled, Refused, describe_failure
from app.logs import get_logger

log = get_logger("jobs")

# Tests set this to run jobs on the calling thread, one after another.
RUN_INLINE = False

Progress = Callable[[int, int], None]


class _Worker(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[Progress], object]):
        super().__init__()
        self.work = work
        self.cancel_requested = threading.Event()

    def progress(self, done: int, total: int) -> None:
        if self.cancel_requested.is_set():
            raise Cancelled()
        self.progressed.emit(done, total)

    def run(self) -> None:
        try:
            result = self.work(self.progress)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


class Job(QObject):
    """A running job. Keep a reference until `done` fires (run_job does, on the parent)."""

    done = Signal()

    def __init__(self, parent: QWidget | None, label: str, work, on_success, on_failure, cancellable: bool):
        super().__init__(parent)
        self.on_success = on_success
        self.on_failure = on_failure
        self.outcome: str | None = None  # "success", "cancelled", "refused" or "failed"
        self.dialog = QProgressDialog(label, self.tr("取消") if cancellable else "", 0, 0, parent)
        self.dialog.setWindowTitle(self.tr("请稍候"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)  # quick jobs finish before a dialog flashes up
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.worker = _Worker(work)
        self.worker.progressed.connect(self._progressed)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)
        self.dialog.canceled.connect(self.cancel)
        self.thread: QThread | None = None

    def start(self) -> None:
        if RUN_INLINE:
            self.worker.run()
            return
        self.thread = QThread(self)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel_requested.set()
        self.dialog.setLabelText(self.tr("正在取消，已做的改动将全部撤销…"))

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))

    def _finish(self) -> None:
        self.dialog.reset()
        self.dialog.hide()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        self.done.emit()

    def _succeeded(self, result) -> None:
        self.outcome = "success"
        self._finish()
        if self.on_success:
            self.on_success(result)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.outcome = "cancelled"
            message = self.tr("已取消，未写入任何数据。")
        elif isinstance(exc, Refused):
            self.outcome = "refused"
            message = str(exc)
        else:
            self.outcome = "failed"
            from app.logs import setup_logging

            log.error("job failed", exc_info=(type(exc), exc, exc.__traceback__))
            message = describe_failure(exc, setup_logging())
        if self.on_failure:
            self.on_failure(self.outcome, message)
        else:
            from app.ui import dialogs

            if self.outcome != "cancelled":
                dialogs.show_error(self.parent(), self.tr("未完成"), message)


def run_job(
    parent: QWidget | None,
    label: str,
    work: Callable[[Progress], object],
    *,
    on_success: Callable[[object], None] | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    cancellable: bool = True,
) -> Job:
    """Run `work(progress)` off the UI thread behind a progress dialog.

    `on_success(result)` and `on_failure(outcome, message)` run on the UI thread. Without
    `on_failure`, a refusal or failure is shown in one message box; a cancel says nothing.
    """
    job = Job(parent, label, work, on_success, on_failure, cancellable)
    job.done.connect(job.deleteLater)
    job.start()
    return job
