"""The printed subsidy application with a 10,000-line roster, against bare ReportLab.

    python benchmarks/subsidy_pdf.py [--lines 10000] [--runs 3]

The lines are synthetic (seed 7): common Chinese names with a few long transliterated ones,
18-digit ID numbers with a valid check digit, occupations and levels, certificate numbers,
and one line in twenty a competition result with a long competition name.

(a) baseline: one LongTable of the same rows and columns, same embedded font, fixed row
    heights, repeatRows=1, no subtotals, A4 landscape, built on a plain Canvas;
(b) program: write_application_pdf — the cover, then the roster cut into pages with fitted
    cells, 本页小计 on every page, 合计, the page-count footer.
Prints the best of N in seconds, the page counts and the ratio (b)/(a); target ≤ 1.5.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, TableStyle

from app.reports.pdf_common import A4_LANDSCAPE, make_document, money_text, register_cjk_font
from app.reports.subsidy_pdf import (
    BODY_SIZE,
    HEADER_HEIGHT,
    ROSTER_BOTTOM,
    ROSTER_TOP,
    ROSTER_WIDTHS,
    ROW_HEIGHT,
    roster_headers,
    write_application_pdf,
)
from app.services.enterprise import EnterpriseInfo
from app.services.subsidy_docs import CLAIMANT_ENTERPRISE, ApplicationDoc, LineDoc, RosterColumns

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟强军勇磊涛斌杰鹏超明刚平辉华建国峰波林浩宇俊鑫芳娟敏静丽艳燕玲霞红梅琳婷雪慧颖萍莉娜倩兰英凤"
LONG_NAMES = ("阿卜杜热合曼·买买提艾力江", "古丽娜尔·吐尔逊", "欧阳晓明", "司马建国")
AREAS = ("320411", "320412", "320402", "320481", "341221", "411627", "511321", "110105", "440305")
OCCUPATIONS = ("车工", "钳工", "电工", "焊工", "铣工", "化学检验员", "数控车床操作调整工",
               "工业机器人系统运维员", "仪器仪表维修工", "机械设备安装工")
LEVELS = ("中级工", "高级工", "技师", "高级技师")
AMOUNTS = {"中级工": Decimal("1500.00"), "高级工": Decimal("2000.00"), "技师": Decimal("2500.00"),
           "高级技师": Decimal("3000.00")}
COMPETITIONS = ("第二届全国技能大赛暨江苏省第五届职业技能大赛数控铣项目选拔赛", "常州市“龙城工匠”职工职业技能竞赛")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random, born: date, female: bool) -> str:
    first17 = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(100):02d}{rng.randrange(0 if female else 1, 10, 2)}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def synthetic_doc(count: int, seed: int = 7) -> ApplicationDoc:
    rng = random.Random(seed)
    lines = []
    for seq in range(1, count + 1):
        female = rng.random() < 0.3
        if rng.random() < 0.01:
            name = rng.choice(LONG_NAMES)
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        born = date(1966, 1, 1) + timedelta(days=rng.randrange(365 * 36))
        hired = date(2005, 1, 1) + timedelta(days=rng.randrange(365 * 18))
        if rng.random() < 0.05:
            level, reference = rng.choice(("一等奖", "二等奖", "三等奖")), rng.choice(COMPETITIONS)
            amount = Decimal("5000.00")
        else:
            level = rng.choice(LEVELS)
            reference, amount = f"S{rng.randrange(10**15, 10**16)}", AMOUNTS[level]
        contract = f"{hired:%Y-%m-%d}至" + ("无固定期限" if rng.random() < 0.4 else f"{hired.year + 5}-12-31")
        lines.append(LineDoc(
            seq=seq, name=name, gender="女" if female else "男", id_type="居民身份证",
            id_number=id_number(rng, born, female), occupation=rng.choice(OCCUPATIONS), level=level,
            reference_no=reference, reference_date=date(2025, 1, 1) + timedelta(days=rng.randrange(365)),
            contract=contract, amount=amount,
        ))
    return ApplicationDoc(
        id=1, subsidy_type="技能提升培训补贴", title="技能提升培训补贴申请表", period_from=date(2026, 1, 1),
        period_to=date(2026, 6, 30), status="已生成", claimant=CLAIMANT_ENTERPRISE, columns=RosterColumns(),
        lines=tuple(lines),
    )


def baseline(doc: ApplicationDoc, out: Path) -> Path:
    font = register_cjk_font()
    data = [list(roster_headers(doc.columns))]
    for line in doc.lines:
        data.append([str(line.seq), line.name, line.gender, line.id_number, line.occupation, line.level,
                     line.reference_no, f"{line.reference_date:%Y-%m-%d}", line.contract, money_text(line.amount)])
    table = LongTable(data, colWidths=ROSTER_WIDTHS, rowHeights=[HEADER_HEIGHT] + [ROW_HEIGHT] * len(doc.lines),
                      repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, BODY_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (-1, 1), (-1, -1), "RIGHT"),
    ]))
    pdf = make_document(out, pagesize=A4_LANDSCAPE, top=ROSTER_TOP, bottom=ROSTER_BOTTOM)
    pdf.build([table], canvasmaker=Canvas)  # make_document passes initialFontName: no bare Helvetica
    return out


def best_of(runs: int, action):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        action()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    doc = synthetic_doc(args.lines)
    enterprise = EnterpriseInfo(name="常州华东精密机械制造有限公司", uscc="91320411MA1XXXXX3K", principal="王建国",
                                phone="0519-83456789", address="江苏省常州市新北区华山路 18 号",
                                bank_name="中国工商银行常州新北支行", bank_account="1105 0201 0900 1234 567")
    register_cjk_font()
    with tempfile.TemporaryDirectory() as tmp:
        base_out, prog_out = Path(tmp) / "baseline.pdf", Path(tmp) / "application.pdf"
        baseline_s = best_of(args.runs, lambda: baseline(doc, base_out))
        program_s = best_of(args.runs, lambda: write_application_pdf(doc, enterprise, prog_out, prepared_by="李娜"))
        base_pages, prog_pages = len(PdfReader(base_out).pages), len(PdfReader(prog_out).pages)
        base_mb, prog_mb = base_out.stat().st_size / 1e6, prog_out.stat().st_size / 1e6
    print(f"花名册 {args.lines} 条，合计 {money_text(doc.total)} 元，{doc.persons} 人")
    print(f"(a) bare LongTable, best of {args.runs}: {baseline_s:.3f} s  ({base_pages} pages, {base_mb:.1f} MB)")
    print(f"(b) write_application_pdf, best of {args.runs}: {program_s:.3f} s  ({prog_pages} pages, {prog_mb:.1f} MB)")
    print(f"ratio (b)/(a): {program_s / baseline_s:.2f}  (target ≤ 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
