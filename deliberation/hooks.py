"""Boards and ideas for the workshop lifecycle: this app's answer to workshops' content hooks."""
from collections.abc import Sequence

from workshops.extensions import Report, RoomEntry
from workshops.models import Breakout, Participant, Room, Workshop

from . import selectors
from .models import Board

__all__ = ["BoardContent", "CONTENT"]


class BoardContent:
    """Every workshop has a plenary board, every room one of its own, and a report-back when rooms close."""

    def workshop_created(self, *, workshop: Workshop, columns: Sequence[str]) -> None:
        """One plenary board, with the columns its facilitator asked for."""
        Board.objects.create(workshop=workshop, room=None, title="Plenary", columns=list(columns or []))

    def rooms_opened(self, *, breakout: Breakout, rooms: Sequence[Room]) -> dict[int, int]:
        """Each room gets its own board, with the plenary's columns."""
        plenary = Board.objects.filter(workshop_id=breakout.workshop_id, room__isnull=True).first()
        columns = plenary.columns if plenary else []
        boards = Board.objects.bulk_create(
            [Board(workshop_id=breakout.workshop_id, room=room, title=room.name, columns=columns) for room in rooms])
        return {board.room_id: board.pk for board in boards}

    def room_entered(self, *, room: Room, participant: Participant) -> RoomEntry:
        """The room's board and the ideas already on it: two queries, whatever else the workshop holds."""
        board = Board.objects.select_related("room__breakout").filter(room=room).first()
        if board is None:
            return {}
        return {"board": selectors.board_payload(board),
                "ideas": selectors.ideas_visible_to(participant, board=board)}

    def breakout_closed(self, *, breakout: Breakout, rooms: Sequence[Room]) -> Report:
        """Each room's best ideas, and the room boards' ideas that everyone may now read."""
        return selectors.breakout_report(breakout=breakout, rooms=rooms)


CONTENT = BoardContent()
