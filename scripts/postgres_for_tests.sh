#!/bin/sh
# A throwaway PostgreSQL server for the tests: Debian's postgresql package, a cluster in a
# temporary folder, listening on 127.0.0.1 only, trusting local connections (it holds
# nothing but test databases). Prints the line to give the tests:
#   eval "$(sh scripts/postgres_for_tests.sh start)"   # sets SKILLDESK_TEST_POSTGRES
#   sh scripts/postgres_for_tests.sh stop
# Settings put speed before durability (fsync off): the tests check transactions, not disks.
set -eu
FOLDER=${SKILLDESK_PG_FOLDER:-/tmp/skilldesk-pg-tests}
PORT=${SKILLDESK_PG_PORT:-55432}

bin_dir() {
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/pg_ctl" ] && last="$dir"
    done
    echo "${last:-}"
}

as_owner() {
    # initdb and the server refuse to run as root: run them as the postgres account.
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-}" in
start)
    BIN=$(bin_dir)
    if [ -z "$BIN" ]; then
        sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        echo "安装 PostgreSQL（测试用）……" >&2
        $sudo apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
        BIN=$(bin_dir)
        # The package starts its own cluster on 5432; the tests use theirs only.
        $sudo pg_ctlcluster --force "$(basename "$(dirname "$BIN")")" main stop >/dev/null 2>&1 || true
    fi
    if [ -f "$FOLDER/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$FOLDER/data" status >/dev/null 2>&1; then
        as_owner "$BIN/pg_ctl" -D "$FOLDER/data" -m immediate stop >/dev/null
    fi
    rm -rf "$FOLDER"
    mkdir -p "$FOLDER/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$FOLDER"
    as_owner "$BIN/initdb" -D "$FOLDER/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    as_owner "$BIN/pg_ctl" -D "$FOLDER/data" -l "$FOLDER/server.log" -w start -o \
        "-p $PORT -c listen_addresses=127.0.0.1 -k $FOLDER/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
    echo "export SKILLDESK_TEST_POSTGRES=postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
    ;;
stop)
    BIN=$(bin_dir)
    [ -n "$BIN" ] && [ -d "$FOLDER/data" ] && as_owner "$BIN/pg_ctl" -D "$FOLDER/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$FOLDER"
    ;;
*)
    echo "用法：sh scripts/postgres_for_tests.sh start|stop" >&2
    exit 2
    ;;
esac
