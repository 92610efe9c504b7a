from django.urls import path

from . import api

urlpatterns = [
    path("workshops/<str:code>/moderation-log", api.moderation_log),
]
