#!/usr/bin/env bash
# End-to-end voice latency (end of utterance → VoiceCommand row stored) and peak RSS,
# on 2–4 s espeak-ng commands with tiny.en. Prints a table and a summary.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
data_dir="${HOLOMESH_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/holomesh}"
model="${1:-${HOLOMESH_MODELS_DIR:-$data_dir/models}/ggml-tiny.en-q8_0.bin}"
[ -f "$model" ] || bash scripts/models/fetch.sh tiny.en
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
i=0
while IFS='|' read -r voice text; do
  i=$((i + 1))
  espeak-ng -v "$voice" -s 160 -w "$tmp/raw$i.wav" "$text"
  sox "$tmp/raw$i.wav" -r 16000 -c 1 -b 16 "$tmp/$(printf %02d $i)-${voice//+/_}.wav" pad 0.2 0.3
done <<'CMDS'
en-us|subscribe to alice chen
en-us|what's my balance
en-gb|show my subscriptions
en-us+f2|buy the latest chip from bob martin
en-us|set my notifications to weekly
en-gb+m3|what's new from carol diaz this week
en-us|unsubscribe from bob martin
en-us+f2|rate alice chen five stars
en-gb|show my purchases from last month
en-us|turn on auto buy for alice chen under thirty dollars
CMDS
cargo build --release --quiet --example voice_bench
./target/release/examples/voice_bench "$model" "$tmp"/0*.wav "$tmp"/1*.wav
