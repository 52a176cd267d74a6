#!/usr/bin/env bash
# Starts the Debian PostgreSQL 15 cluster (15/main) on 127.0.0.1 for the sync tests, and creates
# the test role and database if they are missing. Safe to run again: a running cluster, an
# existing role or an existing database are left as they are.
#
# Prints the test database's connection URL as the last line of stdout (everything else goes to
# stderr), so callers can do: UPW_TEST_PG_URL="$(scripts/start-postgres.sh | tail -n 1)".
#
# Works without systemd (CI runs as root in a container): pg_ctlcluster falls back to pg_ctl when
# systemd is not running. The password is for this throwaway test database only.
set -euo pipefail

VERSION=15
CLUSTER=main
ROLE=upw_test
DATABASE=upw_test
PASSWORD=upw_test_only_not_a_secret

log() { echo "start-postgres: $*" >&2; }

# Root can become postgres with runuser; anyone else needs sudo.
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
  as_postgres() { runuser -u postgres -- "$@"; }
else
  SUDO="sudo"
  as_postgres() { sudo -u postgres -- "$@"; }
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -x "/usr/lib/postgresql/$VERSION/bin/postgres" ]; then
  log "postgresql-$VERSION is not installed: run scripts/install-deps.sh"
  exit 1
fi

# Installing postgresql-15 normally creates 15/main; an image built with create_main_cluster=false
# has none.
if ! pg_lsclusters -h "$VERSION" "$CLUSTER" >/dev/null 2>&1; then
  log "creating cluster $VERSION/$CLUSTER"
  $SUDO pg_createcluster "$VERSION" "$CLUSTER" >&2
fi

# Listen on the loopback address only: 'localhost' (Debian's default) can resolve to ::1 alone in
# some containers, and the tests connect to 127.0.0.1. Rewritten only when it differs, so a second
# run does not restart a running server.
conf_dir="/etc/postgresql/$VERSION/$CLUSTER/conf.d"
conf="$conf_dir/upw-test.conf"
wanted="# Written by upw scripts/start-postgres.sh for the sync tests.
listen_addresses = '127.0.0.1'"
changed=0
if [ "$(cat "$conf" 2>/dev/null || true)" != "$wanted" ]; then
  $SUDO mkdir -p "$conf_dir"
  printf '%s\n' "$wanted" | $SUDO tee "$conf" >/dev/null
  changed=1
fi

status="$(pg_lsclusters -h "$VERSION" "$CLUSTER" | awk '{print $4}')"
if [ "$status" = "online" ]; then
  if [ "$changed" -eq 1 ]; then
    log "restarting $VERSION/$CLUSTER to listen on 127.0.0.1"
    $SUDO pg_ctlcluster "$VERSION" "$CLUSTER" restart >&2
  fi
else
  log "starting $VERSION/$CLUSTER"
  # Without systemd nothing creates the socket directory at boot.
  $SUDO install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  $SUDO pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi

port="$(pg_lsclusters -h "$VERSION" "$CLUSTER" | awk '{print $3}')"
for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.5
done
if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
  log "PostgreSQL did not accept connections on 127.0.0.1:$port; its log:"
  tail -n 30 "/var/log/postgresql/postgresql-$VERSION-$CLUSTER.log" >&2 || true
  exit 1
fi

# The role and database, as the postgres superuser over the Unix socket (peer authentication).
# The password is set every time, so a role left from an earlier run with another one still works.
# The database belongs to the role: since PostgreSQL 15 only the owner may create objects in its
# public schema, and the tests create a schema per test. Its default collation is a linguistic one
# (ICU English), as on a typical production server, so the tests catch a query whose order would
# differ from SQLite's byte order.
as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD';
  ELSE
    ALTER ROLE $ROLE LOGIN PASSWORD '$PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DATABASE OWNER $ROLE TEMPLATE template0 ENCODING ''UTF8'' '
       'LOCALE ''C.UTF-8'' LOCALE_PROVIDER icu ICU_LOCALE ''en-GB'''
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE') \gexec
ALTER DATABASE $DATABASE OWNER TO $ROLE;
SQL

url="postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
# Prove the URL works (TCP, password authentication) before handing it out.
if ! psql -X -q -At "$url" -c 'SELECT 1' >/dev/null; then
  log "cannot connect as $ROLE to $url"
  exit 1
fi
echo "$url"
