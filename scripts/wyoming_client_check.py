#!/usr/bin/env python3
"""Checks a HoloMesh Wyoming server with the real `wyoming` Python client (the one Home Assistant uses).

Expects the fake handler of `examples/wyoming_fake_server.rs`: transcripts read
`heard N samples` (N = samples at 16 kHz), handled replies read `You said: TEXT`,
text containing `fail` is not handled, and `buy X` is the intent `BuyDesign`.

Usage: wyoming_client_check.py --host 127.0.0.1 --port 10300
Prints one line per check and a closing `N passed, N failed` line; exits 1 on any failure.
"""

import argparse
import asyncio
import math
import struct
import sys

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import async_read_event
from wyoming.handle import Handled, NotHandled
from wyoming.info import Describe, Info
from wyoming.intent import Intent, NotRecognized, Recognize
from wyoming.ping import Ping, Pong

TIMEOUT = 10.0


def tone(rate: int, width: int, channels: int, seconds: float) -> bytes:
    """A 440 Hz tone as interleaved signed little-endian PCM."""
    frames = int(rate * seconds)
    peak = (1 << (8 * width - 1)) - 1
    out = bytearray()
    for i in range(frames):
        value = int(math.sin(2 * math.pi * 440 * i / rate) * 0.5 * peak)
        sample = value.to_bytes(width, "little", signed=True)
        out += sample * channels
    return bytes(out)


async def read_until(client: AsyncTcpClient, *types):
    """Next event of one of `types` (others are skipped); None when the server closed."""
    while True:
        event = await asyncio.wait_for(client.read_event(), TIMEOUT)
        if event is None or any(t.is_type(event.type) for t in types):
            return event


async def check_describe(host: str, port: int) -> str:
    async with AsyncTcpClient(host, port) as client:
        await client.write_event(Describe().event())
        event = await read_until(client, Info)
        assert event is not None, "no info"
        info = Info.from_event(event)
        assert info.asr, "info lists no asr program"
        assert info.handle, "info lists no handle program"
        asr, handle = info.asr[0], info.handle[0]
        assert asr.installed and handle.installed, "programs not installed"
        assert asr.models and asr.models[0].languages, "asr model has no languages"
        assert handle.models and handle.models[0].languages, "handle model has no languages"
        return f"asr={asr.name} handle={handle.name} languages={asr.models[0].languages}"


async def transcribe(host: str, port: int, rate: int, width: int, channels: int, seconds: float):
    audio = tone(rate, width, channels, seconds)
    async with AsyncTcpClient(host, port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=rate, width=width, channels=channels).event())
        step = 1024 * width * channels
        for start in range(0, len(audio), step):
            chunk = AudioChunk(rate=rate, width=width, channels=channels, audio=audio[start : start + step])
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        event = await read_until(client, Transcript, Error)
        assert event is not None, "connection closed before a transcript"
        assert Transcript.is_type(event.type), f"got {event.type}: {event.data}"
        return Transcript.from_event(event)


async def check_transcribe_16k(host: str, port: int) -> str:
    transcript = await transcribe(host, port, 16000, 2, 1, 1.0)
    assert transcript.text == "heard 16000 samples", transcript.text
    assert transcript.language == "en", transcript.language
    return repr(transcript.text)


async def check_transcribe_converted(host: str, port: int) -> str:
    # 44.1 kHz stereo 16-bit, half a second: 8000 samples once converted to 16 kHz mono.
    transcript = await transcribe(host, port, 44100, 2, 2, 0.5)
    assert transcript.text == "heard 8000 samples", transcript.text
    return repr(transcript.text)


async def check_handle(host: str, port: int) -> str:
    async with AsyncTcpClient(host, port) as client:
        context = {"conversation_id": "ha-conv-1", "device_id": "dev-1"}
        await client.write_event(Transcript(text="show my orders", context=context, language="en").event())
        event = await read_until(client, Handled, NotHandled, Error)
        assert event is not None and Handled.is_type(event.type), f"expected handled, got {event}"
        handled = Handled.from_event(event)
        assert handled.text == "You said: show my orders [conversation ha-conv-1]", handled.text

        # Same connection, a request the handler refuses.
        await client.write_event(Transcript(text="fail this").event())
        event = await read_until(client, Handled, NotHandled, Error)
        assert event is not None and NotHandled.is_type(event.type), f"expected not-handled, got {event}"
        assert NotHandled.from_event(event).text == "Sorry, I cannot fail this"
        return repr(handled.text)


async def check_recognize(host: str, port: int) -> str:
    async with AsyncTcpClient(host, port) as client:
        await client.write_event(Recognize(text="buy riscv-core").event())
        event = await read_until(client, Intent, NotRecognized, Error)
        assert event is not None and Intent.is_type(event.type), f"expected intent, got {event}"
        intent = Intent.from_event(event)
        assert intent.name == "BuyDesign", intent.name
        assert [(e.name, e.value) for e in intent.entities] == [("design", "riscv-core")], intent.entities
        await client.write_event(Recognize(text="hum a tune").event())
        event = await read_until(client, Intent, NotRecognized, Error)
        assert event is not None and NotRecognized.is_type(event.type), f"expected not-recognized, got {event}"
        return f"{intent.name} {intent.entities}"


async def check_garbage_then_third(host: str, port: int) -> str:
    # A second connection sends bytes that are not Wyoming; the server answers `error` and closes it.
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"\x00\xffGET / HTTP/1.1 not wyoming at all\r\n\r\n")
    await writer.drain()
    event = await asyncio.wait_for(async_read_event(reader), TIMEOUT)
    assert event is not None and Error.is_type(event.type), f"expected error, got {event}"
    error = Error.from_event(event)
    rest = await asyncio.wait_for(reader.read(), TIMEOUT)
    assert rest == b"", f"connection not closed, got {rest!r}"
    writer.close()

    # A third connection is still served.
    async with AsyncTcpClient(host, port) as client:
        await client.write_event(Ping(text="still there?").event())
        event = await read_until(client, Pong)
        assert event is not None and Pong.from_event(event).text == "still there?", f"no pong: {event}"
        await client.write_event(Describe().event())
        event = await read_until(client, Info)
        assert event is not None, "no info on the third connection"
    return f"garbage got error code={error.code!r}; third connection answered ping and describe"


CHECKS = [
    ("describe lists asr and handle programs", check_describe),
    ("transcribe 16 kHz mono 16-bit", check_transcribe_16k),
    ("transcribe 44.1 kHz stereo (converted)", check_transcribe_converted),
    ("transcript -> handled / not-handled", check_handle),
    ("recognize -> intent / not-recognized", check_recognize),
    ("garbage connection, then a third connection", check_garbage_then_third),
]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=10300)
    args = parser.parse_args()

    passed = failed = 0
    for name, check in CHECKS:
        try:
            detail = await check(args.host, args.port)
        except Exception as err:  # noqa: BLE001 - every failure is reported, then counted
            failed += 1
            print(f"FAIL {name}: {type(err).__name__}: {err}", flush=True)
        else:
            passed += 1
            print(f"PASS {name}: {detail}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
