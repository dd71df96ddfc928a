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
#   ACCIDENTREMOTE_SERVER    the server whose topology to declare: its AccidentRemote.Server.dll
#                            (run with dotnet) or its executable (default: this checkout's build,
#                            src/AccidentRemote.Server/bin/{Release,Debug}/net10.0/AccidentRemote.Server.dll)
#   TOPOLOGY_JSON            instead, a file holding the output of
#                            `AccidentRemote.Server topology --json <insurer-code>...` (for a machine
#                            without the server; it must list the same insurer codes)
#
# Needs curl and jq.
# Why the management API and not rabbitmqctl: it works from any machine that can reach the
# API (rabbitmqctl needs the node's Erlang cookie, i.e. a shell on the broker host), and a
# queue with arguments can be declared over it (rabbitmqctl has no command for that).
# The exchanges, queues with their arguments and bindings are not written here: they come from the
# server (`topology --json`, i.e. src/AccidentRemote.Server/Claims/ClaimsTopology.cs), the same
# description the server declares from. The permission regexes below name the same exchanges and
# queues (ClaimsWire in src/AccidentRemote.Contracts); tests check both against a real broker.
# See docs/rabbitmq.md for what each permission allows.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

API=${RABBITMQ_API:-http://127.0.0.1:15672}
API=${API%/}
ADMIN_USER=${RABBITMQ_ADMIN_USER:-guest}
ADMIN_PASSWORD=${RABBITMQ_ADMIN_PASSWORD:-guest}
SERVER_USER=${SERVER_USER:-accidentremote-server}
VHOST=$1; shift
CODES=("$@")

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

# The topology as the server describes it (ClaimsTopology), for these insurer codes.
topology_json() {
  if [ -n "${TOPOLOGY_JSON:-}" ]; then
    cat "$TOPOLOGY_JSON"
    return
  fi
  local server=${ACCIDENTREMOTE_SERVER:-} root candidate
  if [ -z "$server" ]; then
    root=$(cd "$(dirname "$0")/../.." && pwd)
    for candidate in "$root"/src/AccidentRemote.Server/bin/{Release,Debug}/net10.0/AccidentRemote.Server.dll; do
      [ -f "$candidate" ] && { server=$candidate; break; }
    done
  fi
  if [ -z "$server" ]; then
    echo "!! cannot find the server to read the topology from: build it (dotnet build), or set ACCIDENTREMOTE_SERVER or TOPOLOGY_JSON" >&2
    exit 1
  fi
  case $server in
    *.dll) dotnet "$server" topology --json "${CODES[@]}" ;;
    *) "$server" topology --json "${CODES[@]}" ;;
  esac
}

command -v jq >/dev/null || { echo "!! jq is needed to read the server's topology (apt-get install jq)" >&2; exit 1; }
TOPOLOGY=$(topology_json) || { echo "!! could not read the topology from the server" >&2; exit 1; }
for code in "${CODES[@]}"; do
  # A saved TOPOLOGY_JSON made for other insurers would leave one without its queue.
  jq -e --arg code "$code" '.bindings | any(.routingKey == $code)' <<<"$TOPOLOGY" >/dev/null ||
    { echo "!! the topology has nothing for insurer '$code': make it with the same insurer codes" >&2; exit 1; }
done

echo "==> RabbitMQ at $API, virtual host $VHOST, insurers: ${CODES[*]}"
api PUT "vhosts/$VHOST" '{}' >/dev/null

echo "==> Topology (from the server)"
# In the order the server lists them: exchanges, then queues (an insurer's dead-letter queue before its
# claims queue, so nothing dead-lettered in between is dropped), then bindings.
mapfile -t exchanges < <(jq -c '.exchanges[]' <<<"$TOPOLOGY")
for e in "${exchanges[@]}"; do
  name=$(jq -r .name <<<"$e")
  api PUT "exchanges/$VHOST/$name" "$(jq -c '{type, durable, auto_delete: false, internal: false, arguments: {}}' <<<"$e")" >/dev/null
  echo "exchange $name ($(jq -r .type <<<"$e"))"
done
mapfile -t queues < <(jq -c '.queues[]' <<<"$TOPOLOGY")
for q in "${queues[@]}"; do
  name=$(jq -r .name <<<"$q")
  api PUT "queues/$VHOST/$name" "$(jq -c '{durable, auto_delete: false, arguments}' <<<"$q")" >/dev/null
  echo "queue $name $(jq -c .arguments <<<"$q")"
done
mapfile -t bindings < <(jq -c '.bindings[]' <<<"$TOPOLOGY")
for b in "${bindings[@]}"; do
  exchange=$(jq -r .exchange <<<"$b"); queue=$(jq -r .queue <<<"$b")
  api POST "bindings/$VHOST/e/$exchange/q/$queue" "$(jq -c '{routing_key: .routingKey, arguments: {}}' <<<"$b")" >/dev/null
  echo "binding $exchange -$(jq -r .routingKey <<<"$b")-> $queue"
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
