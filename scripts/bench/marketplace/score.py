#!/usr/bin/env python3
"""Scores HoloMesh's command understanding on the marketplace evaluation set.

Text mode (default): every case's text goes through
    holomesh intent --json --lists LISTS "<text>"
Audio mode (--audio DIR): the WAVs that synth.sh wrote go through
    holomesh understand --json --lists LISTS FILE...
(one process per noise condition; one JSON object per line comes back) and are matched
back to their cases by file name (<split>-<NNNN>.wav, NNNN = 1-based case number).

LISTS is generated from catalog.yaml (designer: display name -> handle; chip: title -> title).

usage:
  scripts/bench/marketplace/score.py [dev|test|FILE.yaml] [--bin PATH] [--failures]
        [--audio DIR] [--grammars DIR] [--jobs N] [--lenient-extra] [--tags]
        [--json-out FILE] [--lists-out FILE] [--today YYYY-MM-DD]

Prints: exact rate (intent and every expected slot right, no contradicting extra slot),
intent-only rate, false-accept rate (null cases that got an intent), false-reject rate
(non-null cases that got no intent), a per-intent breakdown and, with --tags, a per-tag one.
See README.md for the slot comparison rules.
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, OrderedDict, defaultdict

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("score.py needs PyYAML: pip install pyyaml")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

# The contract's slots per intent (docs/api.md, "Intents"). A slot the system returns that
# the case does not expect contradicts the case when it is one of these (the user did not
# ask for that filter/limit/setting), unless it carries the harmless default below.
CONTRACT = {
    "SubscribeToDesigner": ["designer", "auto_purchase", "max_price", "frequency"],
    "UnsubscribeFromDesigner": ["designer"],
    "SetAutoPurchase": ["designer", "enabled", "max_price"],
    "SetPriceLimit": ["designer", "max_price"],
    "SetNotificationFrequency": ["frequency", "designer"],
    "BuyChip": ["chip", "max_price"],
    "BuyLatestChip": ["designer", "max_price"],
    "ListNewChips": ["designer", "period"],
    "SearchChips": ["query", "max_price"],
    "PurchaseHistory": ["period"],
    "WalletBalance": [],
    "ListSubscriptions": [],
    "RateDesigner": ["designer", "rating"],
    "SetPreference": ["preference"],
    "Recommend": ["max_price"],
    "Confirm": [], "Cancel": [], "Undo": [], "Help": [], "Repeat": [],
}
HARMLESS_DEFAULTS = {"auto_purchase": False}

# ---------------------------------------------------------------- free-text normalisation

FILLERS = {"um", "uh", "er", "erm", "hmm", "like", "please", "hey", "so", "well", "just", "oh"}
FUNCTION_WORDS = {"a", "an", "the", "some", "any", "for", "me", "my", "of", "i", "im"}
GENERIC = {"chip", "chips", "design", "designs", "stuff", "thing", "things", "one", "ones",
           "block", "blocks"}
NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.pop("one")  # "one" is generic ("the cheap one"); digits still match "1"
PHRASES = [  # applied to the lowercased, punctuation-free text
    (r"\brisc v\b|\brisk v\b|\brisc five\b|\brisk five\b|\brisc 5\b", "riscv"),
    (r"\bnano ?met(?:er|re)s?\b", "nm"),
    (r"\bwi fi\b", "wifi"),
]


def fold(s):
    s = unicodedata.normalize("NFKD", str(s))
    return "".join(c for c in s if not unicodedata.combining(c)).replace("ß", "ss").lower()


def text_tokens(s, drop=True):
    s = fold(s).replace("'", "")
    s = re.sub(r"[^a-z0-9]+", " ", s)
    s = re.sub(r"(?<=[0-9])(?=[a-z])|(?<=[a-z])(?=[0-9])", " ", s)  # 28nm -> 28 nm
    s = " ".join(NUMBER_WORDS.get(w, w) for w in s.split())
    for pat, rep in PHRASES:
        s = re.sub(pat, rep, s)
    toks = s.split()
    if drop:
        toks = [t for t in toks if t not in FILLERS and t not in FUNCTION_WORDS and t not in GENERIC]
        toks = [t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t for t in toks]
    return toks


def contiguous(small, big):
    n = len(small)
    return any(big[i:i + n] == small for i in range(len(big) - n + 1))


def free_text_match(expected, got, slack=2):
    """Equal after normalisation, or one a contiguous run inside the other with at most
    `slack` extra tokens."""
    e, g = text_tokens(expected), text_tokens(got)
    if not e or not g:
        return e == g
    if e == g:
        return True
    small, big = (e, g) if len(e) <= len(g) else (g, e)
    return len(big) - len(small) <= slack and contiguous(small, big)


# ---------------------------------------------------------------- slot comparison

def period_range(keyword, today):
    monday = today - datetime.timedelta(days=today.weekday())
    first = today.replace(day=1)
    prev_last = first - datetime.timedelta(days=1)
    return {
        "today": (today, today),
        "this_week": (monday, monday + datetime.timedelta(days=6)),
        "last_week": (monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1)),
        "this_month": (first, (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)),
        "last_month": (prev_last.replace(day=1), prev_last),
    }.get(keyword)


def as_bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        return {"true": True, "yes": True, "on": True, "1": True, "enabled": True,
                "false": False, "no": False, "off": False, "0": False, "disabled": False}.get(v.lower())
    return None


def slot_equal(name, exp, got, today):
    if got is None:
        return False
    if name == "designer":
        return isinstance(got, str) and got.strip().lower() == str(exp).lower()
    if name == "chip":
        return isinstance(got, str) and " ".join(fold(got).split()) == " ".join(fold(exp).split())
    if name == "max_price":
        if not isinstance(got, dict):
            return False
        try:
            return int(got.get("amount_minor")) == int(exp["amount_minor"]) and \
                str(got.get("currency", "")).upper() == exp["currency"].upper()
        except (TypeError, ValueError):
            return False
    if name == "period":
        if isinstance(got, str):
            return got.lower() == exp
        if isinstance(got, dict):
            rng = period_range(exp, today)
            return rng is not None and str(got.get("from", ""))[:10] == rng[0].isoformat() \
                and str(got.get("to", ""))[:10] == rng[1].isoformat()
        return False
    if name == "rating":
        try:
            return float(got) == float(exp)
        except (TypeError, ValueError):
            return False
    if name == "frequency":
        return isinstance(got, str) and got.lower() == str(exp).lower()
    if name in ("enabled", "auto_purchase"):
        return as_bool(got) is exp
    if name in ("query", "preference"):
        return isinstance(got, str) and free_text_match(exp, got)
    return got == exp


def judge(case, got_intent, got_slots, today, lenient_extra):
    """Returns (intent_ok, exact_ok, reasons)."""
    exp_intent = case.get("intent")
    got_slots = got_slots or {}
    if got_intent != exp_intent:
        return False, False, ["intent"]
    if exp_intent is None:
        return True, True, []
    reasons = []
    exp_slots = case.get("slots") or {}
    for name, exp in exp_slots.items():
        if exp is None:  # asserted absent
            if name in got_slots:
                reasons.append(f"{name} should be absent")
        elif not slot_equal(name, exp, got_slots.get(name), today):
            reasons.append(f"{name}" + (" missing" if name not in got_slots else " wrong"))
    if not lenient_extra:
        for name, val in got_slots.items():
            if name in exp_slots or name not in CONTRACT.get(exp_intent, []):
                continue
            if name in HARMLESS_DEFAULTS and as_bool(val) is HARMLESS_DEFAULTS[name]:
                continue
            reasons.append(f"{name} not asked for")
    return True, not reasons, reasons


# ---------------------------------------------------------------- inputs

def load_cases(arg):
    path = arg if arg.endswith((".yaml", ".yml")) else os.path.join(HERE, f"{arg}.yaml")
    with open(path, encoding="utf-8") as f:
        cases = yaml.safe_load(f)
    split = os.path.splitext(os.path.basename(path))[0]
    return split, cases


def write_lists(catalog_path, out_path):
    """hassil's `lists:` shape; every string double-quoted (JSON strings are YAML)."""
    with open(catalog_path, encoding="utf-8") as f:
        cat = yaml.safe_load(f)
    q = lambda v: json.dumps(str(v), ensure_ascii=False)
    lines = ["language: en", "lists:", "  designer:", "    values:"]
    lines += [f"      - {{in: {q(d['name'])}, out: {q(d['handle'])}}}" for d in cat["designers"]]
    lines += ["  chip:", "    values:"]
    lines += [f"      - {{in: {q(c['title'])}, out: {q(c['title'])}}}" for c in cat["chips"]]
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return out_path


def parse_json_lines(stdout):
    out = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


# ---------------------------------------------------------------- runners

def run_text(cases, args, lists):
    base = [args.bin, "intent", "--json", "--lists", lists]
    if args.grammars:
        base += ["--grammars", args.grammars]

    def one(case):
        try:
            p = subprocess.run(base + ["--", case["text"]], cwd=ROOT, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return {"error": "timeout"}
        objs = parse_json_lines(p.stdout)
        if not objs:
            return {"error": f"exit {p.returncode}: {(p.stderr or p.stdout).strip()[:300]}"}
        return objs[-1]

    results = [None] * len(cases)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {pool.submit(one, c): i for i, c in enumerate(cases)}
        done = 0
        for fut in concurrent.futures.as_completed(futs):
            results[futs[fut]] = fut.result()
            done += 1
            if sys.stderr.isatty():
                print(f"\r{done}/{len(cases)}", end="", file=sys.stderr)
    if sys.stderr.isatty():
        print("\r", end="", file=sys.stderr)
    return results


def read_manifest(audio_dir):
    path = os.path.join(audio_dir, "manifest.tsv")
    rows = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                rows[row["stem"]] = row
    return rows


def conditions(audio_dir, split):
    """[(name, [wav paths])]: the clean/snrNN subfolders, or the folder itself."""
    found = []
    subs = sorted((d for d in os.listdir(audio_dir) if os.path.isdir(os.path.join(audio_dir, d))),
                  key=lambda d: (d != "clean", -int(re.sub(r"\D", "", d) or 0)))
    for d in [None] + subs:
        folder = audio_dir if d is None else os.path.join(audio_dir, d)
        wavs = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                      if re.fullmatch(rf"{re.escape(split)}-\d{{4}}\.wav", f))
        if wavs:
            found.append((d or os.path.basename(os.path.normpath(audio_dir)), wavs))
    return found


def run_audio(cases, wavs, args, lists):
    cmd = [args.bin, "understand", "--json", "--lists", lists]
    if args.grammars:
        cmd += ["--grammars", args.grammars]
    by_file = {}
    chunk = args.chunk if args.chunk > 0 else len(wavs)
    for start in range(0, len(wavs), chunk):
        part = wavs[start:start + chunk]
        p = subprocess.run(cmd + part, cwd=ROOT, capture_output=True, text=True)
        objs = parse_json_lines(p.stdout)
        if not objs and p.returncode not in (0, 1):
            sys.exit(f"score.py: `{' '.join(cmd[:2])} ...` failed (exit {p.returncode}): {p.stderr.strip()[:500]}")
        for o in objs:
            f = str(o.get("file", ""))
            by_file[f] = o
            by_file.setdefault(os.path.basename(f), o)
    results = [None] * len(cases)
    for w in wavs:
        idx = int(re.search(r"-(\d{4})\.wav$", w).group(1)) - 1
        if 0 <= idx < len(cases):
            results[idx] = by_file.get(w) or by_file.get(os.path.basename(w)) or {"error": "no output for file"}
    return results


# ---------------------------------------------------------------- reporting

def wer(ref, hyp):
    r, h = text_tokens(ref, drop=False), text_tokens(hyp, drop=False)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)], len(r)


def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "   n/a"


def fmt_slots(s):
    return json.dumps(s, ensure_ascii=False, sort_keys=True)


def report(title, cases, results, args, manifest=None):
    today = args.today
    rows = []
    for i, (case, res) in enumerate(zip(cases, results)):
        if res is None:
            continue
        got_intent = res.get("intent") if "error" not in res else "<error>"
        intent_ok, exact_ok, reasons = judge(case, got_intent, res.get("slots"), today, args.lenient_extra)
        if "error" in res:
            reasons = ["error: " + res["error"]]
        rows.append((i, case, res, got_intent, intent_ok, exact_ok, reasons))
    n = len(rows)
    if not n:
        print(f"\n== {title}: no results")
        return {}
    nulls = [r for r in rows if r[1].get("intent") is None]
    nonnull = [r for r in rows if r[1].get("intent") is not None]
    exact = sum(r[5] for r in rows)
    intent = sum(r[4] for r in rows)
    fa = sum(1 for r in nulls if r[3] is not None and "error" not in r[2])
    fr = sum(1 for r in nonnull if r[3] is None)
    errors = sum(1 for r in rows if "error" in r[2])
    print(f"\n== {title}: {n} cases ({len(nonnull)} commands, {len(nulls)} should match nothing)")
    print(f"exact (intent + all slots)   {pct(exact, n)}  ({exact}/{n})")
    print(f"intent only                  {pct(intent, n)}  ({intent}/{n})")
    print(f"false accept (null cases)    {pct(fa, len(nulls))}  ({fa}/{len(nulls)})")
    print(f"false reject (commands)      {pct(fr, len(nonnull))}  ({fr}/{len(nonnull)})")
    if errors:
        print(f"errors (no JSON from the binary; counted wrong): {errors}")
    summary = {"cases": n, "exact": exact, "intent": intent, "false_accept": fa, "nulls": len(nulls),
               "false_reject": fr, "commands": len(nonnull), "errors": errors}

    if any("text" in r[2] for r in rows):  # audio mode: transcripts
        errs = words = 0
        for r in rows:
            spoken = (manifest or {}).get(r[2].get("_stem", ""), {}).get("spoken") or r[1].get("speech") or r[1]["text"]
            e, w = wer(spoken, r[2].get("text") or "")
            errs, words = errs + e, words + w
        timing = defaultdict(list)
        for r in rows:
            for k in ("audio_ms", "asr_ms", "nlu_ms"):
                if isinstance(r[2].get(k), (int, float)):
                    timing[k].append(r[2][k])
        print(f"word error rate (vs spoken)  {pct(errs, words)}")
        if timing:
            print("mean ms: " + "  ".join(f"{k} {sum(v) / len(v):.0f}" for k, v in timing.items()))
        summary["wer"] = errs / words if words else None

    def table(label, key_fn):
        groups = OrderedDict()
        for r in rows:
            for k in key_fn(r):
                groups.setdefault(k, []).append(r)
        print(f"\n{label:26s}    n   exact  intent  wrong intent → got")
        for k, g in sorted(groups.items(), key=lambda kv: str(kv[0])):
            confusions = Counter(str(r[3]) for r in g if not r[4])
            conf = ", ".join(f"{c}×{m}" for c, m in confusions.most_common(3))
            print(f"{str(k):26s} {len(g):4d}  {pct(sum(r[5] for r in g), len(g))}  {pct(sum(r[4] for r in g), len(g))}  {conf}")

    table("intent", lambda r: [r[1].get("intent") or "(none)"])
    if args.tags:
        table("tag", lambda r: r[1].get("tags") or ["(untagged)"])
    if manifest and args.tags:
        table("voice", lambda r: [manifest.get(r[2].get("_stem", ""), {}).get("voice", "?")])

    if args.failures:
        fails = [r for r in rows if not r[5]]
        print(f"\nfailures ({len(fails)}):")
        for i, case, res, got_intent, _, _, reasons in fails:
            heard = f"  heard: {res.get('text')!r}\n" if "text" in res else ""
            print(f"- [{i + 1}] {case['text']!r}\n{heard}"
                  f"  expected: {case.get('intent')} {fmt_slots(case.get('slots') or {})}\n"
                  f"  got:      {got_intent} {fmt_slots(res.get('slots') or {})}"
                  f"{'  conf ' + str(res.get('confidence')) if 'confidence' in res else ''}"
                  f"{'  ' + str(res.get('status')) if res.get('status') else ''}\n"
                  f"  why:      {', '.join(reasons)}")
    summary["rows"] = [{"n": r[0] + 1, "text": r[1]["text"], "expected": r[1].get("intent"),
                        "got": r[3], "slots": r[2].get("slots"), "exact": r[5], "why": r[6], "confidence": r[2].get("confidence"), "status": r[2].get("status"), "template": r[2].get("template")} for r in rows]
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="?", default="dev", help="dev, test or a cases YAML file (default dev)")
    ap.add_argument("--bin", default=None, help="holomesh binary (default target/release/holomesh)")
    ap.add_argument("--grammars", help="passed through as --grammars DIR")
    ap.add_argument("--catalog", default=os.path.join(HERE, "catalog.yaml"))
    ap.add_argument("--lists-out", help="write the generated lists file here (default: a temp file)")
    ap.add_argument("--audio", metavar="DIR", help="score synth.sh's WAVs in DIR with `holomesh understand`")
    ap.add_argument("--chunk", type=int, default=0, help="audio: files per `understand` process (0 = all)")
    ap.add_argument("--jobs", type=int, default=1, help="text: parallel `holomesh intent` processes")
    ap.add_argument("--failures", action="store_true", help="print every failure with what came back")
    ap.add_argument("--tags", action="store_true", help="also break results down by tag (and voice)")
    ap.add_argument("--lenient-extra", action="store_true", help="ignore slots the case does not expect")
    ap.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date.today(),
                    help="reference date when a period comes back as {from, to}")
    ap.add_argument("--json-out", help="write per-case results as JSON")
    args = ap.parse_args()

    if args.bin is None:
        args.bin = os.path.join(ROOT, "target", "release", "holomesh")
        debug = os.path.join(ROOT, "target", "debug", "holomesh")
        if not os.path.exists(args.bin) and os.path.exists(debug):
            print(f"score.py: no release build, using {debug}", file=sys.stderr)
            args.bin = debug
    args.bin = os.path.abspath(args.bin)
    if not os.path.exists(args.bin):
        sys.exit(f"score.py: no binary at {args.bin} (cargo build --release, or --bin PATH)")

    if args.grammars:
        args.grammars = os.path.abspath(args.grammars)
    if args.audio:
        args.audio = os.path.abspath(args.audio)
    split, cases = load_cases(args.cases)
    tmp = None
    if args.lists_out:
        lists = write_lists(args.catalog, os.path.abspath(args.lists_out))
    else:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="marketplace-lists-", delete=False)
        tmp.close()
        lists = write_lists(args.catalog, tmp.name)

    out = {}
    try:
        if args.audio:
            manifest = read_manifest(args.audio)
            conds = conditions(args.audio, split)
            if not conds:
                sys.exit(f"score.py: no {split}-NNNN.wav files under {args.audio} (run synth.sh first)")
            for name, wavs in conds:
                stale = [w for w in wavs if (m := manifest.get(os.path.basename(w)[:-4]))
                         and m.get("text") != cases[int(m["index"]) - 1]["text"]] if manifest else []
                if stale:
                    print(f"warning: {len(stale)} WAVs in {name} were made from other texts; re-run synth.sh",
                          file=sys.stderr)
                results = run_audio(cases, wavs, args, lists)
                for w in wavs:
                    res = results[int(w[-8:-4]) - 1] if int(w[-8:-4]) <= len(results) else None
                    if res is not None:
                        res["_stem"] = os.path.basename(w)[:-4]
                out[name] = report(f"{split} audio [{name}]", cases, results, args, manifest)
            if len(out) > 1:
                print(f"\n== {split} audio, by condition\ncondition     n   exact  intent  false-acc  false-rej    WER")
                for name, s in out.items():
                    if s:
                        w = f"{100 * s['wer']:5.1f}%" if s.get("wer") is not None else "   n/a"
                        print(f"{name:9s} {s['cases']:5d}  {pct(s['exact'], s['cases'])}  {pct(s['intent'], s['cases'])}"
                              f"     {pct(s['false_accept'], s['nulls'])}     {pct(s['false_reject'], s['commands'])}  {w}")
        else:
            results = run_text(cases, args, lists)
            out["text"] = report(f"{split} text", cases, results, args)
    finally:
        if tmp:
            os.unlink(tmp.name)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
