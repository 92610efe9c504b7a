"""The HTTP JSON API of the content: the moderation log."""
from django.http import JsonResponse

from workshops import selectors as workshop_selectors
from workshops import sessions
from workshops.errors import DomainError
from workshops.http import json_view

from . import permissions, selectors


@json_view("GET")
def moderation_log(request, code):
    workshop = workshop_selectors.workshop_get(code)
    actor = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    if actor is None:
        raise DomainError("unauthenticated", "Log in first.")
    if actor.removed or actor.role not in permissions.MODERATING:
        raise DomainError("forbidden", "Only moderators and facilitators see the moderation log.")
    return JsonResponse(selectors.moderation_log(workshop.pk), safe=False)
