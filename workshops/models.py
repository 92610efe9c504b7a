"""The live session: workshops, participants, the event stream and its bookkeeping."""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes (l, 1, o, 0)


def new_code() -> str:
    """An unguessable, URL-safe workshop code of ten characters (50 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class Workshop(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        LIVE = "live"
        ENDED = "ended"

    class Moderation(models.TextChoices):
        POST = "post"
        PRE = "pre"

    class Language(models.TextChoices):
        NL = "nl"
        EN = "en"
        FR = "fr"
        DE = "de"

    code = models.CharField(max_length=16, unique=True, default=new_code)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.NL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    agenda = models.JSONField(default=list, blank=True)  # [{"title", "minutes"}]
    phase = models.PositiveIntegerField(default=0)
    timer_label = models.CharField(max_length=200, blank=True, default="")
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    moderation = models.CharField(max_length=4, choices=Moderation.choices, default=Moderation.POST)
    flag_threshold = models.PositiveSmallIntegerField(default=3)
    # New citizens wait until a facilitator or moderator admits them (PROTOCOL 3.1).
    waiting_room = models.BooleanField(default=False)
    profile_questions = models.JSONField(default=list, blank=True)  # [{"key","label","options"}]
    # The population the room should reflect, e.g. census shares: {question key: {option: share}}.
    reference = models.JSONField(default=dict, blank=True)
    # The last seq handed out; the row lock on the workshop serialises seq allocation.
    last_seq = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The last official response to any of its proposals: contact addresses are kept
    # INSPRAAK_CONTACT_RETENTION_DAYS from it (workshops.contact.contacts_expire).
    last_response_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.title} ({self.code})"


class Breakout(models.Model):
    """One split of the plenary into rooms; at most one is not closed at a time."""

    class Mode(models.TextChoices):
        RANDOM = "random"
        SELF_SELECT = "self_select"
        MANUAL = "manual"
        DIVERSE = "diverse"

    class Status(models.TextChoices):
        OPEN = "open"
        CLOSING = "closing"
        CLOSED = "closed"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="breakouts")
    mode = models.CharField(max_length=12, choices=Mode.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    capacity = models.PositiveIntegerField(null=True, blank=True)  # per room, self-select only
    opened_at = models.DateTimeField(auto_now_add=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop"], condition=~Q(status="closed"),
                                    name="breakout_one_running_per_workshop"),
        ]

    def __str__(self):
        return f"{self.mode} breakout of {self.workshop_id}"

    @property
    def running(self) -> bool:
        return self.status != self.Status.CLOSED


class Room(models.Model):
    """A breakout room; rooms of earlier breakouts are kept (bridging groups come from them)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="rooms")
    breakout = models.ForeignKey(Breakout, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField()
    top_ideas = models.JSONField(null=True, blank=True)  # the report-back, set at close
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["breakout", "position"], name="room_unique_position"),
        ]

    def __str__(self):
        return self.name


class Participant(models.Model):
    class Role(models.TextChoices):
        CITIZEN = "citizen"
        FACILITATOR = "facilitator"
        MODERATOR = "moderator"
        OFFICIAL = "official"

    class Rung(models.TextChoices):
        INFORMED = "informed"
        CONSULTED = "consulted"
        INVOLVED = "involved"
        COLLABORATING = "collaborating"
        EMPOWERED = "empowered"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=60)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CITIZEN)
    profile = models.JSONField(default=dict, blank=True)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    rung = models.CharField(max_length=14, choices=Rung.choices, default=Rung.INFORMED)
    rung_at_join = models.CharField(max_length=14, choices=Rung.choices, default=Rung.INFORMED)
    removed = models.BooleanField(default=False)
    muted_until = models.DateTimeField(null=True, blank=True)
    # False while a citizen waits in the workshop's waiting room.
    admitted = models.BooleanField(default=True)
    # The browser's long-lived device cookie at join: a removed or muted device stays so.
    device = models.CharField(max_length=64, blank=True, default="")
    # The workshop's last seq when this participant joined: a resume from before it gets a snapshot.
    joined_seq = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Presence as last told to everyone, and when it was told the last two times: at most two
    # presence.changed per participant per window, whichever process serves the sockets.
    # Pending: a socket opened or closed since, for the next presence flush (presence.py).
    presence_online = models.BooleanField(default=False)
    presence_at = models.DateTimeField(null=True, blank=True)
    presence_prev_at = models.DateTimeField(null=True, blank=True)
    presence_pending = models.BooleanField(default=False)
    # The secret in this participant's return link (return_links.py): a new one voids the old,
    # "" means no link works. Never sent anywhere but inside the signed link itself.
    return_key = models.CharField(max_length=32, blank=True, default="")
    # When they erased themselves (PROTOCOL 3.3): the row stays, nameless, for the ideas that remain.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A staff account is one participant per workshop.
            models.UniqueConstraint(fields=["workshop", "user"], condition=Q(user__isnull=False),
                                    name="participant_one_per_user"),
        ]
        indexes = [
            # Serves the join check: is this browser's device removed or muted in this workshop?
            models.Index(fields=["workshop", "device"], name="participant_workshop_device"),
            # Serves the presence flush, a few times a second in every process: who is to be told.
            models.Index(fields=["workshop"], condition=Q(presence_pending=True), name="participant_presence_pending"),
        ]

    def __str__(self):
        return f"{self.name} ({self.role})"

    @property
    def is_staff_role(self) -> bool:
        return self.role != self.Role.CITIZEN


class Event(models.Model):
    """One entry of a workshop's event stream: stored before anyone is told."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    # Tokens: "all", "room:<id>", "role:<role>", "p:<participant id>"; a "!" prefix excludes.
    audience = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            # Serves replay: events of one workshop after a seq, in order.
            models.UniqueConstraint(fields=["workshop", "seq"], name="event_unique_workshop_seq"),
        ]

    def __str__(self):
        return f"{self.workshop_id}#{self.seq} {self.type}"


class Assignment(models.Model):
    """Who was in which room of a breakout (kept after it closes)."""

    breakout = models.ForeignKey(Breakout, on_delete=models.CASCADE, related_name="assignments")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="assignments")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["breakout", "participant"], name="assignment_one_room_per_breakout"),
        ]


class CommandReceipt(models.Model):
    """The first answer to a command, so that a resent ref is answered again, not executed."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="receipts")
    ref = models.CharField(max_length=64)
    type = models.CharField(max_length=40)
    answer = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "ref"], name="receipt_unique_participant_ref"),
        ]
        indexes = [
            # Serves stream.prune: receipts older than the retention window.
            models.Index(fields=["created_at"], name="receipt_created"),
        ]


class RequestReceipt(models.Model):
    """The first answer to an HTTP POST that created something, so that a retried Idempotency-Key gets it again.

    Not a CommandReceipt: the caller of a POST may be no participant yet (an account creating a workshop,
    a browser session joining), and an HTTP answer has a status besides its body.
    """

    caller = models.CharField(max_length=100)  # "p:<participant>", "u:<account>" or "s:<session>:<workshop code>"
    key = models.CharField(max_length=64)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="request_receipt_unique_caller_key"),
        ]
        indexes = [
            # Serves the hourly pruning of receipts older than a day (stream.prune).
            models.Index(fields=["created_at"], name="request_receipt_created"),
        ]


class ServerProcess(models.Model):
    """A running server process; its heartbeat tells whether its connections are still real."""

    name = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(db_index=True)


class Connection(models.Model):
    """One open socket of a participant, on one server process."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="connections")
    server = models.ForeignKey(ServerProcess, on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200, unique=True)
    opened_at = models.DateTimeField(auto_now_add=True)


class Deadline(models.Model):
    """Something the server must do at a time, whoever is connected: timers, timed breakouts."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Serves the ticker: pending deadlines that are due.
            models.Index(fields=["done", "due_at"], name="deadline_pending_due"),
        ]

    def __str__(self):
        return f"{self.kind} at {self.due_at}"


class Contact(models.Model):
    """A participant's mail address, given to hear what becomes of their ideas (PROTOCOL 3.3).

    Double opt-in: no news goes to it until the link of its confirmation mail is followed. The
    confirmation token is kept as its SHA-256 hash, so the database alone confirms nobody; the
    unsubscribe token is signed (workshops.contact), so it needs no column.
    """

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(max_length=254)
    confirm_hash = models.CharField(max_length=64, unique=True)
    confirm_sent_at = models.DateTimeField()
    confirm_used = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"contact of {self.participant_id}"


class Mail(models.Model):
    """One mail in the outbox: written in the transaction of the change that causes it, sent by the
    background loop (workshops.mail). A notification collects `data["events"]` until `not_before`.

    A mail goes either to a participant's confirmed contact, within a workshop, or (the officials'
    weekly digest, deliberation.officials) to a staff account's own address, across its workshops.
    """

    class Kind(models.TextChoices):
        CONFIRM = "confirm"
        NOTIFY = "notify"
        DIGEST = "digest"  # to an official: the proposals waiting for their response or an update

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"  # refused for good (SMTP 5xx) or given up on: kept, never tried again

    # Null for an official's digest, which spans workshops.
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="mails", null=True, blank=True)
    # Deleting the contact (unsubscribe, erase) deletes its mails with the address they carry.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="mails", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official_mails",
                             null=True, blank=True)
    # The ISO week of a digest ("2026-W49"): with the constraint below, one per account per week.
    week = models.CharField(max_length=8, blank=True, default="")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    to = models.EmailField(max_length=254)
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # Not sent before this time: the end of a notification's window, or the next retry.
    not_before = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    # The lease of the process that claimed it for sending; a lapsed lease lets another try.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(contact__isnull=False, workshop__isnull=False, user__isnull=True)
                           | Q(contact__isnull=True, user__isnull=False, kind="digest")),
                name="mail_to_contact_or_official"),
            # Two processes that both find an official's digest due this week: one row, one mail.
            models.UniqueConstraint(fields=["user", "week"], condition=Q(kind="digest"),
                                    name="mail_digest_once_a_week"),
        ]
        indexes = [
            # Serves the sender: pending mails whose time has come.
            models.Index(fields=["status", "not_before"], name="mail_pending_due"),
            # Serves notify: the open (pending, unclaimed) notification of each contact.
            models.Index(fields=["contact", "kind", "status"], name="mail_contact_kind_status"),
        ]

    def __str__(self):
        return f"{self.kind} mail {self.pk} ({self.status})"


class MailTold(models.Model):
    """That a sent notification told a participant of something, by the `about` key its event carried
    (such as "response:12"): kept when the address and its mail are deleted, with no address in it,
    so that the report's `contributors_told` does not forget who was told."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="mail_told")
    about = models.CharField(max_length=40)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "about"], name="mail_told_once_per_participant_about"),
        ]
        indexes = [
            # Serves the report: who was told of these responses.
            models.Index(fields=["about"], name="mail_told_about"),
        ]

    def __str__(self):
        return f"{self.participant_id} told of {self.about}"
