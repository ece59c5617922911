#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 (Debian's cluster 15/main) and creates the tests' role and database, then
# exports GRAPHREC_TEST_POSTGRES, the connection string the database tests read. Idempotent: a running cluster, an
# existing role or database are left as they are. Sourced by .ci/run; run it alone to set up a developer machine.
set -euo pipefail
pg_role=graphrec_test
pg_database=graphrec_test
pg_password=graphrec_test

if ! command -v pg_ctlcluster >/dev/null; then
  echo "PostgreSQL is not installed (pg_ctlcluster not found): the PostgreSQL tests will fail in CI." >&2
  return 0 2>/dev/null || exit 0
fi

if ! pg_ctlcluster 15 main status >/dev/null 2>&1; then
  echo "starting PostgreSQL 15/main"
  pg_ctlcluster 15 main start
fi

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -c "$(printf '%q ' "$@")"; fi; }
for _ in $(seq 1 30); do
  as_postgres pg_isready -q && break
  sleep 1
done

if [ "$(as_postgres psql -tAc "select 1 from pg_roles where rolname = '$pg_role'")" != 1 ]; then
  as_postgres psql -q -c "create role $pg_role login password '$pg_password'"
fi
if [ "$(as_postgres psql -tAc "select 1 from pg_database where datname = '$pg_database'")" != 1 ]; then
  as_postgres psql -q -c "create database $pg_database owner $pg_role"
fi

export GRAPHREC_TEST_POSTGRES="Host=127.0.0.1;Port=5432;Database=$pg_database;Username=$pg_role;Password=$pg_password"
echo "GRAPHREC_TEST_POSTGRES=$GRAPHREC_TEST_POSTGRES"
