#!/usr/bin/env bash
# The main job on a fresh machine: installs the build's system packages, builds
# HoloMesh and runs `holomesh demo` (bundled spoken commands through the whole voice
# pipeline on SQLite, no Redis needed). The speech model is fetched on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "Building HoloMesh (release). A first build compiles whisper.cpp and takes about"
echo "6 minutes on 2 cores; later runs take seconds. Cargo shows its progress below."
cargo run --release --locked -- demo "$@"
