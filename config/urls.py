"""URL configuration: the JSON API under /api/, the pages everywhere else."""
from django.urls import include, path

urlpatterns = [
    path("api/", include("workshops.urls")),
    path("api/", include("deliberation.urls")),
    path("", include("frontend.urls")),
]

handler500 = "workshops.api.server_error"
