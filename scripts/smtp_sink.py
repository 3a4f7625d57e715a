#!/usr/bin/env python3
"""A local SMTP server for tests: keeps every message it accepts as a file in DIR
(0001.eml, 0002.eml, ...), and can refuse the first N messages with a temporary
error (451) to exercise retries. Prints "ready PORT" once it listens.

    /usr/bin/python3 scripts/smtp_sink.py --dir DIR [--port 0] [--fail-first N]

Needs aiosmtpd (Debian: python3-aiosmtpd; PyPI: aiosmtpd).
"""

import argparse
import asyncio
import pathlib
import socket
import sys

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder: pathlib.Path, fail_first: int):
        self.folder = folder
        self.refuse = fail_first
        self.kept = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.kept += 1
        path = self.folder / f"{self.kept:04d}.eml"
        tmp = path.with_suffix(".part")
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(path)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, type=pathlib.Path)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fail-first", type=int, default=0)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port()
    controller = Controller(Keep(args.dir, args.fail_first), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"ready {port}", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
