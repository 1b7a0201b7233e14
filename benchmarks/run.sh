#!/usr/bin/env bash
# Runs the benchmark suite and writes results/<date>.md and results/<date>.svg.
#   ./run.sh            the full suite (1 GiB transfers; ~25-30 min on 2 cores)
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
rm -rf "$raw" # a later run on the same day replaces the earlier one
mkdir -p "$raw"
jar=target/benchmarks.jar
extra=${JMH_ARGS:-}

if [[ "${QUICK:-}" == 1 ]]; then
  iters="-f 1 -wi 1 -i 2"; memiters="-f 1 -wi 0 -i 1"; slowiters="-f 1 -wi 1 -i 1"
  big=67108864; small64=4194304; small1k=16777216; up64=1048576; up1k=4194304
  per100=262144; per1000=65536; idle=1000; pause=500; deflate=4096; deflateiters=$iters
else
  iters="-f 1 -wi 3 -i 5"; memiters="-f 1 -wi 0 -i 2"; slowiters="-f 1 -wi 1 -i 3"
  big=1073741824; small64=67108864; small1k=268435456; up64=8388608; up1k=67108864
  per100=1048576; per1000=262144; idle=5000; pause=2000; deflate=32768; deflateiters="-f 1 -wi 5 -i 10"
fi

# 5,000 idle connections need 5,000 descriptors in this JVM (and as many in the server's).
if (( $(ulimit -n) < 12000 )); then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  (( $(ulimit -n) >= 12000 )) || echo "warning: ulimit -n is $(ulimit -n); the idle-heap scenario may fail" >&2
fi

{
  echo "start: $(date -Is) $(uptime)"
  echo "host: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1), ulimit -n $(ulimit -n)"
} > "$raw/env.txt"

run() { # name, JMH arguments... (ITERS=... overrides the iteration options for one scenario)
  local name=$1; shift
  local it=${ITERS:-$iters}
  echo "== $name: $* $it (uptime: $(uptime))" | tee -a "$raw/env.txt"
  # shellcheck disable=SC2086
  java -jar "$jar" "$@" $it -prof gc -rf json -rff "$raw/$name.json" $extra > "$raw/$name.log" 2>&1 \
    || { echo "JMH failed, see $raw/$name.log" >&2; tail -5 "$raw/$name.log" >&2; exit 1; }
  grep -E '^[A-Z][A-Za-z]+Benchmark\.[A-Za-z]+(:p0.50|:p0.99|:heapPerConnection|:retained[A-Za-z]+|:cpuNanosPerMessage)? ' "$raw/$name.log" || true
  # A benchmark that threw (a miscount, a timeout) has no score: say so loudly.
  grep -B2 -A3 '<failure>' "$raw/$name.log" >&2 || true
}

run download 'benchmarks\.DownloadBenchmark' -p bytes=$big -p message=65536
run upload 'benchmarks\.UploadBenchmark' -p bytes=$big -p chunk=65536
# wss:// (TLS 1.3, self-signed certificate trusted by each client, host names checked): first a
# check that every client refuses a wrong host name and an untrusted certificate, then both ways.
tls=fluxsocket,reactor-netty,jdk,okhttp,jetty
java -cp "$jar" io.fluxsocket.benchmarks.TlsCheck ${tls//,/ } > "$raw/tls-check.log" 2>&1 \
  || { echo "TlsCheck failed, see $raw/tls-check.log" >&2; tail -20 "$raw/tls-check.log" >&2; exit 1; }
run tls-download 'benchmarks\.DownloadBenchmark' -p scheme=wss -p client=$tls -p bytes=$big -p message=65536
run tls-upload 'benchmarks\.UploadBenchmark' -p scheme=wss -p client=$tls -p bytes=$big -p chunk=65536
run messages-64 'benchmarks\.DownloadBenchmark' -p bytes=$small64 -p message=64
run messages-1k 'benchmarks\.DownloadBenchmark' -p bytes=$small1k -p message=1024
# Spring WebFlux: Spring's ReactorNettyWebSocketClient and the library's adapter, each at its
# defaults, through one WebSocketHandler; then the largest message each takes, and one of $big bytes
# streamed through the adapter's connection() in a 64 MiB heap (SpringMessageLimits).
spring=spring-fluxsocket,spring-reactor-netty
run spring-download 'benchmarks\.DownloadBenchmark' -p client=$spring -p bytes=$big -p message=65536
run spring-messages-1k 'benchmarks\.DownloadBenchmark' -p client=$spring -p bytes=$small1k -p message=1024
java -Xmx64m -cp "$jar" io.fluxsocket.benchmarks.SpringMessageLimits $big "$raw/spring-limits.json" > "$raw/spring-limits.log" 2>&1 \
  || { echo "SpringMessageLimits failed, see $raw/spring-limits.log" >&2; tail -20 "$raw/spring-limits.log" >&2; exit 1; }
grep -E "^spring-" "$raw/spring-limits.log" || true
run upload-messages-64 'benchmarks\.MessageUploadBenchmark' -p bytes=$up64 -p message=64
run upload-messages-1k 'benchmarks\.MessageUploadBenchmark' -p bytes=$up1k -p message=1024
# permessage-deflate: 1 KiB JSON events, compressed by the clients that have the extension.
ITERS=$deflateiters run deflate-upload 'benchmarks\.DeflateBenchmark\.upload$' -p messages=$deflate
ITERS=$deflateiters run deflate-download 'benchmarks\.DeflateBenchmark\.download$' -p messages=$deflate
run concurrency-100 'benchmarks\.ConcurrencyBenchmark' -p connections=100 -p bytes=$per100 -p message=1024
run concurrency-1000 'benchmarks\.ConcurrencyBenchmark' -p connections=1000 -p bytes=$per1000 -p message=1024
run echo 'benchmarks\.EchoBenchmark' -p size=64
ITERS=$memiters run idle-heap 'benchmarks\.IdleHeapBenchmark' -p connections=$idle
ITERS=$slowiters run slow-consumer 'benchmarks\.SlowConsumerBenchmark' -p bytes=1073741824 -p consumed=8388608 -p pauseMillis=$pause
run masking 'benchmarks\.MaskingBenchmark' -p size=65536
# Many connections at once (not JMH: a fresh JVM per client; QUICK: 1,000 connections, 5 s).
./scale.sh "$raw"

echo "end: $(date -Is) $(uptime)" >> "$raw/env.txt"
python3 report.py "$raw" "results/$date.md" "results/$date.svg"
echo "wrote results/$date.md and results/$date.svg"
