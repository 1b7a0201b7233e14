#!/usr/bin/env bash
# A long run of the protocol fuzzer: the jqwik properties of FrameDecoderFuzzTest (the frame decoder
# on an EmbeddedChannel) and ConnectionFuzzTest (a scripted server over real sockets) with many more
# tries than CI's 200 per property. Run from anywhere; PARANOID leak detection as in the test suite.
#
#   scripts/fuzz.sh               20,000 tries per property
#   TRIES=100000 scripts/fuzz.sh  as many as you like
#
# A failure prints jqwik's shrunk sample and its seed (@Property(seed = "...") repeats it); keep it as a plain regression test (a @Test with the frames
# written out) next to the properties. jqwik also keeps failing samples in target/jqwik-database
# and tries them first on the next run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
tries="${TRIES:-20000}"
args=(-B -ntp test "-Dtest=FrameDecoderFuzzTest,ConnectionFuzzTest" -Dsurefire.failIfNoSpecifiedTests=false
      "-Djqwik.tries.default=${tries}")
echo "fuzz: ${tries} tries per property"
mvn "${args[@]}"
for report in target/surefire-reports/io.fluxsocket.internal.FrameDecoderFuzzTest-output.txt \
              target/surefire-reports/io.fluxsocket.internal.ConnectionFuzzTest-output.txt; do
  if [[ -f "$report" ]]; then
    echo "== $report"
    grep -E '^(timestamp|tries|checks|seed)' "$report" || true
  fi
done
