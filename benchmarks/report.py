#!/usr/bin/env python3
"""Turns the suite's JMH JSON files into a markdown table and an SVG bar chart.

usage: report.py RAW_DIR OUT.md OUT.svg   (standard library only)
"""
import json
import os
import sys

CLIENTS = ["fluxsocket", "reactor-netty", "jdk", "okhttp", "jetty", "raw-socket"]
PEERS = ["reactor-netty", "jdk", "okhttp", "jetty"]
MIB = 1 << 20
# file name -> (scenario label, unit kind)
SCENARIOS = [
    ("download", "Download {size} in 64 KiB messages", "MiB/s"),
    ("upload", "Upload {size} in 64 KiB chunks", "MiB/s"),
    ("messages-1k", "1 KiB messages one-way ({size})", "msg/s"),
    ("messages-64", "64 B messages one-way ({size})", "msg/s"),
]


def size(n):
    for unit, f in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1024)):
        if n >= f and n % f == 0:
            return f"{n // f} {unit}"
    return f"{n} B"


def load(raw, name):
    path = os.path.join(raw, name + ".json")
    if not os.path.exists(path):
        return None
    rows = {}
    with open(path) as f:
        for r in json.load(f):
            p = r["params"]
            nbytes = int(p["bytes"])
            message = int(p.get("message") or p.get("chunk"))
            m = r["primaryMetric"]
            assert m["scoreUnit"] == "ms/op", m["scoreUnit"]
            sec, err = m["score"] / 1000.0, (m["scoreError"] or 0) / 1000.0
            if err != err:  # NaN when there are too few iterations
                err = 0.0
            alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
            rows[p["client"]] = dict(bytes=nbytes, message=message, sec=sec, err=err, alloc=alloc,
                                     n=len(m.get("rawData", [[]])[0]) if m.get("rawData") else 0)
    return rows


def rate(row, unit):
    per = row["bytes"] / MIB if unit == "MiB/s" else row["bytes"] / row["message"]
    value = per / row["sec"]
    # Error of a quotient: relative error of the time.
    return value, value * row["err"] / row["sec"] if row["sec"] else 0.0


def fmt(v):
    if v >= 100000:
        return f"{v / 1e6:.2f} M"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}"


def main(raw, out_md, out_svg):
    data = []
    for name, label, unit in SCENARIOS:
        rows = load(raw, name)
        if rows is None:
            continue
        nbytes = next(iter(rows.values()))["bytes"] if rows else 0
        data.append((name, label.format(size=size(nbytes)), unit, rows))

    env = open(os.path.join(raw, "env.txt")).read() if os.path.exists(os.path.join(raw, "env.txt")) else ""
    lines = ["# fluxsocket benchmark results", "",
             "Produced by `benchmarks/run.sh` from the JMH JSON in `" + raw + "/`. Each cell is the mean "
             "± the 99.9% confidence half-width JMH reports, over the measured transfers (one transfer per "
             "SingleShotTime iteration, on a new connection, byte count checked). A cell reading "
             "**failed** means the client errored or miscounted (see the log next to the JSON): it is an "
             "error, not a number.", "",
             "Machine and load (`uptime` before each run):", "", "```", env.strip(), "```", "",
             "## Throughput", "",
             "| scenario | " + " | ".join(CLIENTS) + " |",
             "|---|" + "---:|" * len(CLIENTS)]
    for name, label, unit, rows in data:
        cells = []
        for c in CLIENTS:
            if c in rows:
                v, e = rate(rows[c], unit)
                cells.append(f"{fmt(v)} ± {fmt(e)} {unit}")
            else:
                cells.append("**failed**")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines += ["", "## fluxsocket's ratio to each client (throughput, > 1 means fluxsocket is faster)", "",
              "| scenario | " + " | ".join(c for c in CLIENTS if c != "fluxsocket") + " |",
              "|---|" + "---:|" * (len(CLIENTS) - 1)]
    ratios = {}
    bounds = {}
    for name, label, unit, rows in data:
        cells = []
        for c in CLIENTS[1:]:
            if "fluxsocket" in rows and c in rows:
                (v, e), (w, f) = rate(rows["fluxsocket"], unit), rate(rows[c], unit)
                r = v / w
                # Worst and best case of the two confidence intervals.
                ratios[(name, c)] = r
                bounds[(name, c)] = ((v - e) / (w + f), (v + e) / (w - f) if w > f else float("inf"))
                cells.append(f"{r:.2f}×")
            else:
                cells.append("n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines += ["", "## Allocation (`-prof gc`, `gc.alloc.rate.norm`, client JVM only)", "",
              "| scenario | " + " | ".join(CLIENTS) + " |",
              "|---|" + "---:|" * len(CLIENTS)]
    for name, label, unit, rows in data:
        cells = []
        for c in CLIENTS:
            a = rows.get(c, {}).get("alloc")
            if a is None:
                cells.append("n/a")
            else:
                per = rows[c]["bytes"] / rows[c]["message"]
                cells.append(f"{a / per:,.1f} B/msg" if unit == "msg/s" else f"{a / rows[c]['bytes']:.3f} B/B")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines += ["", "## Targets", ""]
    def target(desc, key, goal):
        if key[0] == "upload" and key[1] == "best-peer":
            rs = [ratios[("upload", p)] for p in PEERS if ("upload", p) in ratios]
            r = min(rs) if len(rs) == len(PEERS) else None
            if r is not None:
                key = ("upload", min(PEERS, key=lambda p: ratios[("upload", p)]))
        else:
            r = ratios.get(key)
        if r is None:
            lines.append(f"- {desc}: not measured")
            return
        lo, hi = bounds[key]
        verdict = "met" if r >= goal else "not met"
        sure = "" if (lo >= goal) == (hi >= goal) else \
            f" (not conclusive: the confidence intervals allow {lo:.2f}×–{hi:.2f}×)"
        lines.append(f"- {desc}: {r:.2f}× against {key[1]} — **{verdict}** on the means{sure}")
    target("download ≥ 1.0× raw Reactor Netty", ("download", "reactor-netty"), 1.0)
    target("download ≥ 0.9× raw socket", ("download", "raw-socket"), 0.9)
    target("upload ≥ 1.6× raw Reactor Netty", ("upload", "reactor-netty"), 1.6)
    target("upload ≥ 1.1× best peer (ratio to the fastest of " + ", ".join(PEERS) + ")",
           ("upload", "best-peer"), 1.1)
    lines += ["", "Chart: [" + os.path.basename(out_svg) + "](" + os.path.basename(out_svg) + ")", ""]
    with open(out_md, "w") as f:
        f.write("\n".join(lines))
    svg(out_svg, [d for d in data if d[2] == "MiB/s"])


def svg(path, data):
    colors = ["#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#7f7f7f"]
    bar, gap, group_gap, left, top, height = 22, 4, 40, 70, 50, 300
    groups = len(data)
    width = left + groups * (len(CLIENTS) * (bar + gap) + group_gap) + 180
    peak = max([rate(r, u)[0] for _, _, u, rows in data for r in rows.values()] + [1])
    scale = height / (peak * 1.1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 70}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="20" font-size="14">WebSocket client throughput, MiB/s (higher is better)</text>']
    for i in range(6):
        v = peak * 1.1 * i / 5
        y = top + height - v * scale
        out.append(f'<line x1="{left - 5}" x2="{width - 180}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    x = left + 10
    for name, label, unit, rows in data:
        x0 = x
        for ci, c in enumerate(CLIENTS):
            if c in rows:
                v, e = rate(rows[c], unit)
                h = v * scale
                y = top + height - h
                out.append(f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{colors[ci]}">'
                           f'<title>{c}: {v:,.0f} ± {e:,.0f} MiB/s</title></rect>')
                out.append(f'<text x="{x + bar / 2}" y="{y - 3:.1f}" text-anchor="middle" font-size="9">{v:,.0f}</text>')
            else:
                out.append(f'<text x="{x + bar / 2}" y="{top + height - 3}" text-anchor="middle" font-size="9">fail</text>')
            x += bar + gap
        out.append(f'<text x="{(x0 + x) / 2:.1f}" y="{top + height + 18}" text-anchor="middle">{label}</text>')
        x += group_gap
    for ci, c in enumerate(CLIENTS):
        y = top + 10 + ci * 18
        out.append(f'<rect x="{width - 160}" y="{y}" width="12" height="12" fill="{colors[ci]}"/>')
        out.append(f'<text x="{width - 142}" y="{y + 10}">{c}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
