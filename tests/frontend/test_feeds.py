"""The outcomes feed: valid Atom, an entry per published proposal and per response, nothing else."""
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.test import Client

from deliberation import moderation, proposals
from tests.factories import citizen, idea, plenary, staff_member, workshop_with_facilitator

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def made():
    """A workshop with a published proposal from a visible and a (later hidden) idea, one answered
    twice, and a draft."""
    workshop, fac = workshop_with_facilitator(language="en")
    board = plenary(workshop)
    an, cas = citizen(workshop, "An"), citizen(workshop, "Cas")
    official = staff_member(workshop, "official", "alderman")
    visible = idea(board, an, "More trees")
    doomed = idea(board, cas, "My neighbour is a thief")
    green = proposals.proposal_draft(actor=fac, title="Green square", body="Plant trees <now>\n\nAnd benches.",
                                     sources=[visible.pk, doomed.pk])
    proposals.proposal_publish(actor=fac, proposal=green)
    moderation.idea_hide(actor=staff_member(workshop, "moderator", "mo"), idea=doomed, reason="abuse")
    proposals.proposal_respond(actor=official, proposal_id=green.pk, status="under_review", message="We look.")
    proposals.proposal_respond(actor=official, proposal_id=green.pk, status="accepted", message="We will & soon.")
    draft = proposals.proposal_draft(actor=fac, title="Secret draft", body="Not yet", sources=[visible.pk])
    return workshop, green, draft


def fetch(code: str, **headers):
    return Client().get(f"/w/{code}/outcomes.atom", headers=headers)


def test_the_feed_is_atom_with_every_element_rfc_4287_requires(made):
    workshop, green, _ = made
    response = fetch(workshop.code)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"

    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text.strip()
    # A feed whose entries do not all name an author names one itself (RFC 4287 4.1.1).
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Inspraak"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == f"http://testserver/w/{workshop.code}/outcomes"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"http://testserver/w/{workshop.code}/outcomes.atom"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text.strip()
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href") == \
            f"http://testserver/w/{workshop.code}/outcomes#proposal-{green.pk}"
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 3
    # The feed's updated time is its newest entry's, and entries come newest first.
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert root.find(f"{ATOM}updated").text == updated[0]


def test_an_entry_per_published_proposal_and_per_response_and_none_for_a_draft(made):
    workshop, green, _ = made
    response = fetch(workshop.code)
    entries = feedparser.parse(response.content).entries
    assert [e.title for e in entries] == ["Accepted: Green square", "Under review: Green square",
                                          "Proposal: Green square"]
    accepted, _, proposal = entries
    assert accepted.author == "alderman"
    assert "Status: Accepted. Response by alderman:" in accepted.summary
    assert "We will &amp; soon." in accepted.summary
    # The body is text: escaped, its paragraphs kept.
    assert proposal.summary == "<p>Plant trees &lt;now&gt;</p>\n\n<p>And benches.</p>"
    text = response.content.decode()
    assert "Secret draft" not in text and "Not yet" not in text
    # Nobody is named through the hidden idea, nor is any citizen named at all.
    assert "Cas" not in text and "An<" not in text and "thief" not in text


def test_entry_ids_stay_the_same_as_the_feed_grows(made):
    workshop, green, _ = made
    before = {e.id: e.updated for e in feedparser.parse(fetch(workshop.code).content).entries}
    official = workshop.participants.get(role="official")
    proposals.proposal_respond(actor=official, proposal_id=green.pk, status="implemented", message="Done.")
    after = {e.id: e.updated for e in feedparser.parse(fetch(workshop.code).content).entries}
    assert len(after) == 4 and before.items() <= after.items()


def test_links_start_with_the_public_url_when_it_is_set(made, settings):
    workshop, green, _ = made
    settings.INSPRAAK = {**settings.INSPRAAK, "PUBLIC_URL": "https://inspraak.example.org"}
    parsed = feedparser.parse(fetch(workshop.code).content)
    assert parsed.feed.link == f"https://inspraak.example.org/w/{workshop.code}/outcomes"
    assert all(e.link == f"https://inspraak.example.org/w/{workshop.code}/outcomes#proposal-{green.pk}"
               for e in parsed.entries)


@pytest.mark.parametrize(("language", "titles"), [
    ("nl", ["Aangenomen: Green square", "In behandeling: Green square", "Voorstel: Green square"]),
    ("fr", ["Acceptée : Green square", "À l’étude : Green square", "Proposition : Green square"]),
    ("de", ["Angenommen: Green square", "In Prüfung: Green square", "Vorschlag: Green square"]),
])
def test_the_feed_speaks_the_workshops_language_whatever_the_reader_asks(made, language, titles):
    workshop, _, _ = made
    workshop.language = language
    workshop.save(update_fields=["language"])
    response = fetch(workshop.code, **{"Accept-Language": "en" if language != "en" else "nl"})
    root = ET.fromstring(response.content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    assert [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")] == titles


def test_no_feed_before_anything_is_published_nor_for_an_unknown_code():
    workshop, fac = workshop_with_facilitator()
    visible = idea(plenary(workshop), citizen(workshop), "More trees")
    proposals.proposal_draft(actor=fac, title="Draft", body="Not yet", sources=[visible.pk])
    assert fetch(workshop.code).status_code == 404
    assert fetch("nosuchcode1").status_code == 404


def test_the_outcomes_page_names_its_feed_once_something_is_published(made):
    workshop, _, _ = made
    html = Client().get(f"/w/{workshop.code}/outcomes").content.decode()
    assert f'<link rel="alternate" type="application/atom+xml" href="/w/{workshop.code}/outcomes.atom"' in html
    assert f'href="/w/{workshop.code}/#follow"' in html
    empty, _ = workshop_with_facilitator(username="other")
    assert "rel=\"alternate\"" not in Client().get(f"/w/{empty.code}/outcomes").content.decode()
