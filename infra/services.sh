#!/usr/bin/env bash
# Start and stop throwaway PostgreSQL and RabbitMQ instances under one run folder ($RUN).
# Sourced by infra/test-in-namespace.sh and infra/rabbitmq/node.sh. Everything listens on
# 127.0.0.1 only; data is deleted when the run ends, so every run starts from nothing.
# The RabbitMQ node can be chosen by setting these before sourcing (defaults in brackets):
# RABBIT_NODENAME [rabbit@localhost], RABBIT_PORT [5672], RABBIT_DIST_PORT [25672],
# RABBIT_MGMT_PORT [15672], RABBIT_DIR [$RUN/rabbitmq].

PG_BIN="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin"
PG_PORT=5432
RABBIT_PORT=${RABBIT_PORT:-5672}
RABBIT_MGMT_PORT=${RABBIT_MGMT_PORT:-15672}
RABBIT_DIST_PORT=${RABBIT_DIST_PORT:-25672}
RABBIT_NODENAME=${RABBIT_NODENAME:-rabbit@localhost}
RABBIT_DIR=${RABBIT_DIR:-$RUN/rabbitmq}
STARTED=()

wait_for() { # wait_for <seconds> <description> <command...>
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "!! $what did not come up within ${seconds}s" >&2
  return 1
}

start_postgres() {
  local dir="$RUN/postgres"
  mkdir -p "$dir" && chown postgres:postgres "$dir"
  echo postgres > "$RUN/pgpass" && chown postgres "$RUN/pgpass"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$RUN/pgpass" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log"; return 1; }
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir -c max_connections=300 -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log"; return 1; }
  STARTED+=(postgres)
  echo "==> PostgreSQL on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$RUN/postgres/data" -m fast -w stop >/dev/null 2>&1 || true
}

rabbit_env() {
  env HOME="$RABBIT_DIR" \
    RABBITMQ_NODENAME="$RABBIT_NODENAME" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$RABBIT_PORT \
    RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT \
    RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia" \
    RABBITMQ_LOG_BASE="$RABBIT_DIR/log" \
    RABBITMQ_PID_FILE="$RABBIT_DIR/rabbit.pid" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    "$@"
}

start_rabbitmq() {
  local dir="$RABBIT_DIR"
  mkdir -p "$dir/mnesia" "$dir/log"
  echo "[rabbitmq_management]." > "$dir/enabled_plugins"
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RABBIT_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
loopback_users.guest = true
CONF
  head -c 20 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$dir/.erlang.cookie"
  chmod 400 "$dir/.erlang.cookie"
  chown -R rabbitmq:rabbitmq "$dir"
  rabbit_env runuser -u rabbitmq -- /usr/lib/rabbitmq/bin/rabbitmq-server -detached >"$dir/start.log" 2>&1
  STARTED+=(rabbitmq)
  if ! rabbit_env runuser -u rabbitmq -- /usr/lib/rabbitmq/bin/rabbitmqctl wait --timeout 90 "$dir/rabbit.pid" >"$dir/wait.log" 2>&1; then
    cat "$dir/wait.log" "$dir/start.log" >&2; tail -50 "$dir"/log/*.log >&2 || true
    return 1
  fi
  wait_for 60 "RabbitMQ management API" curl -sf -u guest:guest "http://127.0.0.1:$RABBIT_MGMT_PORT/api/overview"
  echo "==> RabbitMQ on 127.0.0.1:$RABBIT_PORT (management :$RABBIT_MGMT_PORT)"
}

stop_rabbitmq() {
  rabbit_env runuser -u rabbitmq -- /usr/lib/rabbitmq/bin/rabbitmqctl stop "$RABBIT_DIR/rabbit.pid" >/dev/null 2>&1 || true
  # epmd outlives the node; stop the one in this network namespace (it listens on its loopback only).
  ERL_EPMD_ADDRESS=127.0.0.1 epmd -kill >/dev/null 2>&1 || true
}

TURN_PORT=3478
TURN_SECRET="accidentremote-test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# coturn from infra/coturn/turnserver.conf's rules, but on loopback and with loopback peers
# allowed: in tests every browser is on 127.0.0.1. Never use --allow-loopback-peers in production.
start_coturn() {
  local dir="$RUN/coturn"
  mkdir -p "$dir"
  turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port=$TURN_PORT \
    --use-auth-secret --static-auth-secret="$TURN_SECRET" --realm=accidentremote.test \
    --no-cli --no-tls --no-dtls --fingerprint --min-port=49160 --max-port=49400 \
    --allow-loopback-peers --log-file="$dir/turn.log" --simple-log --pidfile="$dir/turn.pid" >/dev/null 2>&1 &
  echo $! > "$dir/pid"
  STARTED+=(coturn)
  wait_for 20 "coturn" bash -c "grep -q 'Total General servers' '$dir/turn.log' 2>/dev/null || ss -lun 2>/dev/null | grep -q ':$TURN_PORT '"
  echo "==> coturn on 127.0.0.1:$TURN_PORT"
}

stop_coturn() {
  kill "$(cat "$RUN/coturn/pid")" 2>/dev/null || true
}

REDIS_PORT=6379

start_redis() {
  local dir="$RUN/redis"
  mkdir -p "$dir" && chown redis:redis "$dir" 2>/dev/null || true
  redis-server --bind 127.0.0.1 --port $REDIS_PORT --dir "$dir" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  STARTED+=(redis)
  wait_for 20 "Redis" redis-cli -p $REDIS_PORT ping
  echo "==> Redis on 127.0.0.1:$REDIS_PORT"
}

stop_redis() {
  redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true
}

stop_all() {
  local i
  for ((i=${#STARTED[@]}-1; i>=0; i--)); do
    "stop_${STARTED[$i]}"
  done
  STARTED=()
}
