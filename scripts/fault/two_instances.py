#!/usr/bin/env python3
"""Two `holomesh serve` instances on one PostgreSQL database and one Redis: chips are
published while both outbox workers run, one instance is killed with SIGKILL in the
middle of the fan-out and started again; afterwards every (subscriber, chip) is bought
exactly once, every subscriber is told of every chip once, and the ledger balances.

usage: scripts/fault/two_instances.py [--bin target/release/holomesh] [--subscribers 60]
                                      [--chips 6] [--pg postgres://postgres@127.0.0.1:5432]
                                      [--redis redis://127.0.0.1:6379/7]
Exit 0 when every check holds, 1 naming the first that does not.
"""
import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PASSWORD = "correct horse battery staple"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, token=None, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, (json.loads(text) if text else None)


def psql(url, sql):
    out = subprocess.run(["psql", url, "-Atqc", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


class Instance:
    def __init__(self, binary, env, name):
        self.binary, self.env, self.name = binary, env, name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = open(os.path.join(env["HOLOMESH_DATA_DIR"], f"{name}.log"), "ab")

    def start(self):
        env = dict(self.env, HOLOMESH_SERVER__BIND=f"127.0.0.1:{self.port}")
        self.proc = subprocess.Popen([self.binary, "serve"], env=env, stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                if call(self.base, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                sys.exit(f"{self.name} exited at start; see {self.log.name}")
            time.sleep(0.1)
        sys.exit(f"{self.name} did not start")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                sys.exit(f"{self.name} did not stop within 20 s of SIGTERM")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/holomesh")
    ap.add_argument("--subscribers", type=int, default=60)
    ap.add_argument("--chips", type=int, default=6)
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test").rsplit("/", 1)[0]
    ap.add_argument("--pg", default=server, help="the PostgreSQL server (default: DATABASE_URL's)")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    args = ap.parse_args()

    db = f"holomesh_fault_{int(time.time())}"
    psql(f"{args.pg}/postgres", f'CREATE DATABASE "{db}"')
    url = f"{args.pg}/{db}"
    subprocess.run(["redis-cli", "-u", args.redis, "FLUSHDB"], capture_output=True, check=False)
    work = tempfile.mkdtemp(prefix="holomesh-fault-")
    key = lambda: base64.b64encode(os.urandom(32)).decode()  # noqa: E731
    env = dict(
        os.environ,
        HOLOMESH_DATA_DIR=work,
        HOLOMESH_DATABASE__URL=url,
        HOLOMESH_CACHE__URL=args.redis,
        HOLOMESH_PAYMENTS__PROVIDER="development",
        HOLOMESH_AUTH__REGISTRATIONS_PER_ADDRESS_PER_HOUR="100000",
        HOLOMESH_AUTH__LOGIN_ATTEMPTS_PER_ADDRESS="100000",
        HOLOMESH_AUTH__REQUESTS_PER_MINUTE="100000",
        HOLOMESH_LOG__LEVEL="warn",
    )
    # Both instances share the keys, as a deployment's instances must.
    config = os.path.join(work, "shared.toml")
    with open(config, "w") as f:
        f.write(f'[security]\nfield_keys = {{ k1 = "{key()}" }}\nactive_field_key = "k1"\n')
        f.write(f'[auth]\njwt_keys = {{ k1 = "{key()}" }}\nactive_jwt_key = "k1"\n')
    env["HOLOMESH_CONFIG"] = config
    a, b = Instance(args.bin, env, "a"), Instance(args.bin, env, "b")
    failures = []
    try:
        a.start()
        b.start()

        def account(inst, name, role):
            email = f"{name}@example.org"
            st, me = call(inst.base, "POST", "/v1/auth/register",
                          body={"email": email, "password": PASSWORD, "display_name": name, "role": role})
            assert st == 201, (st, me)
            st, t = call(inst.base, "POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})
            assert st == 200, (st, t)
            return me["id"], t["access_token"]

        _, designer = account(a, "dana", "designer")
        fans = []
        for i in range(args.subscribers):
            inst = a if i % 2 else b
            uid, tok = account(inst, f"fan{i}", "user")
            st, w = call(inst.base, "POST", "/v1/wallet/deposits", tok, {"amount_minor": 100_000, "currency": "USD"})
            assert st == 201, (st, w)
            st, s = call(inst.base, "PUT", "/v1/subscriptions/dana", tok,
                         {"auto_purchase": True, "max_price_minor": 5000, "notify": "immediate"})
            assert st == 200, (st, s)
            fans.append(uid)
        print(f"{args.subscribers} auto-buying subscribers on two instances")

        chips = []
        killed = False
        for c in range(args.chips):
            inst = a if c % 2 and not killed else b
            body = {"vlnv": f"dana.dev:ip:block{c}:1.0", "title": f"Block {c}", "description": "fault test",
                    "category": "dsp", "process_node": "28nm", "tags": [], "royalty_bps": 0,
                    "price": {"amount_minor": 1000 + c, "currency": "USD"}, "supply": None,
                    "content_sha256": "ab" * 32, "content_size": 1}
            st, chip = call(inst.base, "POST", "/v1/chips", designer, body)
            assert st == 201, (st, chip)
            st, p = call(inst.base, "POST", f"/v1/chips/{chip['id']}/publish", designer)
            assert st == 200, (st, p)
            chips.append(chip["id"])
            if c == args.chips // 2:
                a.kill9()  # in the middle of the fan-outs
                killed = True
                print("instance a killed with SIGKILL")
        a.start()
        print("instance a started again")

        expected = args.subscribers * args.chips
        deadline = time.time() + 300
        while time.time() < deadline:
            done = int(psql(url, "SELECT COUNT(*) FROM auto_purchases WHERE outcome <> 'failed'"))
            pending = int(psql(url, "SELECT COUNT(*) FROM outbox_events WHERE processed_at IS NULL AND dead_at IS NULL"))
            if done >= expected and pending == 0:
                break
            time.sleep(1)

        def check(what, sql, want):
            got = psql(url, sql)
            ok = got == str(want)
            print(f"  {'ok ' if ok else 'BAD'} {what}: {got} (want {want})")
            if not ok:
                failures.append(what)

        check("auto-purchases made", "SELECT COUNT(*) FROM auto_purchases WHERE outcome = 'purchased'", expected)
        check("purchases", "SELECT COUNT(*) FROM purchases WHERE status = 'completed'", expected)
        check("(buyer, chip) bought twice",
              "SELECT COUNT(*) FROM (SELECT buyer_id, chip_id FROM purchases GROUP BY 1, 2 HAVING COUNT(*) > 1) d", 0)
        check("notifications", "SELECT COUNT(*) FROM notifications WHERE kind = 'chip.published'", expected)
        check("ledger sum", "SELECT COALESCE(SUM(amount_minor), 0) FROM ledger_entries", 0)
        check("dead events", "SELECT COUNT(*) FROM outbox_events WHERE dead_at IS NOT NULL", 0)
        t0 = time.time()
        a.stop()
        b.stop()
        print(f"both instances stopped on SIGTERM in {time.time() - t0:.1f} s")
    finally:
        for inst in (a, b):
            if inst.proc and inst.proc.poll() is None:
                inst.proc.kill()
        psql(f"{args.pg}/postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    print("every check holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
