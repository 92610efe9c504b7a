"""Ideas and participants written straight into a running server's database: thousands, in seconds (posting takes minutes)."""
from harness.daphne import manage

_SCRIPT = """
from deliberation.models import Board, Idea
from workshops.models import Participant
board = Board.objects.get(workshop__code={code!r}, room=None)
author = Participant.objects.filter(workshop__code={code!r}).order_by("pk").first()
Idea.objects.bulk_create([Idea(board=board, author=author, text=f"{{i:05}} " + {text!r}) for i in range({n})],
                         batch_size=500)
"""


def bulk_ideas(env: dict[str, str], code: str, n: int, chars: int = 470) -> None:
    """n visible ideas of `chars` characters on the workshop's plenary board, numbered 00000 on."""
    filler = ("A playground by the station, with shade, benches and water for all who wait. " * 80)[:chars - 6]
    manage("shell", "-c", _SCRIPT.format(code=code, text=filler, n=n), env=env)


_PARTICIPANTS = """
from workshops.models import Participant, Workshop
workshop = Workshop.objects.get(code={code!r})
Participant.objects.bulk_create([Participant(workshop=workshop, name=f"{prefix} {{i:05}}") for i in range({n})],
                                batch_size=500)
"""


def bulk_participants(env: dict[str, str], code: str, n: int, prefix: str = "Citizen") -> None:
    """n citizens of the workshop, offline (they have no socket), named "<prefix> 00000" on."""
    manage("shell", "-c", _PARTICIPANTS.format(code=code, prefix=prefix, n=n), env=env)
