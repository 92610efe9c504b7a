"""The external services the test suite needs: check them, and install and start them.

`python -m harness.services ensure` installs (from Debian's packages and
npm) and starts what is missing: Redis, PostgreSQL, Chromium, Node.js (for the
frontend's unit tests, `node --test frontend/`) and axe-core.
`python -m harness.services check` only reports. The fixtures in
`tests/conftest.py` use the same checks and fail a test loudly when a service
is not there.

Defaults, each overridable through the environment:

    TEST_REDIS_URL     redis://127.0.0.1:6379/13   (a database number of its own)
    TEST_POSTGRES_URL  postgres://postgres@127.0.0.1:5432/   (tests add a database name)
    CHROMIUM           /usr/bin/chromium            (Debian's package; never `playwright install`)
    AXE_JS             <repo>/.cache/axe/node_modules/axe-core/axe.min.js
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "REPO_ROOT", "redis_url", "postgres_url", "chromium_path", "axe_js_path",
    "redis_problem", "postgres_problem", "chromium_problem", "node_problem", "axe_problem",
    "problems", "ensure",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
AXE_PREFIX = REPO_ROOT / ".cache" / "axe"
DEFAULT_AXE_JS = AXE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"


def redis_url() -> str:
    """The Redis URL (with its own database number) that tests use."""
    return os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/13"


def postgres_url(database: str = "") -> str:
    """The PostgreSQL server URL that tests use, optionally with a database name."""
    base = os.environ.get("TEST_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/"
    return base.rstrip("/") + "/" + database


def chromium_path() -> str:
    """Debian's Chromium, the browser Playwright drives (`executable_path`)."""
    return os.environ.get("CHROMIUM") or "/usr/bin/chromium"


def axe_js_path() -> Path:
    """The axe-core script that browser tests inject into pages."""
    return Path(os.environ.get("AXE_JS") or DEFAULT_AXE_JS)


# --- checks: each returns None when the service is usable, else what is wrong ---


def redis_problem() -> str | None:
    """Check that Redis answers PING at the test URL."""
    parts = urlsplit(redis_url())
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        return f"Redis at {host}:{port} does not answer: {exc}"
    if not answer.startswith(b"+PONG"):
        return f"Redis at {host}:{port} answered PING with {answer!r}"
    return None


def postgres_problem() -> str | None:
    """Check that PostgreSQL accepts the test user and can create databases."""
    import psycopg

    try:
        with psycopg.connect(postgres_url("postgres"), connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
    except psycopg.Error as exc:
        return f"PostgreSQL at {postgres_url()} refuses the test user: {str(exc).strip()}"
    if not row or not row[0]:
        return f"the PostgreSQL user in {postgres_url()} may not create databases"
    return None


def chromium_problem() -> str | None:
    """Check that Debian's Chromium is installed."""
    path = chromium_path()
    if not os.access(path, os.X_OK):
        return f"Chromium is not installed at {path} (Debian package `chromium`)"
    return None


def node_problem() -> str | None:
    """Check that Node.js 18 or later is there to run the frontend's unit tests."""
    node = shutil.which("node")
    if not node:
        return "Node.js is not installed (Debian package `nodejs`)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    major = version.lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) < 18:
        return f"Node.js {version or '?'} cannot run `node --test`: 18 or later is needed"
    return None


def axe_problem() -> str | None:
    """Check that axe-core 4.x is where browser tests look for it."""
    path = axe_js_path()
    if not path.is_file():
        return f"axe-core is not installed at {path}"
    manifest = path.parent / "package.json"
    if manifest.is_file():
        version = json.loads(manifest.read_text()).get("version", "")
        if not version.startswith("4."):
            return f"axe-core at {path} is version {version}, not 4.x"
    return None


CHECKS = {
    "redis": redis_problem,
    "postgres": postgres_problem,
    "chromium": chromium_problem,
    "node": node_problem,
    "axe": axe_problem,
}


def problems(names=CHECKS) -> dict[str, str]:
    """Run the named checks and return the failing ones with what is wrong."""
    found = {name: CHECKS[name]() for name in names}
    return {name: problem for name, problem in found.items() if problem}


# --- installing and starting ---

_apt_updated = False


def _run(*cmd: str, **kwargs) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def _apt_install(*packages: str) -> None:
    """Install Debian packages, running `apt-get update` once first."""
    global _apt_updated
    if os.geteuid() != 0:
        raise SystemExit(f"installing {' '.join(packages)} needs root (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        _run("apt-get", "update", "-q", env=env, stdin=subprocess.DEVNULL)
        _apt_updated = True
    _run("apt-get", "install", "-y", "-q", *packages, env=env, stdin=subprocess.DEVNULL)


def _wait_for(check, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while (problem := check()) and time.monotonic() < deadline:
        time.sleep(0.3)
    if problem:
        raise SystemExit(f"{what} did not come up: {problem}")


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def ensure_redis() -> None:
    """Start a throwaway Redis (no persistence) on the test URL's port unless one answers."""
    if not redis_problem():
        return
    port = urlsplit(redis_url()).port or 6379
    if not shutil.which("redis-server"):
        _apt_install("redis-server")
        if not redis_problem():  # the package's own init script may have started it
            return
    _run("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
         "--port", str(port), "--save", "", "--appendonly", "no")
    _wait_for(redis_problem, "Redis")


def _allow_local_trust(version: str) -> None:
    """Let user postgres in over loopback without a password (test machines only)."""
    hba = Path("/etc/postgresql") / version / "main" / "pg_hba.conf"
    lines = "host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust\n"
    text = hba.read_text()
    if not text.startswith(lines):
        hba.write_text(lines + text)


def _postgres_servers() -> list[str]:
    """The PostgreSQL server versions installed from Debian's packages, oldest first."""
    return sorted((p.parents[1].name for p in Path("/usr/lib/postgresql").glob("*/bin/postgres")), key=float)


def ensure_postgres() -> None:
    """Start the Debian PostgreSQL cluster `main` unless something accepts on the test port.

    Only a cluster that this function installed or created is changed: it
    listens on the test URL's port and trusts user postgres on loopback.
    An existing one is started as it is.
    """
    parts = urlsplit(postgres_url())
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if _accepts(host, port):
        if problem := postgres_problem():
            raise SystemExit(problem)
        return
    fresh = False
    if not shutil.which("pg_ctlcluster") or not _postgres_servers():
        _apt_install("postgresql")
        fresh = True
    versions = sorted((p.name for p in Path("/etc/postgresql").glob("*") if (p / "main").is_dir()), key=float)
    if not versions:
        versions = [_postgres_servers()[-1]]
        _run("pg_createcluster", versions[0], "main")
        fresh = True
    version = versions[-1]
    if fresh:
        _allow_local_trust(version)
        _run("pg_conftool", version, "main", "set", "port", str(port))
        # the package may have started it already, with the old settings
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop"],
                       stdin=subprocess.DEVNULL, capture_output=True)
    _run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
    _wait_for(postgres_problem, "PostgreSQL")


def ensure_chromium() -> None:
    """Install Debian's Chromium when it is missing."""
    if chromium_problem():
        _apt_install("chromium")
    if problem := chromium_problem():
        raise SystemExit(problem)


def ensure_node() -> None:
    """Install Debian's Node.js when it is missing (Debian 12 has 18, which has `node --test`)."""
    if node_problem():
        _apt_install("nodejs")
    if problem := node_problem():
        raise SystemExit(problem)


def ensure_axe() -> None:
    """Install axe-core 4.x from npm into the project-local cache."""
    if not axe_problem():
        return
    if axe_js_path() != DEFAULT_AXE_JS:
        raise SystemExit(f"AXE_JS points to {axe_js_path()}, which is missing; unset it to install axe-core")
    if not shutil.which("npm"):
        _apt_install("npm")
    AXE_PREFIX.mkdir(parents=True, exist_ok=True)
    _run("npm", "install", "--prefix", str(AXE_PREFIX), "--no-audit", "--no-fund",
         "--loglevel=error", "axe-core@4", stdin=subprocess.DEVNULL)
    if problem := axe_problem():
        raise SystemExit(problem)


ENSURE = {
    "redis": ensure_redis,
    "postgres": ensure_postgres,
    "chromium": ensure_chromium,
    "node": ensure_node,
    "axe": ensure_axe,
}


def ensure(names=ENSURE) -> None:
    """Install and start the named services (all by default)."""
    for name in names:
        started = time.monotonic()
        ENSURE[name]()
        print(f"{name}: ok ({time.monotonic() - started:.1f}s)", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"ensure", "check"} or not set(argv[1:]) <= set(CHECKS):
        print(f"usage: python -m harness.services ensure|check [{'|'.join(CHECKS)} ...]",
              file=sys.stderr)
        return 2
    names = argv[1:] or list(CHECKS)
    if argv[0] == "ensure":
        ensure(names)
        return 0
    failing = problems(names)
    for name in names:
        print(f"{name}: {failing.get(name, 'ok')}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
