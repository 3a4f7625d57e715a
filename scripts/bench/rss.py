#!/usr/bin/env python3
"""Memory of `holomesh serve` after a load of sign-ups, sign-ins and catalog reads:
resident set size idle, at the end of the load, and after a quiet spell (memory the
process gives back).

usage: scripts/bench/rss.py [--bin target/release/holomesh] [--users 100] [--logins 400]
                            [--threads 8] [--quiet 10]
Runs on the embedded default (SQLite, in-process cache) in a temporary data directory.
"""
import argparse
import concurrent.futures
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault"))
from harness import PASSWORD, Instance, call, serve_env  # noqa: E402


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/holomesh")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--logins", type=int, default=400)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--quiet", type=float, default=10.0, help="seconds to wait after the load")
    args = ap.parse_args()
    env = serve_env("holomesh-rss-")
    inst = Instance(args.bin, env, "serve")
    base = inst.base
    try:
        inst.start()
        proc = inst.proc
        time.sleep(1)
        idle = rss_mb(proc.pid)
        emails = [f"load{i}@example.org" for i in range(args.users)]
        started = time.monotonic()
        peak = idle
        with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
            signup = lambda e: call(base, "POST", "/v1/auth/register",  # noqa: E731
                                    body={"email": e, "password": PASSWORD, "display_name": "Load", "role": "user"})[0]
            codes = list(pool.map(signup, emails))
            peak = max(peak, rss_mb(proc.pid))
            login = lambda i: call(base, "POST", "/v1/auth/login",  # noqa: E731
                                   body={"email": emails[i % len(emails)], "password": PASSWORD})[0]
            codes += list(pool.map(login, range(args.logins)))
            peak = max(peak, rss_mb(proc.pid))
            codes += list(pool.map(lambda i: call(base, "GET", f"/v1/chips?limit=20&q=dsp{i}")[0], range(200)))
        elapsed = time.monotonic() - started
        after = rss_mb(proc.pid)
        time.sleep(args.quiet)
        quiet = rss_mb(proc.pid)
        bad = [c for c in codes if c >= 500]
        print(f"holomesh serve, {args.users} sign-ups, {args.logins} sign-ins, 200 searches "
              f"on {args.threads} threads in {elapsed:.1f} s ({len(bad)} server errors)")
        print(f"  RSS idle {idle:.0f} MB, peak seen {max(peak, after):.0f} MB, at the end {after:.0f} MB, "
              f"after {args.quiet:.0f} s quiet {quiet:.0f} MB")
        return 1 if bad else 0
    finally:
        inst.stop()


if __name__ == "__main__":
    sys.exit(main())
