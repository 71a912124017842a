#!/bin/sh
# Installs SkillDesk into .venv beside this folder. On Debian/Ubuntu it first installs the
# system libraries Qt needs and a Chinese font (as root, or through sudo), only those missing.
#   sh scripts/setup.sh          the program
#   sh scripts/setup.sh --dev    the program and what the tests need
set -eu
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"
PYTHON=${PYTHON:-python3}

# Qt's offscreen/xcb platforms and the CJK font (see PITFALLS.md).
packages="libglib2.0-0 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libx11-6 libfreetype6 fonts-wqy-microhei"
if ! "$PYTHON" -c "import venv, ensurepip" 2>/dev/null; then
    packages="$packages python3-venv"
fi
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
    missing=""
    for package in $packages; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
    done
    if [ -n "$missing" ]; then
        sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        echo "安装系统软件包：$missing"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
echo "SkillDesk 已安装到 $(pwd)/.venv"
