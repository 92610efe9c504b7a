"""French elision where a value is filled in: the server's half of i18n.js `elide`.

A catalogue cannot know the value it will be given, so "Résultats de %(title)s" becomes
"Résultats d’Avenue verte" only when the title is known: the template is elided before the
values go in (never the values themselves), and only while French is active. An "h" is left
alone, as in the pages: an aspirated h ("de Hollande") keeps "de".
"""
import re

from django.utils import translation

__all__ = ["elided"]

_ELIDABLE = re.compile(r"\b(de|que|jusque|lorsque|puisque) %\((\w+)\)s", re.IGNORECASE)
_VOWEL = re.compile(r"[aeiouyàâäéèêëîïôöûüùœæ]", re.IGNORECASE)


def elided(template: str, values: dict) -> str:
    """`template % values`, with "de %(x)s" written "d’%(x)s" in French when x starts with a vowel."""
    if (translation.get_language() or "").split("-")[0] == "fr":
        def elide(match: re.Match) -> str:
            word, key = match.groups()
            value = str(values.get(key, "")).lstrip()
            return f"{word[:-1]}’%({key})s" if _VOWEL.match(value) else match.group(0)
        template = _ELIDABLE.sub(elide, template)
    return template % values
