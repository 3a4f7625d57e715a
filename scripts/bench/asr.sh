#!/usr/bin/env bash
# Speech recognition benchmark: synthesises a fixed set of spoken commands with espeak-ng
# and compares whisper configurations side by side (wall time, real-time factor, peak RSS,
# word error rate against the spoken text, and whether the transcript still gives the
# spoken command's intent and slots).
#
# usage: scripts/bench/asr.sh [MODEL] [THREADS] [CONFIG[@WEIGHTS]...]
#   MODEL    tiny.en (default) or base; its files come from $HOLOMESH_MODELS_DIR or
#            <data dir>/models and are fetched when missing (scripts/models/fetch.sh)
#   THREADS  default 2
#   CONFIG   see examples/asr_bench.rs: default = whisper.cpp's defaults, tuned = HoloMesh's
#            (utterance-sized window, command prompt, token budget), grammar = tuned +
#            decoding constrained to grammars/en with the names known, grammar-open = the same
#            with empty name lists (as `asr.grammar = true` runs), grammar:100 = absolute
#            grammar, NAME:tpsN = NAME with N tokens per second of audio
#   WEIGHTS  q8_0 (default) or f16, the model file the configuration runs on
#   default: "default@f16 tuned@f16 default@q8_0 tuned@q8_0 grammar@q8_0 grammar-open@q8_0"
# Needs: espeak-ng, sox. Build the benchmark in release mode with the project's .cargo/config.toml
# (whisper.cpp with llamafile kernels), as `cargo build --release` from the checkout does.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data_dir="${HOLOMESH_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/holomesh}"
models_dir="${HOLOMESH_MODELS_DIR:-$data_dir/models}"
model_name="${1:-tiny.en}"
threads="${2:-2}"
shift $(( $# > 2 ? 2 : $# ))
configs=("$@")
[[ ${#configs[@]} -gt 0 ]] || configs=(default@f16 tuned@f16 default@q8_0 tuned@q8_0 grammar@q8_0 grammar-open@q8_0)

model_file() { # weights -> path
    case "$1" in
        q8_0) echo "$models_dir/ggml-$model_name-q8_0.bin" ;;
        f16) echo "$models_dir/ggml-$model_name.bin" ;;
        *) echo "asr-bench: unknown weights '$1' (q8_0 or f16)" >&2; exit 2 ;;
    esac
}

for tool in espeak-ng sox; do
    command -v "$tool" >/dev/null || { echo "asr-bench: $tool is required (apt-get install espeak-ng sox)" >&2; exit 2; }
done
for config in "${configs[@]}"; do
    weights="q8_0"
    [[ "$config" == *@* ]] && weights="${config##*@}"
    model="$(model_file "$weights")"
    [[ -f "$model" ]] || bash "$root/scripts/models/fetch.sh" "$model_name" --weights "$weights" --models-dir "$models_dir" >&2 \
        || { echo "asr-bench: cannot fetch $model" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# voice|speed|text  (fixed set: several voices, variants and speeds)
commands=(
    "en-us|175|subscribe to alice chen"
    "en-gb|150|search for a risc-v core under fifty dollars"
    "en-us+f2|175|show my orders"
    "en-gb+m3|150|unsubscribe from bob martin"
    "en-us+m3|150|buy the uart controller"
    "en-gb+f2|175|open my cart"
    "en-us|150|list designs from carol diaz"
    "en-gb|175|cancel the last order"
    "en-us+f2|150|search for an fpga board with pcie"
    "en-gb+m3|175|checkout now"
    "en-us|175|what is the price of the spi flash controller"
    "en-gb+f2|150|subscribe to bob martin"
    "en-us+m3|175|show designs under twenty dollars"
    "en-gb|150|remove the ethernet core from my cart"
    "en-us+f2|175|play the latest release notes"
    "en-gb+m3|150|find a low power microcontroller"
    "en-us|150|rate this design five stars"
    "en-gb+f2|175|unsubscribe from alice chen"
    "en-us+m3|150|download the datasheet for order twelve"
    "en-gb|175|what's new in the marketplace today"
)

manifest="$work/manifest.tsv"
i=0
for entry in "${commands[@]}"; do
    IFS='|' read -r voice speed text <<<"$entry"
    raw="$work/raw_$i.wav"
    clip="$work/clip_$i.wav"
    espeak-ng -v "$voice" -s "$speed" -w "$raw" "$text"
    # 0.3 s of silence before and after, 16 kHz mono 16-bit like a capture device.
    sox "$raw" -r 16000 -c 1 -b 16 "$clip" pad 0.3 0.3
    printf '%s\t%s\n' "$clip" "$text" >>"$manifest"
    i=$((i + 1))
done
durations="$(for f in "$work"/clip_*.wav; do soxi -D "$f"; done | sort -n | awk 'NR==1{min=$1} {max=$1; s+=$1} END {printf "%.2f-%.2f s, mean %.2f s", min, max, s/NR}')"
echo "asr-bench: ${#commands[@]} clips ($durations), model $model_name, $threads threads"
echo "asr-bench: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores before the run"

(cd "$root" && nice -n 10 cargo build --quiet --release --features grammar --example asr_bench)
bin="$root/target/release/examples/asr_bench"

{
    printf 'config\tclips\tmean_ms\tp90_ms\trtf\twer\twer_in\tcmd_ok\tpeak_rss_mb\tload_ms\n'
    for config in "${configs[@]}"; do
        weights="q8_0"
        name="$config"
        if [[ "$config" == *@* ]]; then weights="${config##*@}"; name="${config%@*}"; fi
        "$bin" "$(model_file "$weights")" "$manifest" "$name" "$threads" | sed "s/^[^\t]*/$name@$weights/"
    done
} | column -t -s $'\t'
