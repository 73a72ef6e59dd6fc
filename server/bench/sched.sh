#!/usr/bin/env bash
# Scheduling measurements of carafe-server (the numbers in the crate docs, "Scheduling").
#
#   server/bench/sched.sh [ROUNDS] [SECONDS]      (defaults: 3 rounds, 5 s per wrk run)
#
# For each scheduling configuration, in one run with the axum peer of ../shared/bench
# (axum 0.8 on a tokio multi-thread runtime, nproc workers):
#   plaintext  wrk -t1 -c64 GET /plaintext, alternating axum and carafe, ROUNDS times;
#   mixed      the same wrk on carafe while 4 clients loop on GET /sleep?ms=1000
#              (a blocking handler); axum's plaintext of the same round is the reference.
# Reported: the median over the rounds of carafe/axum req/s, and carafe's p99 and max
# latency (the max of the mixed run shows whether a sleeping handler delayed fast ones),
# and the server CPU time per request of each (user+system time of all its processes
# over the wrk run / requests): on a shared host whose other jobs take CPU, req/s
# ratios are noisy but CPU per request is not.
# Before each wrk run the script waits (up to QUIET_WAIT s) for the host to be quiet.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
SECS=${2:-5}
TARGET=${CARGO_TARGET_DIR:-target}
PEERS_TARGET=${BENCH_PEERS_TARGET:-/tmp/carafe-bench-peers-target}
PEERS=${BENCH_PEERS:-../shared/bench/peers}
AXUM_PORT=18901
CARAFE_PORT=18902

cargo build --release -q -p carafe-server --bin carafe-testapp
CARGO_TARGET_DIR=$PEERS_TARGET cargo build --release -q --manifest-path "$PEERS/Cargo.toml" -p peer-axum
TESTAPP=$TARGET/release/carafe-testapp
AXUM=$PEERS_TARGET/release/peer-axum

QUIET_WAIT=${QUIET_WAIT:-20}
quiet() { # wait (max QUIET_WAIT s) until the host uses <= 25% of one core over 1 s
  local a b busy
  for _ in $(seq "$QUIET_WAIT"); do
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
    busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
    [ "$busy" -le 25 ] && return 0
  done
  echo "  (host not quiet: busy=$busy%)" >&2
  NOISY=$((NOISY + 1))
}
NOISY=0

# CPU ticks (user+system) of a process and its children
ticks() {
  local total=0 pid
  for pid in "$1" $(ps -o pid= --ppid "$1"); do
    total=$((total + $(awk '{print $14 + $15}' /proc/$pid/stat 2>/dev/null || echo 0)))
  done
  echo $total
}

# wrk URL SERVER_PID -> "req/s p99 max errors cpu_us_per_request"
measure() {
  wrk -t1 -c64 -d1s "$1" >/dev/null 2>&1
  local before after out; before=$(ticks "$2")
  out=$(wrk -t1 -c64 -d${SECS}s --timeout 10s --latency "$1" 2>&1)
  after=$(ticks "$2")
  local rps p99 max err requests
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  max=$(awk '$1=="Latency" {print $4}' <<<"$out")
  err=$(grep -cE "Non-2xx|Socket errors" <<<"$out" || true)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$rps $p99 $max $err $(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_config() {
  local name=$1; shift
  setsid "$AXUM" --port $AXUM_PORT >/dev/null 2>&1 & local ax=$!
  setsid "$TESTAPP" --bind 127.0.0.1:$CARAFE_PORT "$@" >/dev/null 2>&1 & local cf=$!
  sleep 1
  local ratios=() mixed=() p99s=() mp99s=() mmaxs=() cpus=() errors=0
  for round in $(seq "$ROUNDS"); do
    # Alternate which server goes first, so a drift in the host load is shared.
    if [ $((round % 2)) = 1 ]; then
      quiet; read -r a_rps _ _ a_err a_cpu < <(measure http://127.0.0.1:$AXUM_PORT/plaintext $ax)
      quiet; read -r c_rps c_p99 _ c_err c_cpu < <(measure http://127.0.0.1:$CARAFE_PORT/plaintext $cf)
    else
      quiet; read -r c_rps c_p99 _ c_err c_cpu < <(measure http://127.0.0.1:$CARAFE_PORT/plaintext $cf)
      quiet; read -r a_rps _ _ a_err a_cpu < <(measure http://127.0.0.1:$AXUM_PORT/plaintext $ax)
    fi
    quiet
    local sleepers=()
    for _ in 1 2 3 4; do
      ( for _ in $(seq $((SECS + 3))); do curl -s -m 5 http://127.0.0.1:$CARAFE_PORT/sleep?ms=1000 >/dev/null; done ) &
      sleepers+=($!)
    done
    sleep 0.3
    read -r m_rps m_p99 m_max m_err _ < <(measure http://127.0.0.1:$CARAFE_PORT/plaintext $cf)
    kill "${sleepers[@]}" 2>/dev/null || true; wait "${sleepers[@]}" 2>/dev/null || true
    ratios+=("$(awk -v c="$c_rps" -v a="$a_rps" 'BEGIN {printf "%.2f", c/a}')")
    mixed+=("$(awk -v c="$m_rps" -v a="$a_rps" 'BEGIN {printf "%.2f", c/a}')")
    p99s+=("$c_p99"); mp99s+=("$m_p99"); mmaxs+=("$m_max")
    cpus+=("$(awk -v c="$c_cpu" -v a="$a_cpu" 'BEGIN {printf "%.2f", c/a}')")
    errors=$((errors + a_err + c_err + m_err))
    echo "  $name: axum $a_rps ($a_cpu us/req), carafe $c_rps (p99 $c_p99, $c_cpu us/req), mixed $m_rps (p99 $m_p99, max $m_max)" >&2
  done
  kill -TERM -- -$ax -$cf 2>/dev/null || true; wait $ax $cf 2>/dev/null || true
  printf "| %s | \`%s\` | %sx | %sx | %s | %sx | %s | %s | %s |\n" "$name" "$*" \
    "$(printf '%s\n' "${ratios[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)" "${p99s[*]}" \
    "$(printf '%s\n' "${mixed[@]}" | median)" "${mp99s[*]}" "${mmaxs[*]}" "$errors"
}

echo "| scheduling | flags | req/s vs axum | CPU/req vs axum | p99 | mixed req/s vs axum | mixed p99 | mixed max | errors |"
echo "|---|---|---:|---:|---|---:|---|---|---:|"
run_config "adaptive, 1 process x 1 current-thread runtime" --workers 1 --io-threads 1
run_config "adaptive, 2 processes x 1 current-thread runtime (default for -w 2)" --workers 2
run_config "adaptive, 1 process x 2-thread runtime (default for -w 1)" --workers 1 --io-threads 2
run_config "inline, 1 process x 2-thread runtime" --workers 1 --io-threads 2 --scheduler inline
run_config "inline, 2 processes x 1 current-thread runtime" --workers 2 --scheduler inline
run_config "dedicated pool (16 threads)" --workers 1 --scheduler pool
run_config "tokio blocking pool" --workers 1 --scheduler blocking
echo
echo "wrk runs on a host busier than 25% of a core beforehand: $NOISY"

