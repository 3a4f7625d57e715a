#!/usr/bin/env bash
# Runs every test: both storage backends (SQLite and PostgreSQL) and both caches
# (memory and Redis). Installs and starts what the tests need first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/services.sh

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

# The speech model the recognition tests use (downloaded and converted once, then cached).
bash scripts/models/fetch.sh tiny.en
# The f16 file too: the converter test checks both conversions against what was fetched.
bash scripts/models/fetch.sh tiny.en --weights f16
# The sentence-embedding model (understanding by meaning, its tests and the voice tests).
bash scripts/models/fetch_minilm.sh
# libvosk.so and the Korean Vosk model (the `vosk` feature links against the library).
bash scripts/models/fetch_vosk.sh

# Per-test databases are dropped by the tests; clear any left by an interrupted run.
psql "$DATABASE_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'holomesh_t_%'" |
  while read -r db; do psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"; done

# Tests that need a model fail rather than skip when it is missing.
export HOLOMESH_REQUIRE_MODELS=1

cargo test --locked --all-targets "$@"
# Microphone capture (feature `mic`), through ALSA's file plugin standing in for a sound card.
cargo test --locked --features mic --test mic_capture "$@"
# Grammar-constrained decoding (feature `grammar`): the real model on espeak-ng commands.
cargo test --locked --features grammar --test asr_grammar "$@"
# The Vosk recognizer (feature `vosk`): the Korean model on espeak-ng Korean speech.
cargo test --locked --features vosk --test asr_vosk "$@"
# The web app in a real browser (Chromium): accessibility, keyboard, voice, no-JS, PWA.
bash scripts/web-tests.sh
# Faults, bounded: two `serve` instances on one PostgreSQL + Redis, one killed with
# SIGKILL during the fan-out (the long run: scripts/fault/two_instances.py --subscribers 1000).
python3 scripts/fault/two_instances.py --bin "${CARGO_TARGET_DIR:-target}/debug/holomesh" --subscribers 20 --chips 4
# Crashes at failpoints inside a purchase, a refund, a fan-out and the outbox (a build with
# the `failpoints` feature), and Redis and PostgreSQL restarted under traffic.
cargo build --locked --features failpoints --bin holomesh
python3 scripts/fault/failpoints.py --bin "${CARGO_TARGET_DIR:-target}/debug/holomesh" --subscribers 10
python3 scripts/fault/restarts.py --bin "${CARGO_TARGET_DIR:-target}/debug/holomesh" --seconds 20
# Generated requests from /openapi.json as client, designer and administrator: no 5xx,
# every answer as the schema says (the long run: --examples 100 on a release build).
python3 scripts/fault/api_fuzz.py --bin "${CARGO_TARGET_DIR:-target}/debug/holomesh" --examples 5
