#!/usr/bin/env python3
"""`holomesh serve` killed inside a purchase, a refund, a fan-out and the outbox, then
started again and the request retried: exactly one order per (buyer, chip), one set of
ledger lines per sale and per refund, every subscriber bought for and told once, the
ledger sums to zero and no event is lost.

The crash is a failpoint (build with `--features failpoints`): the process aborts at the
named point, as `kill -9` would there, and is started again without it.

usage: scripts/fault/failpoints.py [--bin target/debug/holomesh] [--subscribers 20]
                                   [--pg postgres://postgres@127.0.0.1:5432]
                                   [--redis redis://127.0.0.1:6379/7]
Exit 0 when every check holds, 1 naming those that do not.
"""
import argparse
import http.client
import subprocess
import sys
import time
import urllib.error

from harness import Deployment, Instance, account, add_server_arguments, admin, call, chip_body

DEPOSIT = 1_000_000


def crashes(inst, method, path, token, body=None, headers=None):
    """Makes a request that must kill the server: True when the connection dropped and
    the process ended."""
    try:
        st, _ = call(inst.base, method, path, token, body, headers)
        answered = True
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError):
        answered = False
    try:
        inst.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        return False
    return not answered or inst.proc.returncode != 0


def wait_until(what, check, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.5)
    print(f"  BAD {what}: not within {timeout} s")
    return False


class Run:
    def __init__(self, args):
        self.args = args
        self.d = Deployment(args.pg, args.redis)
        self.d.env["HOLOMESH_MARKET__EVENT_LEASE_SECS"] = "5"
        self.inst = Instance(args.bin, self.d.env, "serve")
        self.spent = 0
        self.chips = 0

    def sql(self, q):
        return self.d.sql(q)

    def restart(self, failpoint=None):
        if self.inst.proc and self.inst.proc.poll() is None:
            self.inst.stop()
        self.inst.start(**({"HOLOMESH_FAILPOINTS": failpoint} if failpoint else {}))

    def quiet(self):
        """Waits for the outbox to be empty, so an armed point is reached by what comes next."""
        return wait_until("outbox drained", lambda: self.sql(
            "SELECT COUNT(*) FROM outbox_events WHERE processed_at IS NULL AND dead_at IS NULL") == "0", 60)

    def chip(self, designer, token, price, supply=None):
        self.chips += 1
        st, chip = call(self.inst.base, "POST", "/v1/chips", token, chip_body(designer, self.chips, price, supply))
        assert st == 201, (st, chip)
        return chip["id"]

    def publish(self, token, chip_id):
        return call(self.inst.base, "POST", f"/v1/chips/{chip_id}/publish", token)

    def setup(self):
        self.restart()
        _, self.dana = account(self.inst, "dana", "designer")
        self.bob_id, self.bob = account(self.inst, "bob", "user")
        st, w = call(self.inst.base, "POST", "/v1/wallet/deposits", self.bob,
                     {"amount_minor": DEPOSIT, "currency": "USD"})
        assert st == 201, (st, w)
        self.admin = admin(self.args.bin, self.d.env, self.inst)

    def money_holds(self, label):
        self.d.check(f"{label}: ledger sum", "SELECT COALESCE(SUM(amount_minor), 0) FROM ledger_entries", 0)
        self.d.check(f"{label}: buyer's balance",
                     f"SELECT balance_minor FROM wallets WHERE user_id = '{self.bob_id}'", DEPOSIT - self.spent)

    def purchase(self, point):
        price = 1000 + self.chips
        chip = self.chip("dana", self.dana, price, supply=1)
        st, _ = self.publish(self.dana, chip)
        assert st == 200, st
        self.quiet()
        self.restart(point)
        key = {"Idempotency-Key": f"fault-{point}"}
        died = crashes(self.inst, "POST", "/v1/purchases", self.bob, {"chip_id": chip}, key)
        print(f"{point}: {'killed there' if died else 'NOT killed'}")
        if not died:
            self.d.failures.append(f"{point}: not reached")
        self.restart()
        st, first = call(self.inst.base, "POST", "/v1/purchases", self.bob, {"chip_id": chip}, headers=key)
        st2, again = call(self.inst.base, "POST", "/v1/purchases", self.bob, {"chip_id": chip}, headers=key)
        same = st in (200, 201) and st2 in (200, 201) and first["purchase"]["id"] == again["purchase"]["id"]
        print(f"  {'ok ' if same else 'BAD'} the retry is answered with one purchase: {st}, {st2}")
        if not same:
            self.d.failures.append(f"{point}: retry")
        self.spent += price
        self.d.check(f"{point}: orders for the chip",
                     f"SELECT COUNT(*) FROM purchases WHERE chip_id = '{chip}'", 1)
        self.d.check(f"{point}: units sold", f"SELECT sold_count FROM chips WHERE id = '{chip}'", 1)
        self.money_holds(point)

    def refund(self, point):
        price = 2000 + self.chips
        chip = self.chip("dana", self.dana, price)
        assert self.publish(self.dana, chip)[0] == 200
        st, r = call(self.inst.base, "POST", "/v1/purchases", self.bob, {"chip_id": chip},
                     headers={"Idempotency-Key": f"refund-{point}"})
        assert st == 201, (st, r)
        purchase = r["purchase"]["id"]
        lines = int(self.sql(f"SELECT COUNT(*) FROM ledger_entries WHERE purchase_id = '{purchase}'"))
        self.quiet()
        self.restart(point)
        # The admin's access token outlives restarts (the JWT keys are the deployment's).
        root = self.admin
        died = crashes(self.inst, "POST", f"/v1/admin/purchases/{purchase}/refund", root)
        print(f"{point}: {'killed there' if died else 'NOT killed'}")
        if not died:
            self.d.failures.append(f"{point}: not reached")
        self.restart()
        st, _ = call(self.inst.base, "POST", f"/v1/admin/purchases/{purchase}/refund", root)
        st2, _ = call(self.inst.base, "POST", f"/v1/admin/purchases/{purchase}/refund", root)
        # Before the commit the retry refunds; after it, the refund is there and a retry is refused.
        ok = (st == 200) == (point == "refund.before_commit") and st2 >= 400
        print(f"  {'ok ' if ok else 'BAD'} retries: {st}, then {st2}")
        if not ok:
            self.d.failures.append(f"{point}: retry")
        self.d.check(f"{point}: status", f"SELECT status FROM purchases WHERE id = '{purchase}'", "refunded")
        self.d.check(f"{point}: ledger lines (sale and one reversal)",
                     f"SELECT COUNT(*) FROM ledger_entries WHERE purchase_id = '{purchase}'", 2 * lines)
        self.d.check(f"{point}: unit back on sale", f"SELECT sold_count FROM chips WHERE id = '{chip}'", 0)
        self.money_holds(point)

    def fanout(self, point, designer, subscribers):
        _, dtoken = account(self.inst, designer, "designer")
        for i in range(subscribers):
            _, tok = account(self.inst, f"{designer}-fan{i}", "user")
            assert call(self.inst.base, "POST", "/v1/wallet/deposits", tok,
                        {"amount_minor": 100_000, "currency": "USD"})[0] == 201
            assert call(self.inst.base, "PUT", f"/v1/subscriptions/{designer}", tok,
                        {"auto_purchase": True, "max_price_minor": 5000, "notify": "immediate"})[0] == 200
        chip = self.chip(designer, dtoken, 1500)
        self.quiet()
        self.restart(point)
        st, _ = self.publish(dtoken, chip)
        try:
            self.inst.proc.wait(timeout=60)
            died = True
        except subprocess.TimeoutExpired:
            died = False
        print(f"{point}: {'killed there' if died else 'NOT killed'} (publish answered {st})")
        if not died:
            self.d.failures.append(f"{point}: not reached")
        self.restart()
        wait_until(f"{point}: fan-out finished", lambda: self.sql(
            f"SELECT COUNT(*) FROM auto_purchases WHERE chip_id = '{chip}'") == str(subscribers)
            and self.sql("SELECT COUNT(*) FROM outbox_events WHERE processed_at IS NULL AND dead_at IS NULL") == "0",
            120)
        self.d.check(f"{point}: auto-purchases", f"SELECT COUNT(*) FROM purchases WHERE chip_id = '{chip}'", subscribers)
        self.d.check(f"{point}: (buyer, chip) bought twice", "SELECT COUNT(*) FROM (SELECT buyer_id, chip_id "
                     "FROM purchases WHERE status = 'completed' GROUP BY 1, 2 HAVING COUNT(*) > 1) d", 0)
        self.d.check(f"{point}: notifications", "SELECT COUNT(*) FROM notifications WHERE kind = 'chip.published' "
                     f"AND chip_id = '{chip}'", subscribers)
        self.money_holds(point)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/debug/holomesh")
    ap.add_argument("--subscribers", type=int, default=20)
    add_server_arguments(ap)
    args = ap.parse_args()
    run = Run(args)
    started = time.time()
    try:
        run.setup()
        for point in ("purchase.before_commit", "purchase.after_commit"):
            run.purchase(point)
        for point in ("refund.before_commit", "refund.after_commit"):
            run.refund(point)
        half = max(1, args.subscribers // 2)
        run.fanout(f"fanout.subscriber@{half}", "erin", args.subscribers)
        run.fanout("outbox.before_ack", "fred", args.subscribers)
        run.inst.stop()
    finally:
        run.inst.kill_if_running()
        run.d.drop()
    print(f"{time.time() - started:.0f} s")
    return run.d.verdict()


if __name__ == "__main__":
    sys.exit(main())
