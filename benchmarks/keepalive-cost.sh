#!/usr/bin/env bash
# What the keep-alive costs: the download, upload and echo scenarios of fluxsocket (stream mode)
# with keepAlive=off and keepAlive=on (20 s interval and timeout, as a user would set it; a transfer
# never goes 20 s without a frame, so no Ping is sent: this measures the keep-alive's bookkeeping),
# from ONE jar, alternating off and on in each round, the order reversed every other round. See
# README.md, "Keep-alive cost". The bandwidth statistics cannot be switched off: both sides have them.
#   benchmarks/keepalive-cost.sh JAR OUT_DIR
#   ROUNDS=5 benchmarks/keepalive-cost.sh ...     rounds (default 3)
#   SCENARIOS='download echo' benchmarks/keepalive-cost.sh ...     only some scenarios
# Writes OUT_DIR/<off|on><round>/<scenario>.json and .log, and OUT_DIR/keepalive-cost.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if (( $# != 2 )); then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
out="$2"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
jars="$(mktemp -d "${TMPDIR:-/tmp}/keepalive-cost-jar.XXXXXX")"
trap 'rm -rf "$jars"' EXIT
cp "$1" "$jars/benchmarks.jar"

# name | JMH arguments (client fluxsocket; run.sh's full-suite sizes but for 256 MiB transfers).
all=(
  "download|benchmarks\.DownloadBenchmark -p bytes=268435456 -p message=65536 -f 1 -wi 5 -i 10"
  "messages-64|benchmarks\.DownloadBenchmark -p bytes=16777216 -p message=64 -f 1 -wi 5 -i 10"
  "upload|benchmarks\.UploadBenchmark -p bytes=268435456 -p chunk=65536 -f 1 -wi 5 -i 10"
  "upload-messages-64|benchmarks\.MessageUploadBenchmark -p bytes=4194304 -p message=64 -f 1 -wi 5 -i 10"
  "echo|benchmarks\.EchoBenchmark -p size=64 -f 1 -wi 3 -i 5"
)
{
  echo "start: $(date -Is) $(uptime)"
  echo "jar: $1 sha256 $(sha256sum "$jars/benchmarks.jar" | cut -d' ' -f1)"
} > "$out/env.txt"

for r in $(seq 1 "${ROUNDS:-3}"); do
  order="off on"
  (( r % 2 == 0 )) && order="on off"
  for side in $order; do
    mkdir -p "$out/$side$r"
    for s in "${all[@]}"; do
      IFS='|' read -r name args <<< "$s"
      [[ -n "${SCENARIOS:-}" && " $SCENARIOS " != *" $name "* ]] && continue
      log="$out/$side$r/$name.log"
      echo "== $name keepAlive=$side round $r (uptime: $(uptime))" | tee -a "$out/env.txt"
      while :; do
        # shellcheck disable=SC2086
        java -jar "$jars/benchmarks.jar" $args -p client=fluxsocket -p keepAlive=$side -prof gc -rf json \
          -rff "$out/$side$r/$name.json" > "$log" 2>&1 || true
        # One JMH run at a time on this machine (/tmp/jmh.lock): wait for another one to end.
        grep -q 'Unable to acquire the JMH lock' "$log" || break
        sleep 30
      done
      grep -E '^[A-Z][A-Za-z]+Benchmark\.[A-Za-z]+(:gc.alloc.rate.norm|:p0.50)? ' "$log" || { tail -5 "$log" >&2; exit 1; }
    done
  done
done
echo "end: $(date -Is) $(uptime)" >> "$out/env.txt"
python3 "$here/keepalive_cost.py" "$out" > "$out/keepalive-cost.md"
echo "wrote $out/keepalive-cost.md"
