#!/usr/bin/env python3
"""Turns a before/after comparison (compare.sh) into a markdown table.

usage: compare.py OUT_DIR OUT.md   (standard library only)

OUT_DIR holds the rounds A1, B1, A2, B2 (A: before, B: after), each with a scenario's JMH JSON as
run.sh writes it, plus env.txt, jars.txt and times.tsv. Each cell of a round is the mean of its
measured iterations. The ratio is after/before: the mean of the two after rounds over the mean of
the two before rounds; its spread is the lowest and highest of the four cross ratios (each after
round over each before round). The verdict is "better" or "**worse**" only when all four cross
ratios are more than TOLERANCE (3%) away from 1 on the same side, else "~" (no statistics beyond
that: two rounds on a shared machine).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (load_rates, rate, latency, memory, formatting)

# How far from 1 every cross ratio must be for a verdict other than "~".
TOLERANCE = 0.03
ROUNDS = {"before": ("A1", "A2"), "after": ("B1", "B2")}
# Client order in the tables.
CLIENTS = ["fluxsocket", "fluxsocket-in-place", "fluxsocket-streams", "fluxsocket-messages", "reactor-netty"]
RATES = [(name, label, unit) for name, label, unit in report.RATES if not name.startswith("concurrency")]
# The clients compare.sh runs in each scenario (a client missing from a round is shown as failed).
_DOWN = ["fluxsocket", "fluxsocket-in-place", "fluxsocket-streams", "fluxsocket-messages", "reactor-netty"]
EXPECTED = {
    "download": _DOWN, "messages-64": _DOWN, "messages-1k": _DOWN,
    "upload": ["fluxsocket", "fluxsocket-streams", "fluxsocket-messages", "reactor-netty"],
    "upload-messages-64": ["fluxsocket", "fluxsocket-messages", "reactor-netty"],
    "upload-messages-1k": ["fluxsocket", "fluxsocket-messages", "reactor-netty"],
    "echo": ["fluxsocket", "reactor-netty"],
    "idle-heap": ["fluxsocket", "reactor-netty"],
    "slow-consumer": ["fluxsocket", "fluxsocket-streams", "reactor-netty"],
}


def clients_of(name, data):
    """The scenario's expected clients and any other client present in a round, in table order."""
    present = {c for d in data.values() if d for c in d if not c.startswith("_")}
    found = set(EXPECTED.get(name, [])) | present
    return [c for c in CLIENTS if c in found] + sorted(found - set(CLIENTS))


def rounds_of(out, loader):
    """{round: loader(round dir)} for the four rounds (None where a round has no file, or an empty or
    unreadable one: JMH writes its JSON at the end, so a run that died leaves none)."""
    def load(r):
        try:
            return loader(os.path.join(out, r))
        except (ValueError, KeyError, TypeError):
            return None
    return {r: load(r) for rs in ROUNDS.values() for r in rs}


def compare_row(values, higher_better):
    """values: {round: number or None}. Returns (ratio, lo, hi, verdict) or None."""
    b = [values.get(r) for r in ROUNDS["before"]]
    a = [values.get(r) for r in ROUNDS["after"]]
    if None in a or None in b or 0 in b:
        return None
    ratio = (sum(a) / 2) / (sum(b) / 2)
    cross = [x / y for x in a for y in b]
    lo, hi = min(cross), max(cross)
    if lo > 1 + TOLERANCE:
        verdict = "better" if higher_better else "**worse**"
    elif hi < 1 - TOLERANCE:
        verdict = "**worse**" if higher_better else "better"
    else:
        verdict = "~"
    return ratio, lo, hi, verdict


def line(scenario, client, values, show, higher_better):
    cells = [scenario, client]
    for side in ("before", "after"):
        cells.append(" / ".join("**failed**" if values.get(r) is None else show(values[r]) for r in ROUNDS[side]))
    c = compare_row(values, higher_better)
    if c is None:
        cells += ["n/a", "n/a", "n/a"]
    else:
        ratio, lo, hi, verdict = c
        cells += [f"{ratio:.3f}", f"{lo:.3f}–{hi:.3f}", verdict]
    return cells


def table(header, rows):
    """Markdown table: scenario and client left-aligned, the numbers right-aligned."""
    out = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * (len(header) - 2)]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def main(out, out_md):
    rows, alloc_rows = [], []
    for name, label, unit in RATES:
        data = rounds_of(out, lambda d: report.load_rates(d, name))
        if all(v is None for v in data.values()):
            continue
        first = next(iter(row for rs in data.values() if rs for row in rs.values()), None)
        label = label.format(size=report.size(first["bytes"]) if first else "?", each="")
        clients = clients_of(name, data)
        per_msg = unit == "msg/s"
        for c in clients:
            values = {r: report.rate(rs[c], unit)[0] if rs and c in rs else None for r, rs in data.items()}
            rows.append(line(label, c, values, lambda v, u=unit: f"{report.fmt(v)} {u}", True))
            allocs = {}
            for r, rs in data.items():
                row = rs.get(c) if rs else None
                if row is None or row.get("alloc") is None:
                    allocs[r] = None
                else:
                    allocs[r] = row["alloc"] / (row["bytes"] / row["message"] if per_msg else row["bytes"])
            show = (lambda v: f"{v:,.1f} B/msg") if per_msg else (lambda v: f"{v:.4g} B/B")
            alloc_rows.append(line(label, c, allocs, show, False))

    echo = rounds_of(out, report.latency)
    if any(echo.values()):
        for p in ("p50", "p99"):
            for c in clients_of("echo", echo):
                values = {r: e[c][p] if e and c in e else None for r, e in echo.items()}
                rows.append(line(f"64 B echo round trip, {p} (µs)", c, values, lambda v: f"{v:,.1f} µs", False))

    idle = rounds_of(out, lambda d: report.memory(d, "idle-heap", ["heapPerConnection"]))
    if any(idle.values()):
        n = next((i["_connections"] for i in idle.values() if i and "_connections" in i), 0)
        for c in clients_of("idle-heap", idle):
            values = {r: i[c]["heapPerConnection"][0] if i and c in i else None for r, i in idle.items()}
            rows.append(line(f"idle heap per connection ({n:,} open)", c, values, report.kib, False))

    slow = rounds_of(out, lambda d: report.memory(d, "slow-consumer", ["retainedHeap", "retainedDirect", "buffered"]))
    if any(slow.values()):
        for metric, what in (("retained", "slow consumer: retained heap + direct while paused (mean)"),
                             ("buffered", "slow consumer: bytesReceived − consumed (max)")):
            for c in clients_of("slow-consumer", slow):
                if metric == "buffered" and not c.startswith("fluxsocket"):
                    continue
                pick = 0 if metric == "retained" else 1
                values = {r: s[c][metric][pick] if s and c in s else None for r, s in slow.items()}
                rows.append(line(what, c, values, report.kib, False))

    def read(name):
        p = os.path.join(out, name)
        return open(p).read().strip() if os.path.exists(p) else ""

    times = read("times.tsv").splitlines()[1:]
    per_scenario = {}
    for t in times:
        scenario, rnd, secs, status = t.split("\t")
        per_scenario.setdefault(scenario, []).append((rnd, int(secs), status))

    head = ["scenario", "client", "before (A1 / A2)", "after (B1 / B2)", "after/before", "spread (cross ratios)",
            "verdict"]
    lines = ["# fluxsocket before/after comparison", "",
             "Produced by `benchmarks/compare.sh` from the JMH JSON in `" + out + "/`: each scenario ran four "
             "times, alternating the jars (before A1, after B1, before A2, after B2). A round's cell is the mean "
             "of its measured iterations. **after/before** is the mean of the after rounds over the mean of the "
             "before rounds, for the metric as shown (for rates > 1 is faster; for latency and memory > 1 is "
             "more); the spread is the lowest and highest of the four cross ratios B/A; the verdict is "
             "*better* or ***worse*** only when all four are more than " + f"{TOLERANCE:.0%}" + " away from 1 on the "
             "same side, else `~`. A **failed** cell "
             "is a run that errored (see its log). Reactor Netty is the same code in both jars: its rows show "
             "how much the machine alone moves a number between rounds.", "",
             "Jars:", "", "```", read("jars.txt"), "```", "",
             "## Rates, latency, memory", ""]
    lines += table(head, rows)
    if alloc_rows:
        lines += ["", "## Allocation (`gc.alloc.rate.norm` per message or per byte, client JVM; lower is less)", ""]
        lines += table(head, alloc_rows)
    if per_scenario:
        lines += ["", "## Time per run (s)", ""]
        lines += report.table(["scenario", "A1", "B1", "A2", "B2", "status"],
                              [[s] + [str(dict((r, t) for r, t, _ in v).get(r, "")) for r in ("A1", "B1", "A2", "B2")]
                               + [", ".join(sorted({st for _, _, st in v}))] for s, v in per_scenario.items()]
                              + [["total"] + [str(sum(t for v in per_scenario.values() for r2, t, _ in v if r2 == r))
                                              for r in ("A1", "B1", "A2", "B2")] + [""]])
    lines += ["", "Machine and load (`uptime` before each run):", "", "```", read("env.txt"), "```", ""]
    with open(out_md, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
