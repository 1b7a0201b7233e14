#!/usr/bin/env python3
"""Summarises a keepalive-cost.sh run (OUT_DIR/<off|on><round>/<scenario>.json) as Markdown on
stdout: per scenario, the speed with the keep-alive off and on in each round, on/off per round and
the median of those ratios, the iterations pooled (median each side, and how often an iteration
with it on was faster than one with it off: 0.5 is no difference), and the allocation per
message. Standard library only."""
import json
import pathlib
import statistics
import sys

out = pathlib.Path(sys.argv[1])
rows = {}  # scenario -> {"off"|"on": {round: (speed, [iteration speeds], alloc per message, unit)}}
for d in sorted(p for p in out.iterdir() if p.is_dir()):
    side, rnd = ("off", d.name[3:]) if d.name.startswith("off") else ("on", d.name[2:])
    for f in sorted(d.glob("*.json")):
        for r in json.loads(f.read_text() or "[]"):
            p, m = r["params"], r["primaryMetric"]
            raw = [v for fork in m.get("rawData", []) for v in fork]
            if "size" in p:  # echo: p50 of the round trips, lower is better: speed is round trips/s at p50
                messages, unit = 1, "round trips/s at p50"
                speed = 1e6 / m["scorePercentiles"]["50.0"]
                its = [speed]
            else:  # SingleShotTime: ms per transfer of bytes/(message or chunk) messages
                messages = int(p["bytes"]) // int(p.get("message") or p.get("chunk"))
                unit = "MiB/s"
                speed = int(p["bytes"]) / 2**20 / (m["score"] / 1000)
                its = [int(p["bytes"]) / 2**20 / (v / 1000) for v in raw]
            alloc = r["secondaryMetrics"]["gc.alloc.rate.norm"]["score"] / messages
            rows.setdefault(f.stem, {}).setdefault(side, {})[int(rnd)] = (speed, its, alloc, unit)

print("| scenario | keep-alive off, per round | on, per round | on/off per round | median on/off |"
      " iterations: median off → on, P(on faster) | B/message off → on |")
print("|---|---|---|---|---:|---|---|")
for scenario, sides in sorted(rows.items()):
    off, on = sides.get("off", {}), sides.get("on", {})
    rounds = sorted(set(off) & set(on))
    unit = next(iter(off.values()))[3] if off else ""
    ratios = [on[r][0] / off[r][0] for r in rounds]
    its_off = [v for r in rounds for v in off[r][1]]
    its_on = [v for r in rounds for v in on[r][1]]
    wins = sum((b > a) + 0.5 * (b == a) for a in its_off for b in its_on) / max(1, len(its_off) * len(its_on))
    print(f"| {scenario} ({unit}) | {', '.join(f'{off[r][0]:,.0f}' for r in rounds)} "
          f"| {', '.join(f'{on[r][0]:,.0f}' for r in rounds)} | {', '.join(f'{x:.3f}' for x in ratios)} "
          f"| **{statistics.median(ratios):.3f}** | {statistics.median(its_off):,.0f} → {statistics.median(its_on):,.0f}, {wins:.2f} "
          f"| {statistics.mean(off[r][2] for r in rounds):.1f} → {statistics.mean(on[r][2] for r in rounds):.1f} |")
