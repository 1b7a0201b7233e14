#!/usr/bin/env bash
# Compares two benchmark jars, before and after a change of the library, on fluxsocket's own
# scenarios, and writes OUT_DIR/compare.md (see README.md, "Before/after comparison").
#   benchmarks/compare.sh BEFORE.jar AFTER.jar OUT_DIR            the full comparison (run.sh's parameters)
#   QUICK=1 benchmarks/compare.sh BEFORE.jar AFTER.jar OUT_DIR    a smoke run (run.sh's QUICK parameters)
#   SCENARIOS='download echo' benchmarks/compare.sh ...           only these scenarios
#   JMH_ARGS='-jvmArgsAppend -Dx=y' benchmarks/compare.sh ...     extra JMH options for every run
#   ITERS='-f 1 -wi 20 -i 15' benchmarks/compare.sh ...           other iterations for the rate scenarios
# Each scenario runs four times, alternating the jars: before, after, before, after (rounds A1 B1
# A2 B2), restricted to fluxsocket's clients and reactor-netty as the reference peer. Nothing is
# built: the jars are copied to a temporary folder first, so a rebuild of target/benchmarks.jar (or a
# new SNAPSHOT in ~/.m2) during the run cannot change what is measured.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if (( $# != 3 )); then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
for j in "$1" "$2"; do
  [[ -f "$j" ]] || { echo "no such jar: $j" >&2; exit 2; }
done
out="$3"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [[ -e "$out/A1" || -e "$out/B1" ]]; then
  echo "$out already holds a comparison: give an empty or new folder" >&2
  exit 2
fi

jars="$(mktemp -d "${TMPDIR:-/tmp}/compare-jars.XXXXXX")"
trap 'rm -rf "$jars"' EXIT
cp "$1" "$jars/A.jar"
cp "$2" "$jars/B.jar"

if [[ "${QUICK:-}" == 1 ]]; then
  iters="-f 1 -wi 1 -i 2"; memiters="-f 1 -wi 0 -i 1"; slowiters="-f 1 -wi 1 -i 1"
  big=67108864; small64=4194304; small1k=16777216; up64=1048576; up1k=4194304
  idle=1000; pause=500
else
  iters="-f 1 -wi 3 -i 5"; memiters="-f 1 -wi 0 -i 2"; slowiters="-f 1 -wi 1 -i 3"
  big=1073741824; small64=67108864; small1k=268435456; up64=8388608; up1k=67108864
  idle=5000; pause=2000
fi
extra=${JMH_ARGS:-}
# ITERS='-f 1 -wi 20 -i 15' replaces the iterations of the rate scenarios: the default 3 warmups
# leave a short single-shot scenario (8 MiB of 64 B messages) partly in the JIT's warm-up.
iters=${ITERS:-$iters}

# The clients compared: fluxsocket's, where the scenario has them, and Reactor Netty as the reference.
down="fluxsocket,fluxsocket-in-place,fluxsocket-streams,fluxsocket-messages,reactor-netty"
up="fluxsocket,fluxsocket-streams,fluxsocket-messages,reactor-netty"
upmsg="fluxsocket,fluxsocket-messages,reactor-netty"
echoc="fluxsocket,reactor-netty"
slowc="fluxsocket,fluxsocket-streams,reactor-netty"

# name | iterations | JMH arguments (the same scenarios and parameters as run.sh)
scenarios=(
  "download|$iters|benchmarks\.DownloadBenchmark -p client=$down -p bytes=$big -p message=65536"
  "upload|$iters|benchmarks\.UploadBenchmark -p client=$up -p bytes=$big -p chunk=65536"
  "messages-64|$iters|benchmarks\.DownloadBenchmark -p client=$down -p bytes=$small64 -p message=64"
  "messages-1k|$iters|benchmarks\.DownloadBenchmark -p client=$down -p bytes=$small1k -p message=1024"
  "upload-messages-64|$iters|benchmarks\.MessageUploadBenchmark -p client=$upmsg -p bytes=$up64 -p message=64"
  "upload-messages-1k|$iters|benchmarks\.MessageUploadBenchmark -p client=$upmsg -p bytes=$up1k -p message=1024"
  "echo|$iters|benchmarks\.EchoBenchmark -p client=$echoc -p size=64"
  "idle-heap|$memiters|benchmarks\.IdleHeapBenchmark -p client=$echoc -p connections=$idle"
  "slow-consumer|$slowiters|benchmarks\.SlowConsumerBenchmark -p client=$slowc -p bytes=1073741824 -p consumed=8388608 -p pauseMillis=$pause"
)
wanted=${SCENARIOS:-}

# 5,000 idle connections need 5,000 descriptors in this JVM (and as many in the server's).
if (( $(ulimit -n) < 12000 )); then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  (( $(ulimit -n) >= 12000 )) || echo "warning: ulimit -n is $(ulimit -n); the idle-heap scenario may fail" >&2
fi

mkdir -p "$out"/A1 "$out"/B1 "$out"/A2 "$out"/B2
{
  echo "start: $(date -Is) $(uptime)"
  echo "host: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), ulimit -n $(ulimit -n)"
  echo "quick: ${QUICK:-0}; JMH_ARGS: ${extra:-none}"
} > "$out/env.txt"
{
  echo "before (A): $1 sha256 $(sha256sum "$jars/A.jar" | cut -d' ' -f1)"
  echo "after (B): $2 sha256 $(sha256sum "$jars/B.jar" | cut -d' ' -f1)"
} > "$out/jars.txt"
printf 'scenario\tround\tseconds\tstatus\n' > "$out/times.tsv"

failed=0
run() { # scenario, round (A1 B1 A2 B2), iterations, JMH arguments...
  local name=$1 round=$2 it=$3; shift 3
  local jar="$jars/${round:0:1}.jar" log="$out/$round/$name.log" json="$out/$round/$name.json"
  local t0 status tries=0
  echo "== $name $round: $* $it (uptime: $(uptime))" | tee -a "$out/env.txt"
  t0=$(date +%s)
  while :; do
    status=ok
    # shellcheck disable=SC2086
    java -jar "$jar" "$@" $it -prof gc -rf json -rff "$json" $extra > "$log" 2>&1 || status="exit $?"
    # JMH lets one run at a time (/tmp/jmh.lock): wait for another one to end, up to an hour.
    if grep -q 'Unable to acquire the JMH lock' "$log" && (( tries < 120 )); then
      tries=$((tries + 1))
      echo "   another JMH run holds /tmp/jmh.lock; waiting 30 s" | tee -a "$out/env.txt"
      sleep 30
      continue
    fi
    break
  done
  if [[ "$status" != ok ]]; then
    failed=1
    echo "JMH failed ($status), see $log" | tee -a "$out/env.txt" >&2
    tail -5 "$log" >&2
  fi
  # A benchmark that threw (a miscount, a timeout) has no score: say so loudly, go on.
  if grep -q '<failure>' "$log"; then
    failed=1
    status="benchmark failed"
    grep -B2 -A3 '<failure>' "$log" >&2 || true
  fi
  grep -E '^[A-Z][A-Za-z]+Benchmark\.[A-Za-z]+(:p0.50|:p0.99|:heapPerConnection|:retained[A-Za-z]+)? ' "$log" || true
  printf '%s\t%s\t%s\t%s\n' "$name" "$round" "$(( $(date +%s) - t0 ))" "$status" >> "$out/times.tsv"
}

for s in "${scenarios[@]}"; do
  IFS='|' read -r name it args <<< "$s"
  if [[ -n "$wanted" && " $wanted " != *" $name "* ]]; then
    continue
  fi
  for round in A1 B1 A2 B2; do
    # shellcheck disable=SC2086
    run "$name" "$round" "$it" $args
  done
done

echo "end: $(date -Is) $(uptime)" >> "$out/env.txt"
python3 "$here/compare.py" "$out" "$out/compare.md"
echo "wrote $out/compare.md"
if (( failed )); then
  echo "some runs failed: see the logs in $out and the **failed** cells in compare.md" >&2
  exit 1
fi
