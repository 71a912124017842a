#!/usr/bin/env bash
# The release proves itself: build the one-folder program with build_installer.spec, then run
# the built binary (not Python) as a clerk's PC would, in an empty home of its own:
#   --version, init, demo --workers 2000, survey, subsidy apply (the PDF must embed its
#   Chinese font), a first-release database upgraded with a copy made first, and the window
#   opened offscreen for a picture.
# Prints the build time, the folder's size and the start-up time of the binary next to
# `python -m app` measured the same way in the same run.
#   bash scripts/release_check.sh [OUT]        OUT defaults to build/release (git ignores build/)
# On a fresh Debian 12 it installs what it needs: binutils and libpython3.11 through apt (as
# root or with sudo), the program and PyInstaller (extra "build") into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$(realpath -m "${1:-build/release}")
RUNS=5  # start-up timings per program and way; the median is reported

fail() { echo "发布检查失败：$*" >&2; exit 1; }
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- what the build needs ------------------------------------------------------------------
sh scripts/setup.sh >/dev/null
PY=.venv/bin/python
# PyInstaller reads shared-library dependencies with objdump (binutils) and bundles
# libpython3.11.so, which Debian's python3.11 does not install by itself.
packages=""
command -v objdump >/dev/null 2>&1 || packages="binutils"
libpython=$("$PY" -c 'import sysconfig as s, pathlib; print(pathlib.Path(s.get_config_var("LIBDIR"), s.get_config_var("INSTSONAME")))')
[ -e "$libpython" ] || ldconfig -p 2>/dev/null | grep -q "$(basename "$libpython")" || packages="$packages libpython3.11"
if [ -n "$packages" ]; then
    command -v apt-get >/dev/null 2>&1 || fail "缺少 $packages，请先安装"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "安装系统软件包：$packages"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi
mkdir -p "$OUT"
"$PY" -m pip install -q --disable-pip-version-check -e ".[build]" >"$OUT/pip.log" 2>&1 \
    || { cat "$OUT/pip.log" >&2; fail "安装 PyInstaller 失败"; }

# --- build ---------------------------------------------------------------------------------
rm -rf "$OUT/dist" "$OUT/work" "$OUT/home" "$OUT/upgrade"
start=$(now)
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath "$OUT/dist" --workpath "$OUT/work" build_installer.spec \
    >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log" >&2; fail "PyInstaller 构建失败（$OUT/build.log）"; }
build_seconds=$(seconds "$start" "$(now)")
APP_DIR="$OUT/dist/skilldesk"
BIN="$APP_DIR/skilldesk"
[ -x "$BIN" ] || fail "构建结果中没有 $BIN"
size_mb=$(du -sm "$APP_DIR" | cut -f1)
echo "构建完成：${build_seconds} 秒，$APP_DIR ${size_mb} MB"

# Nothing the spec left out may be needed by what it kept (a Qt library a kept plugin links).
"$PY" - "$APP_DIR" <<'EOF'
import subprocess, sys
from pathlib import Path

bundle = Path(sys.argv[1])
def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
present = {p.name for p in bundle.rglob("*")}
missing = []
for path in files:
    dump = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
    needed = [line.split()[1] for line in dump.splitlines() if line.strip().startswith("NEEDED")]
    missing += [f"{path.relative_to(bundle)} -> {name}" for name in needed if name.startswith("libQt6") and name not in present]
if missing:
    sys.exit("构建结果缺少 Qt 库：\n" + "\n".join(missing))
print(f"Qt 库齐全：{len(files)} 个二进制文件的 Qt 依赖都在包内")
EOF
[ -z "$(find "$APP_DIR" -path '*/tests/*' -o -name 'conftest*' -o -name 'pytest*' | head -1)" ] || fail "构建结果带有测试文件"

# --- the built program, in a home of its own -----------------------------------------------
export HOME="$OUT/home" XDG_DATA_HOME="$OUT/home/data" XDG_STATE_HOME="$OUT/home/state"
export XDG_CONFIG_HOME="$OUT/home/config" XDG_CACHE_HOME="$OUT/home/cache" QT_QPA_PLATFORM=offscreen
mkdir -p "$HOME"
DB="$XDG_DATA_HOME/SkillDesk/skilldesk.db"
TODAY=$(date +%F)

run() {  # run the built program; its output is kept in $OUT/<step>.out
    local step=$1; shift
    "$BIN" "$@" >"$OUT/$step.out" 2>&1 || { cat "$OUT/$step.out" >&2; fail "skilldesk $* 退出码非 0"; }
    sed 's/^/  /' "$OUT/$step.out"
}

echo "skilldesk --version（尚无数据库）"
run version-before --version
grep -q "尚未创建" "$OUT/version-before.out" || fail "--version 未说明数据库尚未创建"
[ ! -e "$DB" ] || fail "--version 创建了数据库"
echo "skilldesk init"
run init init
[ -f "$DB" ] || fail "init 没有在用户数据文件夹中创建数据库 $DB"
echo "skilldesk demo --workers 2000"
run demo demo --workers 2000
echo "skilldesk survey"
run survey survey --as-of "$TODAY" --out "$OUT/调查表.xlsx"
echo "skilldesk subsidy apply"
run subsidy subsidy apply --type 技能提升培训补贴 --from 2000-01-01 --to "$TODAY" --out "$OUT/补贴申请表.pdf"
"$PY" - "$OUT/调查表.xlsx" "$OUT/补贴申请表.pdf" <<'EOF'
import sys
from openpyxl import load_workbook
from pypdf import PdfReader

sheet = load_workbook(sys.argv[1], read_only=True).worksheets[0]
assert any("调查表" in str(cell) for row in sheet.iter_rows(max_row=3, values_only=True) for cell in row if cell), "调查表标题缺失"
reader = PdfReader(sys.argv[2])
fonts = {}
for page in reader.pages:
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        embedded = descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        fonts[str(font["/BaseFont"])] = embedded
not_embedded = [name for name, embedded in fonts.items() if not embedded]
assert fonts and not not_embedded, f"PDF 字体未嵌入：{not_embedded or '没有字体'}"
assert all("WenQuanYi" in name for name in fonts), f"PDF 使用了其他字体：{sorted(fonts)}"
text = reader.pages[0].extract_text()
assert "申请表" in text, "PDF 的文字提取不出中文"
print(f"  PDF {len(reader.pages)} 页，字体已嵌入：{', '.join(sorted(fonts))}；文字可提取为中文")
EOF
echo "skilldesk --version"
run version --version
grep -qE "数据库结构版本：([0-9]+)（本程序的结构版本：\1）" "$OUT/version.out" || fail "--version 的结构版本不是最新"

# A database the first release made, opened by this build: copied aside, upgraded, readable.
echo "升级：第一版（0001）的数据库"
OLD="$OUT/upgrade/skilldesk.db"
"$PY" -m tests.first_release "$OLD" >/dev/null
run upgrade --db "$OLD" init
grep -q "从 0001 升级到" "$OUT/upgrade.out" || fail "旧数据库没有升级"
ls "$OUT/upgrade/"skilldesk.升级前备份-0001-*.db >/dev/null 2>&1 || fail "升级前没有备份"
run upgrade-survey --db "$OLD" survey --as-of 2026-06-30 --out "$OUT/upgrade/调查表.json"
grep -q "职工总数 2 人" "$OUT/upgrade-survey.out" || fail "升级后的数据读不出来"

# --- the window, and start-up against python -m app -----------------------------------------
# With no font of the system at all (an empty fontconfig), so the picture shows what the
# bundled font alone gives: a PC without a Chinese font still reads Chinese.
echo "窗口（offscreen，不用系统字体）"
printf '<?xml version="1.0"?>\n<fontconfig><cachedir>%s</cachedir></fontconfig>\n' "$OUT/home/fontconfig" >"$OUT/no-fonts.conf"
FONTCONFIG_FILE="$OUT/no-fonts.conf" run window --screenshot "$OUT/window.png"
[ "$(stat -c %s "$OUT/window.png" 2>/dev/null || echo 0)" -gt 20000 ] || fail "没有得到窗口截图"
grep -q "Qt translations: $APP_DIR/" "$XDG_STATE_HOME/SkillDesk/log/skilldesk.log" || fail "没有从安装文件夹载入 Qt 中文翻译"
echo "  截图：$OUT/window.png"

# Each way is timed from the process start to its exit: `--version` (start, read the
# database's revision, quit) and the window (start, open the database, show the window with
# its first page filled, save the picture, quit). Alternating, so both see the same machine.
: >"$OUT/times.txt"
for _ in $(seq "$RUNS"); do
    for who in binary python; do
        for what in version window; do
            if [ "$what" = version ]; then args=(--version); else args=(--screenshot "$OUT/window-$who.png"); fi
            if [ "$who" = binary ]; then cmd=("$BIN"); else cmd=("$ROOT/$PY" -m app); fi
            start=$(now)
            "${cmd[@]}" "${args[@]}" >/dev/null 2>&1 || fail "${cmd[*]} ${args[*]} 失败"
            echo "$who $what $(seconds "$start" "$(now)")" >>"$OUT/times.txt"
        done
    done
done
for what in version window; do
    b=$(awk -v w="$what" '$1 == "binary" && $2 == w { print $3 }' "$OUT/times.txt" | median)
    p=$(awk -v w="$what" '$1 == "python" && $2 == w { print $3 }' "$OUT/times.txt" | median)
    eval "bin_$what=$b py_$what=$p ratio_$what=$(awk -v b="$b" -v p="$p" 'BEGIN { printf "%.2f", b / p }')"
done

cat <<EOF | tee "$OUT/figures.txt"

发布检查通过（$(date '+%Y-%m-%d %H:%M')，$(uname -m)，Python $("$PY" -c 'import platform; print(platform.python_version())')，PyInstaller $(.venv/bin/pyinstaller --version)）
  构建时间          ${build_seconds} 秒
  文件夹大小        ${size_mb} MB（$APP_DIR）
  启动（中位数，${RUNS} 次）     程序        python -m app   程序/python
    --version        ${bin_version} 秒    ${py_version} 秒        ${ratio_version}
    打开窗口至显示   ${bin_window} 秒    ${py_window} 秒        ${ratio_window}
EOF
