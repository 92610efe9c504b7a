"""Page views: each renders a shell; the ES modules fetch everything else over the API."""
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from workshops.contact import contact_confirm_state

__all__ = ["contact_confirm", "home", "participant", "facilitate", "moderate", "outcomes", "report", "reports"]


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
