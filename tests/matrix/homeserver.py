"""A throwaway Synapse homeserver for the Matrix end-to-end tests.

Writes a config for server name ``localhost`` on a free port of 127.0.0.1
(plain HTTP, SQLite, open registration without verification, no stats, no
key servers, generous rate limits unless low ``rc_message`` limits are
asked for), starts Synapse in the background with its logs in the folder,
and waits until ``/_matrix/client/versions`` answers. Only the standard
library is used here; Synapse itself runs under the same Python, so run
this with the venv of ``scripts/matrix-env``.

CLI (each prints one JSON object)::

    python tests/matrix/homeserver.py start --dir D [--message-rate 0.5 2]
        -> {"url", "pid", "server_name", "dir", "ready_seconds"}
    python tests/matrix/homeserver.py register --url U --user NAME --password P
        -> {"user_id", "access_token", "device_id"}
    python tests/matrix/homeserver.py stop --dir D
        -> {"stopped": true|false}
"""

import argparse
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

SERVER_NAME = "localhost"
PID_FILE = "synapse.pid"
LOG_FILE = "homeserver.log"
GENEROUS = {"per_second": 1000, "burst_count": 10000}


def free_port() -> int:
    """Returns a TCP port of 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rate_limits(message_rate=None) -> dict:
    """The ``rc_*`` settings: generous everywhere, and ``rc_message`` set to
    ``message_rate`` = (per_second, burst_count) when it is given."""
    limits = {
        key: dict(GENEROUS)
        for key in (
            "rc_message", "rc_registration", "rc_admin_redaction", "rc_joins_per_room",
            "rc_key_requests", "rc_3pid_validation", "rc_third_party_invite",
            "rc_media_create", "rc_delayed_event_mgmt", "rc_room_creation",
            "rc_reports", "rc_user_directory", "rc_profile",
        )
    }
    limits["rc_login"] = {k: dict(GENEROUS) for k in ("address", "account", "failed_attempts")}
    limits["rc_joins"] = {k: dict(GENEROUS) for k in ("local", "remote")}
    limits["rc_invites"] = {k: dict(GENEROUS) for k in ("per_room", "per_user", "per_issuer")}
    limits["rc_presence"] = {"per_user": dict(GENEROUS)}
    if message_rate is not None:
        per_second, burst = message_rate
        limits["rc_message"] = {"per_second": float(per_second), "burst_count": float(burst)}
    return limits


def write_config(directory: str, port: int, message_rate=None) -> str:
    """Writes homeserver.yaml (as JSON, which is YAML), its logging config and
    a signing key (kept if present) into ``directory``; returns the config path."""
    d = os.path.abspath(directory)
    os.makedirs(os.path.join(d, "media_store"), exist_ok=True)
    key_path = os.path.join(d, "signing.key")
    if not os.path.exists(key_path):
        # An ed25519 signing key in Synapse's format: any 32 random bytes are a seed.
        seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        with open(key_path, "w") as f:
            f.write(f"ed25519 a_{secrets.token_hex(2)} {seed}\n")
    log_config = os.path.join(d, "log.config")
    with open(log_config, "w") as f:
        json.dump({
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
            "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain",
                                  "filename": os.path.join(d, LOG_FILE)}},
            "root": {"level": "INFO", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }, f, indent=1)
    config = {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": os.path.join(d, "homeserver.pid"),
        "listeners": [{
            "port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
            "x_forwarded": False, "resources": [{"names": ["client", "media"], "compress": False}],
        }],
        "database": {"name": "sqlite3", "args": {"database": os.path.join(d, "homeserver.db")}},
        "log_config": log_config,
        "media_store_path": os.path.join(d, "media_store"),
        "signing_key_path": key_path,
        "macaroon_secret_key": secrets.token_hex(32),
        "form_secret": secrets.token_hex(32),
        "registration_shared_secret": secrets.token_hex(32),
        "enable_registration": True,
        "enable_registration_without_verification": True,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "bcrypt_rounds": 4,
        **rate_limits(message_rate),
    }
    path = os.path.join(d, "homeserver.yaml")
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    return path


def _get_json(url: str, timeout: float = 2.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.load(r)


def _alive(pid: int) -> bool:
    """True while ``pid`` is a running (not zombie) Synapse process."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"synapse.app.homeserver" not in f.read():
                return False
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _log_tail(directory: str, lines: int = 30) -> str:
    out = []
    for name in ("stderr.log", LOG_FILE):
        try:
            with open(os.path.join(directory, name), errors="replace") as f:
                out += [f"--- {name}"] + f.read().splitlines()[-lines:]
        except OSError:
            pass
    return "\n".join(out)


@dataclass
class Homeserver:
    """A running Synapse: its folder, client-server URL, pid and server name."""

    dir: str
    url: str
    pid: int
    server_name: str = SERVER_NAME
    ready_seconds: float = 0.0

    def register(self, username: str, password: str) -> dict:
        """Registers a user here; see :func:`register`."""
        return register(self.url, username, password)

    def stop(self, timeout: float = 15.0) -> bool:
        """Stops this server; see :func:`stop`."""
        return stop(self.dir, timeout)


def start(directory=None, message_rate=None, timeout: float = 90.0,
          python: str = sys.executable, port: int | None = None) -> Homeserver:
    """Starts Synapse in ``directory`` (a new temp dir when None) on ``port``
    (a free one when None; give the old one to restart a stopped server with
    its database) and returns once it answers ``/_matrix/client/versions``.
    ``message_rate`` = (per_second, burst_count) sets a low ``rc_message``.
    Raises RuntimeError (with the log's tail) if it dies or is not ready in time."""
    d = os.path.abspath(directory or tempfile.mkdtemp(prefix="synapse-"))
    pid_path = os.path.join(d, PID_FILE)
    if os.path.exists(pid_path) and _alive(int(open(pid_path).read())):
        raise RuntimeError(f"a Synapse is already running from {d}")
    port = port or free_port()
    config = write_config(d, port, message_rate)
    began = time.monotonic()
    with open(os.path.join(d, "stderr.log"), "ab") as err:
        proc = subprocess.Popen(
            [python, "-m", "synapse.app.homeserver", "-c", config],
            cwd=d, stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with open(pid_path, "w") as f:
        f.write(str(proc.pid))
    url = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"Synapse exited with {proc.returncode}\n{_log_tail(d)}")
        try:
            if "versions" in _get_json(url + "/_matrix/client/versions", 1.0):
                break
        except (OSError, ValueError):
            pass
        if time.monotonic() - began > timeout:
            stop(d)
            raise RuntimeError(f"Synapse not ready after {timeout:g} s\n{_log_tail(d)}")
        time.sleep(0.1)
    return Homeserver(d, url, proc.pid, SERVER_NAME, round(time.monotonic() - began, 2))


def stop(directory: str, timeout: float = 15.0) -> bool:
    """Stops the Synapse started from ``directory`` (SIGTERM, then SIGKILL after
    ``timeout`` s). Returns False when none was running."""
    pid_path = os.path.join(directory, PID_FILE)
    try:
        pid = int(open(pid_path).read())
    except (OSError, ValueError):
        return False
    running = _alive(pid)
    if running:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    try:  # reaps it when this process is its parent
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    os.remove(pid_path)
    return running


def register(url: str, username: str, password: str) -> dict:
    """Registers ``username`` with ``password`` through the client-server API
    (``/register`` with ``m.login.dummy`` auth); returns
    {"user_id", "access_token", "device_id"}. Raises RuntimeError on refusal."""
    body = {"username": username, "password": password, "auth": {"type": "m.login.dummy"}}
    for _ in range(2):
        req = urllib.request.Request(
            url + "/_matrix/client/v3/register", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                out = json.load(r)
            return {k: out[k] for k in ("user_id", "access_token", "device_id")}
        except urllib.error.HTTPError as e:
            answer = json.loads(e.read() or b"{}")
            if e.code == 401 and "session" in answer:  # a server that wants a UIA session first
                body["auth"]["session"] = answer["session"]
                continue
            raise RuntimeError(f"register {username}: HTTP {e.code} {answer}") from None
    raise RuntimeError(f"register {username}: the server kept asking for auth")


def main(argv=None) -> int:
    """The CLI: start, stop, register (see the module's docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start", help="start Synapse, print JSON once it is ready")
    s.add_argument("--dir", required=True)
    s.add_argument("--message-rate", nargs=2, type=float, metavar=("PER_SECOND", "BURST"))
    s.add_argument("--timeout", type=float, default=90.0)
    t = sub.add_parser("stop", help="stop the Synapse started from --dir")
    t.add_argument("--dir", required=True)
    r = sub.add_parser("register", help="register a user, print its id and token")
    r.add_argument("--url", required=True)
    r.add_argument("--user", required=True)
    r.add_argument("--password", required=True)
    a = p.parse_args(argv)
    try:
        if a.cmd == "start":
            hs = start(a.dir, a.message_rate, a.timeout)
            out = {"url": hs.url, "pid": hs.pid, "server_name": hs.server_name,
                   "dir": hs.dir, "ready_seconds": hs.ready_seconds}
        elif a.cmd == "stop":
            out = {"stopped": stop(a.dir)}
        else:
            out = register(a.url, a.user, a.password)
    except RuntimeError as e:
        print(f"homeserver.py {a.cmd}: {e}", file=sys.stderr)
        return 1
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
