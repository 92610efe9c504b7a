"""Boards and ideas for the workshop lifecycle: this app's answer to workshops' content hooks."""
from collections.abc import Sequence

from workshops import stream
from workshops.extensions import Report, RoomEntry
from workshops.models import Breakout, Participant, Room, Workshop

from . import events as ev
from . import floor, permissions, polls, selectors
from .models import Board, Idea

__all__ = ["BoardContent", "CONTENT"]


class BoardContent:
    """Every workshop has a plenary board, every room one of its own, and a report-back when rooms close."""

    def workshop_created(self, *, workshop: Workshop, columns: Sequence[str]) -> None:
        """One plenary board, with the columns its facilitator asked for."""
        Board.objects.create(workshop=workshop, room=None, title="Plenary", columns=list(columns or []))

    def columns_set(self, *, workshop: Workshop, columns: Sequence[str]) -> None:
        """Every board of the workshop takes the columns; ideas in a column that is gone move to none."""
        boards = list(Board.objects.filter(workshop=workshop).select_related("room__breakout").order_by("pk"))
        changed = [board for board in boards if board.columns != list(columns)]
        for board in changed:
            board.columns = list(columns)
        Board.objects.bulk_update(changed, ["columns"])
        Idea.objects.filter(board__in=changed).exclude(column="").exclude(column__in=list(columns)).update(column="")
        # The board's readers learn its columns; the ideas they hold follow from them (no idea text travels).
        stream.emit_many(workshop, [(ev.BoardUpdated(board=selectors.board_payload(board)),
                                     stream.to_room(permissions.board_room(board))) for board in changed])

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

    def workshop_ending(self, *, workshop: Workshop) -> None:
        """The turn on the floor ends, raised hands go down, and open polls close with their final
        results (an `after_close` poll's citizens would otherwise never see them)."""
        floor.floor_close(workshop.pk)
        polls.polls_close_soon(workshop.pk)


CONTENT = BoardContent()
