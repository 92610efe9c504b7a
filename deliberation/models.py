"""The content of a workshop: boards, ideas that build on each other, reactions."""
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from workshops.models import Participant, Room, Workshop


class Board(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="boards")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.CASCADE, related_name="boards")
    title = models.CharField(max_length=120)
    columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop"], condition=Q(room__isnull=True),
                                    name="board_one_plenary_per_workshop"),
        ]

    def __str__(self):
        return self.title


class Idea(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible"
        HELD = "held"
        HIDDEN = "hidden"
        WITHDRAWN = "withdrawn"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ideas")
    text = models.TextField()
    column = models.CharField(max_length=80, blank=True, default="")
    builds_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="builds")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    hidden_reason = models.CharField(max_length=300, blank=True, default="")
    edited = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), 500), name="idea_text_at_most_500"),
        ]
        indexes = [
            # Serves the snapshot: a board's ideas in posting order.
            models.Index(fields=["board", "created_at"], name="idea_board_created"),
        ]

    def __str__(self):
        return self.text[:40]


class Reaction(models.Model):
    class Value(models.TextChoices):
        AGREE = "agree"
        DISAGREE = "disagree"
        PASS = "pass"

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="reactions")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reactions")
    value = models.CharField(max_length=8, choices=Value.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "participant"], name="reaction_one_per_participant_idea"),
        ]
