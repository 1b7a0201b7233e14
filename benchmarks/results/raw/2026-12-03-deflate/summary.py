#!/usr/bin/env python3
"""Recomputes the tables of results/2026-12-03-deflate.md from the JMH JSON here.
usage: python3 summary.py [ROUND...]   (default: the rounds with -XX:+AlwaysPreTouch, R5-R8)"""
import glob, json, os, statistics as st, sys
here = os.path.dirname(os.path.abspath(__file__))
rounds = sys.argv[1:] or ["R5", "R6", "R7", "R8"]
rounds = [r for r in rounds if os.path.isdir(os.path.join(here, r))]
CL = ["fluxsocket-messages", "reactor-netty", "okhttp", "jetty", "fluxsocket"]
PEERS = ["reactor-netty", "okhttp", "jetty"]
data = {}
for r in rounds:
    for f in glob.glob(os.path.join(here, r, "*.json")):
        for x in json.load(open(f)):
            d = x["benchmark"].split(".")[-1]; c = x["params"]["client"]; n = int(x["params"]["messages"])
            sm = x["secondaryMetrics"]
            ms = [v for fork in x["primaryMetric"]["rawData"] for v in fork]
            cpu = [v / 1000 for fork in sm["cpuNanosPerMessage"]["rawData"] for v in fork]
            srv = [v / 1000 for fork in sm.get("serverCpuNanosPerMessage", {}).get("rawData", []) for v in fork]
            wire = [v for fork in sm["wireBytesPerMessage"]["rawData"] for v in fork]
            rate = n / (st.mean(ms) / 1000)
            data[(d, c, r)] = dict(rate=rate, err=rate * x["primaryMetric"]["scoreError"] / x["primaryMetric"]["score"],
                                   med=n / (st.median(ms) / 1000), cpu=st.mean(cpu), cpumed=st.median(cpu),
                                   srv=st.mean(srv) if srv else None, wire=st.mean(wire),
                                   alloc=sm["gc.alloc.rate.norm"]["score"] / n, iters=len(ms))


def span(vals, f="{:,.0f}"):
    return f"{f.format(st.mean(vals))} ({f.format(min(vals))}–{f.format(max(vals))})" if vals else "—"


for d in ("upload", "download"):
    print(f"\n### {d}: {', '.join(rounds)}\n")
    print("| client | msg/s: mean of rounds (lowest–highest) | msg/s per round (mean ± 99.9%) | CPU µs/message: mean of rounds (lowest–highest) | B allocated/message | wire B/message | server CPU µs/message | client cores busy (CPU × rate) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for c in CL:
        xs = [data[(d, c, r)] for r in rounds if (d, c, r) in data]
        if not xs:
            continue
        srv = [x["srv"] for x in xs if x["srv"] is not None]
        per = "; ".join("{:,.0f} ± {:,.0f}".format(x["rate"], x["err"]) for x in xs)
        print(f"| {c} | {span([x['rate'] for x in xs])} | {per} | "
              f"{span([x['cpu'] for x in xs], '{:.1f}')} | {st.mean(x['alloc'] for x in xs):,.0f} | {st.mean(x['wire'] for x in xs):.1f} | "
              f"{span(srv, '{:.1f}')} | {span([x['cpu'] * x['rate'] / 1e6 for x in xs], '{:.2f}')} |")
    print(f"\nfluxsocket-messages ÷ peer, {d} (per round; mean of rounds (lowest–highest); msg/s > 1 and CPU < 1 favour fluxsocket):\n")
    print("| peer | msg/s ratio per round | msg/s ratio | CPU/message ratio per round | CPU/message ratio |")
    print("|---|---|---:|---|---:|")
    for p in PEERS + ["fluxsocket"]:  # the last: message mode over stream mode, same library
        rr = [(data[(d, CL[0], r)]["rate"] / data[(d, p, r)]["rate"], data[(d, CL[0], r)]["cpu"] / data[(d, p, r)]["cpu"])
              for r in rounds if (d, CL[0], r) in data and (d, p, r) in data]
        if rr:
            label = "fluxsocket (stream mode, same library)" if p == "fluxsocket" else p
            print(f"| {label} | {' '.join(f'{a:.2f}' for a, _ in rr)} | {span([a for a, _ in rr], '{:.2f}')} | "
                  f"{' '.join(f'{b:.2f}' for _, b in rr)} | {span([b for _, b in rr], '{:.2f}')} |")
