#!/bin/sh
# Start or stop a throwaway PostgreSQL server for compapp's tests.
#   scripts/pg_throwaway.sh start   -> prints the database URL
#   scripts/pg_throwaway.sh stop
# The server listens on 127.0.0.1 only, in a fresh data directory that `stop` removes.
set -eu
PORT="${COMPAPP_PG_PORT:-25432}"
DIR="${COMPAPP_PG_DIR:-/tmp/compapp-pg-$PORT}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$BIN" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql (make test does this as root)" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
  start)
    if [ -f "$DIR/postmaster.pid" ]; then as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true; fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
    as_pg "$BIN/initdb" -D "$DIR" -U compapp --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_pg "$BIN/pg_ctl" -D "$DIR" -w -l "$DIR/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U compapp compapp_test
    echo "postgresql+psycopg://compapp@127.0.0.1:$PORT/compapp_test"
    ;;
  stop)
    if [ -d "$DIR" ]; then
      as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
      rm -rf "$DIR"
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
