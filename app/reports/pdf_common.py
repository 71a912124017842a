"""What every printed PDF of SkillDesk shares (SPEC §6): the embedded CJK font, A4 pages with
their margins, the footer 第 X 页 共 Y 页, and amounts printed with two decimals.

The font is WenQuanYi Micro Hei (resources/fonts/wqy-microhei.ttc, Apache-2.0 or GPLv3 with a
font exception; licence beside it). ReportLab embeds TrueType-outline fonts only, as a subset,
so the text prints the same everywhere and copies out as Chinese. Every canvas is started with
`initialFontName=` that font, else the PDF would name an unembedded Helvetica.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from reportlab.lib.pagesizes import A4, landscape, portrait
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from app.errors import Refused
from app.paths import cjk_font_path
from app.services.values import money_text

FONT_NAME = "WQYMicroHei"
A4_PORTRAIT = portrait(A4)
A4_LANDSCAPE = landscape(A4)
MARGIN = 15 * mm  # left and right
FOOTER_Y = 8 * mm  # baseline of 第 X 页 共 Y 页, from the bottom edge
FOOTER_SIZE = 9

PageDecorator = Callable[[Canvas, BaseDocTemplate], None]
Row = TypeVar("Row")


class FontMissing(Refused):
    """The bundled CJK font is not where the program looks for it."""


def font_path() -> Path:
    return cjk_font_path()


def register_cjk_font() -> str:
    """Register the bundled CJK font (once; the first face of the .ttc) and return its name."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    path = font_path()
    if not path.is_file():
        raise FontMissing(
            f"找不到 PDF 所需的中文字体文件：{path}。无法生成 PDF，请重新安装 SkillDesk（安装包应带有该字体）。"
        )
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def fit_text(text: str, width: float, size: float, *, smallest: float = 6.0) -> tuple[str, float]:
    """`text` and a font size at which it fits `width` points: `size`, else smaller down to
    `smallest`, else cut with an ellipsis at `smallest`."""
    font = register_cjk_font()
    measured = pdfmetrics.stringWidth(text, font, size)
    if measured <= width:
        return text, size
    shrunk = size * width / measured
    if shrunk >= smallest:
        return text, int(shrunk * 4) / 4  # quarter points, rounded down
    while text and pdfmetrics.stringWidth(text + "…", font, smallest) > width:
        text = text[:-1]
    return text + "…", smallest


class NumberedCanvas(Canvas):
    """A canvas that knows the page count: pages are kept until save(), then each gets its
    footer 第 X 页 共 Y 页 before it is written."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initialFontName", register_cjk_font())
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.draw_footer(number, total)
            super().showPage()
        super().save()

    def draw_footer(self, number: int, total: int) -> None:
        width = self._pagesize[0]
        self.saveState()
        self.setFont(register_cjk_font(), FOOTER_SIZE)
        self.drawCentredString(width / 2, FOOTER_Y, page_label(number, total))
        self.restoreState()


def page_label(number: int, total: int) -> str:
    return f"第 {number} 页 共 {total} 页"


def page_chunks(rows: Sequence[Row], per_page: int, reserve: int) -> list[Sequence[Row]]:
    """`rows` cut into pages of `per_page`; the last page also needs `reserve` rows' room (for
    a grand total, signature boxes), so when it lacks it the last page takes only the rows that
    fit after. A writer that cuts its own pages can print each page's subtotal of exactly the
    rows on it."""
    chunks = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [rows[:0]]
    last = chunks[-1]
    room = per_page - reserve
    if len(last) > room:
        keep = room if room > 0 else len(last) - 1
        chunks[-1:] = [last[:keep], last[keep:]]
    return chunks


def page_template(
    template_id: str,
    *,
    pagesize: tuple[float, float],
    top: float,
    bottom: float,
    on_page: PageDecorator | None = None,
    on_page_end: PageDecorator | None = None,
) -> PageTemplate:
    """A page of `pagesize` whose one frame fills it inside the margins, with no frame padding
    so a flowable's height is what it takes. Templates of different sizes may share a document
    (a portrait form, then a landscape roster): the footer counts all their pages."""
    width, height = pagesize
    frame = Frame(MARGIN, bottom, width - 2 * MARGIN, height - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    return PageTemplate(id=template_id, frames=[frame], pagesize=pagesize,
                        onPage=on_page or _nothing, onPageEnd=on_page_end or _nothing)


def _nothing(_canvas: Canvas, _doc: BaseDocTemplate) -> None:
    return None


def make_document(
    out: str | Path,
    *,
    pagesize: tuple[float, float] = A4_PORTRAIT,
    top: float = 20 * mm,
    bottom: float = 15 * mm,
    title: str = "",
    on_page: PageDecorator | None = None,
) -> BaseDocTemplate:
    """An A4 document whose one frame fills the page inside the margins (no frame padding,
    so a flowable's height is what it takes); `on_page` draws what every page repeats above
    the frame (a title, say). Build it with `build(doc, story)`."""
    font = register_cjk_font()
    doc = BaseDocTemplate(
        str(out), pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=top, bottomMargin=bottom,
        title=title, author="SkillDesk", creator="SkillDesk", initialFontName=font, initialFontSize=10,
    )
    doc.addPageTemplates([page_template("page", pagesize=pagesize, top=top, bottom=bottom, on_page=on_page)])
    return doc


def build(doc: BaseDocTemplate, story: Sequence[Flowable]) -> Path:
    """Build `doc` with the page-count footer and return its path."""
    out = Path(doc.filename)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.build(list(story), canvasmaker=NumberedCanvas)
    return out


__all__ = [
    "A4_LANDSCAPE",
    "A4_PORTRAIT",
    "FONT_NAME",
    "MARGIN",
    "FontMissing",
    "NumberedCanvas",
    "build",
    "fit_text",
    "font_path",
    "make_document",
    "money_text",
    "page_chunks",
    "page_label",
    "page_template",
    "register_cjk_font",
]
