#!/usr/bin/env bash
# Provisions AccidentRemote's claims topology, users and permissions on one RabbitMQ virtual
# host, through the management HTTP API. Safe to run again: every call is a PUT of the wanted
# state or a binding (bindings are a set), so a second run changes nothing. Run it again with
# the full list of insurer codes whenever an insurer is added.
#
#   infra/rabbitmq/provision.sh <vhost> <insurer-code>...
#   e.g. RABBITMQ_ADMIN_PASSWORD=… infra/rabbitmq/provision.sh accidentremote picc pingan
#
# Environment:
#   RABBITMQ_API             management API base URL        (default http://127.0.0.1:15672)
#   RABBITMQ_ADMIN_USER      an administrator               (default guest: loopback only)
#   RABBITMQ_ADMIN_PASSWORD                                 (default guest)
#   SERVER_USER              the server's broker user       (default accidentremote-server)
#   SERVER_PASSWORD          set/reset the server's password; if unset, a new user gets a
#                            generated one (printed once), an existing user keeps its own
#   INSURER_PASSWORD_<CODE>  same, per insurer; <CODE> upper-cased, '-' as '_'
#                            (e.g. INSURER_PASSWORD_PICC, INSURER_PASSWORD_CHINA_LIFE)
#   DELIVERY_LIMIT           must equal ClaimsWire.DeliveryLimit (default 5)
#
# Why the management API and not rabbitmqctl: it works from any machine that can reach the
# API (rabbitmqctl needs the node's Erlang cookie, i.e. a shell on the broker host), and a
# queue with arguments can be declared over it (rabbitmqctl has no command for that).
# Names and arguments mirror src/AccidentRemote.Contracts/Claims/ClaimSubmitted.cs (ClaimsWire)
# and BrokerTopology.QueueArguments; tests check that the server's declarations agree.
# See docs/rabbitmq.md for what each permission allows.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

API=${RABBITMQ_API:-http://127.0.0.1:15672}
API=${API%/}
ADMIN_USER=${RABBITMQ_ADMIN_USER:-guest}
ADMIN_PASSWORD=${RABBITMQ_ADMIN_PASSWORD:-guest}
SERVER_USER=${SERVER_USER:-accidentremote-server}
DELIVERY_LIMIT=${DELIVERY_LIMIT:-5}
VHOST=$1; shift
CODES=("$@")

CLAIMS_EXCHANGE=accidentremote.claims
ACKS_EXCHANGE=accidentremote.claim-acks
DEAD_EXCHANGE=accidentremote.claims.dead
ACKS_QUEUE=accidentremote.claim-acks.server

# Codes become queue names, user names, JSON and regexes below: allow only what is safe in all.
for code in "${CODES[@]}"; do
  # The server's rule (InsurerCodes.Pattern): 2-32 characters, starting with a letter.
  if ! [[ $code =~ ^[a-z][a-z0-9-]{1,31}$ ]]; then
    echo "Insurer code '$code' is not valid: use 2-32 lower-case letters, digits or '-', starting with a letter." >&2
    exit 2
  fi
done
if ! [[ $VHOST =~ ^[A-Za-z0-9._-]+$ ]]; then
  echo "Virtual host '$VHOST' is not valid here: use letters, digits, '.', '_' or '-'." >&2
  exit 2
fi

# api METHOD PATH [JSON]: prints the body; fails with the API's own message on an HTTP error.
api() {
  local method=$1 path=$2 body=${3:-} out status
  out=$(mktemp)
  status=$(curl -sS -o "$out" -w '%{http_code}' -u "$ADMIN_USER:$ADMIN_PASSWORD" -X "$method" \
    -H 'content-type: application/json' ${body:+--data "$body"} "$API/api/$path") || {
    rm -f "$out"; echo "!! cannot reach the RabbitMQ management API at $API" >&2; exit 1; }
  if [ "$status" -ge 400 ] && ! { [ "$method" = GET ] && [ "$status" = 404 ]; }; then
    echo "!! $method /api/$path failed with HTTP $status: $(cat "$out")" >&2
    rm -f "$out"; exit 1
  fi
  [ "$status" = 404 ] && echo -n "" || cat "$out"
  rm -f "$out"
}

json_escape() { local s=${1//\\/\\\\}; printf '%s' "${s//\"/\\\"}"; }

exists() { [ -n "$(api GET "$1")" ]; }

generate_password() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }

# ensure_user NAME PASSWORD-OR-EMPTY: creates the user, or resets its password if one is given.
# No tags: these users can log in over AMQP only, never to the management UI or API.
ensure_user() {
  local name=$1 password=$2
  if [ -z "$password" ]; then
    if exists "users/$name"; then
      echo "user $name: exists, password kept"
      return
    fi
    password=$(generate_password)
    echo "user $name: created; password (shown once, store it now): $password"
  else
    echo "user $name: password set from the environment"
  fi
  api PUT "users/$name" "{\"password\":\"$(json_escape "$password")\",\"tags\":\"\"}" >/dev/null
}

# Permissions are three regexes per user and vhost, matched against the full resource name:
# configure (declare, delete), write (publish to an exchange; be the target of a binding),
# read (consume/get/purge a queue; be the source of a binding). '^$' matches nothing.
permit() {
  api PUT "permissions/$VHOST/$1" \
    "{\"configure\":\"$(json_escape "$2")\",\"write\":\"$(json_escape "$3")\",\"read\":\"$(json_escape "$4")\"}" >/dev/null
  echo "permissions of $1 on $VHOST: configure '$2' write '$3' read '$4'"
}

exchange() { api PUT "exchanges/$VHOST/$1" '{"type":"direct","durable":true,"auto_delete":false,"internal":false,"arguments":{}}' >/dev/null; }
queue() { api PUT "queues/$VHOST/$1" "{\"durable\":true,\"auto_delete\":false,\"arguments\":$2}" >/dev/null; }
bind() { api POST "bindings/$VHOST/e/$1/q/$2" "{\"routing_key\":\"$3\",\"arguments\":{}}" >/dev/null; }

echo "==> RabbitMQ at $API, virtual host $VHOST, insurers: ${CODES[*]}"
api PUT "vhosts/$VHOST" '{}' >/dev/null

echo "==> Topology"
exchange "$CLAIMS_EXCHANGE"
exchange "$ACKS_EXCHANGE"
exchange "$DEAD_EXCHANGE"
queue "$ACKS_QUEUE" '{"x-queue-type":"quorum"}'
for code in "${CODES[@]}"; do
  # The dead-letter queue first, so nothing dead-lettered in between is dropped.
  queue "claims.$code.dead" '{"x-queue-type":"quorum"}'
  bind "$DEAD_EXCHANGE" "claims.$code.dead" "$code"
  queue "claims.$code" "{\"x-queue-type\":\"quorum\",\"x-dead-letter-exchange\":\"$DEAD_EXCHANGE\",\"x-dead-letter-routing-key\":\"$code\",\"x-delivery-limit\":$DELIVERY_LIMIT}"
  bind "$CLAIMS_EXCHANGE" "claims.$code" "$code"
  bind "$ACKS_EXCHANGE" "$ACKS_QUEUE" "$code"
  echo "insurer $code: queue claims.$code (dead letters: claims.$code.dead), acks bound with key $code"
done

echo "==> Users and permissions"
ensure_user "$SERVER_USER" "${SERVER_PASSWORD:-}"
# The server declares the exchanges and every insurer's queues and bindings (configure), publishes
# claims and is the target of the bindings it makes (write), and reads only its ack queue. Its
# read regex also names the three exchanges: binding a queue to an exchange needs read on the
# exchange, which lets it bind, not read claims. No claims.<code> queue matches its read regex.
Q='claims\.[a-z0-9-]+'
permit "$SERVER_USER" \
  '^(accidentremote\.claims|accidentremote\.claims\.dead|accidentremote\.claim-acks|accidentremote\.claim-acks\.server|'"$Q|$Q"'\.dead)$' \
  '^(accidentremote\.claims|accidentremote\.claim-acks\.server|'"$Q|$Q"'\.dead)$' \
  '^(accidentremote\.claims|accidentremote\.claims\.dead|accidentremote\.claim-acks|accidentremote\.claim-acks\.server)$'

for code in "${CODES[@]}"; do
  var="INSURER_PASSWORD_$(echo "$code" | tr 'a-z-' 'A-Z_')"
  ensure_user "insurer-$code" "${!var:-}"
  # Reads its own queue and its dead letters, publishes acks, declares nothing. RabbitMQ checks
  # the user_id property of every ack against this user, so it can only answer as itself.
  permit "insurer-$code" '^$' '^accidentremote\.claim-acks$' '^claims\.'"$code"'(\.dead)?$'
done

echo "==> Done"
