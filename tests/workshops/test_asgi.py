"""Django's ASGI handler with request threads kept (workshops/asgi.py), on the real HTTP application."""
import asyncio
import threading

import pytest
from channels.testing import HttpCommunicator
from django.core.signals import request_started

from config.asgi import django_asgi_app
from workshops.asgi import RequestThreads

pytestmark = pytest.mark.django_db(transaction=True)


async def get(path: str = "/api/csrf") -> int:
    response = await HttpCommunicator(django_asgi_app, "GET", path,
                                      headers=[(b"host", b"testserver")]).get_response(timeout=10)
    return response["status"]


@pytest.fixture
def threads_seen():
    """The thread each request's sync code started in (Django sends request_started from it)."""
    seen: list[threading.Thread] = []

    def started(**_):
        seen.append(threading.current_thread())

    request_started.connect(started)
    yield seen
    request_started.disconnect(started)


async def test_one_request_after_another_runs_in_the_same_kept_thread(threads_seen):
    assert [await get(), await get(), await get()] == [200, 200, 200]
    assert len(threads_seen) == 3 and len({t.ident for t in threads_seen}) == 1
    assert threads_seen[0].name.startswith("inspraak-http") and threads_seen[0].is_alive()
    assert threads_seen[0] is not threading.main_thread()


async def test_requests_at_the_same_time_each_have_a_thread_of_their_own(threads_seen):
    """The first request's sync code waits until the second's has started: in one shared thread
    the second could never start, and the first would give up after 5 s."""
    both = threading.Barrier(2, timeout=5)

    def meet(**_):
        both.wait()

    request_started.connect(meet)
    try:
        statuses = await asyncio.gather(get(), get())
    finally:
        request_started.disconnect(meet)
    assert statuses == [200, 200] and not both.broken
    assert len({t.ident for t in threads_seen}) == 2


def test_at_most_keep_executors_are_kept_and_the_rest_shut_down():
    threads = RequestThreads(keep=1)
    first, second = threads.lend(), threads.lend()
    assert first is not second
    threads.give_back(first)
    threads.give_back(second)
    assert threads.idle == [first] and second._shutdown and not first._shutdown
    assert threads.lend() is first and threads.lend() is not first


async def test_the_middleware_and_the_view_run_in_one_switch_to_the_thread(monkeypatch):
    """Django's async handler ran each middleware hook in the thread on its own (17 switches for
    this request); the sync chain goes over once (request_started and the response's close go on
    their own, as before)."""
    from asgiref import sync

    ran: list[str] = []
    call = sync.SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        ran.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await call(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counted)
    assert await get() == 200
    assert ran.count("BaseHandler.get_response") == 1
    assert not [name for name in ran if "Middleware" in name or name == "csrf"]  # no hook nor the view alone
