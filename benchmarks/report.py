#!/usr/bin/env python3
"""Turns the suite's JMH JSON files into a markdown report and an SVG bar chart.

usage: report.py RAW_DIR OUT.md OUT.svg   (standard library only)
       report.py --scale RAW_DIR OUT.md   (only the many-connections section, for scale.sh alone)

Each scenario is one JSON file in RAW_DIR (see run.sh); a missing file is left out, a client
missing from a file is shown as **failed** (it threw: see the .log next to the JSON).
"""
import json
import os
import sys

CLIENTS = ["fluxsocket", "fluxsocket-in-place", "fluxsocket-streams", "fluxsocket-messages", "reactor-netty",
            "jdk", "okhttp", "jetty", "raw-socket"]
# Clients without an echo, an idle connection or a slow reader in the suite.
NO_ECHO = {"fluxsocket-in-place", "fluxsocket-streams", "fluxsocket-messages"}
# The other libraries fluxsocket's targets compare against (the raw socket is the transport's limit).
PEERS = ["reactor-netty", "jdk", "okhttp", "jetty"]
MIB = 1 << 20
FRAME = 65536 + 14  # one 64 KiB frame with its largest header
# The permessage-deflate scenario's clients (the JDK's client has no extensions, the raw socket none).
DEFLATE_CLIENTS = ["fluxsocket-messages", "reactor-netty", "okhttp", "jetty", "fluxsocket"]
DEFLATE_PEERS = ["reactor-netty", "okhttp", "jetty"]
# The Spring WebFlux clients (run.sh's spring-* files): Spring's ReactorNettyWebSocketClient and the
# library's adapter, each at its defaults, through one WebSocketHandler; the first is the reference.
SPRING_CLIENTS = ["spring-fluxsocket", "spring-reactor-netty"]
# file name -> (scenario label, unit, the same scenario without Spring: its file, for reference)
SPRING_RATES = [
    ("spring-download", "Download {size} in 64 KiB messages", "MiB/s", "download"),
    ("spring-messages-1k", "1 KiB messages one-way, download ({size})", "msg/s", "messages-1k"),
]
# file name -> (scenario label, unit)
RATES = [
    ("download", "Download {size} in 64 KiB messages", "MiB/s"),
    ("upload", "Upload {size} in 64 KiB chunks", "MiB/s"),
    ("tls-download", "Download {size} over wss:// (TLS 1.3) in 64 KiB messages", "MiB/s"),
    ("tls-upload", "Upload {size} over wss:// (TLS 1.3) in 64 KiB chunks", "MiB/s"),
    ("concurrency-100", "100 connections, {each} each in 1 KiB messages (total)", "MiB/s"),
    ("concurrency-1000", "1,000 connections, {each} each in 1 KiB messages (total)", "MiB/s"),
    ("messages-1k", "1 KiB messages one-way, download ({size})", "msg/s"),
    ("messages-64", "64 B messages one-way, download ({size})", "msg/s"),
    ("upload-messages-1k", "1 KiB messages one-way, upload ({size})", "msg/s"),
    ("upload-messages-64", "64 B messages one-way, upload ({size})", "msg/s"),
]


def size(n):
    for unit, f in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1024)):
        if n >= f and n % f == 0:
            return f"{n // f} {unit}"
    return f"{n} B"


def results(raw, name):
    path = os.path.join(raw, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def err_of(m):
    e = m.get("scoreError")
    return 0.0 if e is None or e != e or isinstance(e, str) else e


def aux(r, name):
    """Mean and max over the measured iterations of an @AuxCounters metric, or None."""
    m = r.get("secondaryMetrics", {}).get(name)
    if not m:
        return None
    values = [v for fork in m.get("rawData", []) for v in fork]
    if not values:
        return (m["score"], m["score"])
    return (sum(values) / len(values), max(values))


def load_rates(raw, name):
    rs = results(raw, name)
    if rs is None:
        return None
    rows = {}
    for r in rs:
        p = r["params"]
        each = int(p["bytes"])
        nbytes = each * int(p.get("connections", 1))
        message = int(p.get("message") or p.get("chunk"))
        m = r["primaryMetric"]
        assert m["scoreUnit"] == "ms/op", m["scoreUnit"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        rows[p["client"]] = dict(bytes=nbytes, each=each, message=message, sec=m["score"] / 1000.0,
                                 err=err_of(m) / 1000.0, alloc=alloc)
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


def kib(b):
    return f"{b / 1024:,.1f} KiB" if abs(b) < 10 * MIB else f"{b / MIB:,.1f} MiB"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def main(raw, out_md, out_svg):
    data = []
    for name, label, unit in RATES:
        rows = load_rates(raw, name)
        if rows is None:
            continue
        first = next(iter(rows.values()), {"bytes": 0, "each": 0})
        data.append((name, label.format(size=size(first["bytes"]), each=size(first["each"])), unit, rows))
    present = {c for _, _, _, rows in data for c in rows}
    env_path = os.path.join(raw, "env.txt")
    env = open(env_path).read() if os.path.exists(env_path) else ""
    verdicts = []

    lines = ["# fluxsocket benchmark results", "",
             "Produced by `benchmarks/run.sh` from the JMH JSON in `" + raw + "/`. Throughput cells are the "
             "mean ± the 99.9% confidence half-width JMH reports, over the measured transfers (one transfer "
             "per SingleShotTime iteration, on new connections, byte counts checked). A cell reading "
             "**failed** means the client errored or miscounted (see the log next to the JSON): it is an "
             "error, not a number; `—` means the scenario does not apply to that client.", "",
             "Machine and load (`uptime` before each run):", "", "```", env.strip(), "```", ""]

    def cell(name, rows, c, unit):
        if c in rows:
            v, e = rate(rows[c], unit)
            return f"{fmt(v)} ± {fmt(e)} {unit}"
        if not applies(name, c):
            return "—"
        return "**failed**"

    lines += ["## Throughput and message rates", ""]
    lines += table(["scenario"] + CLIENTS,
                   [[label] + [cell(name, rows, c, unit) for c in CLIENTS] for name, label, unit, rows in data])

    lines += ["", "## fluxsocket's ratio to each client (> 1 means fluxsocket is faster)", ""]
    ratios, bounds = {}, {}
    ratio_rows = []
    for name, label, unit, rows in data:
        cells = []
        for c in CLIENTS[1:]:
            if "fluxsocket" in rows and c in rows:
                (v, e), (w, f) = rate(rows["fluxsocket"], unit), rate(rows[c], unit)
                ratios[(name, c)] = v / w
                # Worst and best case of the two confidence intervals.
                bounds[(name, c)] = ((v - e) / (w + f), (v + e) / (w - f) if w > f else float("inf"))
                cells.append(f"{v / w:.2f}×")
            else:
                cells.append("n/a")
        ratio_rows.append([label] + cells)
        # The same for reading in place (receive(reader)), against the other libraries only.
        for c in PEERS + ["raw-socket"]:
            if "fluxsocket-in-place" in rows and c in rows:
                (v, e), (w, f) = rate(rows["fluxsocket-in-place"], unit), rate(rows[c], unit)
                ratios[(name + "@in-place", c)] = v / w
                bounds[(name + "@in-place", c)] = ((v - e) / (w + f), (v + e) / (w - f) if w > f else float("inf"))
    lines += table(["scenario"] + CLIENTS[1:], ratio_rows)
    lines += ["", "(The `fluxsocket-streams` column is the reactive path's ratio to its own blocking adapters.)"]

    lines += ["", "## Allocation (`-prof gc`, `gc.alloc.rate.norm`, client JVM only)", ""]
    alloc_rows = []
    for name, label, unit, rows in data:
        cells = []
        for c in CLIENTS:
            a = rows.get(c, {}).get("alloc")
            if a is None:
                cells.append("n/a")
            elif unit == "msg/s":
                cells.append(f"{a / (rows[c]['bytes'] / rows[c]['message']):,.1f} B/msg")
            else:
                cells.append(f"{a / rows[c]['bytes']:.3f} B/B")
        alloc_rows.append([label] + cells)
    lines += table(["scenario"] + CLIENTS, alloc_rows)

    deflated = deflate(raw)
    if deflated:
        lines += ["", "## Compressed 1 KiB JSON messages (permessage-deflate, context takeover both ways)", "",
                  "`DeflateBenchmark`: each client compresses (upload) or inflates (download) 1 KiB JSON events; "
                  "messages/s ± the 99.9% half-width; client JVM CPU per message (process CPU time over the "
                  "transfer ÷ messages; mean of the measured iterations, lowest–highest in brackets); allocation "
                  "per message (`gc.alloc.rate.norm`); frame bytes per message on the wire (as the server counted "
                  "them); the server's own CPU per message, apart. `fluxsocket-messages` is message mode, the one "
                  "compared; `fluxsocket` (stream mode, no message assembly) is there for reference. The JDK's "
                  "client has no permessage-deflate.", ""]
        drows = []
        for d in ("upload", "download"):
            rows = deflated.get(d)
            if not rows:
                continue
            n = next(iter(rows.values()))["messages"]
            drows.append([f"{d} ({n:,} messages)"] + [f"{fmt(rows[c]['rate'])} ± {fmt(rows[c]['err'])} msg/s"
                                                      if c in rows else "**failed**" for c in DEFLATE_CLIENTS])
            drows.append([f"{d}: CPU µs/message"] + [
                f"{rows[c]['cpu'][0] / 1000:,.1f} ({rows[c]['cpu'][1] / 1000:,.1f}–{rows[c]['cpu'][2] / 1000:,.1f})"
                if c in rows and rows[c]["cpu"] else "n/a" for c in DEFLATE_CLIENTS])
            drows.append([f"{d}: server CPU µs/message"] + [
                f"{rows[c]['server'][0] / 1000:,.1f}" if c in rows and rows[c]["server"] else "n/a"
                for c in DEFLATE_CLIENTS])
            drows.append([f"{d}: allocated B/message"] + [
                f"{rows[c]['alloc'] / rows[c]['messages']:,.0f}" if c in rows and rows[c]["alloc"] is not None
                else "n/a" for c in DEFLATE_CLIENTS])
            drows.append([f"{d}: wire B/message"] + [
                f"{rows[c]['wire']:,.1f}" if c in rows and rows[c]["wire"] is not None else "n/a"
                for c in DEFLATE_CLIENTS])
        lines += table(["scenario"] + DEFLATE_CLIENTS, drows)

    echo = latency(raw)
    if echo:
        lines += ["", "## 64 B echo round trip (µs, SampleTime, one connection kept open)", ""]
        lines += table(["percentile"] + [c for c in CLIENTS if c not in NO_ECHO],
                       [[p] + [f"{echo[c][p]:,.1f}" if c in echo else "**failed**"
                               for c in CLIENTS if c not in NO_ECHO] for p in ("p50", "p99", "p99.9")]
                       + [["samples"] + [f"{echo[c]['n']:,}" if c in echo else "" for c in CLIENTS
                                         if c not in NO_ECHO]])

    idle = memory(raw, "idle-heap", ["heapPerConnection"])
    slow = memory(raw, "slow-consumer", ["retainedHeap", "retainedDirect", "buffered"])
    if idle or slow:
        lines += ["", "## Memory (after a full GC; mean of the measured iterations, max in brackets)", ""]
        mem_rows = []
        if idle:
            n = idle["_connections"]
            mem_rows.append([f"idle heap per connection ({n:,} open)"] + [
                f"{kib(idle[c]['heapPerConnection'][0])}" if c in idle else
                ("—" if c in NO_ECHO else "**failed**") for c in CLIENTS])
        if slow:
            for metric, what in (("retained", "slow consumer: retained heap + direct while paused"),
                                 ("retainedHeap", "… of which heap"),
                                 ("retainedDirect", "… of which direct (pooled chunks count whole)"),
                                 ("buffered", "slow consumer: bytesReceived − consumed")):
                row = [what]
                for c in CLIENTS:
                    if c not in slow:
                        # The slow consumer has the stream-mode clients of fluxsocket, not the others.
                        row.append("—" if c in ("fluxsocket-in-place", "fluxsocket-messages") else "**failed**")
                    elif metric == "buffered" and not c.startswith("fluxsocket"):
                        row.append("n/a")
                    else:
                        mean, mx = slow[c][metric]
                        row.append(f"{kib(mean)} ({kib(mx)})")
                mem_rows.append(row)
        lines += table(["scenario"] + CLIENTS, mem_rows)

    lines += scale_section(raw)
    lines += spring_section(raw, ratios, bounds)

    masking = results(raw, "masking")
    if masking:
        lines += ["", "## Client-side masking in isolation (64 KiB binary frames, no socket)", ""]
        mrows = []
        for r in masking:
            m = r["primaryMetric"]
            scale = int(r["params"]["size"]) / MIB
            a = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
            mrows.append([r["params"]["masker"], r["params"].get("payloadKind", "direct"), f"{m['score'] * scale:,.0f} ± {err_of(m) * scale:,.0f} MiB/s",
                          "n/a" if a is None else f"{a:,.1f} B/frame"])
        lines += table(["masker", "payload", "throughput", "allocated"], mrows)

    lines += ["", "## Targets", ""]

    def target(desc, key, goal):
        if key[1] == "best-peer":
            rs = {p: ratios[(key[0], p)] for p in PEERS if (key[0], p) in ratios}
            if len(rs) < len(PEERS):
                lines.append(f"- {desc}: not measured (a peer failed)")
                return
            key = (key[0], min(rs, key=rs.get))
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
    target("download read in place, `receive(reader)`, ≥ 1.0× raw Reactor Netty",
           ("download@in-place", "reactor-netty"), 1.0)
    target("download read in place, `receive(reader)`, ≥ 0.9× raw socket", ("download@in-place", "raw-socket"), 0.9)
    target("upload ≥ 1.6× raw Reactor Netty", ("upload", "reactor-netty"), 1.6)
    target("upload ≥ 1.1× best peer (ratio to the fastest of " + ", ".join(PEERS) + ")",
           ("upload", "best-peer"), 1.1)
    for name, what in (("download", "download"), ("upload", "upload")):
        r = ratios.get((name, "fluxsocket-streams"))
        if r is None:
            lines.append(f"- blocking adapters ≥ 0.9× the reactive path ({what}): not measured")
        else:
            lo, hi = bounds[(name, "fluxsocket-streams")]
            # ratios are reactive / streams: the adapters' ratio is the inverse.
            a, alo, ahi = 1 / r, 1 / hi if hi else 0, 1 / lo if lo > 0 else float("inf")
            sure = "" if (alo >= 0.9) == (ahi >= 0.9) else \
                f" (not conclusive: the confidence intervals allow {alo:.2f}×–{ahi:.2f}×)"
            lines.append(f"- blocking adapters ≥ 0.9× the reactive path ({what}): {a:.2f}× — "
                         f"**{'met' if a >= 0.9 else 'not met'}** on the means{sure}")
    for d in ("upload", "download"):
        rows = (deflated or {}).get(d)
        desc = f"compressed 1 KiB JSON messages, {d}: fluxsocket-messages ≥ 1.0× the best of " + ", ".join(DEFLATE_PEERS)
        if not rows or "fluxsocket-messages" not in rows or any(p not in rows for p in DEFLATE_PEERS):
            lines.append(f"- {desc}: not measured" + (" (a client failed)" if rows else ""))
            continue
        best = max(DEFLATE_PEERS, key=lambda p: rows[p]["rate"])
        f, b = rows["fluxsocket-messages"], rows[best]
        r = f["rate"] / b["rate"]
        lo = (f["rate"] - f["err"]) / (b["rate"] + b["err"])
        hi = (f["rate"] + f["err"]) / (b["rate"] - b["err"]) if b["rate"] > b["err"] else float("inf")
        sure = "" if (lo >= 1.0) == (hi >= 1.0) else \
            f" (not conclusive: the confidence intervals allow {lo:.2f}×–{hi:.2f}×)"
        cpu = ""
        if f["cpu"] and b["cpu"]:
            cpu = f"; CPU per message {f['cpu'][0] / b['cpu'][0]:.2f}× {best}'s"
        lines.append(f"- {desc}: {r:.2f}× against {best} — **{'met' if r >= 1.0 else 'not met'}** on the means"
                     f"{sure}{cpu}")
    if echo and "fluxsocket" in echo:
        peers = [p for p in PEERS if p in echo]
        if peers:
            b50 = min(peers, key=lambda p: echo[p]["p50"])
            b99 = min(peers, key=lambda p: echo[p]["p99"])
            f50, f99 = echo["fluxsocket"]["p50"], echo["fluxsocket"]["p99"]
            lines.append(f"- echo p50 ≤ best peer: {f50:,.1f} µs vs {echo[b50]['p50']:,.1f} µs ({b50}) — "
                         f"**{'met' if f50 <= echo[b50]['p50'] else 'not met'}**")
            lines.append(f"- echo p99 ≤ 1.1× best peer: {f99:,.1f} µs vs 1.1 × {echo[b99]['p99']:,.1f} µs ({b99}) — "
                         f"**{'met' if f99 <= 1.1 * echo[b99]['p99'] else 'not met'}**")
    else:
        lines.append("- echo p50/p99 against the best peer: not measured")
    if idle and "fluxsocket" in idle:
        v = idle["fluxsocket"]["heapPerConnection"]
        lines.append(f"- idle heap ≤ 8 KiB per fluxsocket connection: {kib(v[0])} (max {kib(v[1])}) — "
                     f"**{'met' if v[1] <= 8192 else 'not met'}**")
    else:
        lines.append("- idle heap ≤ 8 KiB per fluxsocket connection: not measured")
    for c in ("fluxsocket", "fluxsocket-streams"):
        if slow and c in slow:
            mean, mx = slow[c]["retained"]
            lines.append(f"- slow consumer retains ≤ 4 MiB + one frame ({c}): heap + direct {kib(mean)} "
                         f"(max {kib(mx)}), buffered {kib(slow[c]['buffered'][1])} at most — "
                         f"**{'met' if mx <= 4 * MIB + FRAME else 'not met'}** (on the max)")
        else:
            lines.append(f"- slow consumer retains ≤ 4 MiB + one frame ({c}): not measured")

    target("Spring adapter: download in 64 KiB messages ≥ 1.0× Spring's ReactorNettyWebSocketClient",
           ("spring-download", "spring-reactor-netty"), 1.0)
    target("Spring adapter: 1 KiB messages/s ≥ 1.0× Spring's ReactorNettyWebSocketClient",
           ("spring-messages-1k", "spring-reactor-netty"), 1.0)

    lines += ["", "Chart: [" + os.path.basename(out_svg) + "](" + os.path.basename(out_svg) + ")", ""]
    with open(out_md, "w") as f:
        f.write("\n".join(lines))
    svg(out_svg, [d for d in data if d[2] == "MiB/s"])


def applies(name, client):
    """Whether a scenario has a column for this client (the others are shown as —)."""
    if name.startswith("tls-"):
        # wss:// runs the five libraries' main clients; the raw socket has no TLS.
        return client in ["fluxsocket"] + PEERS
    if client == "fluxsocket-in-place":
        return name in ("download", "messages-1k", "messages-64")
    if client == "fluxsocket-streams":
        return name in ("download", "upload", "messages-1k", "messages-64")
    if client == "fluxsocket-messages":
        return name in ("download", "upload", "messages-1k", "messages-64", "upload-messages-64", "upload-messages-1k")
    if client == "raw-socket":
        return not name.startswith("concurrency")
    return True


SCALE_CLIENTS = ["fluxsocket", "reactor-netty", "jdk", "okhttp", "jetty"]


def scale_section(raw):
    """The many-connections rows (ScaleRun): one JSON line per client in RAW_DIR/scale.jsonl."""
    path = os.path.join(raw, "scale.jsonl")
    if not os.path.exists(path):
        return []
    runs = {}
    for line in open(path):
        if line.strip():
            r = json.loads(line)
            runs[r["client"]] = r
    clients = [c for c in SCALE_CLIENTS if c in runs] + sorted(c for c in runs if c not in SCALE_CLIENTS)
    first = next(iter(runs.values()))
    out = ["", f"## Many connections at once (`ScaleRun`: {first['messageBytes']:,} B echo messages, "
                f"one in flight per connection, {first['seconds']} s)", "",
           "Each client in a JVM of its own against one `BenchServer` (one event-loop thread, its own JVM); "
           "see benchmarks/README.md. Memory per connection: after a full GC with every connection open and "
           "idle, minus before the first; threads: live threads of the client JVM. Echo percentiles are "
           "round trips under the full closed-loop load (they include the wait behind the other "
           "connections' messages). A missing client failed to run: see `scale-<client>.log`.", ""]

    def row(label, f):
        return [label] + [f(runs[c]) for c in clients]

    rows = [
        row("connections asked / opened", lambda r: f"{r['connections']:,} / {r.get('opened', 0):,}"),
        row("opening: connections/s", lambda r: f"{r['connectionsPerSecond']:,.0f}"),
        row("echo messages/s", lambda r: f"{r['messagesPerSecond']:,.0f}"),
        row("echo p50 / p99 (ms)", lambda r: f"{r['p50Micros'] / 1000:,.1f} / {r['p99Micros'] / 1000:,.1f}"),
        row("heap per connection", lambda r: kib(r["heapPerConnection"])),
        row("direct memory per connection", lambda r: kib(r["directPerConnection"])),
        row("threads: before / open / exchanging",
            lambda r: f"{r['threadsBefore']} / {r['threadsOpen']:,} / {r['threadsExchange']:,}"),
        row("descriptors: before / open", lambda r: f"{r['descriptorsBefore']} / {r['descriptorsOpen']:,}"),
        row("errors (by phase)", lambda r: f"{r['errors']:,}" + ("" if not r["errorsByPhase"] else " (" + ", ".join(
            f"{k} {v:,}" for k, v in r["errorsByPhase"].items()) + ")")),
    ]
    out += table(["", *clients], rows)
    firsts = [(c, k, v) for c in clients for k, v in runs[c]["firstErrors"].items()]
    if firsts:
        out += ["", "First error of each kind:", ""]
        out += [f"- {c}: {k}: {v}" for c, k, v in firsts]
    return out


def spring_section(raw, ratios, bounds):
    """The Spring WebFlux clients' rows; fills ratios/bounds[(file, "spring-reactor-netty")] for the targets."""
    data = []
    for name, label, unit, plain in SPRING_RATES:
        rows = load_rates(raw, name)
        if rows is not None:
            first = next(iter(rows.values()), {"bytes": 0})
            data.append((name, label.format(size=size(first["bytes"])), unit, rows, load_rates(raw, plain) or {}))
    limits = results(raw, "spring-limits")
    if not data and not limits:
        return []
    out = ["", "## Spring WebFlux clients (`WebSocketHandler`, each client at its defaults)", "",
           "`spring-fluxsocket` is the library's adapter (`new FluxsocketWebSocketClient()`), "
           "`spring-reactor-netty` Spring's own `new ReactorNettyWebSocketClient()`; one handler for both "
           "(`session.receive()`, each whole message's payload counted). The last two columns are the same "
           "scenario without Spring, from this run's other files: message mode (`fluxsocket-messages`) and raw "
           "Reactor Netty.", ""]
    if data:
        rows_out = []
        for name, label, unit, rows, plain in data:
            cells = []
            for c in SPRING_CLIENTS:
                if c in rows:
                    v, e = rate(rows[c], unit)
                    cells.append(f"{fmt(v)} ± {fmt(e)} {unit}")
                else:
                    cells.append("**failed**")
            if all(c in rows for c in SPRING_CLIENTS):
                (v, e), (w, f) = rate(rows[SPRING_CLIENTS[0]], unit), rate(rows[SPRING_CLIENTS[1]], unit)
                ratios[(name, SPRING_CLIENTS[1])] = v / w
                bounds[(name, SPRING_CLIENTS[1])] = ((v - e) / (w + f), (v + e) / (w - f) if w > f else float("inf"))
                cells.append(f"{v / w:.2f}×")
            else:
                cells.append("n/a")
            for c in SPRING_CLIENTS:
                a = rows.get(c, {}).get("alloc")
                n = rows[c]["bytes"] / rows[c]["message"] if c in rows else 0
                cells.append("n/a" if a is None else f"{a / n:,.0f} B/msg")
            for c in ("fluxsocket-messages", "reactor-netty"):
                cells.append(f"{fmt(rate(plain[c], unit)[0])} {unit}" if c in plain else "n/a")
            rows_out.append([label] + cells)
        out += table(["scenario", *SPRING_CLIENTS, "adapter / Spring's", "allocated: spring-fluxsocket",
                      "allocated: spring-reactor-netty", "fluxsocket-messages (no Spring)",
                      "reactor-netty (no Spring)"], rows_out)
    if limits:
        out += ["", "The largest single message each client takes at its defaults (`SpringMessageLimits`: a "
                    "binary search over one binary message of N bytes, 1 ≤ N ≤ 1 GiB), and one message streamed "
                    "through the adapter's `session.connection()`:", ""]
        out += spring_limits(limits)
    return out


def spring_limits(limits):
    """SpringMessageLimits' JSON (a list of objects) as a markdown table."""
    rows = []
    for r in limits:
        if "largest" in r:
            rows.append([f"`{r['client']}`: `{r['how']}`", r["framing"], f"{r['largest']:,} B ({size(r['largest'])})",
                         r["next"]])
        else:
            ok = "whole" if r["counted"] == r["streamed"] else f"**{r['counted']:,} B only**"
            rows.append([f"`{r['client']}`: `{r['how']}`", r["framing"],
                         f"streamed {r['streamed']:,} B ({size(r['streamed'])}), counted {ok}",
                         f"{r['counted'] / r['seconds'] / MIB:,.0f} MiB/s; heap in use at most "
                         f"{r['maxHeap'] / MIB:,.1f} MiB of a {r['heapLimit'] / MIB:,.0f} MiB heap, direct at most "
                         f"{r['maxDirect'] / MIB:,.1f} MiB (sampled every 10 ms)"])
    return table(["client", "message sent as", "largest taken", "one byte more / streamed"], rows)


def deflate(raw):
    """{direction: {client: rate, err, cpu (mean, min, max ns), alloc (B/op), wire, messages}}, or None."""
    out = {}
    for d in ("upload", "download"):
        rs = results(raw, "deflate-" + d)
        if not rs:
            continue
        rows = {}
        for r in rs:
            n = int(r["params"]["messages"])
            m = r["primaryMetric"]
            assert m["scoreUnit"] == "ms/op", m["scoreUnit"]
            sec, err = m["score"] / 1000.0, err_of(m) / 1000.0
            sm = r.get("secondaryMetrics", {})
            cpu = [v for fork in sm.get("cpuNanosPerMessage", {}).get("rawData", []) for v in fork]
            wire = aux(r, "wireBytesPerMessage")
            server = [v for fork in sm.get("serverCpuNanosPerMessage", {}).get("rawData", []) for v in fork]
            rows[r["params"]["client"]] = dict(
                messages=n, rate=n / sec, err=n / sec * err / sec if sec else 0.0,
                cpu=(sum(cpu) / len(cpu), min(cpu), max(cpu)) if cpu else None,
                server=(sum(server) / len(server), min(server), max(server)) if server else None,
                alloc=sm.get("gc.alloc.rate.norm", {}).get("score"), wire=wire[0] if wire else None)
        out[d] = rows
    return out or None


def latency(raw):
    rs = results(raw, "echo")
    if not rs:
        return None
    out = {}
    for r in rs:
        m = r["primaryMetric"]
        assert m["scoreUnit"] == "us/op", m["scoreUnit"]
        p = m["scorePercentiles"]
        n = sum(count for fork in m.get("rawDataHistogram", []) for it in fork for _, count in it)
        out[r["params"]["client"]] = {"p50": p["50.0"], "p99": p["99.0"], "p99.9": p["99.9"], "n": n}
    return out


def memory(raw, name, metrics):
    rs = results(raw, name)
    if not rs:
        return None
    out = {}
    for r in rs:
        c = r["params"]["client"]
        out[c] = {k: aux(r, k) for k in metrics}
        if "connections" in r["params"]:
            out["_connections"] = int(r["params"]["connections"])
        if "retainedHeap" in metrics:
            # Heap and direct of the same iterations, added per iteration.
            hs = [v for fork in r["secondaryMetrics"]["retainedHeap"]["rawData"] for v in fork]
            ds = [v for fork in r["secondaryMetrics"]["retainedDirect"]["rawData"] for v in fork]
            both = [h + d for h, d in zip(hs, ds)]
            out[c]["retained"] = (sum(both) / len(both), max(both))
    return out


def svg(path, data):
    # One per client, in CLIENTS order: fluxsocket's columns in reds and browns.
    colors = ["#d62728", "#8c564b", "#ff9896", "#e377c2", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
              "#7f7f7f"]
    assert len(colors) >= len(CLIENTS), "a color per client"
    bar, gap, group_gap, left, top, height = 20, 3, 40, 70, 50, 300
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
                out.append(f'<text x="{x + bar / 2}" y="{y - 3:.1f}" text-anchor="middle" font-size="8">{v:,.0f}</text>')
            else:
                mark = "fail" if applies(name, c) else "—"
                out.append(f'<text x="{x + bar / 2}" y="{top + height - 3}" text-anchor="middle" font-size="8">{mark}</text>')
            x += bar + gap
        short = label.split(" (")[0] if len(label) > 40 else label
        out.append(f'<text x="{(x0 + x) / 2:.1f}" y="{top + height + 18}" text-anchor="middle" font-size="10">'
                   f'{short.replace("&", "&amp;")}</text>')
        x += group_gap
    for ci, c in enumerate(CLIENTS):
        y = top + 10 + ci * 18
        out.append(f'<rect x="{width - 160}" y="{y}" width="12" height="12" fill="{colors[ci]}"/>')
        out.append(f'<text x="{width - 142}" y="{y + 10}">{c}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def scale_only(raw, out_md):
    """report.py --scale RAW_DIR OUT.md: only the many-connections section (scale.sh run alone)."""
    env_path = os.path.join(raw, "env.txt")
    env = open(env_path).read().strip() if os.path.exists(env_path) else ""
    lines = ["# fluxsocket: many connections at once", "", "Machine and load:", "", "```", env, "```"]
    lines += scale_section(raw)
    lines += spring_section(raw, ratios, bounds)
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--scale"]:
        scale_only(*sys.argv[2:4])
    else:
        main(*sys.argv[1:4])
