#!/usr/bin/env bash
# The whole test suite on real services: installs what is missing (Debian packages, as root),
# builds, then runs every test inside a private network namespace with only loopback, where
# it starts throwaway PostgreSQL and RabbitMQ and stops them afterwards.
# Extra arguments go to `dotnet test`, e.g. infra/test.sh --filter "FullyQualifiedName~Claims".
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "infra/test.sh installs packages and starts services in a network namespace: run it as root (sudo infra/test.sh)." >&2
  exit 1
fi
bash infra/install-test-deps.sh
echo "==> Building"
dotnet build AccidentRemote.sln -nologo -v q -clp:ErrorsOnly
exec unshare --net bash infra/test-in-namespace.sh "$@"
