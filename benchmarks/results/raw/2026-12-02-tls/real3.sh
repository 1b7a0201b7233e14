#!/usr/bin/env bash
# Real wss:// run: 1 GiB each way, 5 clients, suite iterations, two rounds (client order reversed in the second).
set -u
cd /work/main/benchmarks
J=/tmp/tlsbench/benchmarks.jar
base=results/raw/2026-12-02-tls
for round in 3; do
  R=$base/run$round; mkdir -p $R
  if [[ $round == 3 ]]; then C=reactor-netty,fluxsocket,jetty,okhttp,jdk; else C=jetty,okhttp,jdk,reactor-netty,fluxsocket; fi
  { echo "jar: $J sha256 $(sha256sum $J | cut -d' ' -f1); library at $(git -C /work/main rev-parse --short HEAD)"
    echo "host: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)"; } > $R/env.txt
  for s in download:DownloadBenchmark:message upload:UploadBenchmark:chunk; do IFS=: read n cls p <<< "$s"
    echo "== tls-$n round $round: -p client=$C (uptime: $(uptime))" | tee -a $R/env.txt
    java -jar $J "benchmarks\.$cls" -p scheme=wss -p client=$C -p bytes=1073741824 -p $p=65536 -f 1 -wi 3 -i 5 \
      -prof gc -rf json -rff $R/tls-$n.json > $R/tls-$n.log 2>&1; echo "exit $?" | tee -a $R/env.txt
    grep -E "^[A-Z][A-Za-z]+Benchmark\.[a-z]+ " $R/tls-$n.log; grep -B2 -A3 "<failure>" $R/tls-$n.log
  done
  echo "end (uptime: $(uptime))" | tee -a $R/env.txt
done
