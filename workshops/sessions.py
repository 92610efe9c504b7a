"""Who is behind a browser session in a workshop, for the HTTP API and the socket alike."""
from django.conf import settings

from . import background, selectors, services
from .errors import DomainError
from .models import Participant, Workshop
from .prepared import Lookup

_SESSION_PARTICIPANT = Lookup(lambda pk, workshop_id: Participant.objects.filter(
    pk=pk, workshop_id=workshop_id, erased_at__isnull=True), nargs=2)

SESSION_KEY = "inspraak_participants"  # {workshop code: participant id}


def participant_for(*, workshop: Workshop, session, user) -> Participant | None:
    """The participant this session (or logged-in staff account) is in a workshop, if any."""
    staff = selectors.staff_participant(workshop=workshop, user=user)
    if staff is not None:
        return staff
    pid = (session.get(SESSION_KEY) or {}).get(workshop.code) if session is not None else None
    if pid is None:
        return None
    # An erased participant is nobody's any more, in whichever browser they had opened the workshop.
    return _SESSION_PARTICIPANT.first(pid, workshop.pk)


def session_key(session) -> str:
    """The session's key, saving a new session first so that it has one."""
    if session.session_key is None:
        session.save()
    return session.session_key


def remember(session, workshop: Workshop, participant: Participant) -> None:
    """Make this browser session the participant in the workshop (joining, or opening a return link)."""
    known = dict(session.get(SESSION_KEY) or {})
    known[workshop.code] = participant.pk
    session[SESSION_KEY] = known


def forget(session, workshop: Workshop) -> None:
    """This browser session is nobody in the workshop any more."""
    known = dict(session.get(SESSION_KEY) or {})
    if known.pop(workshop.code, None) is not None:
        session[SESSION_KEY] = known


def socket_open(*, code: str, session, user, channel_name: str) -> dict:
    """Check who opens a socket and record the connection (DomainError closes the socket)."""
    workshop = selectors.workshop_get(code)
    participant = participant_for(workshop=workshop, session=session, user=user)
    if participant is None:
        raise DomainError("unauthenticated", "Join the workshop first.")
    if participant.removed:
        raise DomainError("forbidden", "You were removed from this workshop.")
    connection = services.connection_open(participant=participant, server=background.server(),
                                          channel_name=channel_name,
                                          max_sockets=settings.INSPRAAK["MAX_SOCKETS_PER_PARTICIPANT"])
    return {"connection_id": connection.pk, "participant_id": participant.pk, "workshop_id": workshop.pk,
            "role": participant.role, "room_id": participant.room_id, "admitted": participant.admitted}

