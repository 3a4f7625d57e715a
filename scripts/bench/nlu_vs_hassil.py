#!/usr/bin/env python3
"""Rust NLU vs Python hassil on the marketplace grammar with 12,000 designer names.

Usage: scripts/bench/nlu_vs_hassil.py [--venv DIR] [--rounds 200]
The venv (default target/bench-venv) is created with hassil from PyPI when missing.
Builds the Rust bench binary (release), runs both on scripts/bench/sentences.txt, prints a table.
"""
import argparse, glob, json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIRST = ["Alice", "Bob", "Carol", "Dmitri", "Priya", "Zhang", "Nadia", "Omar", "Lena", "Kofi",
         "Sven", "Yuki", "Mateo", "Aisha", "Igor", "Hana", "Pablo", "Greta", "Ravi", "Tomas"]
LAST = ["Chen", "Diaz", "Ivanov", "Patel", "Wei", "Okafor", "Haddad", "Novak", "Mensah", "Berg",
        "Tanaka", "Silva", "Khan", "Petrov", "Kim", "Lopez", "Weber", "Rao", "Horvat", "Ali"]
SUFFIX = ["", "Labs", "Design", "Silicon", "Systems", "Micro", "Semi", "Works", "Studio", "Circuits",
          "Logic", "Devices", "Tech", "IP", "Cores", "Analog", "Digital", "RF", "Power", "Photonics",
          "Quantum", "Sensors", "Memory", "Compute", "Vision", "Audio", "Edge", "Cloud", "Fab", "Foundry"]


def designers(n=12000):
    out = []
    for s in SUFFIX:
        for f in FIRST:
            for l in LAST:
                name = f"{f} {l} {s}".strip()
                out.append(name)
                if len(out) == n:
                    return out
    return out


def write_lists(path, names):
    chips = ["RISC-V Nano", "Tiny Tapeout Adder", "Sky130 PLL", "Neural Accelerator X1", "LED Blinker"]
    with open(path, "w") as f:
        f.write("language: en\nlists:\n  designer:\n    values:\n")
        for n in names:
            f.write(f"      - in: \"{n}\"\n        out: \"{n.lower().replace(' ', '-')}\"\n")
        f.write("  chip:\n    values:\n")
        for c in chips:
            f.write(f"      - in: \"{c}\"\n        out: \"{c}\"\n")


def run_rust(lists, sentences, rounds):
    subprocess.run(["nice", "-n", "10", "cargo", "build", "--release", "-q", "--example", "nlu_bench"],
                   cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "examples", "nlu_bench")
    out = subprocess.run([exe, os.path.join(ROOT, "grammars", "en"), lists, sentences, str(rounds)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def run_hassil(venv, lists, sentences, rounds):
    code = r'''
import glob, json, sys, time, yaml
from hassil import Intents, recognize_best
from hassil.util import merge_dict
from hassil.expression import TextChunk
from hassil.intents import TextSlotList, TextSlotValue
root, lists, sentences, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t0 = time.perf_counter()
merged = {}
for p in sorted(glob.glob(root + "/grammars/en/*.yaml")):
    with open(p) as f:
        merge_dict(merged, yaml.safe_load(f))
intents = Intents.from_dict(merged)
with open(lists) as f:
    ld = yaml.safe_load(f)["lists"]
slot_lists = {name: TextSlotList.from_tuples([(v["in"], v["out"]) for v in d["values"]]) for name, d in ld.items()}
load_ms = (time.perf_counter() - t0) * 1e3
lines = [l.strip() for l in open(sentences) if l.strip()]
lat = []; matched = 0
start = time.perf_counter()
for _ in range(rounds):
    for l in lines:
        t = time.perf_counter()
        r = recognize_best(l, intents, slot_lists=slot_lists)
        lat.append((time.perf_counter() - t) * 1e6)
        matched += r is not None
total = time.perf_counter() - start
lat.sort()
print(json.dumps({"engine": "hassil", "load_ms": load_ms, "sentences": len(lines),
  "matches_per_s": len(lat) / total, "p50_us": lat[len(lat)//2], "p99_us": lat[min(len(lat)-1, int(len(lat)*0.99))],
  "max_us": lat[-1], "matched": matched // rounds}))
'''
    py = os.path.join(venv, "bin", "python")
    out = subprocess.run([py, "-c", code, ROOT, lists, sentences, str(rounds)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default=os.path.join(ROOT, "target", "bench-venv"))
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--hassil-rounds", type=int, default=2)
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", a.venv], check=True)
        subprocess.run([os.path.join(a.venv, "bin", "pip"), "install", "-q", "hassil"], check=True)
    sentences = os.path.join(ROOT, "scripts", "bench", "sentences.txt")
    with tempfile.TemporaryDirectory() as tmp:
        lists = os.path.join(tmp, "designers.yaml")
        names = designers()
        write_lists(lists, names)
        rust = run_rust(lists, sentences, a.rounds)
        hassil = run_hassil(a.venv, lists, sentences, a.hassil_rounds)
    print(f"designer list: {len(names)} names, {rust['sentences']} sentences")
    print(f"{'':18}{'rust':>14}{'hassil':>14}{'ratio':>10}")
    for k, better in [("matches_per_s", "hi"), ("p50_us", "lo"), ("p99_us", "lo"), ("max_us", "lo"), ("load_ms", "lo"), ("matched", None)]:
        r, h = rust[k], hassil[k]
        ratio = "" if better is None else f"{(r / h if better == 'hi' else h / max(r, 1e-9)):.0f}x"
        print(f"{k:18}{r:>14.2f}{h:>14.2f}{ratio:>10}")


if __name__ == "__main__":
    sys.exit(main())
