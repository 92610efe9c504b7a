"""Page views: each renders a shell; the ES modules fetch everything else over the API."""
from django.shortcuts import render
from django.views.decorators.http import require_safe

__all__ = ["home", "participant", "facilitate"]


@require_safe
def home(request):
    """Render the front page: join with a code, staff login and workshop list."""
    return render(request, "frontend/home.html")


@require_safe
def participant(request, code: str):
    """Render the participant page shell for the workshop with this code."""
    return render(request, "frontend/participant.html", {"code": code})


@require_safe
def facilitate(request, code: str):
    """Render the facilitator console shell for the workshop with this code."""
    return render(request, "frontend/facilitate.html", {"code": code})
