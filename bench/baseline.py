"""The Channels tutorial pattern, as the yardstick for bench/fanout.py: not Inspraak's code.

    .venv/bin/daphne -b 127.0.0.1 -p PORT bench.baseline:application

Each socket joins the room's group with its own channel; a message a client
sends is `group_send` to the group (one channel-layer message per member) and
every member's handler encodes it with `send_json`, as in the Channels
tutorial's chat (https://channels.readthedocs.io/en/stable/tutorial/part_3.html).
The same Django settings (so the same channels-redis layer from REDIS_URL);
no session, no database, no ack beyond echoing the ref.
"""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room_group_name = f"chat_{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive_json(self, content):
        await self.channel_layer.group_send(self.room_group_name, {"type": "chat.message", "message": content["event"]})
        await self.send_json({"type": "ack", "ref": content.get("ref")})

    async def chat_message(self, event):
        await self.send_json(event["message"])


application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AllowedHostsOriginValidator(URLRouter([path("ws/chat/<str:room>/", ChatConsumer.as_asgi())])),
})
