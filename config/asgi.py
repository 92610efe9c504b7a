"""ASGI entry point: HTTP through Django, WebSockets through the workshop consumer."""
import os

from workshops.asgi import application as django_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = django_application()  # get_asgi_application(), with request threads kept

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from workshops import background, backpressure  # noqa: E402
from workshops.origins import SameOriginValidator  # noqa: E402
from workshops.routing import websocket_urlpatterns  # noqa: E402

# Under Daphne: bound each socket's send buffer, and start the server's own loop
# (timers, heartbeats) as soon as it runs, before any client connects.
backpressure.install(limit=settings.INSPRAAK["MAX_BUFFERED_BYTES"])
background.start_with_reactor()

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_asgi_app) if settings.SERVE_STATIC else django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
