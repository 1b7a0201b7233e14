#!/usr/bin/env bash
# The soak: SoakVolumeTest for a long run (default 30 minutes) of mixed traffic against an in-process
# echo server that drops connections and restarts: stream and message mode, cancels, client closes,
# Reconnect sessions. Prints heap after GC, direct memory, threads and open descriptors every
# interval, and fails unless memory stayed flat, descriptors came back to the baseline, no buffer
# leaked (Netty PARANOID) and every failure was a WebSocketException with a status (see the test's
# javadoc for the exact rules).
#   scripts/soak.sh                      30 minutes, a reading every 60 s, a restart every 300 s
#   MINUTES=5 scripts/soak.sh            shorter
#   WORKERS=16 INTERVAL=30 RESTART=120 scripts/soak.sh
#   CANCEL_CONNECTS=true scripts/soak.sh   also connects cancelled mid-handshake (a lambda subscriber disposed as its connection arrives can drop it: see WebSocketClient.connect's javadoc)
# The volume run (mvn test) runs the same test for 2 minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
minutes=${MINUTES:-30}
args=(-Dsoak.minutes="$minutes")
[[ -n ${INTERVAL:-} ]] && args+=(-Dsoak.interval="$INTERVAL")
[[ -n ${WORKERS:-} ]] && args+=(-Dsoak.workers="$WORKERS")
[[ -n ${RESTART:-} ]] && args+=(-Dsoak.restart="$RESTART")
[[ -n ${CANCEL_CONNECTS:-} ]] && args+=(-Dsoak.cancelConnects="$CANCEL_CONNECTS")
log=target/soak-$(date +%Y%m%d-%H%M%S).log
mkdir -p target
echo "soak: $minutes min; log $log"
# Only the volume execution runs the test (it is tagged volume); the functional one finds nothing.
status=0
mvn -B -ntp test -Dtest=SoakVolumeTest -Dsurefire.failIfNoSpecifiedTests=false "${args[@]}" ${MVN_ARGS:-} > "$log" 2>&1 || status=$?
grep -h '^soak' target/surefire-reports/io.fluxsocket.soak.SoakVolumeTest-volume-output.txt 2>/dev/null || grep '^soak' "$log" || true
grep -E 'Tests run:|FAIL|AssertionFailed' "$log" | head -20
exit "$status"
