"""The least a join costs on this stack, as the yardstick for bench/join_storm.py: not Inspraak's code.

    .venv/bin/daphne -b 127.0.0.1 -p PORT bench.join_floor:application

The same three exchanges as a person joining Inspraak, on the same frameworks,
settings, middleware and database, with none of Inspraak's own work:

- `GET /api/csrf`: Django's CSRF token and cookie;
- `POST /api/workshops/<code>/join`: CSRF checked, the JSON body read, one
  key stored in a new session (Django's database sessions: a row written);
- the socket at `/ws/workshops/<code>/` through Channels' session and auth
  middleware, whose consumer reads the session, accepts and sends one small
  `welcome` frame.

No participant, no welcome snapshot, no presence, no socket row, no limits,
no channel-layer group: what join_storm.py measures on Inspraak above this is
Inspraak's own. HTTP runs through `workshops.asgi` (the handler with kept
request threads), as config/asgi.py does.
"""
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from workshops.asgi import application as django_application  # noqa: E402

django_asgi_app = django_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http import HttpResponseBadRequest, JsonResponse  # noqa: E402
from django.middleware.csrf import get_token  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import ensure_csrf_cookie  # noqa: E402
from django.views.decorators.http import require_GET, require_POST  # noqa: E402


@require_GET
@ensure_csrf_cookie
def csrf(request):
    return JsonResponse({"csrf": get_token(request)})


@require_POST
def join(request, code):
    try:
        name = str(json.loads(request.body)["name"])[:80]
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    request.session["name"] = name
    return JsonResponse({"participant": {"id": 0, "name": name, "role": "citizen"}}, status=201)


urlpatterns = [
    path("api/csrf", csrf),
    path("api/workshops/<str:code>/join", join),
]
settings.ROOT_URLCONF = __name__  # these views, with the project's settings and middleware


class Welcome(AsyncWebsocketConsumer):
    async def connect(self):
        name = await database_sync_to_async(self.scope["session"].get)("name")
        if name is None:
            await self.close(code=4401)
            return
        await self.accept()
        await self.send(json.dumps({"type": "welcome", "seq": 0, "me": {"name": name}}))


application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AuthMiddlewareStack(URLRouter([path("ws/workshops/<str:code>/", Welcome.as_asgi())])),
})
