"""The content of a workshop: boards, ideas that build on each other, reactions."""
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from workshops.models import Participant, Room, Workshop

# The longest idea, in characters: the schemas and the import read it, and the check constraint
# holds it (changing it needs a migration).
MAX_IDEA_CHARS = 500


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
    held_reason = models.CharField(max_length=300, blank=True, default="")
    edited = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Reacted to since its counts were last told (deliberation.tallies).
    tally_pending = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), MAX_IDEA_CHARS),
                                   name="idea_text_at_most_500"),
        ]
        indexes = [
            # Serves the snapshot: a board's ideas in posting order.
            models.Index(fields=["board", "created_at"], name="idea_board_created"),
            # Serves tallies_tick, a process's four times a second while it marked any: the few ideas whose counts wait.
            models.Index(fields=["board"], condition=Q(tally_pending=True), name="idea_tally_pending"),
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


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam"
        ABUSE = "abuse"
        PERSONAL_INFO = "personal_info"
        OFF_TOPIC = "off_topic"
        OTHER = "other"

    class Status(models.TextChoices):
        OPEN = "open"
        UPHELD = "upheld"
        DISMISSED = "dismissed"

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="flags")
    by = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "by"], name="flag_one_per_participant_idea"),
        ]


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        GRANTED = "granted"
        DENIED = "denied"

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="appeal")  # once per hidden idea
    text = models.CharField(max_length=1000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the moderation log is append-only")

    def delete(self):
        raise PermissionError("the moderation log is append-only")


class ModerationAction(models.Model):
    """The audit log: who did what to whom, when and why. Rows are never changed or deleted;
    a database trigger refuses it too (see the migration)."""

    class Action(models.TextChoices):
        HOLD = "hold"
        APPROVE = "approve"
        HIDE = "hide"
        RESTORE = "restore"
        FLAG_DISMISS = "flag_dismiss"
        APPEAL_GRANT = "appeal_grant"
        APPEAL_DENY = "appeal_deny"
        MUTE = "mute"
        REMOVE = "remove"
        ADMIT = "admit"
        REJECT = "reject"

    workshop = models.ForeignKey(Workshop, on_delete=models.PROTECT, related_name="moderation_actions")
    actor = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    target = models.CharField(max_length=40)  # "idea:12", "participant:7", "flag:3"
    reason = models.CharField(max_length=1000, blank=True, default="")
    minutes = models.PositiveIntegerField(null=True, blank=True)  # a mute's length (0: lifted); pages word it
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        indexes = [
            # Serves the moderation-log endpoint: a workshop's log, oldest first.
            models.Index(fields=["workshop", "created_at"], name="modaction_workshop_created"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise PermissionError("the moderation log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the moderation log is append-only")


class Proposal(models.Model):
    """A synthesised proposal, traceable to the ideas it came from."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    sources = models.ManyToManyField(Idea, related_name="proposals")
    drafters = models.ManyToManyField(Participant, related_name="drafted_proposals")
    edited = models.BooleanField(default=False)  # changed after it was published
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.title


class Endorsement(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="endorsements")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="endorsements")
    value = models.CharField(max_length=8, choices=Reaction.Value.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "participant"],
                                    name="endorsement_one_per_participant_proposal"),
        ]


class Response(models.Model):
    """An official's answer to a proposal; answers form a timeline and are never overwritten."""

    class Status(models.TextChoices):
        UNDER_REVIEW = "under_review"
        ACCEPTED = "accepted"
        IMPLEMENTED = "implemented"
        DECLINED = "declined"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="responses")
    official = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=14, choices=Status.choices)
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Participant ids of the proposal's source authors who had a socket open when it came, and so
    # saw it: the report's `contributors_told` counts them with those a sent mail told.
    told_on_socket = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            # Serves the timeline and "latest response" of a proposal.
            models.Index(fields=["proposal", "created_at"], name="response_proposal_created"),
        ]

    @staticmethod
    def about(pk: int) -> str:
        """What a mail that carried this response records having told (workshops.models.MailTold)."""
        return f"response:{pk}"


class SurveyAnswer(models.Model):
    """One participant's end-of-workshop survey: factors rated 0 to 10, and a comment."""

    CITIZEN_FACTORS = ("collaboration", "accessibility", "safety", "information", "influence")
    OFFICIAL_FACTORS = ("influence", "engagement", "alignment", "implementation", "relevance")

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="survey")
    answers = models.JSONField()  # {factor: 0..10}
    comment = models.TextField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)


# The longest question to the panel, in characters (PROTOCOL.md 3.4).
MAX_QUESTION_CHARS = 300


class Question(models.Model):
    """A question to the panel, screened like an idea; officials and facilitators answer it."""

    class Status(models.TextChoices):
        OPEN = "open"
        HELD = "held"
        ANSWERED = "answered"
        HIDDEN = "hidden"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    held_reason = models.CharField(max_length=300, blank=True, default="")
    hidden_reason = models.CharField(max_length=300, blank=True, default="")
    answer = models.TextField(max_length=2000, blank=True, default="")
    answered_by = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), MAX_QUESTION_CHARS),
                                   name="question_text_at_most_300"),
        ]
        indexes = [
            # Serves welcome.questions and the export: a workshop's questions.
            models.Index(fields=["workshop", "created_at"], name="question_workshop_created"),
        ]

    def __str__(self):
        return self.text[:40]


class QuestionVote(models.Model):
    """One participant's upvote of a question; taking it back deletes the row."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="question_votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "participant"], name="questionvote_one_per_participant"),
        ]


class Hand(models.Model):
    """A raised hand: the queue is a workshop's hands, first raised first; lowering deletes the row."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="hands")
    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="hand")
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Serves the queue: a workshop's hands in the order they went up.
            models.Index(fields=["workshop", "raised_at"], name="hand_workshop_raised"),
        ]


class FloorTurn(models.Model):
    """A turn on the floor, from `floor.give` to `floor.end` (or the next `floor.give`)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="floor_turns")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="floor_turns")
    given_by = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop"], condition=Q(ended_at__isnull=True),
                                    name="floorturn_one_open_per_workshop"),
        ]
        indexes = [
            # Serves the report's and the console's turn counts per participant.
            models.Index(fields=["workshop", "participant"], name="floorturn_workshop_participant"),
        ]


class Poll(models.Model):
    """A question put to everyone for a while (PROTOCOL 3.4), of one of six kinds."""

    class Kind(models.TextChoices):
        SINGLE = "single"
        MULTIPLE = "multiple"
        SCALE = "scale"
        RANKING = "ranking"
        POINTS = "points"
        WORDS = "words"

    class Status(models.TextChoices):
        OPEN = "open"
        CLOSED = "closed"

    class Visibility(models.TextChoices):
        LIVE = "live"
        AFTER_CLOSE = "after_close"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    anonymous = models.BooleanField(default=False)
    results_visibility = models.CharField(max_length=11, choices=Visibility.choices)
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)  # multiple
    scale_min = models.SmallIntegerField(null=True, blank=True)  # scale
    scale_max = models.SmallIntegerField(null=True, blank=True)
    points = models.PositiveSmallIntegerField(null=True, blank=True)  # points: how many to spread
    opened_by = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When `poll.results` was last emitted: at most two a second (polls.RESULTS_WINDOW), across processes.
    results_at = models.DateTimeField(null=True, blank=True)
    results_flush = models.BooleanField(default=False)  # a trailing flush (a Deadline) is pending
    results = models.JSONField(null=True, blank=True)  # the final RESULTS, kept at close

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(scale_min__isnull=True) | Q(scale_min__lt=models.F("scale_max")),
                                   name="poll_scale_min_below_max"),
            models.CheckConstraint(condition=Q(status="open") | Q(closed_at__isnull=False),
                                   name="poll_closed_has_closed_at"),
        ]
        indexes = [
            # Serves the welcome, the export and the report: a workshop's polls in order.
            models.Index(fields=["workshop", "created_at"], name="poll_workshop_created"),
        ]

    def __str__(self):
        return self.question[:40]


class PollOption(models.Model):
    """One option of a poll: a label typed in, or an idea on the board (its text as it was then)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=MAX_IDEA_CHARS)
    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="polloption_one_per_position"),
        ]

    def __str__(self):
        return self.label[:40]


class PollAnswer(models.Model):
    """One participant's current answer to a poll.

    `voter` is a keyed hash (HMAC-SHA256 with SECRET_KEY) of poll and participant: it alone stops a
    second answer. `participant` is set only when the poll is not anonymous, so an anonymous poll's
    answers name nobody, in the database and in every export.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    voter = models.CharField(max_length=64)
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField()  # the validated answer: {"choice"} | {"choices"} | {"value"} | {"ranking"} | ...
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="pollanswer_one_per_voter"),
        ]
