"""A real Daphne worker killed (SIGKILL) in the middle of sending a batch of mail: nothing is lost,
nothing goes twice. Another process sends the rest once the killed one's lease has lapsed.

The kill comes while the SMTP server holds the next mail's recipient, before it has taken that
mail: the deterministic case. (Killed in the instant between the server's "250" and the commit
that marks a mail sent, that one mail goes again with the same Message-ID: workshops.mail.)
"""
import time

import pytest

from harness.daphne import DaphneServer, ServerDatabase, manage, server_env
from tests.smtp import SmtpServer

pytestmark = pytest.mark.cluster

MAILS = 300
KILL_AT = 50  # mails the SMTP server has taken when the worker dies
LEASE_S = 4

QUEUE = f"""
from django.utils import timezone
from workshops.models import Contact, Mail, Participant, Workshop
w = Workshop.objects.create(title="Mail under fire", language="en")
now = timezone.now()
people = Participant.objects.bulk_create([Participant(workshop=w, name=f"P{{i}}") for i in range({MAILS})])
contacts = Contact.objects.bulk_create([Contact(participant=p, email=f"p{{i}}@example.org", confirm_hash=f"h{{i}}",
    confirm_sent_at=now, confirm_used=True, confirmed_at=now) for i, p in enumerate(people)])
Mail.objects.bulk_create([Mail(workshop=w, contact=c, kind="notify", to=c.email, not_before=now,
    data={{"events": [{{"kind": "published", "proposal": 1, "title": "Trees"}}]}}) for c in contacts])
"""
STATUS = """
from workshops.models import Mail
print(sorted(Mail.objects.values_list("status", flat=True).distinct()), Mail.objects.filter(status="sent").count())
"""


def wait_for(condition, what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_worker_killed_while_sending_loses_no_mail_and_sends_none_twice(postgres_url, tmp_path):
    smtp = SmtpServer()
    smtp.inbox.hold_at = KILL_AT
    smtp.start()
    db = ServerDatabase.postgres("inspraak_mail_crash")
    env = server_env(db.url, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), INSPRAAK_MAIL_LEASE_S=str(LEASE_S),
                     INSPRAAK_PUBLIC_URL="https://inspraak.example.org")
    db.prepare(env)
    worker = DaphneServer(env, log_path=tmp_path / "worker.log")
    try:
        worker.start()
        manage("shell", "-c", QUEUE, env=env)
        wait_for(smtp.inbox.holding.is_set, f"the worker to send {KILL_AT} mails")
        killed_at = time.monotonic()
        worker.restart(hard=True)  # SIGKILL mid-batch; the process that starts is another one
        smtp.inbox.release.set()
        wait_for(lambda: len(smtp.inbox.messages) >= MAILS, f"all {MAILS} mails", timeout_s=90)
        time.sleep(2 * LEASE_S)  # a mail sent twice would have arrived by now
        ids = [m["Message-ID"] for m in smtp.inbox.messages]
        assert len(ids) == MAILS and len(set(ids)) == MAILS
        assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(f"p{i}@example.org" for i in range(MAILS))
        assert manage("shell", "-c", STATUS, env=env).splitlines()[-1] == f"['sent'] {MAILS}"
        # The rest waited for the dead process's lease, no longer.
        assert time.monotonic() - killed_at >= LEASE_S
    finally:
        worker.stop()
        print(f"--- worker: {worker.log_path} (tail)\n{worker.log_tail(30)}")
        smtp.stop()
        db.drop()
