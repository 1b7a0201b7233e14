#!/usr/bin/env bash
# What metrics cost per message: allocation (gc.alloc.rate.norm) and speed of small-message
# scenarios, for a jar built before the metrics (client fluxsocket) against one built with them
# (fluxsocket with metrics off, fluxsocket-metrics with Micrometer metrics on). See README.md,
# "Metrics cost".
#   benchmarks/metrics-cost.sh BEFORE.jar AFTER.jar OUT_DIR
#   ROUNDS=3 benchmarks/metrics-cost.sh ...     rounds of before/after, alternating (default 3)
# Writes OUT_DIR/<round>/<scenario>.json and .log, and OUT_DIR/metrics-cost.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if (( $# != 3 )); then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
out="$3"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
jars="$(mktemp -d "${TMPDIR:-/tmp}/metrics-cost-jars.XXXXXX")"
trap 'rm -rf "$jars"' EXIT
cp "$1" "$jars/A.jar"
cp "$2" "$jars/B.jar"

# name | JMH arguments; the before jar runs fluxsocket only, the after jar both clients.
scenarios=(
  "echo|benchmarks\.EchoBenchmark -p size=64 -f 1 -wi 3 -i 5"
  "messages-64|benchmarks\.DownloadBenchmark -p bytes=16777216 -p message=64 -f 1 -wi 3 -i 5"
  "upload-messages-64|benchmarks\.MessageUploadBenchmark -p bytes=4194304 -p message=64 -f 1 -wi 3 -i 5"
)
{
  echo "start: $(date -Is) $(uptime)"
  echo "before (A): $1 sha256 $(sha256sum "$jars/A.jar" | cut -d' ' -f1)"
  echo "after (B): $2 sha256 $(sha256sum "$jars/B.jar" | cut -d' ' -f1)"
} > "$out/env.txt"

for r in $(seq 1 "${ROUNDS:-3}"); do
  for side in A B; do
    clients=fluxsocket
    [[ $side == B ]] && clients=fluxsocket,fluxsocket-metrics
    mkdir -p "$out/$side$r"
    for s in "${scenarios[@]}"; do
      IFS='|' read -r name args <<< "$s"
      log="$out/$side$r/$name.log"
      echo "== $name $side$r ($clients; uptime: $(uptime))" | tee -a "$out/env.txt"
      while :; do
        # shellcheck disable=SC2086
        java -jar "$jars/$side.jar" $args -p client=$clients -prof gc -rf json -rff "$out/$side$r/$name.json" \
          > "$log" 2>&1 || true
        # One JMH run at a time on this machine (/tmp/jmh.lock): wait for another one to end.
        grep -q 'Unable to acquire the JMH lock' "$log" || break
        sleep 30
      done
      grep -E '^[A-Z][A-Za-z]+Benchmark\.[A-Za-z]+(:gc.alloc.rate.norm)? ' "$log" || { tail -5 "$log" >&2; exit 1; }
    done
  done
done
echo "end: $(date -Is) $(uptime)" >> "$out/env.txt"
python3 "$here/metrics_cost.py" "$out" > "$out/metrics-cost.md"
echo "wrote $out/metrics-cost.md"
