#!/usr/bin/env bash
# Configures the local PostgreSQL for Switchboard's logical-replication capture and creates the
# test database. Idempotent: settings already in place cause no restart.
#   PGHOST/PGPORT/PGUSER select the server (default 127.0.0.1:5432, postgres, trust auth).
set -euo pipefail

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
psql_q() { psql -X -v ON_ERROR_STOP=1 -qAt -d postgres -c "$1"; }

wait_ready() {
  for _ in $(seq 1 120); do
    if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
      psql_q "select 1" >/dev/null 2>&1 && return 0
    fi
    sleep 0.5
  done
  echo "PostgreSQL did not become ready on $PGHOST:$PGPORT" >&2
  return 1
}

wait_ready

# name=value pairs; max_slot_wal_keep_size bounds the WAL a dead node's slot can pin.
declare -A wanted=(
  [wal_level]=logical
  [max_replication_slots]=20
  [max_wal_senders]=20
  [max_slot_wal_keep_size]=1024   # MB, the setting's unit
)

restart=no
for name in "${!wanted[@]}"; do
  value="${wanted[$name]}"
  current="$(psql_q "select setting from pg_settings where name = '$name'")"
  pending="$(psql_q "select pending_restart from pg_settings where name = '$name'")"
  if [[ "$current" != "$value" ]] || [[ "$pending" == "t" ]]; then
    echo "setting $name = $value (was $current)"
    psql_q "alter system set $name = '$value'"
    context="$(psql_q "select context from pg_settings where name = '$name'")"
    if [[ "$context" == "postmaster" ]]; then restart=yes; else psql_q "select pg_reload_conf()" >/dev/null; fi
  fi
done

if [[ "$restart" == "yes" ]]; then
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  echo "restarting PostgreSQL $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  wait_ready
fi

if [[ "$(psql_q "select count(*) from pg_database where datname = 'switchboard_test'")" == "0" ]]; then
  psql_q "create database switchboard_test"
  echo "created database switchboard_test"
fi

psql_q "select name || '=' || setting from pg_settings where name in ('wal_level','max_replication_slots','max_wal_senders','max_slot_wal_keep_size') order by name"
