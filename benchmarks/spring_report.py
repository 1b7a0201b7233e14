#!/usr/bin/env python3
"""Summarises a spring.sh run as Markdown on stdout.

usage: spring_report.py OUT_DIR   (standard library only)

OUT_DIR holds rounds r1, r2, … with <scenario>-<client>.json (JMH, one client each), env.txt and
spring-limits.json. Per scenario and round: each client's rate (the mean of its measured
iterations) and allocation per message, and the round's ratio adapter / Spring's client (the two
ran back to back); then the median ratio of the rounds, their lowest and highest.
"""
import glob
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (load_rates, rate, size, fmt, table, spring_limits)

ADAPTER, SPRING = report.SPRING_CLIENTS


def load(out):
    """{scenario: {round: {client: row}}} (report.load_rates' rows)."""
    data = {}
    for path in sorted(glob.glob(os.path.join(out, "r*", "*.json"))):
        rnd = os.path.basename(os.path.dirname(path))
        name = os.path.basename(path)[:-len(".json")]
        try:
            rows = report.load_rates(os.path.dirname(path), name)
        except (ValueError, KeyError):
            rows = None  # a run that died leaves an empty or partial file
        for client, row in (rows or {}).items():
            scenario = name[:-len("-" + client)] if name.endswith("-" + client) else name
            data.setdefault(scenario, {}).setdefault(rnd, {})[client] = row
    return data


def main(out):
    data = load(out)
    env_path = os.path.join(out, "env.txt")
    env = open(env_path).read().strip() if os.path.exists(env_path) else ""
    lines = ["# Spring WebFlux clients: the fluxsocket adapter and Spring's ReactorNettyWebSocketClient", "",
             f"`spring.sh` (see benchmarks/README.md, \"Spring WebFlux clients\"), raw JMH JSON in `{out}`. "
             f"`{ADAPTER}`: `new FluxsocketWebSocketClient()`; `{SPRING}`: `new ReactorNettyWebSocketClient()`; "
             "both at their defaults, through one `WebSocketHandler` counting `session.receive()`'s payloads. "
             "A cell is the mean of a JMH run's measured transfers (SingleShotTime, a new connection each); "
             "a round runs both clients back to back, odd rounds the adapter first.", "",
             "```", env, "```", ""]
    labels = {name: (label, unit) for name, label, unit, _ in report.SPRING_RATES}
    for scenario in sorted(data, key=lambda s: list(labels).index(s) if s in labels else 99):
        rounds = data[scenario]
        label, unit = labels.get(scenario, (scenario, "MiB/s"))
        first = next(iter(next(iter(rounds.values())).values()))
        lines += ["## " + label.format(size=report.size(first["bytes"])), ""]
        rows, ratios = [], []
        for rnd in sorted(rounds, key=lambda r: int(r[1:])):
            cells = [rnd]
            for c in (ADAPTER, SPRING):
                row = rounds[rnd].get(c)
                if row is None:
                    cells += ["**failed**", "n/a"]
                    continue
                v, e = report.rate(row, unit)
                n = row["bytes"] / row["message"]
                cells += [f"{report.fmt(v)} ± {report.fmt(e)} {unit}",
                          "n/a" if row["alloc"] is None else f"{row['alloc'] / n:,.0f} B/msg"]
            if all(c in rounds[rnd] for c in (ADAPTER, SPRING)):
                ratio = report.rate(rounds[rnd][ADAPTER], unit)[0] / report.rate(rounds[rnd][SPRING], unit)[0]
                ratios.append(ratio)
                cells.append(f"{ratio:.2f}×")
            else:
                cells.append("n/a")
            rows.append(cells)
        lines += report.table(["round", ADAPTER, "allocated", SPRING, "allocated", "adapter / Spring's"], rows)
        if ratios:
            above = sum(1 for r in ratios if r >= 1.0)
            lines += ["", f"Adapter / Spring's client: median **{statistics.median(ratios):.2f}×**, "
                          f"lowest {min(ratios):.2f}×, highest {max(ratios):.2f}× over {len(ratios)} rounds "
                          f"({above} of {len(ratios)} at 1.0× or more).", ""]
    limits = report.results(out, "spring-limits")
    if limits:
        lines += ["## The largest message at the defaults, and one streamed", ""]
        lines += report.spring_limits(limits)
        lines += [""]
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1])
