"""The printed subsidy application (SPEC §6), read back with pypdf: the cover 申请表 with the
enterprise block, the amount in figures and in 人民币大写, the 承诺 and the boxes; the 说明 page
of a list the workers claim themselves; the roster with its header, 本页小计 and 第 X 页 共 Y 页
on every page and the 合计 equal to the application's total; full ID numbers; long text fitted
to its cell; the draft banner; the CJK font embedded; progress and cancelling."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from app.errors import Cancelled
from app.reports.pdf_common import A4_LANDSCAPE, A4_PORTRAIT, register_cjk_font
from app.reports.subsidy_pdf import (
    DECLARATION,
    DRAFT_BANNER,
    GRAND_TOTAL,
    PAGE_SUBTOTAL,
    REVIEW,
    ROSTER_WIDTHS,
    fit_cell,
    roster_headers,
    rows_per_page,
    write_application_pdf,
)
from app.services.enterprise import EnterpriseInfo
from app.services.subsidy_docs import (
    CLAIMANT_ENTERPRISE,
    CLAIMANT_WORKER,
    ApplicationDoc,
    LineDoc,
    RosterColumns,
)

AMOUNT = re.compile(r"^\d+\.\d{2}$")
ENTERPRISE = EnterpriseInfo(
    name="常州华东精密机械制造有限公司", uscc="91320411MA1XXXXX3K", principal="王建国", phone="0519-83456789",
    address="江苏省常州市新北区华山路 18 号", bank_name="中国工商银行常州新北支行", bank_account="1105020109001234567",
)
COMPETITION = "第二届全国技能大赛暨江苏省第五届职业技能大赛数控铣项目选拔赛"
CERTIFICATE_COLUMNS = RosterColumns()
COMPETITION_COLUMNS = RosterColumns(occupation="竞赛项目", level="奖次", reference_no="竞赛名称",
                                    reference_date="比赛日期")


def line(seq: int, amount: str = "2000.00", **changes) -> LineDoc:
    plain = LineDoc(
        seq=seq, name=("张伟", "欧阳娜娜", "李建国")[seq % 3], gender="男", id_type="居民身份证",
        id_number=f"3204111985{seq % 12 + 1:02d}{seq % 28 + 1:02d}{seq % 1000:03d}X", occupation="数控车工",
        level="高级工", reference_no=f"S{3204110000000000 + seq}", reference_date=date(2025, 3, 9),
        contract="2020-01-01至无固定期限", amount=Decimal(amount),
    )
    return replace(plain, **changes)


def application(lines, *, status="已生成", claimant=CLAIMANT_ENTERPRISE, columns=CERTIFICATE_COLUMNS,
                title="技能提升培训补贴申请表", subsidy_type="技能提升培训补贴") -> ApplicationDoc:
    return ApplicationDoc(
        id=42, subsidy_type=subsidy_type, title=title, period_from=date(2026, 1, 1), period_to=date(2026, 6, 30),
        status=status, claimant=claimant, columns=columns, lines=tuple(lines),
    )


def page_lines(path) -> list[list[str]]:
    reader = PdfReader(path)
    return [[text.strip() for text in page.extract_text().splitlines() if text.strip()] for page in reader.pages]


def roster_amounts(lines: list[str]) -> list[Decimal]:
    """The 金额 of each line printed on a roster page (between the header and 本页小计)."""
    return [Decimal(t) for t in lines[lines.index("金额") + 1:lines.index(PAGE_SUBTOTAL)] if AMOUNT.match(t)]


def amount_after(lines: list[str], label: str) -> Decimal:
    start = lines.index(label) + 1
    return next(Decimal(t) for t in lines[start:] if AMOUNT.match(t))


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory):
    """60 lines: the cover and three roster pages."""
    doc = application([line(n, ("2000.00", "1500.00", "800.50")[n % 3]) for n in range(1, 61)])
    out = write_application_pdf(doc, ENTERPRISE, tmp_path_factory.mktemp("pdf") / "application.pdf",
                                prepared_by="李娜")
    return doc, out


def test_the_cover_prints_the_enterprise_the_amount_in_capitals_and_the_boxes(tmp_path):
    doc = application([line(1, "1000.00"), line(2, "680.00"), line(3, "0.32")])
    out = write_application_pdf(doc, ENTERPRISE, tmp_path / "a.pdf", prepared_by="李娜")
    cover = page_lines(out)[0]
    text = "\n".join(cover)
    assert cover[0] == "技能提升培训补贴申请表"
    assert "申请期间：2026-01-01 至 2026-06-30" in cover and "申请编号：42" in cover
    for label, value in (("单位名称", ENTERPRISE.name), ("统一社会信用代码", ENTERPRISE.uscc),
                         ("负责人", ENTERPRISE.principal), ("联系电话", ENTERPRISE.phone),
                         ("单位地址", ENTERPRISE.address), ("开户银行", ENTERPRISE.bank_name),
                         ("银行账号", ENTERPRISE.bank_account), ("补贴类型", "技能提升培训补贴"),
                         ("申请人数", "3 人")):
        assert cover[cover.index(label) + 1] == value, label
    assert "¥1680.32" in cover
    assert "人民币壹仟陆佰捌拾元零叁角贰分" in cover
    assert DECLARATION in text.replace("\n", "")
    for box in ("单位（盖章）", "负责人（签字）", "经办人（签字）", "日期", REVIEW):
        assert box in cover
    assert cover[cover.index("经办人（签字）") + 1] == "李娜"
    assert any(t.startswith("审核人：") for t in cover)


def test_empty_enterprise_fields_print_as_blank_cells_never_none(tmp_path):
    doc = application([line(1)])
    out = write_application_pdf(doc, EnterpriseInfo(name="某公司", bank_account=None), tmp_path / "a.pdf")
    text = "\n".join(t for page in page_lines(out) for t in page)
    assert "None" not in text
    cover = page_lines(out)[0]
    assert cover[cover.index("统一社会信用代码") + 1] == "负责人"  # the value cell between is empty
    assert cover[cover.index("开户银行") + 1] == "银行账号"


def test_a_list_the_workers_claim_themselves_has_an_explanation_and_nothing_to_sign(tmp_path):
    doc = application([line(1, "1409.50"), line(2, "1500.00")], claimant=CLAIMANT_WORKER,
                      title="技能提升补贴申领名单", subsidy_type="技能提升补贴")
    pages = page_lines(write_application_pdf(doc, ENTERPRISE, tmp_path / "w.pdf", prepared_by="李娜"))
    cover = pages[0]
    text = "".join(cover)
    assert cover[0] == "技能提升补贴申领名单" and "说明" in cover
    assert "职工本人" in text
    assert "2 人" in cover and "¥2909.50" in cover and "人民币贰仟玖佰零玖元伍角" in cover
    for absent in ("承诺", "盖章", "签字", REVIEW, "申请编号", "李娜"):
        assert absent not in text, absent
    assert pages[1][0] == "技能提升补贴申领名单"


def test_every_roster_page_has_the_header_its_subtotal_and_the_page_count(long_pdf):
    doc, out = long_pdf
    pages = page_lines(out)
    per_page = rows_per_page()
    assert len(pages) == 1 + -(-len(doc.lines) // per_page) >= 4
    assert f"第 1 页 共 {len(pages)} 页" in pages[0]
    subtotals = Decimal("0.00")
    printed = 0
    for number, lines in enumerate(pages[1:], start=2):
        assert lines[0] == "技能提升培训补贴花名册", number
        assert "单位：" + ENTERPRISE.name in lines and any("金额单位：元" in t for t in lines)
        assert all(label in lines for label in roster_headers(doc.columns)), number
        assert lines.count(PAGE_SUBTOTAL) == 1, number
        subtotal = amount_after(lines, PAGE_SUBTOTAL)
        amounts = roster_amounts(lines)
        assert subtotal == sum(amounts), number
        subtotals += subtotal
        printed += len(amounts)
        assert f"第 {number} 页 共 {len(pages)} 页" in lines
        assert (GRAND_TOTAL in lines) == (number == len(pages)), number
    assert printed == len(doc.lines)
    assert amount_after(pages[-1], GRAND_TOTAL) == subtotals == doc.total
    assert f"共 {doc.persons} 人" in pages[-1]


def test_the_cover_is_portrait_and_the_roster_landscape(long_pdf):
    _doc, out = long_pdf
    sizes = [tuple(round(float(v)) for v in page.mediabox[2:]) for page in PdfReader(out).pages]
    assert sizes[0] == tuple(round(v) for v in A4_PORTRAIT)
    assert set(sizes[1:]) == {tuple(round(v) for v in A4_LANDSCAPE)}


def test_amounts_have_two_decimals_ids_are_full_and_dates_iso(long_pdf):
    doc, out = long_pdf
    text = [t for page in page_lines(out)[1:] for t in page]
    for entry in doc.lines:
        assert entry.id_number in text  # all 18 characters, the X too
    assert "2025-03-09" in text
    numbers = [t for t in text if re.fullmatch(r"\d+\.\d+", t)]
    assert numbers and all(AMOUNT.match(t) for t in numbers)
    assert "800.50" in numbers


def test_a_page_full_to_the_last_line_moves_one_line_on_for_the_grand_total(tmp_path):
    per_page = rows_per_page()
    doc = application([line(n) for n in range(1, per_page + 1)])
    pages = page_lines(write_application_pdf(doc, ENTERPRISE, tmp_path / "a.pdf"))
    assert len(pages) == 3
    assert [len(roster_amounts(p)) for p in pages[1:]] == [per_page - 1, 1]
    assert amount_after(pages[-1], GRAND_TOTAL) == doc.total


def test_two_lines_of_one_person_count_once(tmp_path):
    twice = line(2, id_number=line(1).id_number)
    doc = application([line(1), twice, line(3)])
    pages = page_lines(write_application_pdf(doc, ENTERPRISE, tmp_path / "a.pdf"))
    assert "共 2 人，3 条" in pages[-1]
    assert pages[0][pages[0].index("申请人数") + 1] == "2 人"


def test_long_text_is_fitted_to_its_cell_never_spilling(tmp_path):
    font = register_cjk_font()
    for column, text in ((6, COMPETITION), (1, "阿卜杜热合曼·买买提艾力江"), (6, COMPETITION * 3), (4, "数控车工")):
        width = ROSTER_WIDTHS[column] - 4
        fitted, size = fit_cell(text, width)
        assert size >= 6
        assert all(pdfmetrics.stringWidth(part, font, size) <= width for part in fitted.split("\n"))
        assert len(fitted.split("\n")) <= 2
        assert fitted.replace("\n", "") == text or fitted.endswith("…")
    assert fit_cell("数控车工", ROSTER_WIDTHS[4] - 4) == ("数控车工", 9)
    assert fit_cell(COMPETITION, ROSTER_WIDTHS[6] - 4)[0].replace("\n", "") == COMPETITION  # whole, in two lines

    doc = application([line(1, reference_no=COMPETITION, level="一等奖")], columns=COMPETITION_COLUMNS,
                      subsidy_type="技能竞赛奖励", title="技能竞赛奖励申请表")
    roster = page_lines(write_application_pdf(doc, ENTERPRISE, tmp_path / "c.pdf"))[1]
    assert all(label in roster for label in ("竞赛项目", "奖次", "竞赛名称", "比赛日期"))
    assert roster[0] == "技能竞赛奖励花名册"


def test_a_draft_carries_the_banner_on_every_page_a_generated_one_none(tmp_path):
    lines = [line(n) for n in range(1, 30)]
    draft = page_lines(write_application_pdf(application(lines, status="草稿"), ENTERPRISE, tmp_path / "d.pdf"))
    assert len(draft) >= 3 and all(DRAFT_BANNER in page for page in draft)
    done = page_lines(write_application_pdf(application(lines), ENTERPRISE, tmp_path / "g.pdf"))
    assert not any("草稿" in t for page in done for t in page)


def test_the_cjk_font_is_embedded_as_a_subset(long_pdf):
    _doc, out = long_pdf
    for page in PdfReader(out).pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts
        for ref in fonts.values():
            font = ref.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            assert re.match(r"/[A-Z]{6}\+WenQuanYi", str(font["/BaseFont"])), font["/BaseFont"]


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_lists_only_embedded_fonts(long_pdf):
    _doc, out = long_pdf
    listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), listing  # the emb column


def test_an_application_without_lines_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_application_pdf(application([]), ENTERPRISE, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_progress_is_reported_and_cancelling_writes_nothing(tmp_path):
    doc = application([line(n) for n in range(1, 50)])
    calls = []
    write_application_pdf(doc, ENTERPRISE, tmp_path / "a.pdf", progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 49) and calls[-1] == (49, 49) and len(calls) >= 3
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)

    def cancel(done, _total):
        if done:
            raise Cancelled()

    with pytest.raises(Cancelled):
        write_application_pdf(doc, ENTERPRISE, tmp_path / "b.pdf", progress=cancel)
    assert not (tmp_path / "b.pdf").exists()


def test_a_worker_list_draft_also_prints_the_banner(tmp_path):
    doc = replace(application([line(1)], claimant=CLAIMANT_WORKER, title="技能提升补贴申领名单"), status="草稿")
    pages = page_lines(write_application_pdf(doc, ENTERPRISE, tmp_path / "w.pdf"))
    assert all(DRAFT_BANNER in page for page in pages)


def test_a_long_type_name_shrinks_to_stay_inside_the_roster_page(tmp_path):
    name = "某某市高技能人才培养专项资金技能提升与岗位练兵及首席技师工作室建设补贴" * 2
    doc = application([line(1)], subsidy_type=name, title=f"{name}申请表")
    out = write_application_pdf(doc, ENTERPRISE, tmp_path / "long.pdf")
    roster_page = PdfReader(out).pages[1]
    found = []

    def visit(text, _cm, tm, font_dict, size):
        if text.startswith("某某市"):
            found.append((tm[4], tm[0] * size))

    roster_page.extract_text(visitor_text=visit)
    assert found, "the title is on the roster page"
    x, _size = found[0]
    assert x >= 0  # starts inside the page, not cut at the left edge
