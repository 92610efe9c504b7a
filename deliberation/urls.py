from django.urls import path

from . import api

urlpatterns = [
    path("workshops/<str:code>/moderation-log", api.moderation_log),
    path("workshops/<str:code>/outcomes", api.outcomes),
    path("workshops/<str:code>/export", api.export),
    path("workshops/<str:code>/proposals/<int:proposal_id>/response", api.proposal_response),
    path("workshops/<str:code>/report", api.report),
    path("workshops/<str:code>/report/charts/<slug:name>.svg", api.report_chart),
    path("workshops/<str:code>/me/data", api.my_data),
    path("workshops/<str:code>/me/erase", api.erase_me),
    path("report", api.organisation_report),
    path("officials/awaiting", api.officials_awaiting),
]
