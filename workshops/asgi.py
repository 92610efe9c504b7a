"""Django's ASGI handler, with the threads that run requests' sync code kept for the next request.

Django runs each HTTP request's sync code (middleware, the view, the ORM) in a thread of the
request's own: its ASGIHandler enters asgiref's ThreadSensitiveContext, which starts a one-thread
executor for the request and, since asgiref 3.13, a second thread to join the first when the
request ends. A person joining (`GET /api/csrf`, then `POST .../join`) so started and stopped four
threads, and each new thread set up Django's database connection object anew.

asgiref 3.13 lets the caller give ThreadSensitiveContext an executor of its own (one thread, one
call at a time), which it uses for the block and does not shut down. This handler lends each
request such an executor from the ones that earlier requests gave back, and takes it back when the
request is done. A request still has its thread to itself while it runs; Django closes (returns
to the pool) the request's database connection when it finishes, as before. The idea of keeping
them is asgiref's own pull request 306, never merged.
"""
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

# Executors kept between requests, at most: as many as requests this process runs at once in a
# busy minute. Past that, one given back is shut down (its thread ends once idle).
KEEP = 32


class RequestThreads:
    """One-thread executors to lend to requests; used from the event loop's thread only."""

    def __init__(self, keep: int = KEEP):
        self.keep = keep
        self.idle: list[ThreadPoolExecutor] = []

    def lend(self) -> ThreadPoolExecutor:
        if self.idle:
            return self.idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="inspraak-http")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        # Work of the request may still be running (the client went away mid-view): the next
        # request's calls then wait for it in the same thread, one after the other, as they
        # would have in Django's own single thread for sync code.
        if len(self.idle) < self.keep:
            self.idle.append(executor)
        else:
            executor.shutdown(wait=False)


class ASGIHandlerKeepingThreads(ASGIHandler):
    """ASGIHandler whose requests run their sync code in a kept thread (RequestThreads), the whole
    middleware chain and view in one call there.

    Django's docs say that with only synchronous middleware and views it switches to a thread once,
    before the middleware. Its own middleware (MiddlewareMixin) declares itself async-capable too,
    though, so the async handler kept the chain async and ran each hook in the thread on its own:
    17 switches for `GET /api/csrf` (every middleware's process_request and process_response, the
    view). Built as a sync chain, as under WSGI, a request switches once; the chain still adapts
    any async-only middleware or async view, as Django's sync handler does.
    """

    def __init__(self):
        super().__init__()
        self.load_middleware(is_async=False)
        self.threads = RequestThreads()

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.lend()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give_back(executor)


def application() -> ASGIHandlerKeepingThreads:
    """What django.core.asgi.get_asgi_application() makes, with the kept threads."""
    import django

    django.setup(set_prefix=False)
    return ASGIHandlerKeepingThreads()
