#!/usr/bin/env python3
"""Summarises a metrics-cost.sh run (OUT_DIR/<A|B><round>/<scenario>.json) as Markdown on stdout:
allocation per message and speed of fluxsocket before the metrics (A), and with metrics off and on
(B), each round and their spread. Standard library only."""
import json
import pathlib
import statistics
import sys

out = pathlib.Path(sys.argv[1])
rows = {}  # (scenario, column) -> list of (round, alloc per message, speed)
for d in sorted(p for p in out.iterdir() if p.is_dir()):
    side, rnd = d.name[0], d.name[1:]
    for f in sorted(d.glob("*.json")):
        for r in json.loads(f.read_text() or "[]"):
            p = r["params"]
            if "size" in p:  # echo: one operation is one 64 B message each way
                messages, speed, unit = 1, r["primaryMetric"]["scorePercentiles"]["50.0"], "p50 µs"
            else:  # a transfer of bytes/message messages; time per transfer in ms
                messages = int(p["bytes"]) // int(p["message"])
                speed, unit = messages / (r["primaryMetric"]["score"] / 1000) / 1e6, "M msg/s"
            alloc = r["secondaryMetrics"]["gc.alloc.rate.norm"]["score"] / messages
            column = {("A", "fluxsocket"): "before", ("B", "fluxsocket"): "metrics off",
                      ("B", "fluxsocket-metrics"): "metrics on"}[(side, p["client"])]
            rows.setdefault((f.stem, unit), {}).setdefault(column, []).append((rnd, alloc, speed))


def cell(values, i, fmt):
    xs = [v[i] for v in sorted(values)]
    each = " / ".join(fmt.format(x) for x in xs)
    return f"{fmt.format(statistics.mean(xs))} ({each})"


print("| scenario | column | B allocated per message: mean (each round) | speed: mean (each round) |")
print("|---|---|---:|---:|")
for (scenario, unit), columns in sorted(rows.items()):
    for column in ("before", "metrics off", "metrics on"):
        if column in columns:
            v = columns[column]
            print(f"| {scenario} | {column} | {cell(v, 1, '{:.1f}')} | {cell(v, 2, '{:.3f}')} {unit} |")
