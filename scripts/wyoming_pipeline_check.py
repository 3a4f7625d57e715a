#!/usr/bin/env python3
"""Checks HoloMesh's Wyoming server with the real `wyoming` client: speech to text on a
WAV file, and a transcript handled by the marketplace assistant.

Usage: wyoming_pipeline_check.py --host H --port P --wav FILE --expect-words W [W ...]
Prints one PASS/FAIL line per check and "N passed, N failed"; exits 1 on a failure.
"""
import argparse
import asyncio
import sys
import wave

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.handle import Handled, NotHandled
from wyoming.info import Describe, Info


async def read_until(client, wanted, timeout=60):
    while True:
        event = await asyncio.wait_for(client.read_event(), timeout)
        if event is None:
            raise RuntimeError("connection closed")
        for kind in wanted:
            if kind.is_type(event.type):
                return kind.from_event(event)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--wav", required=True)
    ap.add_argument("--expect-words", nargs="+", required=True)
    a = ap.parse_args()
    results = []

    async with AsyncTcpClient(a.host, a.port) as c:
        await c.write_event(Describe().event())
        info = await read_until(c, [Info])
        names = [p.name for p in info.handle] + [p.name for p in info.asr]
        results.append(("describe lists holomesh", "holomesh" in names and bool(info.asr), names))

    with wave.open(a.wav, "rb") as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        pcm = w.readframes(w.getnframes())
    async with AsyncTcpClient(a.host, a.port) as c:
        await c.write_event(Transcribe(language="en").event())
        await c.write_event(AudioStart(rate=rate, width=width, channels=channels).event())
        step = rate * width * channels // 10
        for i in range(0, len(pcm), step):
            await c.write_event(AudioChunk(rate=rate, width=width, channels=channels, audio=pcm[i:i + step]).event())
        await c.write_event(AudioStop().event())
        t = await read_until(c, [Transcript])
        text = t.text.lower()
        results.append(("audio in -> transcript", all(w in text for w in a.expect_words), t.text))

    async with AsyncTcpClient(a.host, a.port) as c:
        await c.write_event(Transcript(text="what's my balance").event())
        h = await read_until(c, [Handled, NotHandled])
        results.append(("transcript in -> handled with reply", isinstance(h, Handled) and "wallet" in (h.text or ""), h.text))

    async with AsyncTcpClient(a.host, a.port) as c:
        await c.write_event(Transcript(text="what's the weather like").event())
        h = await read_until(c, [Handled, NotHandled])
        results.append(("nonsense -> not-handled with advice", isinstance(h, NotHandled) and "help" in (h.text or ""), h.text))

    failed = 0
    for name, ok, detail in results:
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail!r}")
        failed += 0 if ok else 1
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
