#!/usr/bin/env python3
"""Adds noise to clean 16 kHz mono 16-bit WAVs at given SNRs (helper of synth.sh).

usage: mix_snr.py --noise NOISE.wav --clean DIR --out DIR --snr 20 10 5

For each DIR/*.wav and each SNR S, writes OUT/snrS/<same name>. The noise is scaled by the
RMS of the *active* speech (20 ms frames whose RMS is within 40 dB of the loudest frame;
leading/trailing silence and pauses do not count), so that
    20·log10(rms_speech_active / rms_noise_segment) = S dB,
the noise segment being a stretch of the noise file (looped if short) starting at an offset
derived from the file name (reproducible). If the mix would clip, the whole mix is scaled
down, which keeps the SNR. Pure Python (no numpy needed).
"""
import argparse
import array
import math
import os
import sys
import wave
import zlib

RATE = 16000
FRAME = RATE // 50  # 20 ms


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != RATE:
            sys.exit(f"mix_snr.py: {path} is not 16 kHz mono 16-bit")
        data = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return data


def write_wav(path, samples):
    data = array.array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data.tobytes())


def active_rms(x, floor_db=40.0):
    energies = []
    for i in range(0, len(x) - FRAME + 1, FRAME):
        seg = x[i:i + FRAME]
        energies.append(sum(v * v for v in seg) / FRAME)
    if not energies:
        return math.sqrt(sum(v * v for v in x) / max(1, len(x)))
    top = max(energies)
    if top == 0:
        return 0.0
    thr = top * 10 ** (-floor_db / 10)
    act = [e for e in energies if e >= thr]
    return math.sqrt(sum(act) / len(act))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--noise", required=True)
    ap.add_argument("--clean", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--snr", type=float, nargs="+", default=[20, 10, 5])
    args = ap.parse_args()

    noise = read_wav(args.noise)
    if len(noise) < RATE:
        sys.exit("mix_snr.py: noise file shorter than 1 s")
    names = sorted(f for f in os.listdir(args.clean) if f.endswith(".wav"))
    for snr in args.snr:
        os.makedirs(os.path.join(args.out, f"snr{snr:g}"), exist_ok=True)
    for name in names:
        x = read_wav(os.path.join(args.clean, name))
        s_rms = active_rms(x)
        start = zlib.crc32(name.encode()) % len(noise)
        n = [noise[(start + i) % len(noise)] for i in range(len(x))]
        n_rms = math.sqrt(sum(v * v for v in n) / len(n)) or 1.0
        for snr in args.snr:
            g = s_rms / (n_rms * 10 ** (snr / 20))
            mix = [a + g * b for a, b in zip(x, n)]
            peak = max(abs(v) for v in mix) or 1.0
            k = min(1.0, 32000.0 / peak)
            write_wav(os.path.join(args.out, f"snr{snr:g}", name),
                      [int(round(v * k)) for v in mix])


if __name__ == "__main__":
    main()
