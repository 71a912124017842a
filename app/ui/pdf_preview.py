"""A PDF shown inside the program before it is saved or printed (QtPdf), so the clerk sees
what the bureau will get and can print without leaving SkillDesk."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QKeySequence, QPageLayout, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui import dialogs

PDF_FILTER = "PDF 文件 (*.pdf)"
# Pages are rasterised for the printer at this resolution: sharp text, bounded memory.
PRINT_DPI = 300


class PdfPreviewDialog(QDialog):
    """Shows the PDF at `path` (a temporary file the caller made); 另存为 copies it where the
    clerk chooses, 打印 sends every page to the printer the clerk picks."""

    def __init__(self, path: Path, title: str, suggested_name: str, parent: QWidget | None = None, *,
                 note: str = ""):
        super().__init__(parent)
        self.path = Path(path)
        self.suggested_name = suggested_name
        self.saved_to: Path | None = None
        self.setWindowTitle(title)
        self.document = QPdfDocument(self)
        self.document.load(str(self.path))
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages_label = QLabel(self.tr("共 %1 页").replace("%1", str(self.document.pageCount())))
        self.save_button = QPushButton(self.tr("另存为…"))
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip(self.tr("保存 PDF 文件（Ctrl+S）"))
        self.save_button.clicked.connect(self.save_as)
        self.print_button = QPushButton(self.tr("打印…"))
        self.print_button.setShortcut(QKeySequence.StandardKey.Print)
        self.print_button.setToolTip(self.tr("选择打印机并打印（Ctrl+P）"))
        self.print_button.clicked.connect(self.print_document)
        self.fit_page_button = QPushButton(self.tr("整页"))
        self.fit_page_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.fit_width_button = QPushButton(self.tr("适合宽度"))
        self.fit_width_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pages_label)
        buttons.addStretch(1)
        for button in (self.fit_page_button, self.fit_width_button, self.save_button, self.print_button, close):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #9a6700;")
        self.note.setVisible(bool(note))
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(900, 760)

    def page_count(self) -> int:
        return self.document.pageCount()

    def save_as(self) -> Path | None:
        target = dialogs.save_path(self, self.tr("保存 PDF"), self.suggested_name, PDF_FILTER, ".pdf")
        if target is None:
            return None
        try:
            shutil.copyfile(self.path, target)
        except OSError as exc:
            dialogs.show_error(self, self.tr("未保存"), self.tr("无法写入 %1：%2").replace("%1", str(target))
                               .replace("%2", exc.strerror or str(exc)))
            return None
        self.saved_to = target
        dialogs.show_info(self, self.tr("已保存"), self.tr("已保存到：\n%1").replace("%1", str(target)))
        return target

    def print_document(self) -> bool:
        printer = dialogs.choose_printer(self)
        if printer is None:
            return False
        self.print_to(printer)
        return True

    def print_to(self, printer: QPrinter) -> None:
        """Every page, each in its own orientation (a portrait cover, landscape rosters)."""
        painter = QPainter()
        for page in range(self.document.pageCount()):
            points = self.document.pagePointSize(page)
            orientation = (QPageLayout.Orientation.Landscape if points.width() > points.height()
                           else QPageLayout.Orientation.Portrait)
            printer.setPageOrientation(orientation)
            if page == 0:
                if not painter.begin(printer):
                    dialogs.show_error(self, self.tr("无法打印"), self.tr("打印机无法开始打印，请检查打印机。"))
                    return
            else:
                printer.newPage()
            area = painter.viewport()
            scale = PRINT_DPI / 72
            image = self.document.render(page, QSize(int(points.width() * scale), int(points.height() * scale)))
            fitted = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(QPoint(0, 0), fitted), image)
        painter.end()


__all__ = ["PDF_FILTER", "PdfPreviewDialog"]
