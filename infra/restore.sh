#!/usr/bin/env bash
# Restores a backup made by infra/backup.sh into an EMPTY database and an empty evidence folder
# (a fresh machine, or a side-by-side restore to check a backup). It refuses a database that
# already has AccidentRemote's tables, and an evidence folder that holds files: a restore never
# overwrites. Stop the nodes first when restoring in place of a live system. See docs/operations.md.
#
#   createdb -O accidentremote accidentremote      # the empty database, owned by the server's role
#   infra/restore.sh <backup folder>
#
# Environment:
#   AR_DATABASE  libpq connection string of the empty target database (password in PGPASSWORD or ~/.pgpass)
#   AR_EVIDENCE  the target evidence folder (default /var/lib/accidentremote/evidence); made if missing
#   AR_USER      owner of the restored evidence files (default: accidentremote when that user exists)
#   PG_BIN       folder of pg_restore (default: the newest /usr/lib/postgresql/*/bin)
set -euo pipefail
folder=${1:?usage: infra/restore.sh <backup folder made by infra/backup.sh>}
database=${AR_DATABASE:?set AR_DATABASE to the empty target database (libpq connection string)}
evidence=${AR_EVIDENCE:-/var/lib/accidentremote/evidence}
owner=${AR_USER:-accidentremote}
pg_bin=${PG_BIN:-/usr/lib/postgresql/$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)/bin}
[ -x "$pg_bin/pg_restore" ] || { echo "!! no pg_restore in $pg_bin: apt-get install postgresql-client, or set PG_BIN" >&2; exit 1; }

echo "==> checking $folder against its SHA256SUMS"
(cd "$folder" && sha256sum --check --quiet SHA256SUMS) || { echo "!! the backup does not match its checksums: do not restore it" >&2; exit 1; }

tables=$("$pg_bin/psql" --no-psqlrc --tuples-only --no-align --dbname="$database" -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
if [ "$tables" != "0" ]; then
  echo "!! the target database already has $tables tables: restore into a new, empty database (createdb), never over one" >&2
  exit 1
fi
if [ -d "$evidence" ] && [ -n "$(ls -A "$evidence")" ]; then
  echo "!! the evidence folder $evidence is not empty: restore into an empty one" >&2
  exit 1
fi

echo "==> database <- $folder/database.dump"
"$pg_bin/pg_restore" --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$database" "$folder/database.dump"

echo "==> evidence <- $folder/evidence.tar"
mkdir -p "$evidence"
tar --extract --file="$folder/evidence.tar" --directory="$evidence" --no-same-owner
if id -u "$owner" >/dev/null 2>&1; then
  chown -R "$owner:$owner" "$evidence"
fi
version=$("$pg_bin/psql" --no-psqlrc --tuples-only --no-align --dbname="$database" -c "SELECT max(version) FROM schema_migrations")
echo "==> restored: schema version $version. Start one node; it applies any newer migrations, then check: verify-audit"
