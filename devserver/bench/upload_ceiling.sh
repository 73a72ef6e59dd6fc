#!/usr/bin/env bash
# The upload endpoint's ceiling on this machine beside Werkzeug's dev server, in one run of
# ../shared/bench/run.sh: is "10x Werkzeug" within reach of any server here?
#
#   devserver/bench/upload_ceiling.sh [DURATION]     (from the workspace root; default 5s)
#
# The ceiling is devserver/examples/upload_ceiling.rs (a thread per connection that only reads
# the bytes; see its docs), run as run.sh's `project-dev` through a shim package whose example
# `bench` it is. Results are printed, not saved into the shared folder (SAVE=0).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bench="${BENCH_DIR:-$root/../shared/bench}"
shim="${TMPDIR:-/tmp}/carafe-upload-ceiling-shim"
mkdir -p "$shim/examples"
cat > "$shim/Cargo.toml" <<TOML
[package]
name = "carafe-upload-ceiling-shim"
version = "0.1.0"
edition = "2024"
publish = false

[[example]]
name = "bench"
path = "$root/devserver/examples/upload_ceiling.rs"

[workspace]

[profile.release]
codegen-units = 1
TOML
touch "$shim/examples/.keep"
mkdir -p "$shim/src" && echo > "$shim/src/lib.rs"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/upload-ceiling-shim"
export PROJECT_DIR="$shim"
ENDPOINTS=upload SKIP_CHECK=1 SAVE="${SAVE:-0}" "$bench/run.sh" flask-dev,project-dev "${1:-5s}"
