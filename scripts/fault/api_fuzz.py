#!/usr/bin/env python3
"""Bad input at scale through the HTTP API: schemathesis generates requests from
`/openapi.json` (coverage, fuzzing and stateful phases) as a client, a designer and an
administrator with 2FA, against `holomesh serve` on the embedded default. Every answer
must be free of server errors and match the published schema.

Schemathesis (scripts/requirements-api-fuzz.txt) is installed in a virtual environment
under ~/.cache/holomesh the first time.

usage: scripts/fault/api_fuzz.py [--bin target/release/holomesh] [--examples 30]
Exit 0 when every generated request passed, 1 otherwise.
"""
import argparse
import os
import subprocess
import sys

from harness import Instance, account, admin, serve_env

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# Operations that end the session the run uses (signing out, revoking sessions, turning
# 2FA off) and the audio upload (schemathesis cannot make WAV bodies; tests/http_voice.rs does).
EXCLUDE = "^/v1/(auth/logout|me/sessions|auth/totp)|^/v1/voice/audio$"


def schemathesis():
    venv = os.path.join(os.path.expanduser("~"), ".cache", "holomesh", "venv-api-fuzz")
    st = os.path.join(venv, "bin", "st")
    if not os.path.exists(st):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "-r",
                        os.path.join(ROOT, "scripts", "requirements-api-fuzz.txt")], check=True)
    return st


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/holomesh")
    ap.add_argument("--examples", type=int, default=30, help="examples per operation and phase")
    args = ap.parse_args()
    st = schemathesis()
    env = serve_env("holomesh-api-fuzz-", HOLOMESH_PAYMENTS__PROVIDER="development")
    inst = Instance(args.bin, env, "serve")
    failed = []
    try:
        inst.start()
        tokens = {
            "client": account(inst, "fuzz-client", "user")[1],
            "designer": account(inst, "fuzz-designer", "designer")[1],
            "administrator": admin(args.bin, env, inst),
        }
        for role, token in tokens.items():
            print(f"── as {role}", flush=True)
            run = subprocess.run([st, "run", f"{inst.base}/openapi.json", "--header", f"Authorization: Bearer {token}",
                                  "--checks", "not_a_server_error,response_schema_conformance",
                                  "--max-examples", str(args.examples), "--workers", "1", "--seed", "1",
                                  "--exclude-path-regex", EXCLUDE, "--no-color"])
            if run.returncode != 0:
                failed.append(role)
        inst.stop()
    finally:
        inst.kill_if_running()
    if failed:
        print("FAILED as: " + ", ".join(failed))
        return 1
    print("every generated request passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
