#!/usr/bin/env bash
# tongbao.exe under wine (issue 19): builds the Windows .exe and the helper programs of
# tests/windows/, prepares a wine prefix (a D: drive, a Chinese locale so that the console's
# code page is 936 as on a clerk's PC, a virtual X display for the console window), then runs
# the integration tests of tests/it/windows.rs, which compare its outputs with this build's.
#
#   bash tests/windows.sh            # prints SKIPPED and succeeds when a tool is missing
#   bash tests/windows.sh --install  # first installs what it needs (Debian, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-pc-windows-gnu

install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq &&
        apt-get install -y -qq wine wine64 gcc-mingw-w64-x86-64 xvfb xauth locales >/dev/null &&
        sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen &&
        locale-gen >/dev/null &&
        rustup target add "$TARGET"
}
if [[ "${1:-}" == "--install" ]] && ! install; then
    echo "SKIPPED: the wine tests' tools could not be installed"
    exit 0
fi

missing=()
for tool in wine x86_64-w64-mingw32-gcc xvfb-run; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
rustup target list --installed 2>/dev/null | grep -qx "$TARGET" || missing+=("rust target $TARGET")
locale -a 2>/dev/null | grep -qix 'zh_CN.utf8' || missing+=("locale zh_CN.UTF-8")
if ((${#missing[@]})); then
    echo "SKIPPED: the wine tests need: ${missing[*]} (bash tests/windows.sh --install)"
    exit 0
fi

WIN="$PWD/target/wine"
mkdir -p "$WIN/bin" "$WIN/d"
cargo build --release --target "$TARGET"
cp "target/$TARGET/release/tongbao.exe" "$WIN/bin/"
gcc() { x86_64-w64-mingw32-gcc -O2 -Wall "$@"; }
gcc -shared -o "$WIN/bin/bcryptprimitives.dll" tests/windows/bcryptprimitives.c -ladvapi32 -Wl,--kill-at
gcc -municode -o "$WIN/bin/conrun.exe" tests/windows/conrun.c
gcc -municode -o "$WIN/bin/hold.exe" tests/windows/hold.c

export WINEPREFIX="$WIN/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
export LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
    echo "creating the wine prefix $WINEPREFIX"
    wineboot --init >/dev/null 2>&1
    wineserver --wait
fi
ln -sfn "$WIN/d" "$WINEPREFIX/dosdevices/d:"

export TONGBAO_WINE_BIN="$WIN/bin" TONGBAO_WINE_D="$WIN/d"
status=0
xvfb-run -a cargo test --test it windows:: -- --test-threads=1 --nocapture 2>&1 |
    grep -v '^X connection to' || status=$?
wineserver --kill 2>/dev/null || true
exit "$status"
