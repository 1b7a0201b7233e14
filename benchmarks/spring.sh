#!/usr/bin/env bash
# The Spring WebFlux clients side by side (see README.md, "Spring WebFlux clients"): the library's
# adapter (spring-fluxsocket) and Spring's ReactorNettyWebSocketClient (spring-reactor-netty), each at
# its defaults, in interleaved rounds, then SpringMessageLimits; writes OUT_DIR/spring.md.
#   benchmarks/spring.sh OUT_DIR            builds (as run.sh does), then ROUNDS rounds (default 4)
#   QUICK=1 benchmarks/spring.sh OUT_DIR    smoke run: 64 MiB / 16 MiB transfers, -wi 1 -i 2, 2 rounds
#   JAR=path benchmarks/spring.sh OUT_DIR   measures that benchmarks jar, builds nothing
#   MVN_ARGS='-o -Dmaven.repo.local=/tmp/m2' benchmarks/spring.sh OUT_DIR   options for both builds
# Each round runs both scenarios (1 GiB in 64 KiB messages; 256 MiB in 1 KiB messages), each client
# in a JMH run (and JVM) of its own, then the same transfers in SpringCpu (the client JVM's CPU time
# per message: 3 warm-up + 5 measured transfers); odd rounds adapter first, even rounds Spring's
# client first. CPU=0 leaves SpringCpu out, JMH=0 the JMH runs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if (( $# != 1 )); then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
out="$1"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if compgen -G "$out/r*" > /dev/null; then
  echo "$out already holds rounds: give an empty or new folder" >&2
  exit 2
fi

if [[ -z "${JAR:-}" ]]; then
  # shellcheck disable=SC2086
  (cd "$here/.." && mvn -q -B -ntp ${MVN_ARGS:-} -DskipTests install)
  # shellcheck disable=SC2086
  (cd "$here" && mvn -q -B -ntp ${MVN_ARGS:-} package)
  JAR="$here/target/benchmarks.jar"
fi
# A copy, so that a rebuild during the run cannot change what is measured.
jars="$(mktemp -d "${TMPDIR:-/tmp}/spring-jar.XXXXXX")"
trap 'rm -rf "$jars"' EXIT
cp "$JAR" "$jars/benchmarks.jar"
jar="$jars/benchmarks.jar"

if [[ "${QUICK:-}" == 1 ]]; then
  iters="-f 1 -wi 1 -i 2"; big=67108864; small1k=16777216; rounds=${ROUNDS:-2}; CPU_ITERS=${CPU_ITERS:-1 2}
else
  iters="-f 1 -wi 3 -i 5"; big=1073741824; small1k=268435456; rounds=${ROUNDS:-4}
fi
# name | JMH arguments (run.sh's spring-download and spring-messages-1k)
scenarios=(
  "spring-download|benchmarks\.DownloadBenchmark -p bytes=$big -p message=65536"
  "spring-messages-1k|benchmarks\.DownloadBenchmark -p bytes=$small1k -p message=1024"
)
{
  echo "start: $(date -Is) $(uptime)"
  echo "host: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)"
  echo "jar: $JAR sha256 $(sha256sum "$jar" | cut -d' ' -f1)"
  echo "commit: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$out/env.txt"

for r in $(seq 1 "$rounds"); do
  if (( r % 2 == 1 )); then order="spring-fluxsocket spring-reactor-netty"; else order="spring-reactor-netty spring-fluxsocket"; fi
  mkdir -p "$out/r$r"
  for s in "${scenarios[@]}"; do
    [[ "${JMH:-1}" == 1 ]] || break
    IFS='|' read -r name args <<< "$s"
    for client in $order; do
      log="$out/r$r/$name-$client.log"
      echo "== r$r $name $client (uptime: $(uptime))" | tee -a "$out/env.txt"
      while :; do
        # shellcheck disable=SC2086
        java -jar "$jar" $args -p client=$client $iters -prof gc -rf json -rff "$out/r$r/$name-$client.json" \
          > "$log" 2>&1 || true
        # One JMH run at a time on this machine (/tmp/jmh.lock): wait for another one to end.
        grep -q 'Unable to acquire the JMH lock' "$log" || break
        sleep 30
      done
      grep -E '^DownloadBenchmark\.download ' "$log" || { echo "failed, see $log" >&2; tail -5 "$log" >&2; }
    done
  done
  [[ "${CPU:-1}" == 1 ]] || continue
  for s in "${scenarios[@]}"; do
    IFS='|' read -r name args <<< "$s"
    read -r bytes message <<< "$(sed -E 's/.*bytes=([0-9]+) -p message=([0-9]+).*/\1 \2/' <<< "$args")"
    for client in $order; do
      echo "== r$r cpu $name $client (uptime: $(uptime))" | tee -a "$out/env.txt"
      # shellcheck disable=SC2086
      java -Xms1g -Xmx1g -cp "$jar" io.fluxsocket.benchmarks.SpringCpu $client $bytes $message ${CPU_ITERS:-3 5} \
        2> "$out/r$r/cpu-$name-$client.log" | sed "s/^{/{\"round\": \"r$r\", \"scenario\": \"$name\", /" \
        | tee -a "$out/cpu.jsonl" || echo "SpringCpu failed, see $out/r$r/cpu-$name-$client.log" >&2
    done
  done
done

echo "== SpringMessageLimits (uptime: $(uptime))" | tee -a "$out/env.txt"
java -Xmx64m -cp "$jar" io.fluxsocket.benchmarks.SpringMessageLimits $big "$out/spring-limits.json" \
  > "$out/spring-limits.log" 2>&1 || { echo "SpringMessageLimits failed, see $out/spring-limits.log" >&2; }
grep -E '^spring-' "$out/spring-limits.log" || true
echo "end: $(date -Is) $(uptime)" >> "$out/env.txt"
python3 "$here/spring_report.py" "$out" > "$out/spring.md"
echo "wrote $out/spring.md"
