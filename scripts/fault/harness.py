"""What the fault scripts share: `holomesh serve` instances started and killed, HTTP
calls, a fresh PostgreSQL database with shared keys, accounts, and checks."""
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import struct
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

    def start(self, **extra_env):
        env = dict(self.env, HOLOMESH_SERVER__BIND=f"127.0.0.1:{self.port}", **extra_env)
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

    def kill_if_running(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                sys.exit(f"{self.name} did not stop within 20 s of SIGTERM")


def serve_env(prefix, **extra):
    """The environment of a `serve` in a fresh data directory, with sign-up, sign-in and
    request limits out of the way: on the embedded default (SQLite, in-process cache)
    unless `extra` names a database and a cache."""
    env = {k: v for k, v in os.environ.items() if k not in (
        "HOLOMESH_CONFIG", "HOLOMESH_DATABASE__URL", "HOLOMESH_CACHE__URL", "HOLOMESH_FAILPOINTS")}
    env.update(
        HOLOMESH_DATA_DIR=tempfile.mkdtemp(prefix=prefix),
        HOLOMESH_AUTH__REGISTRATIONS_PER_ADDRESS_PER_HOUR="1000000",
        HOLOMESH_AUTH__LOGIN_ATTEMPTS_PER_ADDRESS="1000000",
        HOLOMESH_AUTH__REQUESTS_PER_MINUTE="1000000",
        HOLOMESH_LOG__LEVEL="warn",
        **extra,
    )
    return env


class Deployment:
    """A fresh PostgreSQL database, a flushed Redis database and one data directory
    with the keys every instance shares, as a deployment's instances must."""

    def __init__(self, pg, redis):
        self.pg = pg
        self.db = f"holomesh_fault_{os.getpid()}_{int(time.time())}"
        psql(f"{pg}/postgres", f'CREATE DATABASE "{self.db}"')
        self.url = f"{pg}/{self.db}"
        subprocess.run(["redis-cli", "-u", redis, "FLUSHDB"], capture_output=True, check=False)
        key = lambda: base64.b64encode(os.urandom(32)).decode()  # noqa: E731
        self.env = serve_env("holomesh-fault-", HOLOMESH_DATABASE__URL=self.url, HOLOMESH_CACHE__URL=redis,
                             HOLOMESH_PAYMENTS__PROVIDER="development")
        self.work = self.env["HOLOMESH_DATA_DIR"]
        config = os.path.join(self.work, "shared.toml")
        with open(config, "w") as f:
            f.write(f'[security]\nfield_keys = {{ k1 = "{key()}" }}\nactive_field_key = "k1"\n')
            f.write(f'[auth]\njwt_keys = {{ k1 = "{key()}" }}\nactive_jwt_key = "k1"\n')
        self.env["HOLOMESH_CONFIG"] = config
        self.failures = []

    def sql(self, query):
        return psql(self.url, query)

    def check(self, what, query, want):
        got = self.sql(query)
        ok = got == str(want)
        print(f"  {'ok ' if ok else 'BAD'} {what}: {got} (want {want})")
        if not ok:
            self.failures.append(what)

    def drop(self):
        psql(f"{self.pg}/postgres", f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')

    def verdict(self):
        """The exit code: 0 when every check held, else 1 (naming those that did not)."""
        if self.failures:
            print("FAILED: " + ", ".join(self.failures))
            return 1
        print("every check holds")
        return 0


def admin(binary, env, inst, email="root@example.org"):
    """An administrator with 2FA (made with `holomesh admin create`): an access token."""
    subprocess.run([binary, "admin", "create", "--email", email], input=PASSWORD + "\n",
                   env=env, capture_output=True, text=True, check=True)
    st, t = call(inst.base, "POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})
    assert st == 200, (st, t)
    st, e = call(inst.base, "POST", "/v1/auth/totp/enroll", t["access_token"])
    assert st == 200, (st, e)
    st, r = call(inst.base, "POST", "/v1/auth/totp/confirm", t["access_token"], {"code": totp(e["secret"])})
    assert st == 200, (st, r)
    # The code that confirmed enrolment is spent: sign in with the next one.
    time.sleep(30.5 - time.time() % 30)
    st, t = call(inst.base, "POST", "/v1/auth/login",
                 body={"email": email, "password": PASSWORD, "totp_code": totp(e["secret"])})
    assert st == 200, (st, t)
    return t["access_token"]


def add_server_arguments(ap, redis=True):
    """--pg (default: DATABASE_URL's server) and, with `redis`, --redis."""
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test").rsplit("/", 1)[0]
    ap.add_argument("--pg", default=server, help="the PostgreSQL server (default: DATABASE_URL's)")
    if redis:
        ap.add_argument("--redis", default="redis://127.0.0.1:6379/7")


def account(inst, name, role):
    """Registers and signs in `name`@example.org: (user id, access token)."""
    email = f"{name}@example.org"
    st, me = call(inst.base, "POST", "/v1/auth/register",
                  body={"email": email, "password": PASSWORD, "display_name": name, "role": role})
    assert st == 201, (st, me)
    st, t = call(inst.base, "POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})
    assert st == 200, (st, t)
    return me["id"], t["access_token"]


def chip_body(designer, n, price_minor, supply=None):
    return {"vlnv": f"{designer}.dev:ip:block{n}:1.0", "title": f"Block {n}", "description": "fault test",
            "category": "dsp", "process_node": "28nm", "tags": [], "royalty_bps": 0,
            "price": {"amount_minor": price_minor, "currency": "USD"}, "supply": supply,
            "content_sha256": "ab" * 32, "content_size": 1}


def totp(secret_b32):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    step = int(time.time() // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[off:off + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"
