#!/usr/bin/env bash
# examples/bench/compare.sh [ROUNDS] [SECONDS] [ENDPOINTS] — Carafe's bench app beside the axum
# peer of ../shared/bench, per endpoint, alternating the two servers round by round.
#
#   cargo build --release --example bench
#   examples/bench/compare.sh 3 3 plaintext,json,users,issue,fortunes,form,upload
#
# Per endpoint and round: wrk -t1 -c64 (after a 1 s warm-up) on axum and on Carafe (which goes
# first alternates). Reported per endpoint: the median over the rounds of carafe/axum req/s, of
# carafe/axum p99, and of carafe/axum server CPU time per request (user+system time of all the
# server's processes over the wrk run / requests). On this shared 2-core host req/s ratios swing
# with other sessions' load; CPU per request is stable within a few percent: read both.
# Extra server flags: CARAFE_FLAGS="--workers 2" (default: none, the server's defaults).
# run.sh (../shared/bench) stays the reference for the README's tables.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
SECS=${2:-3}
ENDPOINTS=${3:-plaintext,json,users,issue,fortunes,form,upload}
TARGET=${CARGO_TARGET_DIR:-target}
BENCH=${BENCH_DIR:-../shared/bench}
PEERS_TARGET=${BENCH_PEERS_TARGET:-/tmp/carafe-bench-peers-target}
export BENCH_PAYLOADS=${BENCH_PAYLOADS:-/tmp/bench-payloads}
[ -f "$BENCH_PAYLOADS/upload.body" ] || python3 "$BENCH/gen_payloads.py" "$BENCH_PAYLOADS"
AXUM=$PEERS_TARGET/release/peer-axum
CARAFE=$TARGET/release/examples/bench
[ -x "$AXUM" ] || CARGO_TARGET_DIR=$PEERS_TARGET cargo build --release -q --manifest-path "$BENCH/peers/Cargo.toml" -p peer-axum
[ -x "$CARAFE" ] || { echo "build it first: cargo build --release --example bench" >&2; exit 1; }
AXUM_PORT=${AXUM_PORT:-18911}
CARAFE_PORT=${CARAFE_PORT:-18912}

path_of() {
  case "$1" in
    plaintext) echo /plaintext ;; json) echo /json ;; users) echo /users/42/posts/hello-world ;;
    issue) echo /repos/pallets/flask/issues/1234 ;; fortunes) echo /fortunes ;;
    form) echo /form ;; upload) echo /upload ;; *) echo "unknown endpoint $1" >&2; exit 2 ;;
  esac
}
lua_of() { case "$1" in form) echo "-s $BENCH/lua/form.lua" ;; upload) echo "-s $BENCH/lua/upload.lua" ;; esac; }

# CPU ticks (user+system) of a process group
ticks() {
  local total=0 f line rest
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2>/dev/null || continue
    rest="${line##*) }"
    set -- $rest
    [ "$3" = "$PG" ] && total=$((total + ${12} + ${13}))
  done
  echo $total
}

to_us() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1e6; else print n }'; }

# measure URL PGID LUA -> "req/s p99_us errors cpu_us_per_request"
measure() {
  local url=$1 lua=$3 before after out
  PG=$2
  # shellcheck disable=SC2086
  timeout 20 wrk -t1 -c64 -d1s $lua "$url" >/dev/null 2>&1 || true
  before=$(ticks)
  # shellcheck disable=SC2086
  out=$(timeout $((SECS + 15)) wrk -t1 -c64 -d"${SECS}s" --timeout 10s --latency $lua "$url" 2>&1)
  after=$(ticks)
  local rps p99 err requests
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(to_us "$(awk '$1=="99%" {print $2}' <<<"$out")")
  err=$(grep -cE "Non-2xx|Socket errors" <<<"$out" || true)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$rps $p99 $err $(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v c="$1" -v a="$2" 'BEGIN {printf "%.2f", (a > 0 ? c / a : 0)}'; }

setsid "$AXUM" --port "$AXUM_PORT" >/dev/null 2>&1 &
AX=$!
# shellcheck disable=SC2086
setsid "$CARAFE" serve --bind "127.0.0.1:$CARAFE_PORT" ${CARAFE_FLAGS:-} >/tmp/carafe-compare-server.log 2>&1 &
CF=$!
cleanup() { kill -TERM -- "-$AX" "-$CF" 2>/dev/null || true; wait "$AX" "$CF" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$CARAFE_PORT/plaintext" >/dev/null && curl -sf "http://127.0.0.1:$AXUM_PORT/plaintext" >/dev/null && break
  sleep 0.1
done

echo "| endpoint | axum req/s | carafe req/s | req/s ratio | p99 ratio | CPU/req ratio | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for endpoint in ${ENDPOINTS//,/ }; do
  path=$(path_of "$endpoint")
  lua=$(lua_of "$endpoint")
  rates=() p99s=() cpus=() a_all=() c_all=() errors=0
  for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then
      read -r a_rps a_p99 a_err a_cpu < <(measure "http://127.0.0.1:$AXUM_PORT$path" "$AX" "$lua")
      read -r c_rps c_p99 c_err c_cpu < <(measure "http://127.0.0.1:$CARAFE_PORT$path" "$CF" "$lua")
    else
      read -r c_rps c_p99 c_err c_cpu < <(measure "http://127.0.0.1:$CARAFE_PORT$path" "$CF" "$lua")
      read -r a_rps a_p99 a_err a_cpu < <(measure "http://127.0.0.1:$AXUM_PORT$path" "$AX" "$lua")
    fi
    a_all+=("$a_rps"); c_all+=("$c_rps")
    rates+=("$(ratio "$c_rps" "$a_rps")"); p99s+=("$(ratio "$c_p99" "$a_p99")"); cpus+=("$(ratio "$c_cpu" "$a_cpu")")
    errors=$((errors + a_err + c_err))
    echo "  $endpoint $round: axum $a_rps (p99 ${a_p99}us, $a_cpu us/req), carafe $c_rps (p99 ${c_p99}us, $c_cpu us/req)" >&2
  done
  printf "| %s | %s | %s | %sx | %sx | %sx | %s |\n" "$endpoint" \
    "$(printf '%s\n' "${a_all[@]}" | median)" "$(printf '%s\n' "${c_all[@]}" | median)" \
    "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${p99s[@]}" | median)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$errors"
done
