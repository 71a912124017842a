"""Draws the program's icon into resources/icons/: skilldesk.png (the window) and skilldesk.ico
(the Windows .exe, the Start-menu shortcut and the setup). Run again only to change it:
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402  (Pillow comes with ReportLab; Qt writes one size per .ico)
from PySide6.QtCore import QBuffer, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter, QPainterPath  # noqa: E402

from app.paths import cjk_font_path, icon_path  # noqa: E402

SIZE = 256
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw() -> QImage:
    image = QImage(SIZE, SIZE, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    tile = QPainterPath()
    tile.addRoundedRect(QRectF(8, 8, SIZE - 16, SIZE - 16), 44, 44)
    painter.fillPath(tile, QColor("#1f5fa8"))
    # A ledger's ruled lines under the character: 台账.
    painter.setPen(QColor(255, 255, 255, 90))
    for y in (196, 214):
        painter.drawLine(56, y, SIZE - 56, y)
    family = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(cjk_font_path())))[0]
    font = QFont(family)
    font.setPixelSize(150)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 14, SIZE, 176), Qt.AlignmentFlag.AlignCenter, "技")
    painter.end()
    return image


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # noqa: F841 (fonts need it)
    image = draw()
    png = icon_path(".png")
    png.parent.mkdir(parents=True, exist_ok=True)
    image.save(str(png))
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    Image.open(io.BytesIO(bytes(buffer.data()))).save(icon_path(".ico"), sizes=ICO_SIZES)
    print(f"{png}\n{icon_path('.ico')}")


if __name__ == "__main__":
    main()
