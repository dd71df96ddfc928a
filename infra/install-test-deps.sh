#!/usr/bin/env bash
# Installs, from Debian's packages, the services the tests run against, when they are missing.
# Idempotent: a machine that has them all installs nothing.
set -euo pipefail

need=()
command -v rabbitmq-server >/dev/null || need+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v turnserver >/dev/null || need+=(coturn)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
[ -x /usr/sbin/nginx ] || need+=(nginx)   # the reverse proxy in front of the server in the proxy tests
command -v ip >/dev/null || need+=(iproute2)
command -v jq >/dev/null || need+=(jq)   # infra/rabbitmq/provision.sh reads the server's topology export
command -v npm >/dev/null || need+=(nodejs npm)   # the build bundles the web pages
command -v promtool >/dev/null || need+=(prometheus)   # promtool checks infra/prometheus/accidentremote-alerts.yml
# Fonts embedded in the accident document PDF (Documents:FontPath, Documents:LatinFontPath).
[ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || need+=(fonts-arphic-uming)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || need+=(fonts-dejavu-core)

if [ ${#need[@]} -gt 0 ]; then
  echo "==> Installing ${need[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "==> Test services present: PostgreSQL $(ls /usr/lib/postgresql | sort -V | tail -1), RabbitMQ, coturn, Chromium, nginx, document fonts"
