"""Shared fixtures: the external services that cluster and browser tests need.

`make test` installs and starts them (`python -m harness.services ensure`).
A test that asks for a service that is not there fails; it is never skipped.
"""
import pytest

from harness import services

# The settings put pytest-django's SQLite test database in var/, which a fresh clone lacks.
(services.REPO_ROOT / "var").mkdir(exist_ok=True)


def _require(name: str) -> None:
    problem = services.problems([name]).get(name)
    if problem:
        pytest.fail(f"{problem}\nRun `make test`, or `.venv/bin/python -m harness.services ensure {name}`.",
                    pytrace=False)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis for channels-redis, with a database number of its own (TEST_REDIS_URL)."""
    _require("redis")
    return services.redis_url()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server URL without a database name (TEST_POSTGRES_URL)."""
    _require("postgres")
    return services.postgres_url()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium for Playwright's `executable_path`."""
    _require("chromium")
    return services.chromium_path()


@pytest.fixture(scope="session")
def axe_js() -> str:
    """The text of axe-core 4.x, to inject into pages."""
    _require("axe")
    return services.axe_js_path().read_text()


def pytest_collection_modifyitems(items):
    """Run browser tests last.

    Playwright's sync API keeps an event loop running in the main thread for as
    long as its (session-scoped) browser is open; an async test after it would
    fail with "cannot be called from a running event loop".
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None
               or item.nodeid.startswith("tests/browser/"))


@pytest.fixture
async def hub_env():
    """Protocol tests: each gets its own in-memory layer, hub and background loop on its own event loop."""
    from channels.layers import channel_layers

    from workshops import background, hub
    from workshops.snapshot import shared_snapshot

    channel_layers.backends.clear()
    shared_snapshot.clear()
    yield
    await hub.shutdown_hub()
    await background.stop()
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _events_match_the_catalogue(request):
    """Fail a test after which any stored event is not exactly one of the catalogue's models.

    It reads the Event table as the test leaves it, so no way of writing an event escapes it; the
    database is taken up first so that it is still there (not yet rolled back or flushed) at teardown.
    """
    if not (request.node.get_closest_marker("django_db") or "_django_db_helper" in request.fixturenames):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    from harness.events import stored_event_problems

    problems = stored_event_problems()
    if problems:
        pytest.fail("Events that do not match the event catalogue (workshops/events.py, deliberation/events.py):\n"
                    + "\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in Django's cache (LocMemCache here): every test starts from none.
    Nor does a test inherit the process's server row that an earlier one made and rolled back."""
    from django.core.cache import cache

    from workshops import background

    cache.clear()
    background.forget_server()
    yield
    cache.clear()
    background.forget_server()


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) with the settings pointed at it, as EMAIL_HOST would."""
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.PUBLIC_URL = "https://inspraak.example.org"
    settings.DEFAULT_FROM_EMAIL = "Inspraak <noreply@inspraak.example.org>"
    yield server
    server.stop()
