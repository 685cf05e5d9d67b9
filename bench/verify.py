#!/usr/bin/env python3
"""Check a run's outputs independently of tongbao (issue 7: "correct outputs at national scale").

    bench/verify.py CONFIG.toml REPORTS_DIR YEAR

Reads the configuration, every `REPORTS_DIR/YYYY-MM/rankings.csv` of YEAR and
`REPORTS_DIR/YEAR/assessment.csv`, and recomputes with Python's decimal module (no code shared
with tongbao):
  - growth = (value - base) / |base| x 100, ROUND_HALF_UP to one decimal, for computed
    indicators with a positive base and no status;
  - value and growth ranks within each (group, indicator), competition or dense per `tie`,
    descending, over the rows that have a rank;
  - rank change = previous period's growth rank - this one;
  - the assessment score (争先进位: weight x max(0, 1 - step x (rank - 1)), mean over the
    periods, ROUND_HALF_UP to two decimals) and the final rank (score, then the last period's
    count of missing ranks and sum of ranks).
Prints what it checked; exits 1 on the first difference.
"""
import csv
import sys
import tomllib
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path


def fail(msg):
    print(f"verify: MISMATCH: {msg}")
    sys.exit(1)


def ranks(values, dense):
    """Competition (1, 2, 2, 4) or dense (1, 2, 2, 3) ranks of `values`, descending."""
    order = sorted(set(values), reverse=True)
    if dense:
        return [order.index(v) + 1 for v in values]
    return [sum(1 for w in values if w > v) + 1 for v in values]


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def main():
    cfg_path, reports, year = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    cfg = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    dense = cfg.get("tie", "competition") == "dense"
    indicators = {i["name"]: i for i in cfg["indicator"]}
    units = {u["name"]: u["group"] for u in cfg["unit"]}
    periods = sorted(p for p in reports.iterdir() if p.name.startswith(f"{year}-"))
    checked = defaultdict(int)
    prev_rank = {}
    per_period = []
    for pdir in periods:
        rows = read_rows(pdir / "rankings.csv")
        want = len(units) * len(indicators) + len(indicators)
        if len(rows) != want:
            fail(f"{pdir.name}: {len(rows)} rows, expected {want}")
        by_key = defaultdict(list)
        for r in rows:
            if r["unit"] == "全市":
                continue
            if units.get(r["unit"]) != r["group"]:
                fail(f"{pdir.name}: {r['unit']} in group {r['group']!r}")
            ind = indicators[r["indicator"]]
            if (
                ind.get("growth", "computed") == "computed"
                and r["value"] and r["base"] and not r["status"]
                and Decimal(r["base"]) > 0
            ):
                v, b = Decimal(r["value"]), Decimal(r["base"])
                g = ((v - b) / abs(b) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
                if Decimal(r["growth"]) != g:
                    fail(f"{pdir.name} {r['unit']} {r['indicator']}: growth {r['growth']}, expected {g}")
                checked["growth"] += 1
            by_key[(r["group"], r["indicator"])].append(r)
        for rs in by_key.values():
            for col, num in (("growth_rank", "growth"), ("value_rank", "value")):
                ranked = [r for r in rs if r[col]]
                got = [int(r[col]) for r in ranked]
                expect = ranks([Decimal(r[num]) for r in ranked], dense)
                if got != expect:
                    fail(f"{pdir.name} {rs[0]['group']} {rs[0]['indicator']} {col}: {got} != {expect}")
                checked[col] += len(ranked)
        for r in rows:
            if r["unit"] == "全市":
                continue
            key = (r["unit"], r["indicator"])
            before = prev_rank.get(key)
            expect = str(before - int(r["growth_rank"])) if before and r["growth_rank"] else ""
            if per_period and r["growth_rank_change"] != expect:
                fail(f"{pdir.name} {key}: rank change {r['growth_rank_change']!r}, expected {expect!r}")
            if per_period:
                checked["growth_rank_change"] += 1
        prev_rank = {
            (r["unit"], r["indicator"]): int(r["growth_rank"])
            for r in rows if r["unit"] != "全市" and r["growth_rank"]
        }
        per_period.append(rows)

    a = cfg.get("assessment", {})
    if a.get("scheme", "zhengxian") != "zhengxian":
        print("verify: assessment scheme is not zhengxian; scores not checked")
    else:
        step = Decimal(str(a.get("step", "0.05")))
        weights = {k: Decimal(str(v)) for k, v in a.get("weights", {}).items()}
        points = defaultdict(Decimal)
        last = {}
        for rows in per_period:
            last = {}
            for r in rows:
                if r["unit"] == "全市":
                    continue
                w = weights.get(r["indicator"], Decimal(0))
                if w == 0:
                    continue
                missing, total = last.get(r["unit"], (0, 0))
                if r["growth_rank"]:
                    k = int(r["growth_rank"])
                    points[r["unit"]] += w * max(Decimal(0), 1 - step * (k - 1))
                    last[r["unit"]] = (missing, total + k)
                else:
                    last[r["unit"]] = (missing + 1, total)
        score = {
            u: (points[u] / len(per_period)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            for u in units
        }
        got = read_rows(reports / year / "assessment.csv")
        if len(got) != len(units):
            fail(f"assessment: {len(got)} rows, expected {len(units)}")
        groups = defaultdict(list)
        for r in got:
            if Decimal(r["score"]) != score[r["unit"]]:
                fail(f"assessment {r['unit']}: score {r['score']}, expected {score[r['unit']]}")
            if int(r["periods"]) != len(per_period):
                fail(f"assessment {r['unit']}: periods {r['periods']}")
            groups[r["group"]].append(r)
            checked["score"] += 1
        for rs in groups.values():
            key = {r["unit"]: (-score[r["unit"]], *last.get(r["unit"], (99, 0))) for r in rs}
            keys = [key[r["unit"]] for r in rs]
            for r in rs:
                k = key[r["unit"]]
                better = sorted(set(keys)).index(k) + 1 if dense else sum(1 for x in keys if x < k) + 1
                if int(r["final_rank"]) != better:
                    fail(f"assessment {r['unit']}: final rank {r['final_rank']}, expected {better}")
                checked["final_rank"] += 1
    print(
        "verify: OK — "
        + ", ".join(f"{n} {k}" for k, n in checked.items())
        + f" over {len(per_period)} period(s) and {len(units)} units"
    )


if __name__ == "__main__":
    main()
