#!/usr/bin/env python3
"""Summarises the wss:// runs in this folder (runN/tls-{download,upload}.json) as markdown tables.
usage: python3 summary.py [FOLDER]   (standard library only; MiB/s = 1 GiB / mean time, as report.py)"""
import json
import os
import sys

here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
CLIENTS = ["fluxsocket", "reactor-netty", "jdk", "okhttp", "jetty"]
runs = sorted(d for d in os.listdir(here) if d.startswith("run") and os.path.isdir(os.path.join(here, d)))


def load(run, name):
    out = {}
    for r in json.load(open(os.path.join(here, run, name + ".json"))):
        m = r["primaryMetric"]
        mib = int(r["params"]["bytes"]) / (1 << 20)
        sec, err = m["score"] / 1000, m["scoreError"] / 1000
        rates = [mib / (x / 1000) for fork in m["rawData"] for x in fork]
        alloc = r["secondaryMetrics"]["gc.alloc.rate.norm"]["score"] / int(r["params"]["bytes"])
        out[r["params"]["client"]] = dict(rate=mib / sec, err=mib / sec * err / sec, rates=rates, alloc=alloc)
    return out


data = {(run, n): load(run, n) for run in runs for n in ("tls-download", "tls-upload")}
print("| client | " + " | ".join(f"download {r}" for r in runs) + " | " + " | ".join(f"upload {r}" for r in runs)
      + " | download B/B | upload B/B |")
print("|---|" + "---:|" * (2 * len(runs) + 2))
for c in CLIENTS:
    cells = []
    for n in ("tls-download", "tls-upload"):
        for run in runs:
            d = data[(run, n)].get(c)
            cells.append("**failed**" if d is None else f"{d['rate']:,.0f} ± {d['err']:,.0f}")
    for n in ("tls-download", "tls-upload"):
        allocs = [data[(run, n)][c]["alloc"] for run in runs if c in data[(run, n)]]
        cells.append(f"{sum(allocs) / len(allocs):.3f}")
    print(f"| {c} | " + " | ".join(cells) + " |")
print()
print("| fluxsocket / reactor-netty | " + " | ".join(runs) + " | mean of runs | lowest–highest | pooled transfers: medians |")
print("|---|" + "---:|" * (len(runs) + 3))
for n in ("tls-download", "tls-upload"):
    ratios = [data[(run, n)]["fluxsocket"]["rate"] / data[(run, n)]["reactor-netty"]["rate"] for run in runs]
    f = sorted(x for run in runs for x in data[(run, n)]["fluxsocket"]["rates"])
    r = sorted(x for run in runs for x in data[(run, n)]["reactor-netty"]["rates"])
    med = lambda v: (v[len(v) // 2] + v[(len(v) - 1) // 2]) / 2
    print(f"| {n} | " + " | ".join(f"{x:.2f}" for x in ratios) + f" | {sum(ratios) / len(ratios):.2f} | "
          f"{min(ratios):.2f}–{max(ratios):.2f} | {med(f):,.0f} / {med(r):,.0f} = {med(f) / med(r):.2f} |")
print()
print("Every measured transfer (MiB/s):")
print()
for n in ("tls-download", "tls-upload"):
    for c in CLIENTS:
        print(f"- {n} {c}: " + "; ".join(run + " " + ", ".join(f"{x:,.0f}" for x in data[(run, n)][c]["rates"])
                                         for run in runs if c in data[(run, n)]))
