#!/usr/bin/env bash
# The call benchmark (not a test): N sequential live calls in Chromium against the real server
# (Kestrel, SQLite, in-memory bus), timed inside the pages. Builds first (the namespace has no
# registry), then runs inside a private network namespace with only loopback, where Chromium's
# WebRTC may use 127.0.0.1 only. Arguments go to the bench; default: --calls 10.
#   infra/bench-calls.sh --calls 20
set -euo pipefail
source "$(dirname "$0")/as-root.sh"
as_root "$0" "$@"
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then set -- --calls 10; fi
dotnet build AccidentRemote.sln -nologo -v q -clp:ErrorsOnly
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec unshare --net bash -c 'ip link set lo up; dotnet run --no-build --project tests/AccidentRemote.CallBench -- "$@"' bench "$@"
