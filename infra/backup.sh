#!/usr/bin/env bash
# Backs up AccidentRemote: the PostgreSQL database (pg_dump, custom format) and the evidence
# folder (a tar of the write-once files), into one new folder with checksums. Safe while the
# nodes run: pg_dump reads one consistent snapshot, and evidence files are never changed once
# written. The database goes first, so every evidence row in the dump has its file in the tar.
# See docs/operations.md.
#
#   infra/backup.sh <destination folder>      -> <destination>/accidentremote-<UTC time>/
#
# Environment:
#   AR_DATABASE  libpq connection string of the database, e.g. "host=db.internal user=accidentremote dbname=accidentremote"
#                (password in PGPASSWORD or ~/.pgpass; any PG* variable works too)
#   AR_EVIDENCE  the evidence folder (default /var/lib/accidentremote/evidence, the nodes' Evidence__StoragePath)
#   PG_BIN       folder of pg_dump (default: the newest /usr/lib/postgresql/*/bin); it must not be older than the server
set -euo pipefail
dest=${1:?usage: infra/backup.sh <destination folder>}
database=${AR_DATABASE:?set AR_DATABASE to the database (libpq connection string, e.g. "host=db user=accidentremote dbname=accidentremote")}
evidence=${AR_EVIDENCE:-/var/lib/accidentremote/evidence}
pg_bin=${PG_BIN:-/usr/lib/postgresql/$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)/bin}
[ -x "$pg_bin/pg_dump" ] || { echo "!! no pg_dump in $pg_bin: apt-get install postgresql-client, or set PG_BIN" >&2; exit 1; }
[ -d "$evidence" ] || { echo "!! evidence folder $evidence does not exist: set AR_EVIDENCE" >&2; exit 1; }

folder="$dest/accidentremote-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest"
mkdir -m 0700 "$folder"   # a new folder each time; the dump holds personal data
umask 077

echo "==> database -> $folder/database.dump"
"$pg_bin/pg_dump" --format=custom --compress=6 --no-owner --no-privileges --file="$folder/database.dump" --dbname="$database"
version=$("$pg_bin/psql" --no-psqlrc --tuples-only --no-align --dbname="$database" -c "SELECT max(version) FROM schema_migrations")

echo "==> evidence $evidence -> $folder/evidence.tar"
tar --create --file="$folder/evidence.tar" --directory="$evidence" .

cat > "$folder/MANIFEST" <<MANIFEST
created_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
schema_version=$version
pg_dump=$("$pg_bin/pg_dump" --version)
evidence_files=$(tar --list --file="$folder/evidence.tar" | grep -vc '/$' || true)
MANIFEST
(cd "$folder" && sha256sum database.dump evidence.tar MANIFEST > SHA256SUMS)
echo "==> backup complete: $folder (schema version $version)"
