#!/usr/bin/env python3
"""Summarises a spring.sh run as Markdown on stdout.

usage: spring_report.py OUT_DIR   (standard library only)

OUT_DIR holds rounds r1, r2, … with <scenario>-<client>.json (JMH, one client each), env.txt and
spring-limits.json. Per scenario and round: each client's rate from the MEDIAN of its measured
transfers (on a loaded machine a single stalled transfer moves the mean by 2×; the mean is shown
too) and its allocation per message, and the round's ratio adapter / Spring's client (the two ran
back to back), from the medians; then the median ratio of the rounds, their lowest and highest, and
the ratio of the two clients' medians over every measured transfer of every round.
"""
import glob
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (load_rates, rate, size, fmt, table, spring_limits)

ADAPTER, SPRING = report.SPRING_CLIENTS


def load(out):
    """{scenario: {round: {client: row}}} (report.load_rates' rows, plus "times": the measured ms/op)."""
    data = {}
    for path in sorted(glob.glob(os.path.join(out, "r*", "*.json"))):
        rnd = os.path.basename(os.path.dirname(path))
        name = os.path.basename(path)[:-len(".json")]
        try:
            rows = report.load_rates(os.path.dirname(path), name)
            raw = report.results(os.path.dirname(path), name)
        except (ValueError, KeyError):
            rows = None  # a run that died leaves an empty or partial file
        for client, row in (rows or {}).items():
            r = next(r for r in raw if r["params"]["client"] == client)
            row["times"] = [t for fork in r["primaryMetric"]["rawData"] for t in fork]
            scenario = name[:-len("-" + client)] if name.endswith("-" + client) else name
            data.setdefault(scenario, {}).setdefault(rnd, {})[client] = row
    return data


def per_second(row, unit, ms):
    """The rate of one transfer of {ms} ms."""
    return (row["bytes"] / report.MIB if unit == "MiB/s" else row["bytes"] / row["message"]) / (ms / 1000.0)


def main(out):
    data = load(out)
    env_path = os.path.join(out, "env.txt")
    env = open(env_path).read().strip() if os.path.exists(env_path) else ""
    lines = ["# Spring WebFlux clients: the fluxsocket adapter and Spring's ReactorNettyWebSocketClient", "",
             f"`spring.sh` (see benchmarks/README.md, \"Spring WebFlux clients\"), raw JMH JSON in `{out}`. "
             f"`{ADAPTER}`: `new FluxsocketWebSocketClient()`; `{SPRING}`: `new ReactorNettyWebSocketClient()`; "
             "both at their defaults, through one `WebSocketHandler` counting `session.receive()`'s payloads. "
             "A cell is the rate of the median of a JMH run's measured transfers (SingleShotTime, a new "
             "connection each), the mean's in brackets; a round runs both clients back to back (each in a JVM of "
             "its own), odd rounds the adapter first; the ratio is of the medians.", "",
             "```", env, "```", ""]
    labels = {name: (label, unit) for name, label, unit, _ in report.SPRING_RATES}
    for scenario in sorted(data, key=lambda s: list(labels).index(s) if s in labels else 99):
        rounds = data[scenario]
        label, unit = labels.get(scenario, (scenario, "MiB/s"))
        first = next(iter(next(iter(rounds.values())).values()))
        lines += ["## " + label.format(size=report.size(first["bytes"])), ""]
        rows, ratios, pooled = [], [], {ADAPTER: [], SPRING: []}
        for rnd in sorted(rounds, key=lambda r: int(r[1:])):
            cells = [rnd]
            for c in (ADAPTER, SPRING):
                row = rounds[rnd].get(c)
                if row is None:
                    cells += ["**failed**", "n/a"]
                    continue
                pooled[c] += row["times"]
                median = per_second(row, unit, statistics.median(row["times"]))
                n = row["bytes"] / row["message"]
                cells += [f"{report.fmt(median)} ({report.fmt(report.rate(row, unit)[0])}) {unit}",
                          "n/a" if row["alloc"] is None else f"{row['alloc'] / n:,.0f} B/msg"]
            if all(c in rounds[rnd] for c in (ADAPTER, SPRING)):
                a, b = rounds[rnd][ADAPTER], rounds[rnd][SPRING]
                ratio = per_second(a, unit, statistics.median(a["times"])) / per_second(b, unit, statistics.median(b["times"]))
                ratios.append(ratio)
                cells.append(f"{ratio:.2f}×")
            else:
                cells.append("n/a")
            rows.append(cells)
        lines += report.table(["round", ADAPTER, "allocated", SPRING, "allocated", "adapter / Spring's"], rows)
        if ratios:
            above = sum(1 for r in ratios if r >= 1.0)
            lines += ["", f"Adapter / Spring's client: median of the rounds' ratios **{statistics.median(ratios):.2f}×**, "
                          f"lowest {min(ratios):.2f}×, highest {max(ratios):.2f}× over {len(ratios)} rounds "
                          f"({above} of {len(ratios)} at 1.0× or more)."]
            if pooled[ADAPTER] and pooled[SPRING]:
                lines += [f"Over all rounds' {len(pooled[ADAPTER])} and {len(pooled[SPRING])} transfers: median "
                          f"{report.fmt(per_second(first, unit, statistics.median(pooled[ADAPTER])))} {unit} against "
                          f"{report.fmt(per_second(first, unit, statistics.median(pooled[SPRING])))} {unit}, "
                          f"**{statistics.median(pooled[SPRING]) / statistics.median(pooled[ADAPTER]):.2f}×**."]
            lines += [""]
    lines += cpu_section(out, labels)
    limits = report.results(out, "spring-limits")
    if limits:
        lines += ["## The largest message at the defaults, and one streamed", ""]
        lines += report.spring_limits(limits)
        lines += [""]
    print("\n".join(lines))


def cpu_section(out, labels):
    """SpringCpu's rows (OUT_DIR/cpu.jsonl): the client JVM's CPU µs per message, median per round."""
    path = os.path.join(out, "cpu.jsonl")
    if not os.path.exists(path):
        return []
    runs = {}  # scenario -> round -> client -> [ns per message]
    for line in open(path):
        if line.strip().startswith("{"):
            r = json.loads(line)
            runs.setdefault(r["scenario"], {}).setdefault(r["round"], {})[r["client"]] = r["cpuNanosPerMessage"]
    lines = ["## CPU per message (`SpringCpu`)", "",
             "The client JVM's CPU time over each measured transfer (every thread: event loop, caller, GC, JIT) ÷ "
             "its messages, in µs: the median of a run's measured transfers, each run a JVM of its own (default "
             "G1, 1 GiB heap, as the JMH forks); the lowest and highest transfer in brackets. Ratio: adapter ÷ "
             "Spring's client, **below 1 means the adapter costs less**.", ""]
    for scenario in sorted(runs, key=lambda s: list(labels).index(s) if s in labels else 99):
        rows, ratios = [], []
        for rnd in sorted(runs[scenario], key=lambda r: int(r[1:])):
            cells = [f"{scenario} {rnd}"]
            meds = {}
            for c in (ADAPTER, SPRING):
                v = runs[scenario][rnd].get(c)
                if not v:
                    cells.append("**failed**")
                    continue
                meds[c] = statistics.median(v)
                cells.append(f"{meds[c] / 1000:,.2f} ({min(v) / 1000:,.2f}–{max(v) / 1000:,.2f})")
            if len(meds) == 2:
                ratios.append(meds[ADAPTER] / meds[SPRING])
                cells.append(f"{ratios[-1]:.2f}")
            else:
                cells.append("n/a")
            rows.append(cells)
        lines += report.table(["scenario, round", f"{ADAPTER} µs/msg", f"{SPRING} µs/msg", "adapter ÷ Spring's"], rows)
        if ratios:
            lines += ["", f"{scenario}: median of the rounds' CPU ratios **{statistics.median(ratios):.2f}** "
                          f"(lowest {min(ratios):.2f}, highest {max(ratios):.2f}).", ""]
    return lines


if __name__ == "__main__":
    main(sys.argv[1])
