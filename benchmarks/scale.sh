#!/usr/bin/env bash
# Many connections at once (ScaleRun): each client in a fresh JVM opens CONNECTIONS connections to
# one BenchServer (its own JVM), exchanges 1 KiB echo messages on all of them, and closes them.
#   ./scale.sh [RAW_DIR]          10,000 connections, 30 s of exchange per client
#   QUICK=1 ./scale.sh [RAW_DIR]  1,000 connections, 5 s
# Expects target/benchmarks.jar (run.sh builds it; by hand: see README). Appends one JSON line per
# client to RAW_DIR/scale.jsonl (default results/raw/<date>-scale) with its log in scale-<client>.log;
# run alone, it also writes RAW_DIR/scale.md. SCALE_CLIENTS overrides the client list.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
jar=target/benchmarks.jar
[[ -f $jar ]] || { echo "no $jar: build it first (mvn -q -B package, after installing the library)" >&2; exit 1; }
alone=0
raw=${1:-}
if [[ -z $raw ]]; then
  raw="results/raw/$(date +%F)-scale"; alone=1
  rm -rf "$raw"; mkdir -p "$raw"
fi
rm -f "$raw/scale.jsonl"

if [[ "${QUICK:-}" == 1 ]]; then connections=1000; seconds=5; else connections=10000; seconds=30; fi
clients=${SCALE_CLIENTS:-fluxsocket,reactor-netty,jdk,okhttp,jetty}

# Descriptors: each JVM needs one per connection plus ~100 of its own (jars, epoll, pipes). The limit
# is per process; both JVMs inherit this shell's soft limit, and HotSpot raises its own to the hard
# limit at start (-XX:+MaxFDLimit, on by default on Linux): 10,000 client and 10,000 server sockets fit
# in two JVMs under a hard limit of 10,200 or more.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < connections + 200 )); then
  fit=$(( $(ulimit -n) - 200 ))
  echo "warning: ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)): $connections connections do not fit; running $fit" >&2
  connections=$fit
fi
# Threads: OkHttp 4.12 keeps a reader thread per open WebSocket and starts a writer task per
# connection while messages flow (~3 threads per connection measured at 500); 10,000 connections
# would need ~30,000 threads, against this machine's kernel.pid_max (shared by every process).
# OkHttp runs with at most a quarter of pid_max's headroom connections instead, and the report says so.
pidmax=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)
okhttp_max=$(( (pidmax - $(ps -eLf | wc -l)) / 4 ))
okhttp_max=$(( okhttp_max < connections ? okhttp_max : connections ))

{
  echo "scale start: $(date -Is) $(uptime)"
  echo "host: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), ulimit -n $(ulimit -n), pid_max $pidmax"
  echo "connections $connections (okhttp $okhttp_max), exchange $seconds s"
} >> "$raw/env.txt"

for c in ${clients//,/ }; do
  n=$connections
  [[ $c == okhttp ]] && n=$okhttp_max
  echo "== scale $c: $n connections, $seconds s (uptime: $(uptime))" | tee -a "$raw/env.txt"
  java -Xms2g -Xmx2g -XX:+UseParallelGC -Dbench.server.heap=1g -cp "$jar" io.fluxsocket.benchmarks.ScaleRun \
      client="$c" connections="$n" seconds="$seconds" out="$raw/scale.jsonl" > "$raw/scale-$c.log" 2>&1 \
    || { echo "ScaleRun failed for $c, see $raw/scale-$c.log" >&2; tail -5 "$raw/scale-$c.log" >&2; }
  grep '^{' "$raw/scale-$c.log" || true
done
echo "scale end: $(date -Is) $(uptime)" >> "$raw/env.txt"
if (( alone )); then
  python3 report.py --scale "$raw" "$raw/scale.md"
  echo "wrote $raw/scale.md"
fi
