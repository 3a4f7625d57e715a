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
import sys
import time

from harness import add_server_arguments, Deployment, Instance, account, call, chip_body


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/holomesh")
    ap.add_argument("--subscribers", type=int, default=60)
    ap.add_argument("--chips", type=int, default=6)
    add_server_arguments(ap)
    args = ap.parse_args()

    d = Deployment(args.pg, args.redis)
    a, b = Instance(args.bin, d.env, "a"), Instance(args.bin, d.env, "b")
    try:
        a.start()
        b.start()

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
            st, chip = call(inst.base, "POST", "/v1/chips", designer, chip_body("dana", c, 1000 + c))
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
            done = int(d.sql("SELECT COUNT(*) FROM auto_purchases WHERE outcome <> 'failed'"))
            pending = int(d.sql("SELECT COUNT(*) FROM outbox_events WHERE processed_at IS NULL AND dead_at IS NULL"))
            if done >= expected and pending == 0:
                break
            time.sleep(1)

        d.check("auto-purchases made", "SELECT COUNT(*) FROM auto_purchases WHERE outcome = 'purchased'", expected)
        d.check("purchases", "SELECT COUNT(*) FROM purchases WHERE status = 'completed'", expected)
        d.check("(buyer, chip) bought twice",
                "SELECT COUNT(*) FROM (SELECT buyer_id, chip_id FROM purchases GROUP BY 1, 2 HAVING COUNT(*) > 1) d", 0)
        d.check("notifications", "SELECT COUNT(*) FROM notifications WHERE kind = 'chip.published'", expected)
        d.check("ledger sum", "SELECT COALESCE(SUM(amount_minor), 0) FROM ledger_entries", 0)
        d.check("dead events", "SELECT COUNT(*) FROM outbox_events WHERE dead_at IS NOT NULL", 0)
        t0 = time.time()
        a.stop()
        b.stop()
        print(f"both instances stopped on SIGTERM in {time.time() - t0:.1f} s")
    finally:
        a.kill_if_running()
        b.kill_if_running()
        d.drop()
    return d.verdict()


if __name__ == "__main__":
    sys.exit(main())
