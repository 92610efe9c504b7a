"""Browser-test fixtures: one real Daphne server on an SQLite file, one headless Chromium.

The server runs as its own process (harness/daphne.py), the staff account is
made with `manage.py createsuperuser` in a subprocess, and every test opens its own
browser contexts, so each context is one person with their own cookies.
"""
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from harness.daphne import DaphneServer, ServerDatabase, manage, server_env

from .helpers import Person

STAFF_USERNAME = "facilitator"
STAFF_PASSWORD = "browser-test-password-1"
OFFICIAL_USERNAME = "official"
OFFICIAL_PASSWORD = "browser-test-password-3"
MODERATOR_USERNAME = "moderator"
MODERATOR_PASSWORD = "browser-test-password-2"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A migrated SQLite database with two staff accounts, served by a real Daphne process."""
    tmp = tmp_path_factory.mktemp("browser-server")
    db = ServerDatabase.sqlite(tmp / "db.sqlite3")
    env = server_env(db.url, INSPRAAK_RATE_LIMIT_JOINS="100000")  # every test browser joins from 127.0.0.1
    db.prepare(env)
    manage("createsuperuser", "--noinput", "--username", STAFF_USERNAME, "--email", "facilitator@example.org",
           env={**env, "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD})
    # A second account, given the moderator role per workshop by the facilitator (POST .../staff).
    manage("createsuperuser", "--noinput", "--username", MODERATOR_USERNAME, "--email", "moderator@example.org",
           env={**env, "DJANGO_SUPERUSER_PASSWORD": MODERATOR_PASSWORD})
    # A third, given the official role per workshop.
    manage("createsuperuser", "--noinput", "--username", OFFICIAL_USERNAME, "--email", "official@example.org",
           env={**env, "DJANGO_SUPERUSER_PASSWORD": OFFICIAL_PASSWORD})
    with DaphneServer(env, log_path=tmp / "daphne.log") as running:
        yield running
    db.drop()


@pytest.fixture(scope="session")
def official(server) -> tuple[str, str]:
    """The staff account that facilitators give the official role in their workshops."""
    return OFFICIAL_USERNAME, OFFICIAL_PASSWORD


@pytest.fixture
def facilitator(server):
    """The facilitator's account, logged in over HTTP (for scripting a workshop)."""
    from .scripted import Member

    member = Member(server)
    member.log_in(STAFF_USERNAME, STAFF_PASSWORD)
    yield member
    member.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    """Debian's Chromium, headless, driven through Playwright's sync API."""
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def people(browser, server):
    """Open browser contexts as people: `people("An", phone=True, locale="nl-NL")`; all closed after the test.

    A test fails if any page raised an uncaught JavaScript error or opened a dialog.
    """
    opened: list[Person] = []

    def open_person(name: str, *, phone: bool = False, locale: str = "en-US") -> Person:
        person = Person.open(browser, server.url, name, phone=phone, locale=locale)
        opened.append(person)
        return person

    yield open_person
    problems = [f"{p.name}: {problem}" for p in opened for problem in p.problems]
    for person in opened:
        person.close()
    assert not problems, "pages misbehaved:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
