"""Finding the roster in a workbook: which file format, which sheet, which row is the header
and which column is which (SPEC §9), the way clerks actually lay rosters out."""

from __future__ import annotations

import re
import struct
import sys
import zipfile
from array import array
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
# calamine reads a sheet into one dense grid from A1 to the last cell holding a value;
# a sheet whose grid is larger than this is refused before calamine reads it.
MAX_SHEET_CELLS = 20_000_000


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
    damaged = Refused(f"无法读取 {path.name}：文件已损坏或设置了打开密码。请用 Excel 打开确认，另存为 .xlsx 后再导入。")
    # calamine aborts the whole program (an allocation failure cannot be caught) on some
    # damaged files and on sheets that reach far out; those are refused first.
    if head.startswith(_XLS_MAGIC) and not _xls_is_sound(path):
        log.warning("cannot open %s: damaged .xls", path.name)
        raise damaged
    if head.startswith(_XLSX_MAGIC):
        _refuse_huge_sheets(path)
    try:
        # By content, not by extension: an .xlsx renamed .xls is read as what it is.
        with path.open("rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    except BaseException as exc:  # assorted errors for damaged or encrypted files
        if not _reader_failed(exc):
            raise
        log.warning("cannot open %s: %r", path.name, exc)
        raise damaged from exc


def _reader_failed(exc: BaseException) -> bool:
    """An error of calamine's. A Rust panic inside it reaches Python as pyo3's
    PanicException, which is a BaseException: `except Exception` would let it through."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


_FREE_OR_END = 0xFFFFFFFA  # sector numbers from here up mark chain ends, free, FAT and DIFAT sectors


def _xls_is_sound(path: Path) -> bool:
    """Whether calamine can read this .xls without asking for more memory than there is.
    calamine trusts the numbers inside the file: a sector chain that loops (a zeroed FAT
    sector makes every chain a loop), a stream size, the string count, a sheet's
    dimensions or one cell's column number, damaged, make it allocate gigabytes, and the
    failure aborts the whole program (tafia/calamine#550, #714). Check them first."""
    data = path.read_bytes()
    try:
        streams = _cfb_streams(data, ("Workbook", "Book"))
        return streams is not None and all(_biff_fits(stream) for stream in streams)
    except (struct.error, ValueError, IndexError):
        return False


def _cfb_streams(data: bytes, names: tuple[str, ...]) -> list[bytes] | None:
    """The named streams of a compound file, following only the chains calamine follows to
    read them; None when a header count, a size or one of those chains goes outside the
    file or loops."""
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        return None
    size = 1 << shift
    sectors = -(-(len(data) - size) // size)
    fat_count, dir_start, _, cutoff, minifat_start, minifat_count, difat_start, difat_count = struct.unpack_from(
        "<8I", data, 44
    )
    if max(fat_count, difat_count, minifat_count) > sectors:
        return None

    def table(numbers) -> array:
        entries = array("I")
        for number in numbers:
            if number >= sectors:
                raise ValueError(number)
            entries.frombytes(data[(number + 1) * size : (number + 2) * size])
        if sys.byteorder == "big":
            entries.byteswap()
        return entries

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    number, seen = difat_start, set()
    for _ in range(difat_count):
        if number >= _FREE_OR_END or number in seen:
            return None
        seen.add(number)
        *entries, number = table([number])
        fat_sectors.extend(entries)
    fat = table(fat_sectors[:fat_count])

    def chain(start: int, links_of: array, limit: int) -> list[int]:
        links, number = [], start
        while number < _FREE_OR_END:
            if number >= limit or number >= len(links_of) or len(links) >= limit:  # outside, or a loop
                raise ValueError(start)
            links.append(number)
            number = links_of[number]
        return links

    def read(links: list[int], store: bytes, unit: int, offset: int) -> bytes:
        return b"".join(store[offset + n * unit : offset + (n + 1) * unit] for n in links)

    minifat = table(chain(minifat_start, fat, sectors) if minifat_count else [])
    root, wanted = None, []
    for n in chain(dir_start, fat, sectors):
        for offset in range((n + 1) * size, (n + 2) * size, 128):
            kind = data[offset + 66]
            start, length = struct.unpack_from("<II", data, offset + 116)
            name_length = min(struct.unpack_from("<H", data, offset + 64)[0], 64)
            name = data[offset : offset + max(name_length - 2, 0)].decode("utf-16-le", "replace")
            if kind == 5 and root is None:  # the root entry: its chain holds the mini stream
                root = (start, length)
            elif kind == 2 and name in names:
                wanted.append((start, length))
    streams = []
    for start, length in wanted:
        if length > len(data):
            return None
        if length >= cutoff:
            streams.append(read(chain(start, fat, sectors), data, size, size)[:length])
            continue
        if root is None or root[1] > len(data):
            return None
        mini_stream = read(chain(root[0], fat, sectors), data, size, size)
        streams.append(read(chain(start, minifat, len(minifat)), mini_stream, 64, 0)[:length])
    return streams


_BIFF_EOF, _BIFF_SST, _BIFF_BOUNDSHEET, _BIFF_DIMENSIONS, _BIFF_MULRK = 0x000A, 0x00FC, 0x0085, 0x0200, 0x00BD
_BIFF_CELLS = {0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD}  # formula, number, label, bool, RK, shared string


def _biff_records(stream: bytes, offset: int):
    """(type, start of data, length) of each record from `offset` to the next EOF."""
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        yield kind, offset + 4, length
        if kind == _BIFF_EOF:
            return
        offset += 4 + length


def _biff_fits(stream: bytes) -> bool:
    """The numbers calamine sizes its memory by, within reason: the shared strings' count,
    and per sheet its DIMENSIONS and the spread of its cells (a dense grid is made of it)."""
    sheets = []
    for kind, start, length in _biff_records(stream, 0):
        if kind == _BIFF_SST and length >= 8 and not 0 <= struct.unpack_from("<i", stream, start + 4)[0] <= len(stream):
            return False  # a string takes at least 3 bytes
        if kind == _BIFF_BOUNDSHEET and length >= 4:
            sheets.append(struct.unpack_from("<I", stream, start)[0])
    for offset in sheets:
        rows: list[int] = []
        columns: list[int] = []
        for kind, start, length in _biff_records(stream, offset):
            if kind == _BIFF_DIMENSIONS and length in (10, 14):
                first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH" if length == 10 else "<IIHH", stream, start)
                if last_row and last_col and (last_row - 1 < first_row or last_col - 1 < first_col):
                    return False  # calamine subtracts them unchecked
                if (last_row - first_row) * (last_col - first_col) > MAX_SHEET_CELLS:
                    return False
            elif kind in _BIFF_CELLS and length >= 4:
                row, col = struct.unpack_from("<HH", stream, start)
                rows.append(row)
                columns.append(col)
            elif kind == _BIFF_MULRK and length >= 6:
                row, first = struct.unpack_from("<HH", stream, start)
                rows.append(row)
                columns += (first, struct.unpack_from("<H", stream, start + length - 2)[0])
        if rows and (max(rows) - min(rows) + 1) * (max(columns) - min(columns) + 1) > MAX_SHEET_CELLS:
            return False
    return True


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?\"")
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData[\s>]")
_SCAN_PATTERNS: dict[tuple[bytes, int], tuple[re.Pattern, re.Pattern]] = {}


def _scan_patterns(prefix: bytes, letters: int) -> tuple[re.Pattern, re.Pattern]:
    """Row numbers, and cells with at least `letters` column letters that hold a value (a
    self-closing <c r="XFD9" s="1"/> holds none). Spelt out per namespace prefix (none, or
    x: from some writers): a literal start keeps the scan at C speed."""
    key = (prefix, letters)
    if key not in _SCAN_PATTERNS:
        tag = b"<" + re.escape(prefix)
        _SCAN_PATTERNS[key] = (
            re.compile(tag + rb"row r=\"(\d{1,7})\""),
            re.compile(tag + rb"c r=\"([A-Z]{%d,3})\d{1,7}\"[^>]*?(/?)>" % letters),
        )
    return _SCAN_PATTERNS[key]


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _refuse_huge_sheets(path: Path) -> None:
    """Refuse a sheet whose grid from A1 to its last valued cell is too large to read: one
    stray value at XFD1048576 makes calamine ask for 512 GB and abort the program. Excel
    and WPS write each sheet's used range first (<dimension>); a sheet whose range is
    large or missing (openpyxl's write-only mode writes none) is scanned: a 100,000-row
    roster costs about 0.3 s."""
    try:
        archive = zipfile.ZipFile(path)
    except Exception:  # BadZipFile, NotImplementedError (a damaged version field) …: calamine says it is damaged
        return
    with archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            try:
                rows, columns = _valued_extent(archive, info)
            except Exception as exc:  # bad CRC, zlib error, encrypted …: calamine says the file is damaged
                log.warning("cannot scan %s of %s: %r", info.filename, path.name, exc)
                continue
            if rows * columns > MAX_SHEET_CELLS:
                raise Refused(
                    f"{path.name} 中有工作表一直用到第 {rows} 行、{column_letter(columns - 1)} 列，"
                    "表格范围过大，无法读取。请删除花名册下方和右侧多余的行、列（选中后右键「删除」），保存后再导入。"
                )


def _valued_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(last row, last column), 1-based, that a sheet's values reach. The scan looks at
    cells past column Z only (a roster's own cells are skipped at C speed); only when the
    rows alone could make the grid too large are all cells looked at."""
    with archive.open(info) as stream:
        head = stream.read(8192)
        found = _DIMENSION.search(head)
        if found:
            last_col, last_row = found.group(3) or found.group(1), found.group(4) or found.group(2)
            if int(last_row) * _column_number(last_col) <= MAX_SHEET_CELLS:
                return int(last_row), _column_number(last_col)
        prefix = (_SHEET_DATA.search(head) or _SHEET_DATA.search(b"<sheetData>")).group(1) or b""
        rows, columns = _scan(stream, head, *_scan_patterns(prefix, 2))
    if columns or rows * 26 <= MAX_SHEET_CELLS:
        return rows, columns or 26
    with archive.open(info) as stream:  # within A–Z but over 769,000 rows: the last column decides
        return _scan(stream, b"", *_scan_patterns(prefix, 1))


def _scan(stream, pending: bytes, row_pattern: re.Pattern, cell_pattern: re.Pattern) -> tuple[int, int]:
    rows = columns = 0
    while True:
        chunk = stream.read(1 << 20)
        text = pending + chunk
        cut = text.rfind(b"<") if chunk else len(text)
        numbers = row_pattern.findall(text, 0, cut)
        if numbers:
            rows = max(rows, *map(int, numbers))
        for cell in cell_pattern.finditer(text, 0, cut):
            if not cell.group(2):
                columns = max(columns, _column_number(cell.group(1)))
        if not chunk:
            return rows, columns
        pending = text[cut:]


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
            merged = calamine_sheet.merged_cell_ranges or []
        except BaseException as exc:
            if not _reader_failed(exc):
                raise
            log.warning("cannot read sheet %s of %s: %r", name, path.name, exc)
            continue
        looked_at.append(name)
        found = _find_header(rows)
        if found is None:
            continue
        header_index, columns, notes, ignored = found
        _fill_merged_down(rows, merged, header_index, columns)
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
