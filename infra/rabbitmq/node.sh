#!/usr/bin/env bash
# A private RabbitMQ node next to the shared one, for tests that kill the broker: its own node
# name, ports and data folder, the same rules as infra/services.sh (loopback only, management
# plugin, guest on loopback). Run as root; the node runs as the rabbitmq user.
#
#   infra/rabbitmq/node.sh start <dir> <node-name> <amqp-port> <dist-port> <management-port>
#   infra/rabbitmq/node.sh start <dir>     start again on the same data (after kill9 or stop)
#   infra/rabbitmq/node.sh kill9 <dir>     SIGKILL the Erlang VM (beam.smp): no clean shutdown
#   infra/rabbitmq/node.sh stop <dir>      clean stop (kill -9 if that fails)
#
# start returns when the node and its management API answer. The shared epmd is left alone:
# other nodes (the suite's shared broker) are registered in it.
set -euo pipefail
cd "$(dirname "$0")/../.."
command=${1:?usage: node.sh start|kill9|stop <dir> [node-name amqp-port dist-port management-port]}
dir=${2:?give the folder of the node}
dir=$(realpath -m "$dir")

if [ "$command" = start ] && [ $# -ge 6 ]; then
  mkdir -p "$dir"
  cat > "$dir/node.env" <<ENV
RABBIT_NODENAME=$3
RABBIT_PORT=$4
RABBIT_DIST_PORT=$5
RABBIT_MGMT_PORT=$6
ENV
fi
if [ ! -f "$dir/node.env" ]; then
  echo "!! $dir/node.env is missing: start the node once with its name and ports" >&2
  exit 2
fi
# shellcheck disable=SC1091
. "$dir/node.env"
export RABBIT_NODENAME RABBIT_PORT RABBIT_DIST_PORT RABBIT_MGMT_PORT
RABBIT_DIR=$dir
RUN=$dir
source infra/services.sh

beam_pid() { cat "$dir/rabbit.pid" 2>/dev/null || true; }

case "$command" in
  start)
    # A pid file left by a killed node would make `rabbitmqctl wait` watch the dead process.
    rm -f "$dir/rabbit.pid"
    start_rabbitmq
    echo "pid $(beam_pid)"
    ;;
  kill9)
    pid=$(beam_pid)
    if [ -z "$pid" ]; then
      echo "!! no pid file in $dir: is the node running?" >&2
      exit 1
    fi
    kill -9 "$pid"
    wait_for 30 "the end of process $pid" bash -c "! kill -0 $pid"
    echo "==> killed $RABBIT_NODENAME (pid $pid) with SIGKILL"
    ;;
  stop)
    pid=$(beam_pid)
    rabbit_env runuser -u rabbitmq -- /usr/lib/rabbitmq/bin/rabbitmqctl stop "$dir/rabbit.pid" >/dev/null 2>&1 || true
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: node.sh start|kill9|stop <dir> ..." >&2
    exit 2
    ;;
esac
