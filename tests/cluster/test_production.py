"""Production mode comes from the environment alone, and `make serve WORKERS=n` starts n workers.

docs/deploy.md: DATABASE_URL and REDIS_URL (and the HTTPS settings) make a
Daphne process a production worker; `manage.py check --deploy` and the
migrations are clean with those settings.
"""
import os
import signal
import socket
import subprocess
import time

import pytest

from harness.daphne import REPO_ROOT, HttpClient, free_port, manage

from .clients import TIMEOUT

pytestmark = pytest.mark.cluster

PRODUCTION = {  # as in docs/deploy.md, /etc/inspraak/env
    "SECRET_KEY": "k3v9-Qx7mWm2Yd8pLr5tZb1Nc4Hs6Jf0Ge8Ua2Ri7Oy3Tw5Ek9Pl1Zq4Xn6Vm8Sd",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "inspraak.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://inspraak.example.org",
    "BEHIND_PROXY": "1",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def test_check_deploy_and_migrations_are_clean_with_production_settings(cluster):
    env = {**cluster.env, **PRODUCTION}
    assert "no issues" in manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    manage("migrate", "--check", env=env)  # fails when a migration is not applied
    manage("makemigrations", "--check", "--dry-run", env=env)  # fails when models and migrations differ


def two_free_ports() -> int:
    for _ in range(50):
        port = free_port()
        if port < 65535 and free_port_is(port + 1):
            return port
    raise RuntimeError("no two free ports in a row")


def free_port_is(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def daphnes_in_group(pgid: int) -> list[int]:
    """The Daphne processes in process group `pgid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:  # gone meanwhile
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'.
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        if comm == "daphne" and int(stat[stat.rindex(")") + 2:].split()[2]) == pgid:
            found.append(int(entry))
    return sorted(found)


def test_make_serve_starts_n_workers_that_share_the_database_and_stop_together(cluster, tmp_path):
    port = two_free_ports()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(cluster.env, ALLOWED_HOSTS="127.0.0.1")
    log = open(tmp_path / "make-serve.log", "w")
    # -o: take the virtualenv as it is (make test has just installed it).
    make = subprocess.Popen(["make", "-o", ".venv/.installed", "serve", "WORKERS=2", f"PORT={port}"],
                            cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + TIMEOUT * 2
        answered = set()
        while answered != {port, port + 1}:
            assert make.poll() is None, (tmp_path / "make-serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "make-serve.log").read_text()
            for p in {port, port + 1} - answered:
                try:
                    if HttpClient(f"http://127.0.0.1:{p}").get("/api/csrf")[0] == 200:
                        answered.add(p)
                except OSError:
                    pass
            time.sleep(0.2)
        # Both are production workers on the same database: a staff login on one holds on the other.
        client = HttpClient(f"http://127.0.0.1:{port}")
        status, _ = client.post("/api/session/login", {"username": "facilitator", "password": "cluster-test-password"})
        assert status == 200
        client.base_url = f"http://127.0.0.1:{port + 1}"
        assert client.get("/api/session")[1]["user"]["username"] == "facilitator"

        # make stops only once every worker has. A worker slow to stop (paused
        # here) holds it, even when SIGTERM comes twice: make passes its own on
        # to the shell, and an operator may press Ctrl-C again.
        workers = daphnes_in_group(make.pid)
        assert len(workers) == 2, workers
        slow = workers[0]
        os.kill(slow, signal.SIGSTOP)
        try:
            os.killpg(make.pid, signal.SIGTERM)
            time.sleep(0.5)
            os.killpg(make.pid, signal.SIGTERM)
            time.sleep(1)
            assert make.poll() is None, "make returned while a worker still ran"
        finally:
            os.kill(slow, signal.SIGCONT)
        make.wait(TIMEOUT)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)
            try:
                make.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                raise
        log.close()
    for p in (port, port + 1):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", p), timeout=2).close()
