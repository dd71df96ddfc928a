#!/usr/bin/env bash
# The load benchmarks (not tests): signalling relay, claims pipeline, report API. Builds first
# (Release; the namespace has no registry), then inside a private network namespace with only
# loopback starts throwaway PostgreSQL and RabbitMQ (infra/services.sh), runs the benchmarks one
# after another and stops the services. Every benchmark is bounded and ends by itself.
#   sudo infra/bench-load.sh                          # the default plan below
#   sudo infra/bench-load.sh signalling --pairs 1000  # one benchmark, its own arguments
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "infra/bench-load.sh creates a network namespace: run it as root (sudo infra/bench-load.sh)." >&2
  exit 1
fi
dotnet build tests/AccidentRemote.LoadBench -c Release -nologo -v q -clp:ErrorsOnly
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec unshare --net bash -c '
set -euo pipefail
ip link set lo up
RUN=$(mktemp -d /tmp/accidentremote-bench.XXXXXX)
chmod 755 "$RUN"
export RUN
source infra/services.sh
cleanup() { stop_all; rm -rf "$RUN"; }
trap cleanup EXIT
start_postgres
start_rabbitmq
export ACCIDENTREMOTE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=postgres"
export ACCIDENTREMOTE_TEST_RABBITMQ_HOST=127.0.0.1
export ACCIDENTREMOTE_TEST_RABBITMQ_PORT=$RABBIT_PORT
export ACCIDENTREMOTE_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$RABBIT_MGMT_PORT"
bench() { echo; echo "==> loadbench $*"; timeout 15m dotnet tests/AccidentRemote.LoadBench/bin/Release/net10.0/AccidentRemote.LoadBench.dll "$@"; }
echo "==> machine: nproc $(nproc), $(free -m | awk "/^Mem:/ {print \$2}") MB RAM, load $(cut -d" " -f1-3 /proc/loadavg)"
if [ $# -gt 0 ]; then
  bench "$@"
else
  bench signalling --pairs 100
  bench signalling --pairs 1000
  bench claims --cases 500
  bench api --reports 2000
fi
' bench "$@"
