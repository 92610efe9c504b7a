"""French elision on the server (frontend.elision), as the pages do it (i18n.js elide)."""
from django.utils import translation

from frontend.elision import elided


def test_french_elides_de_and_que_before_a_vowel_in_the_value_only():
    with translation.override("fr"):
        assert elided("Résultats de %(title)s", {"title": "Avenue verte"}) == "Résultats d’Avenue verte"
        assert elided("Réponse de %(official)s", {"official": "Émile"}) == "Réponse d’Émile"
        assert elided("Continuer en tant que %(name)s", {"name": "Anna"}) == "Continuer en tant qu’Anna"
        assert elided("Résultats de %(title)s", {"title": "Place de Armes"}) == "Résultats de Place de Armes"
        assert elided("Réponse de %(official)s", {"official": "Hugo"}) == "Réponse de Hugo"  # an h keeps de
        assert elided("De %(name)s", {"name": "Ines"}) == "D’Ines"


def test_other_languages_are_only_filled_in():
    with translation.override("nl"):
        assert elided("Uitkomsten van %(title)s", {"title": "Avenue"}) == "Uitkomsten van Avenue"
    with translation.override("en"):
        assert elided("Outcomes of %(title)s de %(x)s", {"title": "A", "x": "Anna"}) == "Outcomes of A de Anna"
