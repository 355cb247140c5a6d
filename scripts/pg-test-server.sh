#!/usr/bin/env bash
# A private PostgreSQL server for Fovea's tests, independent of the distribution's cluster.
#
#   scripts/pg-test-server.sh start    init (once) and start the server, create role/database, print the JDBC URL
#   scripts/pg-test-server.sh stop     stop it (fast); fine when it is not running
#   scripts/pg-test-server.sh url      print the JDBC URL
#   scripts/pg-test-server.sh reset    drop and recreate the fovea_test database (starts the server if needed), print the URL
#   scripts/pg-test-server.sh status   exit 0 when running, 3 when not
#
# Typical use:   export FOVEA_TEST_PG_URL="$(scripts/pg-test-server.sh start)"
# Only the URL goes to stdout; every message goes to stderr.
#
# Environment:
#   FOVEA_PG_DIR   data folder (default /tmp/fovea-pg); holds the cluster, the unix socket and server.log
#   FOVEA_PG_PORT  TCP port on 127.0.0.1 (default 55432)
#   FOVEA_PG_BIN   folder with pg_ctl, initdb, psql, pg_isready (default: newest /usr/lib/postgresql/*/bin)
#
# PostgreSQL refuses to run as root, so as root every server command runs as the `postgres`
# system user (runuser); as any other user they run as that user. The server listens on 127.0.0.1
# only; TCP connections (the tests') need the role's password (scram-sha-256), so that a wrong password is
# refused as on a real server; the unix socket in the data folder (this script's own psql) is `trust`.
# This is a throwaway server for tests, nothing else.
set -euo pipefail

PG_DIR="${FOVEA_PG_DIR:-/tmp/fovea-pg}"
PG_PORT="${FOVEA_PG_PORT:-55432}"
DB_NAME=fovea_test
DB_USER=fovea
DB_PASSWORD=fovea
SUPERUSER=postgres
LOG_FILE="$PG_DIR/server.log"
READY_TIMEOUT=30

# Connection settings from the caller's environment must not redirect our own commands.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE PGSERVICEFILE PGOPTIONS PGDATA PGSSLMODE

say() { echo "pg-test-server: $*" >&2; }
die() { say "error: $*"; exit 1; }

usage() { # prints the header comment; exits with $1 (default 2)
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

case "$PG_PORT" in '' | *[!0-9]*) die "FOVEA_PG_PORT must be a port number, got '$PG_PORT'" ;; esac
case "$PG_DIR" in /*) ;; *) PG_DIR="$(pwd)/$PG_DIR"; LOG_FILE="$PG_DIR/server.log" ;; esac

# --- who runs the server -----------------------------------------------------------------------

if [ "$(id -u)" -eq 0 ]; then
  RUN_USER=postgres
  id "$RUN_USER" >/dev/null 2>&1 || die "running as root but there is no 'postgres' system user; run scripts/install-test-deps.sh"
  command -v runuser >/dev/null 2>&1 || die "runuser not found (util-linux); cannot run PostgreSQL as 'postgres'"
  as_pg() { (cd / && runuser -u "$RUN_USER" -- "$@" 9>&-); }
else
  RUN_USER="$(id -un)"
  as_pg() { (cd / && "$@" 9>&-); }
fi

# --- binaries ------------------------------------------------------------------------------------

find_bin() {
  if [ -n "${FOVEA_PG_BIN:-}" ]; then
    [ -x "$FOVEA_PG_BIN/pg_ctl" ] || die "FOVEA_PG_BIN=$FOVEA_PG_BIN has no pg_ctl"
    PG_BIN="$FOVEA_PG_BIN"
    return
  fi
  local newest
  newest=$(for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && echo "$d"; done \
    | sort -t/ -k5,5V | tail -n 1 || true)
  [ -n "$newest" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin; run scripts/install-test-deps.sh (as root)"
  PG_BIN="$newest"
}
find_bin
for tool in pg_ctl initdb psql pg_isready; do
  [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool is missing (is the postgresql client installed?)"
done

jdbc_url() { echo "jdbc:postgresql://127.0.0.1:$1/$DB_NAME?user=$DB_USER&password=$DB_PASSWORD"; }

# --- state of the data folder -------------------------------------------------------------------

# Port of the server running on PG_DIR (line 4 of postmaster.pid), or empty.
running_port() {
  [ -r "$PG_DIR/postmaster.pid" ] && sed -n 4p "$PG_DIR/postmaster.pid" 2>/dev/null || true
}

proc_state() { # one-letter state of process $1 (R, S, Z, ...), empty when there is none
  awk '/^State:/ { print $2; exit }' "/proc/$1/status" 2>/dev/null || true
}

# True when a postmaster is alive for PG_DIR. A postmaster.pid whose PID now belongs to some
# other process (after a reboot or a container restart) is stale: it is removed, since
# PostgreSQL itself would refuse to start over it. A postmaster killed moments ago can linger
# as a zombie until it is reaped (slow in some containers); that counts as not running.
is_running() {
  [ -f "$PG_DIR/PG_VERSION" ] || return 1
  as_pg "$PG_BIN/pg_ctl" status -D "$PG_DIR" >/dev/null 2>&1 || return 1
  [ -d /proc/self ] || return 0 # no /proc to check against: trust pg_ctl
  local pid i
  pid=$(head -n 1 "$PG_DIR/postmaster.pid" 2>/dev/null || true)
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  for ((i = 0; i < 20; i++)); do
    [ "$(proc_state "$pid")" = Z ] || break
    sleep 0.5
  done
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = postgres ] && [ "$(proc_state "$pid")" != Z ]; then
    return 0
  fi
  if [ -d "/proc/$pid" ]; then
    say "removing stale $PG_DIR/postmaster.pid (PID $pid is not a live postgres process)"
    as_pg rm -f "$PG_DIR/postmaster.pid"
  fi
  return 1
}

log_tail() {
  if [ -r "$LOG_FILE" ]; then
    say "last lines of $LOG_FILE:"
    tail -n 30 "$LOG_FILE" | sed 's/^/    /' >&2
  else
    say "(no log file at $LOG_FILE)"
  fi
}

# Serialise concurrent calls (e.g. parallel test modules) on one data folder. The lock is on fd 9,
# which as_pg closes for its commands so that the server started by pg_ctl does not inherit it.
take_lock() {
  local lock="${PG_DIR%/}.lock"
  if { exec 9>>"$lock"; } 2>/dev/null; then
    if command -v flock >/dev/null 2>&1; then
      flock -w 120 9 || die "timed out waiting for the lock $lock (another pg-test-server.sh still running?)"
    fi
  else
    say "warning: cannot open lock file $lock; continuing without a lock"
  fi
}

# --- steps ----------------------------------------------------------------------------------------

prepare_dir() {
  if [ ! -d "$PG_DIR" ]; then
    say "creating data folder $PG_DIR"
    mkdir -p "$PG_DIR"
  fi
  if [ "$(id -u)" -eq 0 ] && [ ! -f "$PG_DIR/PG_VERSION" ]; then
    chown "$RUN_USER": "$PG_DIR"
  fi
  chmod 700 "$PG_DIR" 2>/dev/null || true
  local owner
  owner=$(stat -c %U "$PG_DIR")
  [ "$owner" = "$RUN_USER" ] || die "$PG_DIR is owned by '$owner', but the server runs as '$RUN_USER'; remove it or set FOVEA_PG_DIR"
  as_pg test -w "$PG_DIR" -a -x "$PG_DIR" \
    || die "user '$RUN_USER' cannot write $PG_DIR (a parent folder is not reachable for it?); set FOVEA_PG_DIR, e.g. under /tmp"
}

init_cluster() {
  [ -f "$PG_DIR/PG_VERSION" ] && return 0
  if [ -n "$(ls -A "$PG_DIR")" ]; then
    die "$PG_DIR is not empty but holds no PostgreSQL cluster (no PG_VERSION); remove it (rm -rf $PG_DIR) or set FOVEA_PG_DIR"
  fi
  say "initialising a cluster in $PG_DIR with $PG_BIN/initdb"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DIR" -U "$SUPERUSER" -A trust -E UTF8 --locale=C >&2; then
    die "initdb failed for $PG_DIR"
  fi
}

check_port_free() {
  if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U "$SUPERUSER" -d postgres -t 2 >/dev/null 2>&1; then
    die "something else already answers on 127.0.0.1:$PG_PORT; stop it or set FOVEA_PG_PORT"
  fi
  if command -v ss >/dev/null 2>&1 && ss -Hltn "sport = :$PG_PORT" 2>/dev/null | grep -q .; then
    die "port $PG_PORT is already in use; set FOVEA_PG_PORT to a free port"
  fi
}

# Wait until pg_isready says the server on PG_DIR accepts connections, over TCP as the tests connect.
wait_ready() {
  local port="$1" i
  for ((i = 0; i < READY_TIMEOUT * 2; i++)); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$SUPERUSER" -d postgres -t 1 >/dev/null 2>&1; then
      return 0
    fi
    if [ "$i" -ge 4 ] && ! as_pg "$PG_BIN/pg_ctl" status -D "$PG_DIR" >/dev/null 2>&1; then
      say "the PostgreSQL server process for $PG_DIR is gone"
      log_tail
      die "PostgreSQL did not start"
    fi
    sleep 0.5
  done
  log_tail
  die "PostgreSQL on 127.0.0.1:$port was not ready after ${READY_TIMEOUT}s"
}

start_server() {
  # -k: socket in the data folder (not /var/run/postgresql); fsync etc. off: test data only.
  local opts="-p $PG_PORT -c listen_addresses=127.0.0.1 -k '$PG_DIR' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  say "starting PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT, data in $PG_DIR, log in $LOG_FILE"
  if ! as_pg "$PG_BIN/pg_ctl" start -D "$PG_DIR" -l "$LOG_FILE" -W -o "$opts" >&2; then
    log_tail
    die "pg_ctl start failed"
  fi
}

psql_super() { # psql as the superuser over the unix socket in the data folder, on port $1
  local port="$1"; shift
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$port" -U "$SUPERUSER" -d postgres "$@"
}

ensure_database() {
  local port="$1"
  psql_super "$port" >&2 <<SQL || die "could not create role '$DB_USER' / database '$DB_NAME'"
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$DB_USER', '$DB_PASSWORD')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L', '$DB_NAME', '$DB_USER', 'UTF8')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
}

# Passwords over TCP, trust on the private socket. Written at every start (and reloaded into a running server),
# so that a cluster made by an older version of this script, with trust everywhere, is brought up to date.
write_hba() {
  as_pg sh -c "cat > '$PG_DIR/pg_hba.conf'" <<'HBA'
local all all trust
host  all all 127.0.0.1/32 scram-sha-256
HBA
}

# Leaves a ready server with role and database; sets PORT to the port it listens on.
ensure_started() {
  take_lock
  if is_running; then
    write_hba
    as_pg "$PG_BIN/pg_ctl" reload -D "$PG_DIR" >/dev/null 2>&1 || say "note: pg_ctl reload failed"
    sleep 0.5
    PORT=$(running_port)
    [ -n "$PORT" ] || PORT="$PG_PORT"
    [ "$PORT" = "$PG_PORT" ] || say "note: the server on $PG_DIR already runs on port $PORT (not FOVEA_PG_PORT=$PG_PORT); using $PORT"
    say "reusing the server already running on $PG_DIR (port $PORT)"
  else
    check_port_free
    prepare_dir
    init_cluster
    write_hba
    start_server
    PORT="$PG_PORT"
  fi
  wait_ready "$PORT"
  ensure_database "$PORT"
}

cmd_start() {
  ensure_started
  say "ready: $DB_NAME on 127.0.0.1:$PORT (superuser '$SUPERUSER' via socket in $PG_DIR)"
  jdbc_url "$PORT"
}

cmd_stop() {
  take_lock
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    say "no cluster in $PG_DIR; nothing to stop"
    return 0
  fi
  if ! is_running; then
    say "not running ($PG_DIR)"
    return 0
  fi
  say "stopping PostgreSQL on $PG_DIR"
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DIR" -m fast -w -t 60 >&2 || { log_tail; die "pg_ctl stop failed"; }
}

cmd_url() {
  local port=""
  is_running && port=$(running_port)
  jdbc_url "${port:-$PG_PORT}"
}

cmd_reset() {
  ensure_started
  say "dropping and recreating database $DB_NAME"
  psql_super "$PORT" >&2 <<SQL || die "could not reset database '$DB_NAME'"
DROP DATABASE IF EXISTS "$DB_NAME" WITH (FORCE);
SQL
  ensure_database "$PORT"
  jdbc_url "$PORT"
}

cmd_status() {
  if is_running; then
    say "running on $PG_DIR, port $(running_port)"
    return 0
  fi
  say "not running ($PG_DIR)"
  return 3
}

[ "$#" -eq 1 ] || usage
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  -h | --help | help) usage 0 ;;
  *) say "unknown subcommand '$1'"; usage ;;
esac
