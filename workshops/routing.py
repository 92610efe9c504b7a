from django.urls import path

from .consumers import WorkshopConsumer

websocket_urlpatterns = [
    path("ws/workshops/<code:code>/", WorkshopConsumer.as_asgi()),
]
