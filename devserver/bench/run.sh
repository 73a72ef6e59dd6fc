#!/usr/bin/env bash
# The development server beside the raw tiny_http peer and Werkzeug's dev server, in one
# run of ../shared/bench/run.sh (plaintext, json, form, upload).
#
#   devserver/bench/run.sh [DURATION]            (from the workspace root; default 5s)
#
# run.sh's `project-dev` implementation builds `examples/bench` of $PROJECT_DIR and starts
# it with `dev --no-reload --bind`; this script points PROJECT_DIR at a small shim package
# whose example `bench` is devserver/examples/devserver_bench.rs (the root package's own
# examples/bench, with routing and templates, is the App's: check.sh's table-route checks fail
# here, the endpoints measured pass). Results are printed, not saved into the shared folder
# (SAVE=0).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bench="${BENCH_DIR:-$root/../shared/bench}"
shim="${TMPDIR:-/tmp}/carafe-devserver-bench-shim"
mkdir -p "$shim/examples"
cat > "$shim/Cargo.toml" <<TOML
[package]
name = "carafe-devserver-bench-shim"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
carafe-devserver = { path = "$root/devserver" }
carafe-wrappers = { path = "$root/wrappers" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
http = "1"

[[example]]
name = "bench"
path = "$root/devserver/examples/devserver_bench.rs"

[workspace]

[profile.release]
lto = "thin"
codegen-units = 1
TOML
cp "$root/Cargo.lock" "$shim/Cargo.lock"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/devserver-bench-shim"
export PROJECT_DIR="$shim"
ENDPOINTS="${ENDPOINTS:-plaintext json form upload}" SAVE="${SAVE:-0}" \
  "$bench/run.sh" tinyhttp-raw,flask-dev,project-dev "${1:-5s}"
