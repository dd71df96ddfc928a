#!/usr/bin/env bash
# Runs inside a private network namespace that has only loopback (see infra/test.sh):
# starts the services, runs every test, stops what it started, prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
ip link set lo up

RUN=$(mktemp -d /tmp/accidentremote-test.XXXXXX)
chmod 755 "$RUN"
export RUN
source infra/services.sh
cleanup() { stop_all; rm -rf "$RUN"; }
trap cleanup EXIT

start_postgres
start_rabbitmq
start_coturn
start_redis

export ACCIDENTREMOTE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=postgres"
export ACCIDENTREMOTE_TEST_RABBITMQ_HOST=127.0.0.1
export ACCIDENTREMOTE_TEST_RABBITMQ_PORT=$RABBIT_PORT
export ACCIDENTREMOTE_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$RABBIT_MGMT_PORT"
export ACCIDENTREMOTE_TEST_TURN_URL="turn:127.0.0.1:$TURN_PORT?transport=udp"
export ACCIDENTREMOTE_TEST_TURN_SECRET="$TURN_SECRET"
export ACCIDENTREMOTE_TEST_CHROMIUM=/usr/bin/chromium
export ACCIDENTREMOTE_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "==> Running tests"
set +e
dotnet test AccidentRemote.sln --no-build --blame-hang-timeout 5m \
  --logger "console;verbosity=normal" "$@" 2>&1 | tee "$RUN/test.log"
status=${PIPESTATUS[0]}
set -e

# VSTest's summary per test assembly ("Total tests: 49", "     Passed: 48", "     Failed: 1").
passed=$(awk '/^ +Passed: +[0-9]+ *$/ {s+=$2} END {print s+0}' "$RUN/test.log")
failed=$(awk '/^ +Failed: +[0-9]+ *$/ {s+=$2} END {print s+0}' "$RUN/test.log")
echo
# The failures again at the very end, with the first lines of each message, so that the tail of
# the output (all that a CI log may keep) names them.
if [ "${failed:-0}" -gt 0 ]; then
  echo "==> Failed tests"
  awk '/^ +Failed [A-Za-z]/ {print; n=6; next} n > 0 && /^ +(Error Message:|Stack Trace:)/ {if ($1 == "Stack") {n=0; next}} n > 0 {print; n--}' \
    "$RUN/test.log" | cut -c1-300
fi
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -eq 0 ] && [ "${passed:-0}" -eq 0 ]; then
  echo "!! no test ran" >&2
  exit 1
fi
exit "$status"
