"""Signals for apps that build on workshops (workshops imports none of them)."""
from django.dispatch import Signal

# Sent inside the transaction that creates a workshop: sender=Workshop, workshop, columns.
workshop_created = Signal()

# Sent inside the transaction that opens a breakout: sender=Breakout, breakout, rooms.
# A receiver returns {room id: board id} for the boards it made.
breakout_opened = Signal()

# Sent inside the transaction that closes a breakout: sender=Breakout, breakout, rooms.
# A receiver returns {"top": {room id: [idea ids]}, **fields for the breakout.closed event}.
breakout_closed = Signal()

# Sent inside the transaction that moves a participant into a room of a running breakout:
# sender=Room, room, participant. A receiver returns fields for the `room.assigned` event
# (the room's board and its ideas, so the participant need not reload).
room_entered = Signal()
