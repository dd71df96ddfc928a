#!/usr/bin/env bash
# Starts one AccidentRemote server node for a multi-node deployment behind a load balancer.
# Every node shares PostgreSQL, RabbitMQ and Redis (SignalR backplane and presence); nothing
# else is shared. Settings come from the environment (see node.env.example) and are checked at
# start: a wrong one stops the node with a message naming it.
#
#   infra/node/start-node.sh <port> [env file]      e.g. infra/node/start-node.sh 5081 /etc/accidentremote/node.env
#
# Optional environment:
#   ACCIDENTREMOTE_CONFIGURATION  which build to run (default Release); built first only if its
#                                 dll is missing, so a node starts in seconds from an existing build
#   ACCIDENTREMOTE_BIND           the address to listen on (default 0.0.0.0; 127.0.0.1 for loopback)
#
# The script execs the server: its process id is the node's, and SIGTERM stops it cleanly.
# The tests start their nodes with this script (tests/AccidentRemote.Tests/Infrastructure/NodeProcess.cs).
#
# The load balancer must support WebSockets (the call hub) and should use sticky sessions only
# if it cannot do WebSockets (SignalR's fallbacks need them); /health/ready is the probe.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${1:?usage: start-node.sh <port> [env file]}
envfile=${2:-}
if [ -n "$envfile" ]; then
  set -a; . "$envfile"; set +a
fi
: "${Database__ConnectionString:?set Database__ConnectionString (PostgreSQL)}"
: "${Bus__RabbitMq__Password:?set Bus__RabbitMq__Password (the broker user of the server)}"
: "${Signalling__Redis:?set Signalling__Redis (e.g. redis.internal:6379)}"
export Database__Provider=Postgres Bus__Transport=RabbitMq ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}
configuration=${ACCIDENTREMOTE_CONFIGURATION:-Release}
bind=${ACCIDENTREMOTE_BIND:-0.0.0.0}
project=$PWD/src/AccidentRemote.Server
dll=$project/bin/$configuration/net10.0/AccidentRemote.Server.dll
if [ ! -f "$dll" ]; then
  dotnet build "$project" -c "$configuration" -nologo -v q
fi
# The project folder is the content root: appsettings.json and wwwroot are read from there.
exec dotnet "$dll" --contentRoot "$project" --urls "http://$bind:$port"
