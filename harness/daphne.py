"""Real Daphne processes for tests and benchmarks, and the databases they run on.

    db = ServerDatabase.sqlite(tmp_path / "db.sqlite3")      # or ServerDatabase.postgres("name")
    env = server_env(db.url)                                  # add redis_url=... for channels-redis
    db.prepare(env)                                           # fresh database, migrated
    manage("createsuperuser", "--noinput", "--username", "f", "--email", "f@example.org",
           env={**env, "DJANGO_SUPERUSER_PASSWORD": "..."})
    with DaphneServer(env, log_path=tmp_path / "daphne.log") as server:
        server.url                                            # http://127.0.0.1:PORT
        server.restart(hard=True)                             # SIGKILL, then start on the same port

Each process gets exactly the environment it is given on top of this one
(minus DATABASE_URL and REDIS_URL, so a developer's own settings never leak in),
runs with the repository root as its working directory, and writes its output
to a log file that the failure messages quote.
"""
from __future__ import annotations

import http.client
import http.cookiejar
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
from collections.abc import Sequence
from pathlib import Path

from . import services

__all__ = ["DaphneServer", "HttpClient", "ServerDatabase", "free_port", "manage", "server_env"]

REPO_ROOT = services.REPO_ROOT


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_env(database_url: str, *, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """The settings a test server runs with: production-like, on loopback."""
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdef",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def _process_env(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {**base, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1", **env}


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run `manage.py <args>` in a subprocess with the given settings and return its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=_process_env(env),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result.stdout


class ServerDatabase:
    """A database of its own for test servers: an SQLite file or a PostgreSQL database."""

    def __init__(self, url: str, *, postgres_name: str | None = None):
        self.url = url
        self.postgres_name = postgres_name

    @classmethod
    def sqlite(cls, path: Path) -> "ServerDatabase":
        """An SQLite database in that file (`create` removes an earlier one)."""
        return cls(f"sqlite:///{Path(path).resolve()}")

    @classmethod
    def postgres(cls, name: str) -> "ServerDatabase":
        """A PostgreSQL database of that name on the test server (TEST_POSTGRES_URL)."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        return cls(services.postgres_url(name), postgres_name=name)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(services.postgres_url("postgres"), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def create(self) -> None:
        """Create the database empty, dropping any earlier one of the same name."""
        if self.postgres_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.postgres_name}"')
        else:
            self._remove_sqlite_files().parent.mkdir(parents=True, exist_ok=True)

    def prepare(self, env: dict[str, str]) -> None:
        """Create the database and run the migrations with the server's settings."""
        self.create()
        manage("migrate", "--noinput", env={**env, "DATABASE_URL": self.url})

    def drop(self) -> None:
        """Remove the database (PostgreSQL) or its files (SQLite)."""
        if self.postgres_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')
        else:
            self._remove_sqlite_files()

    def _remove_sqlite_files(self) -> Path:
        """Delete the SQLite database and its WAL files; return its path."""
        path = Path(self.url.removeprefix("sqlite:///"))
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return path


class DaphneServer:
    """One Daphne process serving config.asgi:application on a loopback port.

    `start()` returns once `GET <ready_path>` answers 200. The port stays the
    same across `restart()`, so clients reconnect to the same address.
    """

    def __init__(self, env: dict[str, str], *, port: int | None = None, host: str = "127.0.0.1",
                 log_path: Path | None = None, ready_path: str = "/api/csrf",
                 startup_timeout: float = 30, application: str = "config.asgi:application",
                 args: Sequence[str] = ()):
        self.env = env
        self.application = application
        self.args = list(args)  # more of Daphne's options, before the application
        self.host = host
        self.port = port or free_port(host)
        self.ready_path = ready_path
        self.startup_timeout = startup_timeout
        if log_path is None:
            log_path = Path(tempfile.mkdtemp(prefix="inspraak-daphne-")) / f"daphne-{self.port}.log"
        self.log_path = Path(log_path)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The server's HTTP base URL (also its Origin)."""
        return f"http://{self.host}:{self.port}"

    def ws_url(self, path: str) -> str:
        """The WebSocket URL of a path on this server."""
        return f"ws://{self.host}:{self.port}{path}"

    def start(self) -> "DaphneServer":
        """Start the process and wait until it answers HTTP."""
        if self.process and self.process.poll() is None:
            raise RuntimeError(f"Daphne on port {self.port} is already running")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a") as log:
            log.write(f"--- starting daphne on {self.host}:{self.port} at {time.strftime('%H:%M:%S')}\n")
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", self.host, "-p", str(self.port), *self.args, self.application],
                cwd=REPO_ROOT, env=_process_env(self.env), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Daphne exited with {self.process.returncode} while starting:\n"
                                   f"{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
                conn.request("GET", self.ready_path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
                last = f"HTTP {status}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.1)
        self.kill9()
        raise RuntimeError(f"Daphne did not answer GET {self.ready_path} within "
                           f"{self.startup_timeout}s ({last}):\n{self.log_tail()}")

    def stop(self, timeout: float = 10) -> None:
        """Stop the process: SIGTERM, then SIGKILL if it has not exited within `timeout`."""
        if not self.process or self.process.poll() is not None:
            return
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
            self._note(f"exited with {self.process.returncode} {time.monotonic() - started:.1f}s after SIGTERM")
        except subprocess.TimeoutExpired:
            self._note(f"still running {timeout}s after SIGTERM: SIGKILL")
            self.kill9()

    def kill9(self) -> None:
        """Kill the process at once, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
            self._note("killed with SIGKILL")

    def _note(self, text: str) -> None:
        with open(self.log_path, "a") as log:
            log.write(f"--- {time.strftime('%H:%M:%S')} daphne on port {self.port}: {text}\n")

    def restart(self, *, hard: bool = False) -> None:
        """Stop (or with `hard`, SIGKILL) the process and start it again on the same port."""
        if hard:
            self.kill9()
        else:
            self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return bool(self.process) and self.process.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        """The end of the process's output, for failure messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def __enter__(self) -> "DaphneServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class HttpClient:
    """A JSON client of the HTTP API with a cookie jar of its own, as one browser would be.

    Unsafe requests carry the current `csrftoken` cookie as `X-CSRFToken`
    (fetched from `GET /api/csrf` when there is none yet); Django rotates it at
    login, so the cookie is read afresh for each request.
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | list | None]:
        """Send a request and return the status and the decoded JSON answer (None when empty)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if method not in {"GET", "HEAD", "OPTIONS"}:
            if not self.cookie("csrftoken"):
                self.request("GET", "/api/csrf")
            headers["X-CSRFToken"] = self.cookie("csrftoken") or ""
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, {"unparsed": raw[:500].decode(errors="replace")}

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, body: dict | None = None):
        return self.request("POST", path, {} if body is None else body)

    def cookie(self, name: str) -> str | None:
        """The value of a cookie the server set, if any."""
        return next((c.value for c in self.jar if c.name == name), None)

    def cookie_header(self) -> str:
        """The cookies as a `Cookie` header, for the WebSocket handshake."""
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)
