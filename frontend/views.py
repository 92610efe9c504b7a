"""Page views: each renders a shell; the ES modules fetch everything else over the API."""
import segno
from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from deliberation.models import Proposal
from workshops import return_links, sessions
from workshops.errors import DomainError
from workshops.models import Participant
from workshops.selectors import workshop_get
from workshops.contact import contact_confirm_state

from .elision import elided

__all__ = ["contact_confirm", "home", "participant", "facilitate", "moderate", "officials", "outcomes", "report", "reports",
           "return_link", "screen"]


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


@require_safe
def screen(request, code: str):
    """The projector page of a workshop, for its facilitators: the join address with its QR code, the
    step, the timer, the rooms' countdown, announcements and the plenary's top ideas.

    The QR code is drawn here, inline, with segno (as the return links' are): only a facilitator of
    the workshop gets the page at all; anyone else gets 403 with the way to log in.
    """
    try:
        workshop = workshop_get(code)
    except DomainError:
        raise Http404("No workshop with that code.") from None
    me = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    if me is None or me.role != Participant.Role.FACILITATOR or me.removed:
        return render(request, "frontend/screen.html", {"code": workshop.code, "forbidden": True}, status=403)
    join_url = request.build_absolute_uri(f"/w/{workshop.code}/")
    # Error correction M survives a projector's glare; the quiet zone of 4 modules is the standard's.
    qr = segno.make(join_url, error="m").svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True,
                                                   svgclass="screen-qr-code")
    return render(request, "frontend/screen.html", {
        "code": workshop.code, "join_url": join_url, "join_address": join_url.split("://", 1)[-1].rstrip("/"),
        "qr": mark_safe(qr),  # noqa: S308 - segno's own SVG of our own URL, no user input in it
    })


report = _shell("report.html", "The impact report of a workshop, for its facilitators and officials.")
reports = _shell("reports.html", "The organisation report: every workshop of the logged-in staff account.")
officials = _shell("officials.html", "For officials: the proposals across their workshops that wait for a response or an update.")


@require_http_methods(["GET", "POST"])
def return_link(request, token: str):
    """Opening a return link: this browser becomes its participant and lands on the workshop's page.

    A browser that already is someone else in that workshop is asked first (a POST of the same
    link, with the CSRF token): a link planted on a page elsewhere must not swap who someone is
    without their knowing. The token is a bearer credential in the path, so no answer here may
    leak it: no Referer leaves for another site, and a refused link is not logged by
    django.request (which would write the path).
    """
    try:
        participant = return_links.return_link_resolve(token)
    except signing.BadSignature:
        response = render(request, "frontend/return_link.html", {"dead": False}, status=404)
    except return_links.ReturnLinkDead:
        response = render(request, "frontend/return_link.html", {"dead": True}, status=410)
    else:
        workshop = participant.workshop
        current = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
        if request.method == "GET" and current is not None and current.pk != participant.pk:
            names = {"title": workshop.title, "current": current.name, "name": participant.name}
            response = render(request, "frontend/return_link_switch.html", {
                "workshop": workshop,
                # Formatted here, where French can elide "de Anna" to "d'Anna" (frontend.elision).
                "whose": elided(gettext("In %(title)s this browser is %(current)s. "
                                        "This link is the way back of %(name)s."), names),
                "go": elided(gettext("Continue as %(name)s"), names),
                "stay": elided(gettext("Stay as %(current)s"), names)})
        else:
            request.session.cycle_key()  # a fresh session key: one planted before cannot ride along
            sessions.remember(request.session, workshop, participant)
            response = HttpResponseRedirect(f"/w/{workshop.code}/", status=303 if request.method == "POST" else 302)
    # No Referer leaves these pages, except to this site itself from the question's form (a POST
    # without a Referer carries `Origin: null`, which the CSRF check rightly refuses).
    response["Referrer-Policy"] = "same-origin" if response.status_code == 200 else "no-referrer"
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # django.utils.log.log_response: not with the token in the path
    return response


@require_safe
def contact_confirm(request, token: str):
    """The link of a confirmation mail: a button that confirms the address, or 410 for a used or expired link.

    In the workshop's language, as the mail was: the person may open it in another browser.
    """
    state, contact = contact_confirm_state(token)
    workshop = contact.participant.workshop if contact is not None else None
    with translation.override(workshop.language if workshop else translation.get_language()):
        return render(request, "workshops/contact.html", {"token": token, "state": state, "workshop": workshop},
                      status=200 if state == "ok" else 410)
