#!/bin/sh
# Regenerates NotoSansSC-tongbao.otf: Noto Sans CJK SC Regular (SIL OFL 1.1) subset to
# GB2312 + ASCII + CJK punctuation + every character of src/default_config.toml.
# Needs: fonts-noto-cjk (apt) and fonttools (pip install fonttools).
# Usage: sh assets/fonts/make_subset.sh   (from the repository root)
set -eu
SRC=${NOTO_CJK_TTC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
OUT=assets/fonts/NotoSansSC-tongbao.otf
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
python3 - "$TMP" <<'PY'
import sys
chars = set()
# GB2312: rows 0xA1-0xF7, cells 0xA1-0xFE
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
chars.update(chr(c) for c in range(0x20, 0x7F))                 # ASCII
chars.update("、，。：；（）％—–－·…‘’“”《》〔〕【】「」『』！？↑↓→←±×÷≥≤℃")
chars.update(chr(c) for c in range(0xFF01, 0xFF5F))             # full-width forms
chars.update(chr(c) for c in range(0x3000, 0x3020))             # CJK symbols and punctuation
with open("src/default_config.toml", encoding="utf-8") as f:
    chars.update(f.read())
chars = sorted(c for c in chars if ord(c) >= 0x20)
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("".join(chars))
print(len(chars), "characters", file=sys.stderr)
PY
pyftsubset "$SRC" --font-number=2 --text-file="$TMP" --output-file="$OUT" \
    --layout-features='kern,palt,vert' --name-IDs='*' --name-languages='*' \
    --no-hinting --desubroutinize=false --drop-tables+=DSIG
ls -l "$OUT"
