#!/usr/bin/env bash
# The whole test suite on real services: installs what is missing (Debian packages, as root),
# builds, then runs every test inside a private network namespace with only loopback, where
# it starts throwaway PostgreSQL and RabbitMQ and stops them afterwards.
# Extra arguments go to `dotnet test`, e.g. infra/test.sh --filter "FullyQualifiedName~Claims".
# --fast leaves out the browser and fault tests (traits Category=Browser and Category=Fault, see
# tests/AccidentRemote.Tests/Infrastructure/TestCategory.cs), alone or narrowing a --filter.
set -euo pipefail
source "$(dirname "$0")/as-root.sh"
as_root "$0" "$@"
cd "$(dirname "$0")/.."
FAST_FILTER='Category!=Browser&Category!=Fault'
fast=0 filter="" args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) fast=1 ;;
    --filter) filter="${2:?--filter needs an expression}"; shift ;;
    *) args+=("$1") ;;
  esac
  shift
done
if [ "$fast" -eq 1 ]; then
  filter=${filter:+($filter)&}$FAST_FILTER
fi
if [ -n "$filter" ]; then
  args+=(--filter "$filter")
fi
bash infra/install-test-deps.sh
echo "==> Building"
dotnet build AccidentRemote.sln -nologo -v q -clp:ErrorsOnly
exec unshare --net bash infra/test-in-namespace.sh ${args[@]+"${args[@]}"}
