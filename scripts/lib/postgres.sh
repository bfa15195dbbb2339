# A throwaway PostgreSQL cluster for tests and benchmarks, listening on a Unix socket only.
# Source it, then: pg_start DIR [server options]; the connection string is in $PG_URL;
# pg_stop DIR stops it. Installs Debian's postgresql package when no server is found. As
# root the cluster belongs to the postgres user (initdb refuses root).

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

pg_as() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    local dir=$1; shift
    PG_BIN=$(pg_bin)
    if [ -z "$PG_BIN" ]; then
        if [ "$(id -u)" -eq 0 ]; then
            apt-get install -y -qq postgresql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }
        else
            sudo apt-get install -y -qq postgresql >/dev/null
        fi
        PG_BIN=$(pg_bin)
    fi
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    pg_as "$PG_BIN/initdb" -D "$dir/pg" -U postgres --auth=trust -E UTF8 >/dev/null
    pg_as "$PG_BIN/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -s \
        -o "-k $dir -c listen_addresses='' $*" start
    PG_URL="host=$dir user=postgres dbname=postgres"
}

pg_stop() {
    local dir=$1
    if [ -d "$dir/pg" ]; then
        pg_as "$(pg_bin)/pg_ctl" -D "$dir/pg" stop -m immediate -s >/dev/null 2>&1 || true
    fi
}
