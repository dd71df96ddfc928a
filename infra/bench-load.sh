#!/usr/bin/env bash
# The load benchmarks (not tests): signalling relay, claims pipeline, report API. Builds first
# (Release; the namespace has no registry), then inside a private network namespace with only
# loopback starts throwaway PostgreSQL and RabbitMQ (infra/services.sh), runs the benchmarks one
# after another and stops the services. Every benchmark is bounded and ends by itself.
#   sudo infra/bench-load.sh                          # the default plan below
#   sudo infra/bench-load.sh signalling --pairs 1000  # one benchmark, its own arguments
# PeerJS (npm `peer`) is installed under /tmp for the comparison and runs on 127.0.0.1:9000.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "infra/bench-load.sh creates a network namespace: run it as root (sudo infra/bench-load.sh)." >&2
  exit 1
fi
dotnet build tests/AccidentRemote.LoadBench -c Release -nologo -v q -clp:ErrorsOnly
# PeerJS (npm package `peer`, pinned) for the comparison, outside the repository; skipped if npm fails.
PEERJS=/tmp/accidentremote-peerjs
if [ ! -f "$PEERJS/node_modules/peer/dist/bin/peerjs.js" ]; then
  npm install --prefix "$PEERJS" peer@1.0.2 --no-audit --no-fund >/dev/null 2>&1 || echo "!! npm install peer failed: no PeerJS comparison" >&2
fi
export PEERJS
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec unshare --net bash -c '
set -euo pipefail
ip link set lo up
RUN=$(mktemp -d /tmp/accidentremote-bench.XXXXXX)
chmod 755 "$RUN"
export RUN
source infra/services.sh
PEER_PID=
cleanup() { if [ -n "$PEER_PID" ]; then kill "$PEER_PID" 2>/dev/null || true; fi; stop_all; rm -rf "$RUN"; }
trap cleanup EXIT
start_postgres
start_rabbitmq
export ACCIDENTREMOTE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=postgres"
export ACCIDENTREMOTE_TEST_RABBITMQ_HOST=127.0.0.1
export ACCIDENTREMOTE_TEST_RABBITMQ_PORT=$RABBIT_PORT
export ACCIDENTREMOTE_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$RABBIT_MGMT_PORT"
bench() { echo; echo "==> loadbench $*"; timeout 15m dotnet tests/AccidentRemote.LoadBench/bin/Release/net10.0/AccidentRemote.LoadBench.dll "$@" || echo "!! loadbench $* failed"; }
echo "==> machine: nproc $(nproc), $(free -m | awk "/^Mem:/ {print \$2}") MB RAM, load $(cut -d" " -f1-3 /proc/loadavg)"
if [ -f "$PEERJS/node_modules/peer/dist/bin/peerjs.js" ]; then
  node "$PEERJS/node_modules/peer/dist/bin/peerjs.js" --host 127.0.0.1 --port 9000 >"$RUN/peerjs.log" 2>&1 &
  PEER_PID=$!
  wait_for 30 "PeerJS server" curl -sf http://127.0.0.1:9000/
  echo "==> PeerJS server (peer 1.0.2, node $(node --version)) on 127.0.0.1:9000"
fi
if [ $# -gt 0 ]; then
  bench "$@"
else
  bench signalling --pairs 100
  bench signalling --pairs 1000
  bench signalling --pairs 1000 --spread-ms 0
  bench signalling --pairs 1000 --spread-ms 10000
  if [ -n "$PEER_PID" ]; then
    bench peerjs --pairs 100
    bench peerjs --pairs 1000
    bench peerjs --pairs 1000 --spread-ms 0
    bench peerjs --pairs 1000 --spread-ms 10000
  fi
  bench claims --cases 500
  bench api --reports 2000
  bench api --reports 500 --same-place
fi
' bench "$@"
