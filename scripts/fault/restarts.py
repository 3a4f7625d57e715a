#!/usr/bin/env python3
"""`holomesh serve` under steady traffic while Redis is killed and started again, and
PostgreSQL is restarted: every answer is a success, a client error or a 503
problem+json (never another 5xx, never a hang), the service recovers by itself once
each is back, and nothing is lost: every purchase answered 201 is stored once, no
idempotency key made two purchases, and the ledger sums to zero.

Redis is a private `redis-server` on a free port; PostgreSQL is the machine's cluster,
restarted with `pg_ctlcluster` (run this where nothing else uses it).

usage: scripts/fault/restarts.py [--bin target/release/holomesh] [--threads 6]
                                 [--seconds 30] [--pg postgres://postgres@127.0.0.1:5432]
Exit 0 when every check holds, 1 naming those that do not.
"""
import argparse
import collections
import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.error

from harness import add_server_arguments, Deployment, Instance, account, call, chip_body, free_port

TIMEOUT = 15


class Redis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        sys.exit("redis-server did not start")

    def kill9(self):
        self.proc.kill()
        self.proc.wait()


def restart_postgres():
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
                   check=True, capture_output=True)


class Traffic:
    """Clients reading the catalog and buying, each purchase retried with its key until
    it is answered."""

    def __init__(self, base, token, chips):
        self.base, self.token, self.chips = base, token, chips
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers = []  # (time, kind, status, problem+json?)
        self.bought = {}  # idempotency key -> purchase id
        self.slowest = 0.0

    def request(self, kind, method, path, body=None, headers=None):
        t0 = time.time()
        try:
            st, data = call(self.base, method, path, self.token, body, headers)
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
            st, data = 0, None
        took = time.time() - t0
        problem = isinstance(data, dict) and "status" in data and "title" in data
        with self.lock:
            self.answers.append((time.time(), kind, st, problem))
            self.slowest = max(self.slowest, took)
        return st, data

    def run(self, n):
        i = 0
        while not self.stop.is_set():
            i += 1
            chip = self.chips[i % len(self.chips)]
            self.request("read", "GET", f"/v1/chips/{chip}")
            self.request("page", "GET", "/v1/chips?limit=20")
            if i % 3 == 0:
                key = f"t{n}-{i}"
                while not self.stop.is_set():
                    st, data = self.request("buy", "POST", "/v1/purchases", {"chip_id": chip},
                                            {"Idempotency-Key": key})
                    if st == 201 or st == 200:
                        with self.lock:
                            self.bought[key] = data["purchase"]["id"]
                        break
                    if 400 <= st < 500 and st != 409:
                        break
                    time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/holomesh")
    ap.add_argument("--threads", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=30)
    add_server_arguments(ap, redis=False)
    args = ap.parse_args()
    redis = Redis()
    redis.start()
    d = Deployment(args.pg, redis.url)
    inst = Instance(args.bin, d.env, "serve")
    traffic = None
    try:
        inst.start()
        _, dana = account(inst, "dana", "designer")
        buyer_id, buyer = account(inst, "bob", "user")
        assert call(inst.base, "POST", "/v1/wallet/deposits", buyer,
                    {"amount_minor": 100_000_000, "currency": "USD"})[0] == 201
        chips = []
        for n in range(5):
            st, chip = call(inst.base, "POST", "/v1/chips", dana, chip_body("dana", n, 100 + n))
            assert st == 201, (st, chip)
            assert call(inst.base, "POST", f"/v1/chips/{chip['id']}/publish", dana)[0] == 200
            chips.append(chip["id"])
        traffic = Traffic(inst.base, buyer, chips)
        threads = [threading.Thread(target=traffic.run, args=(n,)) for n in range(args.threads)]
        for t in threads:
            t.start()
        s = args.seconds
        marks = {}
        time.sleep(s * 0.15)
        redis.kill9()
        marks["redis down"] = time.time()
        print(f"Redis killed at {s * 0.15:.0f} s")
        time.sleep(s * 0.2)
        redis.start()
        marks["redis back"] = time.time()
        print("Redis started again")
        time.sleep(s * 0.2)
        marks["postgres restart"] = time.time()
        restart_postgres()
        marks["postgres back"] = time.time()
        print("PostgreSQL restarted")
        time.sleep(s * 0.45)
        traffic.stop.set()
        for t in threads:
            t.join(timeout=60)
        end = time.time()

        answers = traffic.answers
        by_status = collections.Counter(a[2] for a in answers)
        print(f"{len(answers)} requests on {args.threads} clients: {dict(sorted(by_status.items()))}; "
              f"slowest {traffic.slowest:.1f} s")
        bad = [a for a in answers if a[2] >= 500 and not (a[2] == 503 and a[3])]
        d.check("5xx other than a 503 problem+json", f"SELECT {len(bad)}", 0)
        d.check("requests that hung (no answer within 15 s)", f"SELECT {int(traffic.slowest >= TIMEOUT)}", 0)
        # Recovered: the last quarter of the run, well after both came back, answers every request.
        settle = marks["postgres back"] + 5
        late = [a for a in answers if a[0] > settle and a[0] < end]
        late_bad = [a for a in late if not (200 <= a[2] < 300)]
        d.check(f"failed requests once both were back ({len(late)} requests)", f"SELECT {len(late_bad)}", 0)
        outage = [a for a in answers if marks["redis down"] <= a[0] <= marks["redis back"]]
        ok_in_outage = sum(1 for a in outage if 200 <= a[2] < 300)
        print(f"  during the Redis outage: {ok_in_outage} of {len(outage)} requests answered with success")
        ids = "', '".join(traffic.bought.values()) or "none"
        d.check("purchases answered 201 and stored", f"SELECT COUNT(*) FROM purchases WHERE id IN ('{ids}')",
                len(traffic.bought))
        d.check("purchases stored", f"SELECT COUNT(*) FROM purchases WHERE buyer_id = '{buyer_id}'",
                len(traffic.bought))
        d.check("ledger sum", "SELECT COALESCE(SUM(amount_minor), 0) FROM ledger_entries", 0)
        d.check("buyer's balance", f"SELECT 100000000 - balance_minor FROM wallets WHERE user_id = '{buyer_id}'",
                d.sql(f"SELECT COALESCE(SUM(price_minor), 0) FROM purchases WHERE buyer_id = '{buyer_id}'"))
        inst.stop()
    finally:
        if traffic:
            traffic.stop.set()
        inst.kill_if_running()
        d.drop()
        if redis.proc and redis.proc.poll() is None:
            redis.kill9()
    return d.verdict()


if __name__ == "__main__":
    sys.exit(main())
