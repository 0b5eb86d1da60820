#!/usr/bin/env bash
# Load benchmark of the web application (issue 6): `trappe serve --demo` on a fresh
# SQLite file and, when a PostgreSQL answers on 127.0.0.1:5432, on a fresh PostgreSQL
# database; oha (https://github.com/hatoo/oha) as the load generator. Loopback only,
# bounded in time (about 2 minutes with the defaults once built; oha is installed
# into target/tools with `cargo install` the first time when it is not on PATH).
#
#   scripts/load-test.sh
#
# For every route: requests/s, median and p99 at 50 connections for a fixed time, and
# the median of one connection (≈ the server time of a single request: loopback adds
# ~0.05 ms). Beside them, the CPU time per request of trappe, of oha and of the local
# PostgreSQL, the connections PostgreSQL accepted per request, and how much of the
# machine other processes took meanwhile (the load generator and PostgreSQL share the
# machine; so may other people's compilers: run when `uptime` shows a low load). Raw
# oha JSON and the summary are kept in target/load-test/<time>/. Exit status 2 when a
# response was not 200 OK.
#
# Settings (environment):
#   LOAD_DURATION=10s         time per route at LOAD_CONNECTIONS
#   LOAD_CONNECTIONS=50       concurrent connections
#   LOAD_SINGLE_DURATION=5s   time per route at one connection (0 to skip)
#   LOAD_WARMUP=200           requests sent to each route before measuring
#   LOAD_ON=2024-03-01        the date of the overview (the Copenhagen example)
#   LOAD_ENGINES="sqlite postgres"
#   LOAD_PG_HOST=127.0.0.1 LOAD_PG_PORT=5432 LOAD_PG_USER=postgres LOAD_PG_DB=trappe_load
#                             (trust auth; the database is dropped and created anew,
#                             and dropped at the end)
#   LOAD_NO_BUILD=1           use the binary already built
#   CARGO_TARGET_DIR          where cargo builds (default target/)
set -euo pipefail
export LC_ALL=C

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

duration=${LOAD_DURATION:-10s}
connections=${LOAD_CONNECTIONS:-50}
single=${LOAD_SINGLE_DURATION:-5s}
warmup=${LOAD_WARMUP:-200}
on=${LOAD_ON:-2024-03-01}
engines=${LOAD_ENGINES:-sqlite postgres}
pg_host=${LOAD_PG_HOST:-127.0.0.1}
pg_port=${LOAD_PG_PORT:-5432}
pg_user=${LOAD_PG_USER:-postgres}
pg_db=${LOAD_PG_DB:-trappe_load}
target=${CARGO_TARGET_DIR:-$repo/target}

routes=(
    "/?on=$on"
    "/api/v1/overview?on=$on"
    "/departments/101-0001?on=$on"
    "/static/app.css"
)

die() {
    echo "load-test: $*" >&2
    exit 1
}

# "10s", "2m", "500ms" → whole seconds (rounded up), for the outer timeouts.
seconds_of() {
    case $1 in
    *ms) echo $((${1%ms} / 1000 + 1)) ;;
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *h) echo $((${1%h} * 3600)) ;;
    *) die "a duration like 10s or 1m, not $1" ;;
    esac
}
seconds_of "$duration" >/dev/null
[[ $single == 0 ]] || seconds_of "$single" >/dev/null
[[ $pg_host == 127.0.0.1 || $pg_host == localhost ]] ||
    die "PostgreSQL must be on loopback (LOAD_PG_HOST=$pg_host)"
[[ $pg_db =~ ^[a-z_][a-z0-9_]*$ ]] || die "LOAD_PG_DB must be a plain name"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (to read oha's JSON)"

# --- build ------------------------------------------------------------------------
if [[ ${LOAD_NO_BUILD:-} != 1 ]]; then
    echo "== cargo build --release -p trappe"
    cargo build --release -p trappe
fi
bin=$target/release/trappe
[[ -x $bin ]] || die "no $bin (build it, or unset LOAD_NO_BUILD)"

# --- load generator -----------------------------------------------------------------
if command -v oha >/dev/null; then
    oha=$(command -v oha)
elif [[ -x $repo/target/tools/bin/oha ]]; then
    oha=$repo/target/tools/bin/oha
else
    echo "== oha is not on PATH: cargo install oha --locked --root target/tools (once)"
    cargo install oha --locked --root "$repo/target/tools"
    oha=$repo/target/tools/bin/oha
fi
echo "== $("$oha" --version) ($oha)"

# --- bookkeeping, cleanup -------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/trappe-load.XXXXXX")
results=$target/load-test/$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
: >"$results/runs.tsv"
server_pid=""
pg_created=""

stop_server() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}

drop_pg() {
    if [[ -n $pg_created ]]; then
        psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -q -X \
            -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
        pg_created=""
    fi
}

cleanup() {
    stop_server
    drop_pg
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU ticks (user + system) of a process, from /proc; 0 where there is no /proc.
cpu_ticks() {
    if [[ -r /proc/$1/stat ]]; then
        # Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
        local rest
        rest=$(sed 's/^.*) //' "/proc/$1/stat")
        awk '{print $12 + $13}' <<<"$rest"
    else
        echo 0
    fi
}

# Busy and total ticks of the whole machine, from /proc/stat.
machine_ticks() {
    if [[ -r /proc/stat ]]; then
        awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit}' /proc/stat
    else
        echo "0 0"
    fi
}

# Milliseconds of user + system time of the children in the output of `times`.
child_ms() {
    sed -n 2p "$1" | awk '{
        t = 0
        for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] }
        printf "%d\n", t * 1000 }'
}

# Connections PostgreSQL has accepted into the benchmark database so far (PostgreSQL 14+).
pg_sessions() {
    psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -X -Atc \
        "SELECT sessions FROM pg_stat_database WHERE datname = '$pg_db'" 2>/dev/null || echo 0
}

# CPU ticks of the local PostgreSQL server: the postmaster with the backends it has
# reaped, and the live ones; -1 where they cannot be read (not local, no /proc, no pgrep).
pg_cpu_ticks() {
    local pm t c
    pm=$(pgrep -o -x postgres 2>/dev/null) || { echo -1; return; }
    [[ -r /proc/$pm/stat ]] || { echo -1; return; }
    t=$(sed 's/^.*) //' "/proc/$pm/stat" | awk '{print $12 + $13 + $14 + $15}')
    for c in $(pgrep -P "$pm" 2>/dev/null); do
        t=$((t + $(cpu_ticks "$c" 2>/dev/null || echo 0)))
    done
    echo "$t"
}

# --- one server -------------------------------------------------------------------
# start_server NAME DB: starts `trappe --db DB serve --demo` on a free loopback port
# and sets base.
start_server() {
    local name=$1 db=$2 out=$work/$1.out err=$work/$1.err started=$SECONDS
    : >"$out" # before the server starts: reading it must not race its creation
    env -u DATABASE_URL "$bin" --db "$db" serve --demo --addr 127.0.0.1:0 >"$out" 2>"$err" &
    server_pid=$!
    base=""
    while [[ -z $base ]]; do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            cat "$err" >&2
            server_pid=""
            die "the $name server stopped while starting"
        fi
        ((SECONDS - started < 300)) || die "the $name server did not start in 300 s"
        base=$(sed -n '1s/^trappe: \(http:\/\/127\.0\.0\.1:[0-9]*\)\/.*$/\1/p' "$out")
        [[ -n $base ]] || sleep 0.2
    done
    until curl -fsS --max-time 2 "$base/healthz" >/dev/null 2>&1; do
        ((SECONDS - started < 300)) || die "$base/healthz does not answer"
        sleep 0.2
    done
    echo "   $name: $base (demo data loaded, up after $((SECONDS - started)) s)"
}

# sign_in USER: signs in with the demo password and sets session.
sign_in() {
    local jar=$work/cookies.$1 page csrf code
    rm -f "$jar"
    page=$(curl -fsS -c "$jar" -b "$jar" "$base/login")
    csrf=$(grep -o -m1 'name="csrf" value="[0-9a-f]*"' <<<"$page" || true)
    csrf=${csrf##*value=\"}
    csrf=${csrf%%\"*}
    [[ -n $csrf ]] || die "no CSRF field on $base/login"
    code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
        --data-urlencode "username=$1" --data-urlencode "password=demo-$1" \
        --data-urlencode "csrf=$csrf" "$base/login")
    [[ $code == 303 ]] || die "sign-in as $1 gave HTTP $code, not 303"
    session=$(awk '$6 == "trappe_session" { print $7 }' "$jar")
    [[ -n $session ]] || die "sign-in as $1 set no trappe_session cookie"
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: trappe_session=$session" "$base/api/v1/me")
    [[ $code == 200 ]] || die "the session cookie does not authorise /api/v1/me (HTTP $code)"
}

# measure ENGINE PATH CONNECTIONS DURATION
measure() {
    local engine=$1 path=$2 conns=$3 dur=$4 json cpu0 cpu1 m0 m1
    json=$results/$engine-$(tr -c 'a-zA-Z0-9\n' '_' <<<"$path")-c$conns.json
    local limit pg0=0 pg1=0 pgc0=0 pgc1=0
    limit=$(($(seconds_of "$dur") + 60))
    [[ $engine != postgres ]] || { pg0=$(pg_sessions); pgc0=$(pg_cpu_ticks); }
    cpu0=$(cpu_ticks "$server_pid")
    m0=$(machine_ticks)
    times >"$work/times0" # the CPU time of this shell's children: here, oha's
    timeout "$limit" "$oha" --no-tui --output-format json -w \
        -z "$dur" -c "$conns" -H "Cookie: trappe_session=$session" "$base$path" >"$json"
    times >"$work/times1"
    cpu1=$(cpu_ticks "$server_pid")
    m1=$(machine_ticks)
    [[ $engine != postgres ]] || { pg1=$(pg_sessions); pgc1=$(pg_cpu_ticks); }
    printf '%s\t%s\t%s\t%s\t%s\t%s %s\t%s\t%s\t%s\n' "$engine" "$path" "$conns" "$json" \
        $((cpu1 - cpu0)) "$m0" "$m1" "$(($(child_ms "$work/times1") - $(child_ms "$work/times0")))" \
        $((pg1 - pg0)) $((pgc1 < 0 || pgc0 < 0 ? -1 : pgc1 - pgc0)) >>"$results/runs.tsv"
    python3 - "$json" "$engine" "$path" "$conns" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s, p = d["summary"], d["latencyPercentiles"]
print(f"   {sys.argv[2]:8} {sys.argv[3]:38} c={sys.argv[4]:>3}  {s['requestsPerSec']:8.0f} req/s"
      f"  p50 {p['p50'] * 1000:7.2f} ms  p99 {p['p99'] * 1000:7.2f} ms"
      f"  status {d['statusCodeDistribution']} {d['errorDistribution'] or ''}")
EOF
}

bench() {
    local engine=$1 path
    echo "   load: $(uptime | sed 's/.*load average/load average/') on $(nproc) cores"
    for path in "${routes[@]}"; do
        "$oha" --no-tui --output-format quiet -n "$warmup" -c 10 \
            -H "Cookie: trappe_session=$session" "$base$path" >/dev/null
        measure "$engine" "$path" "$connections" "$duration"
        [[ $single == 0 ]] || measure "$engine" "$path" 1 "$single"
    done
}

{
    echo "date: $(date -Iseconds)"
    echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
    echo "oha: $("$oha" --version), $duration at $connections connections, $single at 1 connection, warm-up $warmup requests"
} >"$results/about.txt"
echo "== results in $results"

for engine in $engines; do
    case $engine in
    sqlite)
        echo "== SQLite"
        start_server sqlite "$work/load.db"
        ;;
    postgres)
        echo "== PostgreSQL"
        if ! command -v pg_isready >/dev/null || ! command -v psql >/dev/null ||
            ! pg_isready -q -h "$pg_host" -p "$pg_port"; then
            echo "   PostgreSQL skipped: nothing answers on $pg_host:$pg_port (or no pg_isready/psql)"
            echo "postgres: skipped" >>"$results/about.txt"
            continue
        fi
        PGOPTIONS="-c client_min_messages=warning" \
            psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -q -X -v ON_ERROR_STOP=1 \
            -c "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db"
        pg_created=1
        echo "postgres: $(psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -X -Atc 'SHOW server_version') on $pg_host:$pg_port" >>"$results/about.txt"
        start_server postgres "postgres://$pg_user@$pg_host:$pg_port/$pg_db"
        ;;
    *) die "unknown engine $engine (sqlite, postgres)" ;;
    esac
    echo "$engine load before: $(uptime | sed 's/.*load average/load average/')" >>"$results/about.txt"
    sign_in kommune
    bench "$engine"
    stop_server
    [[ $engine != postgres ]] || drop_pg
done

# --- summary ----------------------------------------------------------------------
python3 - "$results" "$(getconf CLK_TCK 2>/dev/null || echo 100)" "$connections" <<'EOF' | tee "$results/summary.md"
import json, sys
results, hz, conns = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs, order = {}, []
for line in open(f"{results}/runs.tsv"):
    engine, path, c, js, cpu, machine, gen_ms, pg_new, pg_cpu = line.rstrip("\n").split("\t")
    b0, t0, b1, t1 = map(int, machine.split())
    d = json.load(open(js))
    s, p = d["summary"], d["latencyPercentiles"]
    n = sum(d["statusCodeDistribution"].values())
    bad = {k: v for k, v in d["statusCodeDistribution"].items() if k != "200"}
    bad.update(d["errorDistribution"])
    per = lambda x: x / n if n else None
    runs[(engine, path, c)] = dict(
        rps=s["requestsPerSec"], p50=p["p50"] * 1000, p99=p["p99"] * 1000, n=n, bad=bad,
        cpu=per(int(cpu) / hz * 1000), gen=per(int(gen_ms)),
        busy=(100 * (b1 - b0) / (t1 - t0)) if t1 > t0 else None,
        # Busy time of the machine not spent by trappe, oha or PostgreSQL: other people's work.
        other=(100 * max(0, (b1 - b0) - int(cpu) - int(gen_ms) * hz / 1000 - max(0, int(pg_cpu)))
               / (t1 - t0)) if t1 > t0 else None,
        pg_new=per(int(pg_new)) if engine == "postgres" else None,
        pg_cpu=per(int(pg_cpu) / hz * 1000) if engine == "postgres" and int(pg_cpu) >= 0 else None)
    if path not in order:
        order.append(path)
engines = [e for e in ("sqlite", "postgres") if any(k[0] == e for k in runs)]
names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

def f(v, fmt):
    return "–" if v is None else format(v, fmt)

def table(head, rows):
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()

for line in open(f"{results}/about.txt"):
    print(f"    {line.rstrip()}")
print(f"\nThroughput and latency: {conns} connections (c=1: one connection, its median ≈ server time)\n")
head, rows = ["route"], []
for e in engines:
    head += [f"{names[e]} req/s", "p50 ms", "p99 ms", "p50 ms c=1"]
for path in order:
    cells = [f"`{path}`"]
    for e in engines:
        r, r1 = runs.get((e, path, conns)), runs.get((e, path, "1"))
        cells += [f(r and r["rps"], ".0f"), f(r and r["p50"], ".2f"), f(r and r["p99"], ".1f"),
                  f(r1 and r1["p50"], ".2f")]
    rows.append(cells)
table(head, rows)

print(f"Cost per request at {conns} connections (CPU ms per request; machine busy = all cores, everything)\n")
head, rows = ["route", "engine", "trappe CPU", "oha CPU", "PostgreSQL CPU", "new DB connections",
              "machine busy %", "other processes %"], []
for path in order:
    for e in engines:
        r = runs.get((e, path, conns))
        if r:
            rows.append([f"`{path}`", names[e], f(r["cpu"], ".2f"), f(r["gen"], ".2f"),
                         f(r["pg_cpu"], ".2f"), f(r["pg_new"], ".2f"), f(r["busy"], ".0f"),
                         f(r["other"], ".0f")])
table(head, rows)

for (e, path, c), r in runs.items():
    if r["bad"]:
        print(f"WARNING: {e} {path} c={c}: not only 200 OK: {r['bad']}")
print("Targets for the overview: median of one request <= 20 ms; at 50 connections >= 1,000 req/s, p99 < 100 ms"
      + ("" if conns == "50" else f" (this run: {conns} connections)"))
for e in engines:
    r, r1 = runs.get((e, order[0], conns)), runs.get((e, order[0], "1"))
    checks = []
    if r1:
        checks.append(f"median {r1['p50']:.2f} ms {'ok' if r1['p50'] <= 20 else 'MISSED'}")
    if r:
        checks.append(f"{r['rps']:.0f} req/s {'ok' if r['rps'] >= 1000 else 'MISSED'}")
        checks.append(f"p99 {r['p99']:.1f} ms {'ok' if r['p99'] < 100 else 'MISSED'}")
    print(f"  {names[e]}: " + ", ".join(checks))
print("\ntrappe CPU: the server process; oha CPU: the load generator; PostgreSQL CPU: the whole local"
      "\nPostgreSQL server (backends included); new DB connections: connections PostgreSQL accepted"
      "\nper request (the server's pool keeps 8 idle ones). All of them share the machine's cores;"
      "\nother processes % = busy time of everything else (e.g. someone compiling): the figures"
      "\nare only comparable between runs where it is near 0.")
EOF
if grep -q '^WARNING' "$results/summary.md"; then
    exit 2
fi
