#!/usr/bin/env bash
# What the tests need, on this machine: PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth,
# database `test`), Redis on 127.0.0.1:6379, and the pgbouncer binary (the pooler tests start
# their own). Starts what is installed but stopped; installs what is missing from Debian's
# packages, which needs root or sudo. Run by `.ci/run` and by `npm test` (test/support/global-setup.ts)
# when a service is missing; safe to run again.
set -euo pipefail

log() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

log "PostgreSQL"
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  apt_install postgresql
fi
pg_version=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
# The tests connect over TCP as `postgres` without a password, as on the dev machines.
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  hba="/etc/postgresql/$pg_version/main/pg_hba.conf"
  as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main reload
  sleep 1
fi
if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'test'")" != 1 ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'
fi
psql -h 127.0.0.1 -U postgres -d test -tAc 'select version()'

log "Redis"
if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 info server | grep redis_version


log "PgBouncer"
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then apt_install pgbouncer; fi
/usr/sbin/pgbouncer --version 2>/dev/null | head -n 1 || pgbouncer --version | head -n 1
