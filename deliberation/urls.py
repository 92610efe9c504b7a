from django.urls import path

from . import api

urlpatterns = [
    path("workshops/<code:code>/moderation-log", api.moderation_log),
    path("workshops/<code:code>/outcomes", api.outcomes),
    path("workshops/<code:code>/export", api.export),
    path("workshops/<code:code>/proposals/<int:proposal_id>/response", api.proposal_response),
    path("workshops/<code:code>/report", api.report),
    path("workshops/<code:code>/report/charts/<slug:name>.svg", api.report_chart),
    path("workshops/<code:code>/me/data", api.my_data),
    path("workshops/<code:code>/me/erase", api.erase_me),
    path("report", api.organisation_report),
    path("officials/awaiting", api.officials_awaiting),
]
