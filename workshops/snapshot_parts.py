"""This app's part of the welcome snapshot."""
from .models import Participant
from .selectors import participants_with_presence
from .snapshot import snapshot_part


@snapshot_part("participants", shared=True)
def participants(me: Participant) -> list[dict]:
    return participants_with_presence(me.workshop_id)



@snapshot_part("waiting", shared=True)
def waiting(me: Participant) -> list[dict]:
    """Who waits in the waiting room, for the facilitators and moderators who let them in."""
    if me.role not in (Participant.Role.FACILITATOR, Participant.Role.MODERATOR):
        return []
    return [{"id": pid, "name": name} for pid, name in Participant.objects.filter(
        workshop_id=me.workshop_id, admitted=False, removed=False, erased_at__isnull=True,
    ).order_by("pk").values_list("pk", "name")]
