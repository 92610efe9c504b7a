"""Page views: each renders a shell; the ES modules fetch everything else over the API."""
from django.shortcuts import render
from django.views.decorators.http import require_safe

__all__ = ["home", "participant", "facilitate", "moderate", "outcomes", "report", "reports"]


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


@require_safe
def moderate(request, code: str):
    """Render the moderation page shell (queue and audit log) for the workshop with this code."""
    return render(request, "frontend/moderate.html", {"code": code})


@require_safe
def outcomes(request, code: str):
    """Render the public outcomes page shell: published proposals and the officials' responses."""
    return render(request, "frontend/outcomes.html", {"code": code})


@require_safe
def report(request, code: str):
    """Render the impact report page shell for the facilitators and officials of this workshop."""
    return render(request, "frontend/report.html", {"code": code})


@require_safe
def reports(request):
    """Render the organisation report page shell: every workshop of the logged-in staff account."""
    return render(request, "frontend/reports.html")
