#!/usr/bin/env bash
# Speaks the marketplace evaluation set with espeak-ng and writes clean and noisy WAVs.
#
# usage: scripts/bench/marketplace/synth.sh OUT_DIR [dev|test|both|FILE.yaml]
#            [--noise FILE] [--noise-type colored|babble] [--snr "20 10 5"] [--limit N]
#
#   OUT_DIR/clean/<split>-NNNN.wav      16 kHz mono 16-bit, NNNN = 1-based case number
#   OUT_DIR/snr20|snr10|snr5/...        the same with noise at that SNR (active-speech RMS)
#   OUT_DIR/noise.wav                   the noise used (16 kHz mono)
#   OUT_DIR/manifest.tsv                stem, split, index, voice, speed, text, spoken
# One voice per case, in rotation (7 voices × 5 speeds, 150–175 wpm), so the set stays
# small. Written forms espeak-ng reads badly ("$49.99", "€80", "RISC-V", "28nm") are
# spoken as a person would say them; a case's `speech` field overrides the text.
# Noise: --noise FILE (any format sox reads; converted, looped as needed), otherwise
# generated: colored = pink + brown noise (default), babble = six espeak-ng talkers.
# Needs espeak-ng, sox, python3 with PyYAML.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 ]] || usage
out=""; which="dev"; noise=""; noise_type="colored"; snrs="20 10 5"; limit=0
positional=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --noise) noise="$2"; shift 2 ;;
        --noise-type) noise_type="$2"; shift 2 ;;
        --snr) snrs="$2"; shift 2 ;;
        --limit) limit="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) positional+=("$1"); shift ;;
    esac
done
out="${positional[0]:-}"; which="${positional[1]:-dev}"
[[ -n "$out" ]] || usage
for tool in espeak-ng sox python3; do
    command -v "$tool" >/dev/null || { echo "synth.sh: $tool is required (apt-get install -y espeak-ng sox)" >&2; exit 2; }
done
case "$which" in
    dev|test) files=("$here/$which.yaml") ;;
    both) files=("$here/dev.yaml" "$here/test.yaml") ;;
    *) files=("$which") ;;
esac

mkdir -p "$out/clean"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# ---- plan: stem, voice, speed, spoken text (and the manifest)
python3 - "$out" "$limit" "${files[@]}" > "$tmp/plan.tsv" <<'PY'
import os, re, sys, yaml
out, limit, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
VOICES = ["en-us", "en-gb", "en-us+f2", "en-gb-scotland", "en-us+m3", "en-gb-x-rp+f4", "en-029"]
SPEEDS = [160, 150, 175, 165, 155]

def spoken(text):
    s = text
    s = re.sub(r"\$(\d[\d,]*)\.(\d\d)\b", r"\1 dollars \2", s)
    s = re.sub(r"\$(\d[\d,]*)", r"\1 dollars", s)
    s = re.sub(r"€(\d[\d,]*)(?:\.(\d\d))?", lambda m: f"{m.group(1)} euros" + (f" {m.group(2)}" if m.group(2) else ""), s)
    s = re.sub(r"£(\d[\d,]*)(?:\.(\d\d))?", lambda m: f"{m.group(1)} pounds" + (f" {m.group(2)}" if m.group(2) else ""), s)
    s = re.sub(r"\bRISC-V\b", "risk five", s, flags=re.I)
    s = re.sub(r"\b(\d+)\s?nm\b", r"\1 nanometer", s)
    return s

manifest = os.path.join(out, "manifest.tsv")
rows = {}
if os.path.exists(manifest):
    with open(manifest, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            rows[r["stem"]] = r
for path in files:
    split = os.path.splitext(os.path.basename(path))[0]
    cases = yaml.safe_load(open(path, encoding="utf-8"))
    rows = {k: v for k, v in rows.items() if v["split"] != split}
    for i, case in enumerate(cases):
        if limit and i >= limit:
            break
        stem = f"{split}-{i + 1:04d}"
        text = " ".join(case["text"].split())
        say = " ".join(str(case.get("speech") or spoken(text)).split())
        voice, speed = VOICES[i % len(VOICES)], SPEEDS[i % len(SPEEDS)]
        rows[stem] = {"stem": stem, "split": split, "index": str(i + 1), "voice": voice,
                      "speed": str(speed), "text": text, "spoken": say}
        print(f"{stem}\t{voice}\t{speed}\t{say}")
cols = ["stem", "split", "index", "voice", "speed", "text", "spoken"]
with open(manifest, "w", encoding="utf-8") as f:
    f.write("\t".join(cols) + "\n")
    for k in sorted(rows):
        f.write("\t".join(rows[k][c] for c in cols) + "\n")
PY

# ---- clean speech
count=0
while IFS=$'\t' read -r stem voice speed say; do
    espeak-ng -v "$voice" -s "$speed" -w "$tmp/raw.wav" -- "$say"
    sox -v 0.8 "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$out/clean/$stem.wav" pad 0.25 0.35 norm -3
    count=$((count + 1))
done < "$tmp/plan.tsv"
echo "synth.sh: $count clean WAVs in $out/clean" >&2

# ---- noise
if [[ -n "$noise" ]]; then
    sox "$noise" -r 16000 -c 1 -b 16 "$out/noise.wav" norm -3
elif [[ "$noise_type" == "babble" ]]; then
    texts=(
        "The committee met on Tuesday to discuss the budget for next year and the new parking rules."
        "If you take the second left after the bakery you will find the library right next to the park."
        "My grandmother used to grow tomatoes, beans and squash in the garden behind the old house."
        "The train to the coast was delayed again, so we had coffee and waited on the platform."
        "Scientists say the lake has been warming slowly for decades and the fish are moving north."
        "We painted the kitchen yellow last spring but now everyone thinks it looks far too bright."
    )
    bvoices=(en-us en-gb+f3 en-us+m2 en-gb-scotland+f2 en-029 en-us+f4)
    parts=()
    for k in "${!texts[@]}"; do
        espeak-ng -v "${bvoices[$k]}" -s $((150 + 5 * k)) -w "$tmp/b$k.wav" -- "${texts[$k]} ${texts[$(((k + 1) % 6))]}"
        sox -v 0.7 "$tmp/b$k.wav" -r 16000 -c 1 -b 16 "$tmp/b${k}r.wav" pad 0 0.$k repeat 8 trim 0.$((k * 13 % 10)) 40
        parts+=("$tmp/b${k}r.wav")
    done
    sox -m "${parts[@]}" "$out/noise.wav" norm -3
else
    sox -R -n -r 16000 -c 1 -b 16 "$tmp/pink.wav" synth 60 pinknoise
    sox -R -n -r 16000 -c 1 -b 16 "$tmp/brown.wav" synth 60 brownnoise
    sox -m "$tmp/pink.wav" "$tmp/brown.wav" "$out/noise.wav" highpass 50 norm -3
fi

# ---- noisy copies (only this run's files)
mkdir -p "$tmp/clean"
cut -f1 "$tmp/plan.tsv" | while read -r stem; do ln -s "$(cd "$out/clean" && pwd)/$stem.wav" "$tmp/clean/$stem.wav"; done
# shellcheck disable=SC2086
python3 "$here/mix_snr.py" --noise "$out/noise.wav" --clean "$tmp/clean" --out "$out" --snr $snrs
echo "synth.sh: noisy copies at SNR $snrs dB in $out/snr*" >&2
