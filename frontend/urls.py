"""Page URLs: the front page, the live pages (participant, console, moderation, projector), the reports and the outcomes feed."""
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import views
from .feeds import OutcomesFeed

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["frontend"]), name="jsi18n"),
    path("w/<code:code>/", views.participant, name="participant"),
    path("w/<code:code>/facilitate", views.facilitate, name="facilitate"),
    path("w/<code:code>/moderate", views.moderate, name="moderate"),
    path("w/<code:code>/screen", views.screen, name="screen"),
    path("w/<code:code>/outcomes", views.outcomes, name="outcomes"),
    path("w/<code:code>/outcomes.atom", OutcomesFeed(), name="outcomes-feed"),
    path("w/<code:code>/report", views.report, name="report"),
    path("reports", views.reports, name="reports"),
    path("officials", views.officials, name="officials"),
    path("r/<str:token>", views.return_link, name="return_link"),
    path("c/<str:token>", views.contact_confirm, name="contact_confirm"),
]
