# Sourced by scripts/run-local and scripts/bench-sink: a throwaway PostgreSQL from Debian's
# packages. start_local_postgres runs initdb into a new temporary folder (as the postgres user
# when run as root), starts the server on a free loopback port with its Unix socket in that
# folder, and sets PG_URL, PG_BIN, PG_DIR and PG_PID; stop_local_postgres stops it (fast
# shutdown) and deletes the folder.

start_local_postgres() {
    PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        echo "PostgreSQL is not installed: run scripts/install-deps --postgres" >&2
        return 1
    fi
    PG_DIR=$(mktemp -d)
    local as_postgres=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$PG_DIR"
        as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)
    fi
    chmod 700 "$PG_DIR"
    "${as_postgres[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync \
        >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_postgres[@]}" "$PG_BIN/postgres" -D "$PG_DIR/data" -p "$port" -k "$PG_DIR" \
        -c listen_addresses=127.0.0.1 -c fsync=off "$@" >"$PG_DIR/server.log" 2>&1 &
    PG_PID=$!
    for _ in $(seq 1 1500); do
        grep -q "ready to accept connections" "$PG_DIR/server.log" 2>/dev/null && break
        kill -0 "$PG_PID" 2>/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
        sleep 0.02
    done
    grep -q "ready to accept connections" "$PG_DIR/server.log" || { cat "$PG_DIR/server.log" >&2; return 1; }
    PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

stop_local_postgres() {
    if [ -n "${PG_PID:-}" ]; then
        kill -INT "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null
        PG_PID=
    fi
    [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
    PG_DIR=
}
