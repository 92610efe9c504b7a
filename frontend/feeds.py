"""The Atom feed of a workshop's outcomes, so people can follow what officials do with its proposals."""
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext

from deliberation import selectors
from workshops.models import Workshop

from .elision import elided

__all__ = ["OutcomesFeed"]


def _status_label(status: str) -> str:
    """An official response's status as the pages say it."""
    return {"under_review": gettext("Under review"),
            "accepted": gettext("Accepted"),
            "implemented": gettext("Implemented"),
            "declined": gettext("Declined")}[status]


@dataclass(frozen=True)
class Outcomes:
    """What one request for the feed reads: the workshop, its entries, and the page they link to."""

    workshop: Workshop
    page: str  # the outcomes page, absolute
    entries: list[dict]


class OutcomesFeed(Feed):
    """`/w/<code>/outcomes.atom`: an entry per published proposal and per official response, newest first.

    Public once something is published, as the outcomes page is; 404 before. Texts are in the workshop's
    language, whatever the reader's browser says, since a feed reader rarely says anything.
    """

    feed_type = Atom1Feed
    author_name = "Inspraak"

    def get_object(self, request, code: str) -> Outcomes:
        workshop = Workshop.objects.filter(code=code).first()
        entries = selectors.outcome_entries(workshop.pk) if workshop else []
        if not entries:
            raise Http404("Nothing has been published yet.")
        base = settings.INSPRAAK["PUBLIC_URL"] or request.build_absolute_uri("/").rstrip("/")
        page = base + reverse("frontend:outcomes", args=[workshop.code])
        return Outcomes(workshop=workshop, page=page, entries=entries)

    def get_feed(self, obj: Outcomes, request):
        """The feed, with every text in the workshop's language and `xml:lang` saying so."""
        with translation.override(obj.workshop.language):
            return super().get_feed(obj, request)

    def title(self, obj: Outcomes) -> str:
        return elided(gettext("Outcomes of %(title)s"), {"title": obj.workshop.title})

    def subtitle(self, obj: Outcomes) -> str:
        return gettext("The proposals of this workshop and what officials do with them.")

    def link(self, obj: Outcomes) -> str:
        return obj.page

    def feed_url(self, obj: Outcomes) -> str:
        return obj.page + ".atom"

    def feed_guid(self, obj: Outcomes) -> str:
        return obj.page + ".atom"

    def items(self, obj: Outcomes) -> list[dict]:
        return [{**e, "page": obj.page} for e in obj.entries]

    def item_title(self, entry: dict) -> str:
        if entry["kind"] == "proposal":
            return gettext("Proposal: %(title)s") % {"title": entry["title"]}
        return gettext("%(status)s: %(title)s") % {"status": _status_label(entry["status"]), "title": entry["title"]}

    def item_description(self, entry: dict) -> str:
        """The entry's text as HTML (escaped, paragraphs kept); a response says its status and who gave it."""
        text = linebreaks(entry["text"], autoescape=True)
        if entry["kind"] == "proposal":
            return text
        said = elided(gettext("Status: %(status)s. Response by %(official)s:"),
                      {"status": _status_label(entry["status"]), "official": entry["by"]})
        return linebreaks(said, autoescape=True) + text

    def item_link(self, entry: dict) -> str:
        return f"{entry['page']}#proposal-{entry['proposal']}"

    def item_guid(self, entry: dict) -> str:
        """Stable for as long as the site's address is: the feed's id with the entry's kind and id."""
        return f"{entry['page']}.atom#{entry['kind']}-{entry['id']}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry: dict):
        return entry["at"]

    def item_updateddate(self, entry: dict):
        return entry["at"]

    def item_author_name(self, entry: dict) -> str | None:
        return entry.get("by")
