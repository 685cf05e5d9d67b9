#!/usr/bin/env python3
"""Compare two .xlsx workbooks as a reader sees them: every cell's value and resolved style
(font, fill, border, alignment, number format), merged ranges, row heights, column widths,
frozen panes, print setup and defined names. Not the package bytes: a different writer
version may order its XML differently and still write the same workbook.

    python3 bench/compare_workbooks.py A.xlsx B.xlsx      (or two folders: every .xlsx by name)

Exit 0 when equal; else the first differences, exit 1. Needs openpyxl (pip install openpyxl).
"""
import sys
from pathlib import Path

import openpyxl


def style_of(c):
    f, b, a = c.font, c.border, c.alignment
    side = lambda s: (s.style, s.color.rgb if s and s.color else None) if s else None
    return (
        (f.name, f.sz, f.b, f.i, f.charset, f.color.rgb if f.color else None, f.u),
        (c.fill.fill_type, c.fill.fgColor.rgb if c.fill.fgColor else None),
        tuple(side(getattr(b, k)) for k in ("left", "right", "top", "bottom")),
        (a.horizontal, a.vertical, a.wrap_text, a.indent),
        c.number_format,
    )


def describe(path):
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames, "names": sorted(
        (n, str(d.attr_text)) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                cells[c.coordinate] = (c.value, style_of(c))
        ps = ws.page_setup
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "rows": {k: (d.ht, d.hidden) for k, d in ws.row_dimensions.items() if d.ht or d.hidden},
            "cols": {k: (round(d.width or 0, 4), d.hidden) for k, d in ws.column_dimensions.items()},
            "freeze": ws.freeze_panes,
            "print": (ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight,
                      ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
                      ws.print_options.horizontalCentered, str(ws.print_title_rows),
                      tuple(getattr(ws.page_margins, k) for k in
                            ("left", "right", "top", "bottom", "header", "footer")),
                      ws.oddFooter.center.text, ws.oddHeader.center.text),
            "charts": len(ws._charts),
            "images": len(ws._images),
        }
    return out


def diff(a, b, where, out):
    if len(out) >= 20:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{where}/{k}: only in {'second' if k not in a else 'first'}"
                           f" ({(a.get(k) if k in a else b.get(k))!r:.200})")
            else:
                diff(a[k], b[k], f"{where}/{k}", out)
    elif a != b:
        out.append(f"{where}: {a!r:.200} != {b!r:.200}")


def pairs(a, b):
    a, b = Path(a), Path(b)
    if a.is_file():
        return [(a, b)]
    names = sorted({p.relative_to(a) for p in a.rglob("*.xlsx")} |
                   {p.relative_to(b) for p in b.rglob("*.xlsx")})
    return [(a / n, b / n) for n in names]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    bad = 0
    for x, y in pairs(sys.argv[1], sys.argv[2]):
        if not x.exists() or not y.exists():
            print(f"{x.name}: missing on one side")
            bad += 1
            continue
        out = []
        diff(describe(x), describe(y), x.name, out)
        if out:
            bad += 1
            print("\n".join(out))
        else:
            print(f"equal: {x.name}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
