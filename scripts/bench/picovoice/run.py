#!/usr/bin/env python3
"""HoloMesh on Picovoice's speech-to-intent benchmark (coffee-maker orders, 619 recordings).

Usage:
  run.py DATA_DIR [--bin target/release/holomesh] [--snr clean,24,21,18,15,12,9,6]
         [--limit N] [--noise FILE] [--work DIR] [--seed N] [--two-step] [--batch N]

DATA_DIR is a checkout of the benchmark (the folder holding data/, or data/ itself) with
data/speech/clean/*.wav, data/label/label.json, data/rhino/coffee_maker.yaml and
data/noise/kitchen.wav. See README.md beside this script.

For every condition (clean and each SNR) the script makes noisy copies the way the benchmark
does (cached under --work), runs HoloMesh on them, scores them with the benchmark's rule
(intent right and every labelled slot right) and prints a table beside Rhino's published
figures, then the kinds of failure. Everything it writes goes under --work:
  grammar/             the Rhino context translated to hassil (context_to_hassil.py)
  mix/<noise>/<snr>db/ noisy copies, made once per noise file, seed and SNR
  runs/<time>/         <condition>.jsonl (one line per file: output, label, verdict, failure
                       kind), summary.json and table.txt
"""
import argparse
import collections
import datetime
import difflib
import hashlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import wave
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
import context_to_hassil  # noqa: E402

DEFAULT_WORK = "/var/cache/holomesh-bench/picovoice-work"
DEFAULT_SNRS = "clean,24,21,18,15,12,9,6"
SAMPLE_RATE = 16000
FRAME = 2048  # the benchmark measures power on frames of this many samples

# Rhino's published command acceptance rates (Picovoice's src/plot.py, Rhino v2.0 results,
# June 2022), per SNR in dB, for each noise. The README's headline 97.6 % is the mean over
# both noises and all seven SNRs; 93.5 % is the mean of both noises at 6 dB.
RHINO = {
    "kitchen": {6: 0.96, 9: 0.97, 12: 0.98, 15: 0.99, 18: 0.99, 21: 0.99, 24: 0.99},
    "cafe": {6: 0.91, 9: 0.96, 12: 0.98, 15: 0.98, 18: 0.98, 21: 0.99, 24: 0.99},
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- audio

def read_wav(path):
    """Mono 16-bit 16 kHz WAV -> list of floats in [-1, 1)."""
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != SAMPLE_RATE:
            raise ValueError(f"{path}: expected mono 16-bit {SAMPLE_RATE} Hz "
                             f"(got {w.getnchannels()} ch, {8 * w.getsampwidth()} bit, {w.getframerate()} Hz)")
        pcm = array("h")
        pcm.frombytes(w.readframes(w.getnframes()))
    if sys.byteorder != "little":
        pcm.byteswap()
    return [s / 32768.0 for s in pcm]


def write_wav(path, samples):
    """Floats in [-1, 1] -> 16-bit PCM (rounded, clipped), written atomically."""
    pcm = array("h", (max(-32768, min(32767, round(s * 32767))) for s in samples))
    if sys.byteorder != "little":
        pcm.byteswap()
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def max_frame_energy(x):
    """Largest sum of squares over whole FRAME-sample frames (the whole signal if shorter)."""
    n = len(x) // FRAME
    if n == 0:
        return sum(v * v for v in x)
    best = 0.0
    for i in range(n):
        e = math.fsum(v * v for v in x[i * FRAME:(i + 1) * FRAME])
        if e > best:
            best = e
    return best


def noise_offset(seed, snr, name, span):
    """Deterministic stand-in for the benchmark's unseeded random offset: one per (seed, SNR, file)."""
    h = hashlib.sha256(f"{seed}:{snr}:{name}".encode()).digest()
    return random.Random(h).randrange(span) if span > 0 else 0


def mix_one(clean, noise, snr_db, offset):
    """Speech plus noise at snr_db, as the benchmark mixes: the noise is scaled so the loudest
    2048-sample frame of speech is snr_db above the loudest frame of the noise excerpt; the sum
    is then normalised to a peak of 0.5."""
    seg = noise[offset:offset + len(clean)]
    if len(seg) < len(clean):  # noise shorter than the speech: wrap around
        reps = len(clean) // len(noise) + 2
        seg = (noise * reps)[offset:offset + len(clean)]
    en = max_frame_energy(seg)
    scale = math.sqrt(max_frame_energy(clean) / (en * 10 ** (snr_db / 10.0))) if en > 0 else 0.0
    mixed = [c + scale * n for c, n in zip(clean, seg)]
    peak = max((abs(v) for v in mixed), default=0.0)
    if peak > 0:
        g = 1.0 / (2.0 * peak)
        mixed = [v * g for v in mixed]
    return mixed


def fallback_noise(work):
    """A synthetic noise made with sox when the benchmark's kitchen.wav is absent."""
    out = os.path.join(work, "noise", "synthetic-kitchen.wav")
    if os.path.exists(out):
        return out
    if not shutil.which("sox"):
        sys.exit("run.py: the benchmark's noise file is missing and sox is not installed to make a "
                 "stand-in (apt-get install sox), or pass --noise FILE")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    # Three minutes of pink noise with a slow rumble and a wobbling level: not the benchmark's
    # recording, so figures made with it are not comparable to Rhino's.
    subprocess.run(["sox", "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", out + ".tmp.wav",
                    "synth", "180", "pinknoise", "synth", "180", "brownnoise", "mix",
                    "tremolo", "0.4", "60", "gain", "-n", "-6"], check=True)
    os.replace(out + ".tmp.wav", out)
    return out


def prepare_noise(path, work):
    """Returns (samples, tag). Converts to mono 16 kHz 16-bit with sox when needed."""
    try:
        samples = read_wav(path)
    except (ValueError, wave.Error) as e:
        if not shutil.which("sox"):
            sys.exit(f"run.py: {e}; install sox to convert it")
        conv = os.path.join(work, "noise", os.path.basename(path) + ".16k.wav")
        os.makedirs(os.path.dirname(conv), exist_ok=True)
        subprocess.run(["sox", path, "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", conv], check=True)
        samples = read_wav(conv)
    with open(path, "rb") as f:
        digest = hashlib.sha1(f.read()).hexdigest()[:8]
    stem = os.path.splitext(os.path.basename(path))[0]
    return samples, f"{stem}-{digest}"


def make_mixes(names, clean_dir, noise, noise_tag, snr, seed, work):
    out_dir = os.path.join(work, "mix", f"{noise_tag}-seed{seed}", f"{snr}db")
    os.makedirs(out_dir, exist_ok=True)
    made = 0
    for name in names:
        dst = os.path.join(out_dir, name)
        if os.path.exists(dst):
            continue
        clean = read_wav(os.path.join(clean_dir, name))
        off = noise_offset(seed, snr, name, len(noise) - len(clean))
        write_wav(dst, mix_one(clean, noise, snr, off))
        made += 1
    if made:
        log(f"  mixed {made} files at {snr} dB into {out_dir}")
    return out_dir


# ---------------------------------------------------------------- running HoloMesh

def run_cmd(cmd, timeout=None):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def json_lines(text):
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                pass


def batches(items, n):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def match_by_file(paths, objs):
    """Maps each input path to its output line by the `file` field (falling back to order)."""
    by = {}
    for o in objs:
        f = o.get("file")
        if f is not None:
            by[os.path.abspath(f)] = o
    if not by and len(objs) == len(paths):
        return dict(zip(paths, objs))
    return {p: by.get(p) for p in paths}


class HoloMesh:
    def __init__(self, exe, grammars, global_args, batch):
        self.exe = exe
        self.grammars = grammars
        self.global_args = global_args
        self.batch = batch
        self.intent_cache = {}

    def base(self):
        return [self.exe] + self.global_args

    def has_understand(self):
        code, _, _ = run_cmd(self.base() + ["understand", "--help"])
        return code == 0

    def understand(self, paths):
        results = {}
        for chunk in batches(paths, self.batch):
            code, out, err = run_cmd(self.base() + ["understand", "--json", "--grammars", self.grammars] + chunk)
            got = match_by_file(chunk, list(json_lines(out)))
            if code not in (0, 1):
                log(f"  understand exited {code}: {err.strip()[-400:]}")
            for p in chunk:
                results[p] = got.get(p) or {"file": p, "error": f"no output (exit {code})"}
            log(f"    understood {len(results)}/{len(paths)}")
        return results

    def intent(self, text):
        key = text.strip()
        if key in self.intent_cache:
            return self.intent_cache[key]
        t0 = time.perf_counter()
        code, out, err = run_cmd(self.base() + ["intent", "--json", "--grammars", self.grammars, "--", key])
        wall_ms = (time.perf_counter() - t0) * 1000
        objs = list(json_lines(out))
        if code in (0, 1) and objs:
            res = objs[0]
        else:
            res = {"intent": None, "slots": {}, "error": f"intent exit {code}: {err.strip()[-200:]}"}
        res.setdefault("nlu_ms", round(wall_ms, 1))  # process wall time when the tool reports none
        self.intent_cache[key] = res
        return res

    def two_step(self, paths, known=None):
        """known: earlier transcripts by path (--reuse-transcripts); only the rest are transcribed."""
        results = {}
        known = known or {}
        for chunk in batches(paths, self.batch):
            todo = [p for p in chunk if p not in known]
            code, out, err = (run_cmd(self.base() + ["transcribe", "--json"] + todo) if todo else (0, "", ""))
            got = match_by_file(todo, list(json_lines(out)))
            got.update({p: known[p] for p in chunk if p in known})
            if code != 0:
                log(f"  transcribe exited {code}: {err.strip()[-400:]}")
            for p in chunk:
                t = got.get(p)
                if t is None:
                    results[p] = {"file": p, "error": f"no transcript (exit {code})"}
                    continue
                text = (t.get("text") or "").strip()
                r = {"file": p, "text": text, "audio_ms": t.get("audio_ms"), "asr_ms": t.get("asr_ms")}
                if text:
                    nlu = self.intent(text)
                    r.update(intent=nlu.get("intent"), slots=nlu.get("slots") or {},
                             confidence=nlu.get("confidence"), status=nlu.get("status"),
                             nlu_ms=nlu.get("nlu_ms"))
                    if "error" in nlu:
                        r["error"] = nlu["error"]
                else:
                    r.update(intent=None, slots={})
                results[p] = r
            log(f"    transcribed {len(results)}/{len(paths)}")
        return results


# ---------------------------------------------------------------- scoring

def norm(s):
    return re.sub(r"\s+", " ", str(s)).strip().lower()


def slot_text(v):
    """A slot value as text: strings as they are, objects by their value-like field."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, dict):
        for k in ("value", "out", "text", "name", "handle"):
            if k in v and v[k] is not None:
                return slot_text(v[k])
    return json.dumps(v, sort_keys=True)


def score(label, result):
    """The benchmark's rule: right intent and every labelled slot present with the same value
    (compared after trimming and lower-casing). Extra slots are not penalised."""
    if not result or result.get("intent") is None:
        return False
    if result["intent"] != label["intent"]:
        return False
    slots = result.get("slots") or {}
    return all(k in slots and norm(slot_text(slots[k])) == norm(v) for k, v in label["slots"].items())


def words_of(text):
    t = (text or "").lower().replace("-", " ")
    t = re.sub(r"[^\w' ]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def contains_phrase(text_words, phrase):
    return re.search(r"(^| )" + re.escape(words_of(phrase)) + r"( |$)", text_words) is not None


def similar(a, b):
    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio()


NUMBER_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
                "hundred"}
NEAR = 0.66  # similarity from which a heard phrase counts as "a sound away" from a labelled value


def closest_phrase(tw, value):
    """The phrase of the transcript (same word count, one more or one fewer, or glued together)
    most similar to value, with its similarity."""
    words = tw.split()
    k = len(words_of(value).split())
    best, best_r = None, 0.0
    for n in (k - 1, k, k + 1):
        if n < 1:
            continue
        for i in range(len(words) - n + 1):
            for cand in (" ".join(words[i:i + n]), "".join(words[i:i + n])):
                r = similar(cand, value)
                if r > best_r:
                    best, best_r = " ".join(words[i:i + n]), r
    return best, best_r


def failure_kind(label, result, slot_values):
    """Why a recording failed, as "cause [outcome]" and a detail. There is no reference
    transcript, so causes come from comparing the transcript with the labelled values:
      numerals for number words   Whisper wrote digits ("12-ounce") where the value is in words
      misheard words              a labelled value's words are absent and nothing close was heard
      slot value a sound away     a labelled value is absent but a close phrase was heard
                                  ("ice coffee" for "iced coffee", "dark rose" for "dark roast")
      sentence not covered        every labelled value was heard, the templates don't take the sentence
      heard value dropped/wrong   every labelled value was heard, understood with a slot missing/wrong
    """
    text = result.get("text")
    if result.get("error") and not text:
        return "error", result["error"]
    if text is not None and not text.strip():
        return "empty transcript", ""
    slots = result.get("slots") or {}
    if result.get("intent") is None:
        outcome, what = "not understood", ""
    elif result["intent"] != label["intent"]:
        outcome, what = "wrong intent", result["intent"]
    else:
        outcome, what = "slot wrong", ""
        for k, v in label["slots"].items():
            if k not in slots:
                outcome, what = "slot missing", k
                break
            got = norm(slot_text(slots[k]))
            if got != norm(v):
                what = f"{k}: {norm(v)} -> {got}"
                break
    if text is None:  # `understand` without a transcript
        return outcome, what
    tw = words_of(text)
    values = [norm(v) for v in label["slots"].values()]
    unheard = [v for v in values if not contains_phrase(tw, v)]
    if unheard and re.search(r"\d", tw) and any(set(v.split()) & NUMBER_WORDS for v in unheard):
        return f"numerals for number words [{outcome}]", text
    if unheard:
        near, far = [], []
        for v in unheard:
            phrase, r = closest_phrase(tw, v)
            (near if r >= NEAR else far).append((v, phrase))
        if far:
            labelled = set(values)
            heard = [c for c in sorted(slot_values, key=len, reverse=True)
                     if c not in labelled and contains_phrase(tw, c)
                     and not any(c != l and contains_phrase(words_of(l), c) for l in labelled)]
            detail = "not heard: " + ", ".join(v for v, _ in far)
            if heard:
                detail += "; heard instead: " + ", ".join(heard[:3])
            return f"misheard words [{outcome}]", detail
        return (f"slot value a sound away [{outcome}]",
                "; ".join(f"{p!r} for {v!r}" for v, p in near))
    if outcome == "not understood":
        return "sentence not covered [not understood]", text
    return f"heard value dropped or wrong [{outcome}]", what


# ---------------------------------------------------------------- main

def resolve_data(data_dir):
    d = os.path.abspath(data_dir)
    if os.path.isdir(os.path.join(d, "data", "speech")):
        d = os.path.join(d, "data")
    paths = {
        "clean": os.path.join(d, "speech", "clean"),
        "labels": os.path.join(d, "label", "label.json"),
        "context": os.path.join(d, "rhino", "coffee_maker.yaml"),
        "noise": os.path.join(d, "noise", "kitchen.wav"),
    }
    for k in ("clean", "labels", "context"):
        if not os.path.exists(paths[k]):
            sys.exit(f"run.py: {paths[k]} not found; DATA_DIR must be a checkout of "
                     "Picovoice/speech-to-intent-benchmark (see README.md)")
    return paths


def is_lfs_pointer(path):
    try:
        with open(path, "rb") as f:
            return f.read(64).startswith(b"version https://git-lfs")
    except OSError:
        return False


def find_bin(arg):
    if arg:
        return os.path.abspath(arg)
    for cand in ("target/release/holomesh", "target/debug/holomesh"):
        p = os.path.join(ROOT, cand)
        if os.path.exists(p):
            return p
    sys.exit("run.py: no holomesh binary (cargo build --release), or pass --bin")


def parse_conditions(spec):
    conds = []
    for tok in spec.split(","):
        tok = tok.strip().lower()
        if not tok:
            continue
        if tok == "clean":
            conds.append("clean")
        else:
            try:
                conds.append(int(tok))
            except ValueError:
                sys.exit(f"run.py: --snr takes 'clean' and whole dB values, not {tok!r}")
    return conds


def earlier_transcripts(run_dir, cond, paths):
    """Transcripts of a previous run's <cond>.jsonl, by path, for the files asked for."""
    if not run_dir:
        return {}
    f = os.path.join(run_dir, f"{cond}.jsonl")
    if not os.path.exists(f):
        log(f"note: {f} not found; transcribing {cond} afresh")
        return {}
    wanted = {os.path.basename(p): p for p in paths}
    known = {}
    with open(f) as fh:
        for line in fh:
            row = json.loads(line)
            r = row.get("result") or {}
            if row.get("name") in wanted and r.get("text") is not None:
                known[wanted[row["name"]]] = {"file": wanted[row["name"]], "text": r["text"],
                                              "audio_ms": r.get("audio_ms"), "asr_ms": r.get("asr_ms")}
    log(f"  reusing {len(known)} transcripts from {f}")
    return known


def pct(x):
    return "—" if x is None else f"{100 * x:5.1f} %"


def mean(xs):
    xs = [x for x in xs if isinstance(x, (int, float))]
    return sum(xs) / len(xs) if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", help="checkout of Picovoice/speech-to-intent-benchmark (or its data/)")
    ap.add_argument("--bin", help="holomesh binary (default target/release/holomesh, else target/debug)")
    ap.add_argument("--snr", default=DEFAULT_SNRS, help=f"conditions, comma-separated (default {DEFAULT_SNRS})")
    ap.add_argument("--limit", type=int, help="only the first N recordings (sorted by file name)")
    ap.add_argument("--noise", help="noise WAV (default DATA/noise/kitchen.wav; a sox-made stand-in when absent)")
    ap.add_argument("--work", default=DEFAULT_WORK, help=f"cache and output folder (default {DEFAULT_WORK})")
    ap.add_argument("--seed", type=int, default=0, help="seed of the noise offsets (default 0)")
    ap.add_argument("--two-step", action="store_true",
                    help="`holomesh transcribe` then `holomesh intent` per transcript, instead of `understand`")
    ap.add_argument("--batch", type=int, default=160, help="files per holomesh invocation (default 160)")
    ap.add_argument("--holomesh-data-dir", help="passed to holomesh as --data-dir (where its models are)")
    ap.add_argument("--config", help="passed to holomesh as --config")
    ap.add_argument("--asr-grammar", action="store_true",
                    help="decode with Whisper constrained to the translated grammar (writes a config with "
                         "asr.grammar = true and nlu.grammars = the grammar; needs a --features grammar build)")
    ap.add_argument("--fuzzy-lists", action="store_true",
                    help="translate the slot lists with HoloMesh's `fuzzy: true` (not plain hassil)")
    ap.add_argument("--reuse-transcripts", metavar="RUN_DIR",
                    help="two-step only: take the transcripts of an earlier run (<work>/runs/<time>) and "
                         "run only the intent step, e.g. to compare grammars")
    ap.add_argument("--no-copy-bin", action="store_true",
                    help="run the binary in place instead of a copy in the work folder")
    ap.add_argument("--examples", type=int, default=3, help="examples shown per failure kind (default 3)")
    args = ap.parse_args()

    data = resolve_data(args.data_dir)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    with open(data["labels"]) as f:
        labels = json.load(f)
    names = sorted(n for n in os.listdir(data["clean"]) if n.endswith(".wav") and n in labels)
    unlabelled = [n for n in os.listdir(data["clean"]) if n.endswith(".wav") and n not in labels]
    if unlabelled:
        log(f"note: {len(unlabelled)} recordings have no label and are skipped")
    if args.limit:
        names = names[:args.limit]
    conds = parse_conditions(args.snr)

    grammar_dir = os.path.join(work, "grammar" + ("-fuzzy" if args.fuzzy_lists else ""))
    gpath, gstats = context_to_hassil.convert(data["context"], grammar_dir, fuzzy_lists=args.fuzzy_lists)
    log(f"grammar: {gpath} ({gstats['sentences']} sentences, {gstats['list_values']} list values)")
    ctx = context_to_hassil.load_context(data["context"])
    slot_values = sorted({norm(v) for vs in (ctx.get("slots") or {}).values() for v in vs})

    noise = noise_tag = None
    noise_note = ""
    if any(c != "clean" for c in conds):
        npath = args.noise or data["noise"]
        if args.noise and not os.path.isfile(npath):
            sys.exit(f"run.py: --noise {npath}: no such file")
        if not args.noise and (not os.path.exists(npath) or is_lfs_pointer(npath)):
            log(f"note: {npath} is missing (or an LFS pointer); using a synthetic noise made with sox")
            npath = fallback_noise(work)
            noise_note = "synthetic noise (sox): not comparable to Rhino's figures"
        elif args.noise:
            noise_note = f"noise {os.path.basename(npath)}" + (
                "" if os.path.basename(npath) in ("kitchen.wav", "cafe.wav") else ": Rhino's figures are for other noises")
        noise, noise_tag = prepare_noise(npath, work)
        log(f"noise: {npath} ({len(noise) / SAMPLE_RATE:.0f} s)")
    noise_kind = None
    if noise_tag and not noise_note.startswith("synthetic"):
        noise_kind = next((k for k in RHINO if noise_tag.startswith(k + "-")), None)

    exe = find_bin(args.bin)
    if not args.no_copy_bin:
        os.makedirs(os.path.join(work, "bin"), exist_ok=True)
        copy = os.path.join(work, "bin", "holomesh")
        shutil.copy2(exe, copy + ".tmp")
        os.replace(copy + ".tmp", copy)
        exe = copy
    global_args = []
    if args.holomesh_data_dir:
        global_args += ["--data-dir", args.holomesh_data_dir]
    if args.asr_grammar:
        if args.config:
            sys.exit("run.py: --asr-grammar writes its own config; put the settings in --config instead")
        args.config = os.path.join(work, "asr-grammar.toml")
        with open(args.config, "w") as f:
            f.write("# Written by scripts/bench/picovoice/run.py --asr-grammar\n"
                    f"[asr]\ngrammar = true\n\n[nlu]\ngrammars = {json.dumps(grammar_dir)}\n")
    if args.config:
        global_args += ["--config", args.config]
    hm = HoloMesh(exe, grammar_dir, global_args, max(1, args.batch))
    mode = "two-step" if args.two_step or args.reuse_transcripts or not hm.has_understand() else "understand"
    if mode == "two-step" and not args.two_step and not args.reuse_transcripts:
        log("note: this binary has no `understand` command; using transcribe + intent (--two-step)")
    log(f"system: {exe} ({mode}), {len(names)} recordings, conditions {', '.join(map(str, conds))}")

    run_dir = os.path.join(work, "runs", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(run_dir, exist_ok=True)
    summary = {"mode": mode, "binary": exe, "config": args.config, "asr_grammar": args.asr_grammar, "grammar": gpath, "recordings": len(names),
               "noise": noise_tag, "noise_note": noise_note, "seed": args.seed, "conditions": {}}
    failures_by_cond = {}
    for cond in conds:
        if cond == "clean":
            folder = data["clean"]
        else:
            folder = make_mixes(names, data["clean"], noise, noise_tag, cond, args.seed, work)
        paths = [os.path.join(folder, n) for n in names]
        t0 = time.time()
        if mode == "understand":
            results = hm.understand(paths)
        else:
            results = hm.two_step(paths, known=earlier_transcripts(args.reuse_transcripts, cond, paths))
        wall = time.time() - t0
        rows, n_ok, n_understood, n_intent = [], 0, 0, 0
        kinds = collections.Counter()
        examples = collections.defaultdict(list)
        for n, p in zip(names, paths):
            r = results.get(p) or {"file": p, "error": "no result"}
            lab = labels[n]
            ok = score(lab, r)
            n_ok += ok
            # a near miss is HoloMesh asking back ("did you mean…"), not an accepted command
            n_understood += r.get("intent") is not None and r.get("status") != "near_miss"
            n_intent += r.get("intent") == lab["intent"]
            kind, detail = ("ok", "") if ok else failure_kind(lab, r, slot_values)
            if not ok:
                kinds[kind] += 1
                examples[kind].append((n, r.get("text"), detail, {k: norm(v) for k, v in lab["slots"].items()}))
            rows.append({"name": n, "label": lab, "result": r, "correct": ok, "kind": kind, "detail": detail})
        with open(os.path.join(run_dir, f"{cond}.jsonl"), "w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
        asr = mean([r["result"].get("asr_ms") for r in rows])
        audio = mean([r["result"].get("audio_ms") for r in rows])
        nlu = mean([r["result"].get("nlu_ms") for r in rows])
        summary["conditions"][str(cond)] = {
            "n": len(rows), "correct": n_ok, "accuracy": n_ok / len(rows) if rows else None,
            "understood": n_understood / len(rows) if rows else None,
            "intent_right": n_intent / len(rows) if rows else None,
            "asr_ms_mean": asr, "audio_ms_mean": audio, "nlu_ms_mean": nlu,
            "rtf": asr / audio if asr and audio else None, "wall_s": round(wall, 1),
            "failure_kinds": dict(kinds.most_common()),
            "statuses": dict(collections.Counter(str(r["result"].get("status")) for r in rows).most_common()),
        }
        failures_by_cond[cond] = (kinds, examples)
        log(f"  {cond}: {n_ok}/{len(rows)} correct ({wall:.0f} s)")

    # ---- table
    lines = []
    head = (f"HoloMesh ({mode}{', ASR constrained to the grammar' if args.asr_grammar else ''}"
            f"{', fuzzy lists' if args.fuzzy_lists else ''}) on Picovoice's speech-to-intent benchmark: "
            f"{len(names)} recordings")
    if noise_tag:
        head += f", noise {noise_tag}, seed {args.seed}"
    lines.append(head)
    if noise_note:
        lines.append(f"({noise_note})")
    lines.append("")
    lines.append(f"{'condition':>9} | {'n':>4} | {'HoloMesh':>8} | {'understood':>10} | "
                 f"{'Rhino kitchen':>13} | {'Rhino avg*':>10} | {'asr ms':>6} | {'RTF':>5}")
    lines.append("-" * 88)
    snr_rows = []
    for cond in conds:
        s = summary["conditions"][str(cond)]
        rk = RHINO["kitchen"].get(cond) if cond != "clean" else None
        ra = (RHINO["kitchen"][cond] + RHINO["cafe"][cond]) / 2 if cond in RHINO["kitchen"] else None
        label = "clean" if cond == "clean" else f"{cond} dB"
        lines.append(f"{label:>9} | {s['n']:>4} | {pct(s['accuracy']):>8} | {pct(s['understood']):>10} | "
                     f"{pct(rk):>13} | {pct(ra):>10} | "
                     f"{'—' if s['asr_ms_mean'] is None else round(s['asr_ms_mean']):>6} | "
                     f"{'—' if s['rtf'] is None else format(s['rtf'], '.3f'):>5}")
        if cond in RHINO["kitchen"]:
            snr_rows.append((cond, s["accuracy"]))
    if snr_rows:
        ours = mean([a for _, a in snr_rows])
        rk = mean([RHINO["kitchen"][c] for c, _ in snr_rows])
        ra = mean([(RHINO["kitchen"][c] + RHINO["cafe"][c]) / 2 for c, _ in snr_rows])
        lines.append("-" * 88)
        lines.append(f"{'mean SNR':>9} | {'':>4} | {pct(ours):>8} | {'':>10} | {pct(rk):>13} | {pct(ra):>10} |")
        summary["mean_over_snrs"] = {"holomesh": ours, "rhino_kitchen": rk, "rhino_avg": ra,
                                     "snrs": [c for c, _ in snr_rows]}
    lines.append("")
    lines.append("* Rhino avg = mean of Picovoice's kitchen and cafe results (the README's 97.6 % is this")
    lines.append("  over 6–24 dB). Rhino's figures are from Picovoice's own run; HoloMesh's noisy copies use")
    lines.append("  the same mixing rule with seeded offsets, so per-file noise differs from theirs.")
    if noise_kind is None and noise_tag:
        lines.append("  The noise here is not one of the benchmark's, so compare trends only.")

    # ---- failure kinds: counts per condition, examples for the first condition
    all_kinds = collections.Counter()
    for kinds, _ in failures_by_cond.values():
        all_kinds.update(kinds)
    if all_kinds:
        lines.append("")
        lines.append("Failure kinds (count per condition):")
        cols = ["clean" if c == "clean" else f"{c}dB" for c in conds]
        lines.append(f"  {'cause [outcome]':<58}" + "".join(f"{c:>7}" for c in cols))
        for kind, _ in all_kinds.most_common():
            lines.append(f"  {kind:<58}" + "".join(f"{failures_by_cond[c][0].get(kind, 0):>7}" for c in conds))
        first = conds[0]
        kinds, examples = failures_by_cond[first]
        if kinds:
            lines.append("")
            lines.append(f"Examples at {first if first == 'clean' else str(first) + ' dB'} (transcript [detail]):")
            for kind, count in kinds.most_common():
                lines.append(f"  {kind} ({count})")
                for n, text, detail, lab in examples[kind][:args.examples]:
                    lines.append(f"      {text!r}" + (f"  [{detail}]" if detail and detail != text else ""))
            unheard = collections.Counter()
            for kind in kinds:
                if kind.startswith("misheard words"):
                    for n, text, detail, lab in examples[kind]:
                        for v in detail.split(";")[0].replace("not heard: ", "").split(", "):
                            unheard[v] += 1
            if unheard:
                lines.append("  labelled values most often misheard: " +
                             ", ".join(f"{v} ({c})" for v, c in unheard.most_common(10)))
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(run_dir, "table.txt"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(run_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    log(f"results: {run_dir}")


if __name__ == "__main__":
    main()
