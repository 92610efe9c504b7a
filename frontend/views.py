"""Page views: each renders a shell; the ES modules fetch everything else over the API."""
from django.shortcuts import render
from django.views.decorators.http import require_safe

from deliberation.models import Proposal

__all__ = ["home", "participant", "facilitate", "moderate", "outcomes", "report", "reports"]


def _shell(template: str, doc: str):
    """A view that renders a page shell, given the workshop code from the URL when it has one."""
    @require_safe
    def view(request, code: str | None = None):
        return render(request, f"frontend/{template}", {"code": code} if code else {})
    view.__doc__ = doc
    return view


home = _shell("home.html", "The front page: join with a code, staff login and workshop list.")
participant = _shell("participant.html", "The participant page of a workshop.")
facilitate = _shell("facilitate.html", "The facilitator console of a workshop.")
moderate = _shell("moderate.html", "The moderation page (queue and audit log) of a workshop.")


@require_safe
def outcomes(request, code: str):
    """The public outcomes page: published proposals and the officials' responses.

    It names its Atom feed in the head once there is something in it, so a feed reader offered
    the page finds a feed that answers.
    """
    published = Proposal.objects.filter(workshop__code=code, status=Proposal.Status.PUBLISHED).exists()
    return render(request, "frontend/outcomes.html", {"code": code, "feed": published})


report = _shell("report.html", "The impact report of a workshop, for its facilitators and officials.")
reports = _shell("reports.html", "The organisation report: every workshop of the logged-in staff account.")
