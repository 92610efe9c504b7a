"""An official answers a proposal that N endorsers with confirmed addresses follow: how long the HTTP
answer takes, and how fast the outbox then hands the N mails to a local SMTP server (aiosmtpd).

One Daphne worker on a fresh PostgreSQL database (bench/common.Stack), EMAIL_HOST pointing at the
SMTP server this script starts on 127.0.0.1, INSPRAAK_NOTIFY_DELAY_S=0 so that the mails are due at
once. The targets (issue 14): the answer under 200 ms, at least 200 mails a second over one
connection per batch.

    .venv/bin/python bench/mail.py --endorsers 2000
"""
import argparse
import email
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Stack  # noqa: E402
from harness.daphne import manage  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

SETUP = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from deliberation.models import Board, Endorsement, Idea, Proposal
from workshops.models import Contact, Participant, Workshop
w = Workshop.objects.get(code="{code}")
Participant.objects.filter(workshop=w, role="facilitator").update(user=None)
official = Participant.objects.create(workshop=w, name="Alderman", role="official",
                                      user=get_user_model().objects.get(username="facilitator"))
author = Participant.objects.create(workshop=w, name="Author")
idea = Idea.objects.create(board=Board.objects.get(workshop=w, room=None), author=author, text="More trees")
ids = []
for k in range({answers}):
    p = Proposal.objects.create(workshop=w, title=f"Green square {{k}}", body="Plant trees", status="published",
                                published_at=timezone.now())
    p.sources.set([idea])
    ids.append(p.pk)
people = Participant.objects.bulk_create([Participant(workshop=w, name=f"P{{i}}") for i in range({n})])
Endorsement.objects.bulk_create([Endorsement(proposal_id=pk, participant=p, value="agree") for pk in ids for p in people])
now = timezone.now()
Contact.objects.bulk_create([Contact(participant=p, email=f"p{{i}}@example.org", confirm_hash=f"h{{i}}",
    confirm_sent_at=now, confirm_used=True, confirmed_at=now) for i, p in enumerate(people)])
print(" ".join(map(str, ids)))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endorsers", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=5, help="answers timed, each to a proposal of its own")
    args = parser.parse_args()

    smtp = SmtpServer()
    arrivals: list[float] = []

    async def timed(server, session, envelope):
        # Kept as bytes, parsed at the end: the server's own work should not be what is measured.
        smtp.inbox.raw.append(envelope.content)
        arrivals.append(time.monotonic())
        return "250 OK"
    smtp.inbox.handle_DATA = timed
    smtp.start()
    env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), "INSPRAAK_NOTIFY_DELAY_S": "0",
           "INSPRAAK_PUBLIC_URL": "https://inspraak.example.org"}
    try:
        with Stack("mail", layer="memory", env=env) as stack:
            client, code = stack.workshop("Mail bench")
            ids = manage("shell", "-c", SETUP.format(code=code, n=args.endorsers, answers=args.answers),
                         env=stack.env).split()[-args.answers:]
            # The facilitator's account is now the official (one staff account logs in over HTTP).
            latencies, sent_before = [], 0
            for k, pk in enumerate(ids):
                started = time.monotonic()
                status, body = client.post(f"/api/workshops/{code}/proposals/{pk}/response",
                                           {"status": "accepted", "message": f"Yes, number {k}."})
                latencies.append((time.monotonic() - started) * 1000)
                assert status == 201, (status, body)
                first = time.monotonic()
                expected = args.endorsers * (k + 1)
                deadline = first + 120
                while len(smtp.inbox.raw) < expected and time.monotonic() < deadline:
                    time.sleep(0.05)
                got = len(smtp.inbox.raw) - sent_before
                window = arrivals[-1] - arrivals[sent_before]
                print(f"answer {k + 1}: HTTP {latencies[-1]:.0f} ms; {got} mails in {window:.2f} s "
                      f"= {got / window:.0f}/s (first mail {arrivals[sent_before] - first:.2f} s after the answer)")
                sent_before = len(smtp.inbox.raw)
            print(f"HTTP answer with {args.endorsers} endorsers: median {statistics.median(latencies):.0f} ms, "
                  f"max {max(latencies):.0f} ms over {len(latencies)} answers")
            ids = {email.message_from_bytes(raw)["Message-ID"] for raw in smtp.inbox.raw}
            print(f"SMTP connections: {smtp.inbox.connections} for {len(smtp.inbox.raw)} mails; "
                  f"distinct Message-IDs: {len(ids)}")
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
