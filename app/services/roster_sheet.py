"""Finding the roster in a workbook: which file format, which sheet, which row is the header
and which column is which (SPEC §9), the way clerks actually lay rosters out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from app.errors import Refused
from app.logs import get_logger
from app.services.text import squash
from app.services.values import cell_text

log = get_logger("roster")

# Canonical column → other headers clerks use for it. `export workers` writes the canonical
# names in this order, so an export re-imports unchanged.
COLUMNS: dict[str, tuple[str, ...]] = {
    "工号": ("员工编号", "职工编号", "员工号", "职工号", "人员编号"),
    "姓名": ("职工姓名", "员工姓名"),
    "证件类型": ("身份证件类型",),
    "证件号码": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号", "身份证件号码", "身份证件号"),
    "性别": (),
    "出生日期": ("出生年月日",),
    "学历": ("文化程度", "最高学历"),
    "部门": ("部门/车间", "车间", "所在部门", "部门车间", "车间/部门", "部门（车间）"),
    "岗位": ("岗位名称", "工作岗位"),
    "工种": ("职业（工种）", "职业工种", "职业(工种)", "职业/工种"),
    "是否一线职工": ("一线职工", "是否一线", "是否一线工人"),
    "是否班组长": ("班组长",),
    "入职日期": ("入职时间", "入厂日期", "入厂时间", "进厂日期", "进厂时间"),
    "合同起始日": ("合同起始日期", "合同开始日期", "合同开始日", "合同起始时间", "合同签订日期", "合同开始时间"),
    "合同终止日": (
        "合同到期日", "合同终止日期", "合同到期日期", "合同结束日期", "合同到期时间", "合同终止时间", "合同截止日期",
    ),
    "月工资": ("月工资（元）", "月工资(元)", "工资", "月薪", "月收入"),
    "联系电话": ("手机号", "手机号码", "电话", "联系方式", "手机", "电话号码"),
    "技能等级": ("职业技能等级", "等级", "技能等级（职业资格）", "职业资格等级", "证书等级", "证书级别"),
    "证书类别": ("证书类型", "证书种类"),
    "证书编号": ("证书号", "证书号码", "证书编码", "职业资格证书编号", "技能等级证书编号"),
    "发证日期": ("发证时间", "取证日期", "取证时间", "获证日期", "获证时间", "取得时间", "取得日期"),
    "发证机构": ("发证单位", "发证机关"),
    "评价方式": ("评价类型",),
}
_HEADER_LOOKUP = {squash(alias): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)}
_CANONICAL = {squash(name): name for name in COLUMNS}
_NOTE = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")  # 月工资(元/月), 身份证号码（18位）
HEADER_SEARCH_ROWS = 30

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class RosterSheet:
    sheet: str
    rows: list[list]
    header_index: int  # 0-based index of the last header row; data starts below it
    columns: dict[str, int]  # canonical column → 0-based column index
    notes: list[str] = field(default_factory=list)  # said to the clerk as warnings
    ignored: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def header_name(text: str) -> str | None:
    """The canonical column a header cell names, or None. A note in brackets
    (「月工资（元/月）」, 「身份证号码（18位）」) is dropped when the whole text is not known."""
    key = squash(text)
    if not key:
        return None
    found = _HEADER_LOOKUP.get(key)
    if found is None:
        bare = squash(_NOTE.sub("", str(text)))
        # 劳动合同到期日 / 劳动合同起始日期: 劳动合同 is what 合同 means on a roster.
        for candidate in (bare, bare.replace("劳动合同", "合同")):
            found = _HEADER_LOOKUP.get(candidate) if candidate else None
            if found is not None:
                break
    return found


def _open_workbook(path: Path) -> CalamineWorkbook:
    if not path.exists():
        raise Refused(f"找不到文件：{path}")
    if not path.is_file():
        raise Refused(f"{path} 不是文件。")
    with path.open("rb") as handle:
        head = handle.read(512)
    if not head:
        raise Refused(f"{path.name} 是空文件。")
    if not head.startswith((_XLSX_MAGIC, _XLS_MAGIC)):
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if text.startswith((b"<", b"<!doctype", b"<html", b"<table")):
            raise Refused(
                f"{path.name} 是网页（HTML）格式，只是扩展名为 Excel（常见于从业务系统导出的表格）。"
                "请用 Excel 打开它，另存为「Excel 工作簿 (.xlsx)」后再导入。"
            )
        raise Refused(
            f"{path.name} 不是 Excel 文件（可能是文本或 CSV 文件）。请用 Excel 打开它，另存为「Excel 工作簿 (.xlsx)」后再导入。"
        )
    try:
        # By content, not by extension: an .xlsx renamed .xls is read as what it is.
        with path.open("rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    except Exception as exc:  # calamine raises assorted errors for damaged or encrypted files
        log.warning("cannot open %s: %s", path.name, exc)
        raise Refused(f"无法读取 {path.name}：文件已损坏或设置了打开密码。请用 Excel 打开确认，另存为 .xlsx 后再导入。") from exc


def read_roster_sheet(path: str | Path) -> RosterSheet:
    """The first sheet that holds a roster header, visible sheets first (a hidden sheet of
    drop-down lists or a cover sheet in front of the roster is common)."""
    path = Path(path)
    workbook = _open_workbook(path)
    sheets = [(m.name, "Visible" in str(m.visible)) for m in workbook.sheets_metadata]
    ordered = [name for name, visible in sheets if visible] + [name for name, visible in sheets if not visible]
    looked_at = []
    for name in ordered:
        try:
            # skip_empty_area=False keeps Excel's own row and column positions, so every
            # problem names the row and column the clerk sees.
            calamine_sheet = workbook.get_sheet_by_name(name)
            rows = calamine_sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            log.warning("cannot read sheet %s of %s: %s", name, path.name, exc)
            continue
        looked_at.append(name)
        found = _find_header(rows)
        if found is None:
            continue
        header_index, columns, notes, ignored = found
        _fill_merged_down(rows, calamine_sheet.merged_cell_ranges or [], header_index, columns)
        sheet = RosterSheet(name, rows, header_index, columns, notes, ignored)
        if name != sheets[0][0]:
            sheet.notes.insert(0, f"第一个工作表「{sheets[0][0]}」不是花名册，已读取工作表「{name}」")
        return sheet
    where = "、".join(f"「{name}」" for name in looked_at) or "（没有可读的工作表）"
    raise Refused(
        f"在工作表{where}的前 {HEADER_SEARCH_ROWS} 行中找不到表头：表头行须同时含有「姓名」和「证件号码」"
        "（或 身份证号/身份证号码/公民身份号码）两列。"
    )


def _fill_merged_down(rows: list[list], merged, header_index: int, columns: dict[str, int]) -> None:
    """A 部门 or 工种 cell merged down over several workers holds its text in the first row
    only; every row of the range means it. Who the person is (姓名, 证件号码) is never
    copied: that would invent a second person."""
    identity_columns = {columns.get("姓名"), columns.get("证件号码")}
    for (top, left), (bottom, right) in merged:
        if bottom <= top or top <= header_index or top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for row in rows[top + 1 : bottom + 1]:
            for col in range(left, right + 1):
                if col < len(row) and col not in identity_columns:
                    row[col] = value


def _find_header(rows: list[list]):
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [cell_text(cell).replace("\n", "") for cell in row]
        names = [header_name(text) for text in texts]
        if "姓名" not in names or "证件号码" not in names:
            continue
        columns, notes, ignored = _map_columns(texts, names)
        if index + 1 < len(rows):
            index = _merge_sub_header(rows, index, texts, columns, notes, ignored)
        return index, columns, notes, ignored
    return None


def _map_columns(texts: list[str], names: list[str | None]):
    """Column per canonical name. Where two headers name the same thing (部门 and 车间,
    联系电话 and 手机号码) the one written exactly as the canonical name wins, else the
    leftmost; the other is ignored and said so."""
    columns: dict[str, int] = {}
    notes: list[str] = []
    ignored: list[str] = []
    for col, (text, name) in enumerate(zip(texts, names)):
        if name is None:
            if text:
                ignored.append(f"{text}（{column_letter(col)}列）")
            continue
        if name not in columns:
            columns[name] = col
            continue
        kept = columns[name]
        if _CANONICAL.get(squash(text)) == name and _CANONICAL.get(squash(texts[kept])) != name:
            kept, dropped = col, kept
            columns[name] = col
        else:
            dropped = col
        notes.append(
            f"「{texts[dropped]}」（{column_letter(dropped)}列）与「{texts[kept]}」（{column_letter(kept)}列）"
            f"都表示{name}，已采用{column_letter(kept)}列，忽略{column_letter(dropped)}列"
        )
    return columns, notes, ignored


def _merge_sub_header(rows, index, texts, columns, notes, ignored) -> int:
    """A second header row under a group header (合同期限 over 起始日 / 终止日). Returns the
    index of the last header row."""
    below = [cell_text(cell).replace("\n", "") for cell in rows[index + 1]]
    if not any(below) or any(re.fullmatch(r"\d{15,17}[\dXx]?", text) for text in below):
        return index
    found: dict[int, str] = {}
    parents: set[int] = set()
    parent, parent_col = "", None
    for col, text in enumerate(below):
        above = texts[col] if col < len(texts) else ""
        if above:  # a merged group header sits in its first column only
            parent, parent_col = above, col
        if not text:
            continue
        stem = re.sub("(期限|时间|日期|情况|信息)$", "", parent)
        for candidate in (text, parent + text, stem + text):
            name = header_name(candidate)
            if name is not None:
                found[col] = name
                if candidate != text and parent_col is not None:
                    parents.add(parent_col)
                break
    if not found:
        return index
    for col, name in found.items():
        if name in columns and columns[name] != col:
            continue  # already named in the main header row
        columns[name] = col
    named = set(columns.values())
    for col in parents | named:  # group headers and now-named columns are not "ignored"
        entry = f"{texts[col]}（{column_letter(col)}列）" if col < len(texts) else None
        if entry in ignored:
            ignored.remove(entry)
    notes.append(f"表头占两行（第{index + 1}–{index + 2}行），已合并识别")
    return index + 1
