#!/usr/bin/env bash
# The load benchmarks (not tests): signalling relay, claims pipeline, report API. Builds first
# (Release; the namespace has no registry), then inside a private network namespace with only
# loopback starts throwaway PostgreSQL and RabbitMQ (infra/services.sh), runs the benchmarks one
# after another and stops the services. Every benchmark is bounded and ends by itself.
#   infra/bench-load.sh                          # the default plan below
#   infra/bench-load.sh signalling --pairs 1000  # one benchmark, its own arguments
#   infra/bench-load.sh peerjs --pairs 1000      # the same exchange through a fresh PeerJS process
#   infra/bench-load.sh pair --pairs 1000 --spread-ms 0   # signalling, then peerjs, same arguments
#   infra/bench-load.sh claims --cases 1000 --hold        # the claim dispatcher's ceiling
# The signalling bench starts the built Release server as its own process (a pure client bench);
# PeerJS (npm `peer`) is installed under /tmp and started fresh for each `peerjs` run on
# 127.0.0.1:9000, so that its memory per connection is measured from a clean process too.
set -euo pipefail
source "$(dirname "$0")/as-root.sh"
as_root "$0" "$@"
cd "$(dirname "$0")/.."
# The bench also starts src/AccidentRemote.Server/bin/Release/net10.0/AccidentRemote.Server.dll (built here as a dependency).
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
# Thousands of WebSockets: each end (bench, server, PeerJS) needs a descriptor per connection (20,000 here).
ulimit -n "$(ulimit -Hn)"
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
bench() {
  echo; echo "==> loadbench $* (load average before: $(cut -d" " -f1-3 /proc/loadavg))"
  timeout 15m dotnet tests/AccidentRemote.LoadBench/bin/Release/net10.0/AccidentRemote.LoadBench.dll "$@" || echo "!! loadbench $* failed"
}
# PeerJS in a fresh node process for one run; the bench reads its memory and CPU from /proc/<pid>.
peerjs() {
  if [ ! -f "$PEERJS/node_modules/peer/dist/bin/peerjs.js" ]; then echo "!! no PeerJS: skipped peerjs $*"; return; fi
  node "$PEERJS/node_modules/peer/dist/bin/peerjs.js" --host 127.0.0.1 --port 9000 --concurrent_limit 20000 >>"$RUN/peerjs.log" 2>&1 &
  PEER_PID=$!
  wait_for 30 "PeerJS server" curl -sf http://127.0.0.1:9000/
  echo "==> PeerJS server (peer 1.0.2, node $(node --version)) on 127.0.0.1:9000, pid $PEER_PID"
  bench peerjs "$@" --pid "$PEER_PID"
  kill "$PEER_PID" 2>/dev/null || true
  wait "$PEER_PID" 2>/dev/null || true
  PEER_PID=
}
echo "==> machine: nproc $(nproc), $(free -m | awk "/^Mem:/ {print \$2}") MB RAM, load $(cut -d" " -f1-3 /proc/loadavg), ulimit -n $(ulimit -n)"
if [ $# -gt 0 ] && [ "$1" = peerjs ]; then
  shift
  peerjs "$@"
elif [ $# -gt 0 ] && [ "$1" = pair ]; then
  # signalling and PeerJS one after the other with the same arguments: pair --pairs 1000 --spread-ms 0
  shift
  bench signalling "$@"
  peerjs "$@"
elif [ $# -gt 0 ]; then
  bench "$@"
else
  for args in "--pairs 100" "--pairs 1000" "--pairs 1000 --spread-ms 0" "--pairs 1000 --spread-ms 10000" "--pairs 5000 --spread-ms 10000"; do
    # shellcheck disable=SC2086
    bench signalling $args
    # shellcheck disable=SC2086
    peerjs $args
  done
  bench claims --cases 1000 --hold
  bench claims --cases 300
  bench api --reports 2000
  bench api --reports 500 --same-place
fi
' bench "$@"
