"""Page views: each renders a shell; the ES modules fetch everything else over the API."""
from django.core import signing
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe

from workshops import return_links, sessions

__all__ = ["home", "participant", "facilitate", "moderate", "outcomes", "report", "reports", "return_link"]


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
outcomes = _shell("outcomes.html", "The public outcomes page: published proposals and the officials' responses.")
report = _shell("report.html", "The impact report of a workshop, for its facilitators and officials.")
reports = _shell("reports.html", "The organisation report: every workshop of the logged-in staff account.")


@require_GET
def return_link(request, token: str):
    """Opening a return link: this browser becomes its participant and lands on the workshop's page.

    The token is a bearer credential in the path, so no answer here may leak it: no Referer leaves
    the page, and a refused link is not logged by django.request (which would write the path).
    """
    try:
        participant = return_links.return_link_resolve(token)
    except signing.BadSignature:
        response = render(request, "frontend/return_link.html", {"dead": False}, status=404)
    except return_links.ReturnLinkDead:
        response = render(request, "frontend/return_link.html", {"dead": True}, status=410)
    else:
        workshop = participant.workshop
        request.session.cycle_key()  # a fresh session key: one planted before cannot ride along
        sessions.remember(request.session, workshop, participant)
        response = HttpResponseRedirect(f"/w/{workshop.code}/")
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # django.utils.log.log_response: not with the token in the path
    return response
