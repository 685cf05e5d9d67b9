#!/usr/bin/env python3
"""Compare the PNG charts of two output folders pixel by pixel, within anti-aliasing.

    python3 bench/compare_pngs.py OLD_DIR NEW_DIR

Two charts are the same when they have the same size and no pixel differs by more than
`MAX_CHANNEL` in any channel, except at most `MAX_SHARE` of the pixels (edges of text, lines
and markers, where two rasterisers may blend differently). Needs pillow.
"""
import sys
from pathlib import Path

from PIL import Image, ImageChops

MAX_CHANNEL = 48
MAX_SHARE = 0.02


def compare(a, b):
    x, y = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    if x.size != y.size:
        return f"size {x.size} != {y.size}"
    d = ImageChops.difference(x, y).convert("L")
    hist = d.histogram()
    total = x.size[0] * x.size[1]
    differing = sum(hist[1:])
    far = sum(hist[MAX_CHANNEL + 1:])
    if far > MAX_SHARE * total:
        return f"{far} pixels ({100 * far / total:.2f} %) differ by more than {MAX_CHANNEL}"
    return None if differing == 0 else f"~ {differing} pixels differ slightly ({far} beyond {MAX_CHANNEL})"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = Path(sys.argv[1]), Path(sys.argv[2])
    names = sorted({p.relative_to(old) for p in old.rglob("*.png")} |
                   {p.relative_to(new) for p in new.rglob("*.png")})
    bad = same = near = 0
    for n in names:
        if not (old / n).exists() or not (new / n).exists():
            print(f"DIFFERENT: {n} only on one side")
            bad += 1
            continue
        r = compare(old / n, new / n)
        if r is None:
            same += 1
        elif r.startswith("~"):
            near += 1
        else:
            print(f"DIFFERENT: {n}: {r}")
            bad += 1
    print(f"charts: {same} identical, {near} within anti-aliasing, {bad} different")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
