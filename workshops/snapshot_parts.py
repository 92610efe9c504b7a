"""This app's part of the welcome snapshot."""
from .models import Participant
from .selectors import participant_payload, participants_with_presence
from .snapshot import snapshot_part


@snapshot_part("participants")
def participants(me: Participant) -> list[dict]:
    return [participant_payload(p, online=p.online) for p in participants_with_presence(me.workshop_id)]

