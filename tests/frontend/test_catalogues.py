"""The translation catalogues: every language has every string, the compiled .mo files are those of the
.po files beside them (they are committed, not built at install), and the languages a workshop can be
held in are the languages the pages speak."""
import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from workshops.models import Workshop

LOCALE = Path(__file__).resolve().parents[2] / "frontend" / "locale"
TRANSLATED = ["nl", "fr", "de"]
DOMAINS = ["django", "djangojs"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def po_entries(path: Path) -> dict:
    """A .po file's live entries as the .mo keys them: msgid -> msgstr, (msgid, n) -> plural forms."""
    entries, current, field = {}, {}, None

    def flush():
        if current.get("msgid"):
            if "msgid_plural" in current:
                for n in range(2):
                    entries[(current["msgid"], n)] = current.get(f"msgstr[{n}]", "")
            else:
                entries[current["msgid"]] = current.get("msgstr", "")

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):  # obsolete: msgfmt leaves it out
            continue
        if line.startswith("msgid "):
            flush()
            current = {}
        match = re.match(r'^(msgid|msgid_plural|msgstr|msgstr\[\d\]|msgctxt) (".*")$', line)
        if match:
            field = match.group(1)
            current[field] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    flush()
    return entries


def mo_entries(path: Path) -> dict:
    with path.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    return {key: value for key, value in catalog.items() if key != ""}


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_each_compiled_catalogue_is_its_po_file(lang, domain):
    folder = LOCALE / lang / "LC_MESSAGES"
    assert mo_entries(folder / f"{domain}.mo") == po_entries(folder / f"{domain}.po"), \
        f"compile {lang}/{domain}.po: msgfmt --check-format -o {domain}.mo {domain}.po"


@pytest.mark.parametrize("lang", ["fr", "de"])
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_language_translates_every_string_with_the_same_placeholders(lang, domain):
    dutch = po_entries(LOCALE / "nl" / "LC_MESSAGES" / f"{domain}.po")
    other = po_entries(LOCALE / lang / "LC_MESSAGES" / f"{domain}.po")
    assert set(other) == set(dutch)
    for key, text in other.items():
        msgid = key if isinstance(key, str) else key[0]
        assert text, f"{lang}: no translation of {msgid!r}"
        # A singular may leave out the count ("one room"); every other placeholder must be there.
        expected = set(PLACEHOLDER.findall(msgid))
        if isinstance(key, tuple) and key[1] == 0:
            assert set(PLACEHOLDER.findall(text)) <= expected | {"%(count)s"}, (lang, msgid, text)
        else:
            assert set(PLACEHOLDER.findall(text)) >= expected - {"%(count)s"}, (lang, msgid, text)
            assert set(PLACEHOLDER.findall(text)) <= expected | {"%(count)s"}, (lang, msgid, text)


def test_the_pages_speak_every_language_a_workshop_can_be_held_in():
    assert sorted(code for code, _ in settings.LANGUAGES) == sorted(Workshop.Language.values)


@pytest.mark.django_db
def test_the_javascript_catalogue_is_german_for_a_german_reader():
    response = Client().get("/jsi18n/", headers={"Accept-Language": "de"})
    text = response.content.decode()
    assert '"Agree": "Zustimmen"' in text
    assert '"Connected": "Verbunden"' in text
    assert "(n != 1)" in text  # German plural forms


@pytest.mark.parametrize("lang", ["en", *TRANSLATED])
def test_agenda_steps_and_ladder_rungs_have_words_of_their_own_in_every_language(lang):
    agenda, ladder = "Step %(n)s of %(total)s: %(title)s", "Level %(n)s of %(total)s: %(rung)s"
    if lang == "en":
        words = [agenda, ladder]
    else:
        entries = po_entries(LOCALE / lang / "LC_MESSAGES" / "djangojs.po")
        words = [entries[agenda], entries[ladder]]
    first = [text.split()[0] for text in words]
    assert first[0] != first[1], (lang, words)
