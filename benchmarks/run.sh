#!/usr/bin/env bash
# Runs the benchmark suite and writes results/<date>.md and results/<date>.svg.
#   ./run.sh            the full suite (1 GiB transfers; ~15-20 min on 2 cores)
#   QUICK=1 ./run.sh    a smoke run (small transfers, 1 warmup + 2 measured iterations)
# Extra JMH options can be passed in JMH_ARGS, e.g. JMH_ARGS='-p client=fluxsocket,raw-socket'.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

# The benchmarks build against the library as installed in the local Maven repository.
(cd .. && mvn -q -B -ntp -DskipTests install)
mvn -q -B -ntp package

date="$(date +%F)"
raw="results/raw/$date"
mkdir -p "$raw"
jar=target/benchmarks.jar
extra=${JMH_ARGS:-}

if [[ "${QUICK:-}" == 1 ]]; then
  iters="-f 1 -wi 1 -i 2"
  big=67108864; small64=4194304; small1k=16777216
else
  iters="-f 1 -wi 3 -i 5"
  big=1073741824; small64=67108864; small1k=268435456
fi

{
  echo "start: $(date -Is) $(uptime)"
  echo "host: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)"
} > "$raw/env.txt"

run() { # name, JMH arguments...
  local name=$1; shift
  echo "== $name: $* (uptime: $(uptime))" | tee -a "$raw/env.txt"
  # shellcheck disable=SC2086
  java -jar "$jar" "$@" $iters -prof gc -rf json -rff "$raw/$name.json" $extra > "$raw/$name.log" 2>&1 \
    || { echo "JMH failed, see $raw/$name.log" >&2; tail -5 "$raw/$name.log" >&2; exit 1; }
  grep -E '^[A-Z][A-Za-z]+Benchmark\.[a-z]+ ' "$raw/$name.log" || true
  # A benchmark that threw (a miscount, a timeout) has no score: say so loudly.
  grep -B2 -A3 '<failure>' "$raw/$name.log" >&2 || true
}

run download 'DownloadBenchmark' -p bytes=$big -p message=65536
run upload 'UploadBenchmark' -p bytes=$big -p chunk=65536
run messages-64 'DownloadBenchmark' -p bytes=$small64 -p message=64
run messages-1k 'DownloadBenchmark' -p bytes=$small1k -p message=1024

echo "end: $(date -Is) $(uptime)" >> "$raw/env.txt"
python3 report.py "$raw" "results/$date.md" "results/$date.svg"
echo "wrote results/$date.md and results/$date.svg"
