#!/usr/bin/env python3
"""WriteTrackingBenchmark run alternately per tracking (a, b, a, b, ...; one JSON per JMH run,
named runN-<tracking>.json): a markdown table. usage: summarize.py RAW_DIR"""
import glob, json, os, re, sys

raw = sys.argv[1]
runs = {}  # tracking -> [(run number, {(transport, payload, flushEvery): (score, alloc)})]
for path in glob.glob(os.path.join(raw, "run*-*.json")):
    n, t = re.search(r"run(\d+)-(.+)\.json$", os.path.basename(path)).groups()
    res = {}
    for r in json.load(open(path)):
        p = r["params"]
        res[(p["transport"], int(p["payload"]), int(p["flushEvery"]))] = (
            r["primaryMetric"]["score"], r["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score"))
    runs.setdefault(t, []).append((int(n), res))
for t in runs:
    runs[t].sort()

A, B = "per-write-promise", "shared-promise"
keys = sorted({k for t in runs for _, res in runs[t] for k in res}, key=lambda k: (k[0] != "socket", k[1], k[2]))
M = lambda v: f"{v / 1e6:.2f}"
print("| transport | payload B | flush every | per-write-promise, M frames/s (runs " + ", ".join(str(n) for n, _ in runs[A])
      + ") | shared-promise, M frames/s (runs " + ", ".join(str(n) for n, _ in runs[B])
      + ") | shared / per-write (means) | spread (all cross ratios) | B/frame per-write | B/frame shared |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for k in keys:
    a = [res[k] for _, res in runs[A] if k in res]
    b = [res[k] for _, res in runs[B] if k in res]
    ma, mb = sum(x[0] for x in a) / len(a), sum(x[0] for x in b) / len(b)
    cross = [y[0] / x[0] for x in a for y in b]
    alloc = lambda xs: f"{min(x[1] for x in xs):.1f}–{max(x[1] for x in xs):.1f}"
    print(f"| {k[0]} | {k[1]} | {k[2]} | " + " / ".join(M(x[0]) for x in a) + f" (mean {M(ma)}) | "
          + " / ".join(M(x[0]) for x in b) + f" (mean {M(mb)}) | {mb / ma:.2f}× | {min(cross):.2f}–{max(cross):.2f}× | "
          + alloc(a) + " | " + alloc(b) + " |")
