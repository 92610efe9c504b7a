"""The officials' weekly mail from real Daphne workers: two processes whose background loops check at
the same moment, on PostgreSQL, send one digest (deliberation.officials, workshops.background.periodic)."""
import threading
import time

import pytest

from harness.daphne import DaphneServer, ServerDatabase, manage, server_env
from tests.smtp import SmtpServer

pytestmark = pytest.mark.cluster

SETUP = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from deliberation.models import Proposal
from workshops.models import Participant, Workshop
w = Workshop.objects.create(title="Marktplatz", language="de")
u = get_user_model().objects.create_user("mayor", email="mayor@example.org", is_staff=True)
Participant.objects.create(workshop=w, user=u, name="Mayor", role="official")
Proposal.objects.create(workshop=w, title="Bäume am Markt", body="Schatten", status="published",
                        published_at=timezone.now() - timedelta(days=3))
"""
DIGESTS = """
from workshops.models import Mail
print(list(Mail.objects.filter(kind="digest").values_list("status", flat=True)))
"""


def test_two_workers_starting_together_send_an_officials_digest_once(postgres_url, tmp_path):
    smtp = SmtpServer()
    smtp.start()
    db = ServerDatabase.postgres("inspraak_officials_digest")
    env = server_env(db.url, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port),
                     INSPRAAK_PUBLIC_URL="https://inspraak.example.org")
    db.prepare(env)
    manage("shell", "-c", SETUP, env=env)
    workers = [DaphneServer(env, log_path=tmp_path / f"digest-worker-{n}.log") for n in (1, 2)]
    try:
        # Both start at once, so both loops run their first check (at start) within moments of each other.
        starting = [threading.Thread(target=w.start) for w in workers]
        for t in starting:
            t.start()
        for t in starting:
            t.join()
        deadline = time.monotonic() + 30
        while not smtp.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3)  # a second digest would have come by now
        [digest] = smtp.inbox.messages
        assert digest["To"] == "mayor@example.org" and digest["Content-Language"] == "de"
        assert digest["Subject"].strip() == "1 Vorschlag wartet auf Ihre Antwort oder ein Update"
        assert "Bäume am Markt: vor 3 Tagen veröffentlicht, noch keine Antwort" in digest.get_body(("plain",)).get_content()
        assert manage("shell", "-c", DIGESTS, env=env).splitlines()[-1] == "['sent']"
    finally:
        for w in workers:
            w.stop()
        smtp.stop()
        db.drop()
