"""Content that comes with a workshop's lifecycle."""
from django.dispatch import receiver

from workshops.models import Breakout, Room, Workshop
from workshops.signals import breakout_closed, breakout_opened, room_entered, workshop_created

from . import selectors
from .models import Board


@receiver(workshop_created, sender=Workshop)
def create_plenary_board(sender, *, workshop, columns, **kwargs):
    """Every workshop has one plenary board, with the columns its facilitator asked for."""
    Board.objects.create(workshop=workshop, room=None, title="Plenary", columns=list(columns or []))


@receiver(breakout_opened, sender=Breakout)
def create_room_boards(sender, *, breakout, rooms, **kwargs):
    """Each room gets its own board, with the plenary's columns."""
    plenary = Board.objects.filter(workshop_id=breakout.workshop_id, room__isnull=True).first()
    columns = plenary.columns if plenary else []
    boards = Board.objects.bulk_create(
        [Board(workshop_id=breakout.workshop_id, room=room, title=room.name, columns=columns) for room in rooms])
    return {board.room_id: board.pk for board in boards}


@receiver(breakout_closed, sender=Breakout)
def report_back(sender, *, breakout, rooms, **kwargs):
    """Each room's best ideas, and the room boards' ideas that everyone may now read."""
    return selectors.breakout_report(breakout=breakout, rooms=rooms)


@receiver(room_entered, sender=Room)
def room_board_for_newcomer(sender, *, room, participant, **kwargs):
    """Someone moved into a room gets its board and the ideas already on it."""
    board = Board.objects.filter(room=room).first()
    if board is None:
        return {}
    return {"board": selectors.board_payload(board),
            "ideas": [i for i in selectors.ideas_visible_to(participant) if i["board"] == board.pk]}
