"""Screen a new or edited idea before it is shown: personal data and profanity.

`screen(text, language=...)` returns the reasons to hold the text for a moderator;
an empty list means show it. The reasons never repeat what was found, because the
author sees them and the audit log keeps them. About 20 µs for a 100-character
idea, 50 µs for 300 and 85 µs for 500; a phone number adds about 100 µs.

Personal data: e-mail addresses (also "jan(at)example.nl"); phone numbers that
`phonenumbers` finds valid in the national form of Belgium, the Netherlands,
France, Germany or the United Kingdom, whatever the workshop's language, or in
international form; IBANs that pass the mod-97 check.

Profanity: the Dutch, English, French and German lists that ship with
glin-profanity (MIT, from LDNOOBW), read from its data files on first use; our
additions in data/block_<lang>.txt (inflections, compounds such as "kut*"); and
our allow lists in data/allow_<lang>.txt, because those lists hold many everyday
words ("gat", "beurt", "de hond uitlaten", "veuve", "nackt", "escort").
We match them ourselves instead of using glin-profanity's Filter. On the Pol.is
conversations (docs/moderation.md) the Filter took 230-450 µs a statement
against about 18 here, held "Europäische" (it finds "ische" in it), and with all
four lists on it held every German "nicht" and "bitte". Its ignore list covers all
of a Filter's lists at once, so the per-language rules below would take a Filter
per list, each scanning the text again.

Matching: whole words after case folding and accent stripping, with leetspeak
("sh1t", "@ss"), letters repeated three times or more ("fuuuck"), masks ("f*ck")
and word parts ("l'enculé", "kut-idee"). All four lists apply in every workshop,
because people mix languages, but with different allow lists:
- the workshop's language: its own allow list;
- English: the English and the workshop's allow lists;
- the other two: every allow list (German "bitte" is not held as French in a
  Dutch workshop; in a French workshop it is).
Allow list entries keep their accents ("mose" is Moses, "möse" is not). Compound
patterns apply only for the workshop's language and English.
"""
from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers

__all__ = ["LANGUAGES", "screen"]

LANGUAGES = ("nl", "en", "fr", "de")

# National forms of phone numbers held in every workshop, whatever its language: people write
# the number they have ("06-12345678" in an English workshop in Amsterdam). Protocol 3.5.
PHONE_REGIONS = ("NL", "BE", "FR", "DE", "GB")
_GLIN_FILES = {"nl": "dutch", "en": "english", "fr": "french", "de": "german"}
_DATA = Path(__file__).with_name("data")


def screen(text: str, *, language: str) -> list[str]:
    """Reasons to hold this text for a moderator (empty: show it), e.g. "phone number", "profanity (nl)"."""
    if language not in LANGUAGES:
        raise ValueError(f"Unsupported workshop language: {language!r}")
    reasons = []
    ibans = _iban_spans(text)
    if "@" in (unobfuscated := _unobfuscate_email(text)) and _EMAIL.search(unobfuscated):
        reasons.append("e-mail address")
    if _has_phone(text, regions=PHONE_REGIONS, skip=ibans):
        reasons.append("phone number")
    if ibans:
        reasons.append("IBAN")
    reasons += [f"profanity ({lang})" for lang in _profanity(text, language)]
    return reasons


# --- e-mail addresses -------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
# "jan(at)example.nl", "jan [at] example [dot] nl": common ways round address harvesters.
_AT = re.compile(r"\s*[(\[{]\s*(?:at|@)\s*[)\]}]\s*", re.IGNORECASE)
_DOT = re.compile(r"\s*[(\[{]\s*(?:dot|punt|punkt|point)\s*[)\]}]\s*", re.IGNORECASE)


def _unobfuscate_email(text: str) -> str:
    if "(" in text or "[" in text or "{" in text:
        text = _DOT.sub(".", _AT.sub("@", text))
    return text


# --- phone numbers ----------------------------------------------------------------

# Seven or more digits, maybe separated: years, postcodes, bus lines and house
# numbers never reach the matcher, which only sees these runs (it is slow on long text).
_DIGIT_RUN = re.compile(r"\d(?:[\s().\-/]{0,3}\d){6,}")


def _has_phone(text: str, *, regions: tuple[str, ...], skip: list[tuple[int, int]]) -> bool:
    for run in _DIGIT_RUN.finditer(text):
        if any(start <= run.start() < end for start, end in skip):
            continue
        # Room for a leading "+" or "(", and one character of context either side: the matcher
        # rejects numbers glued to letters or digits.
        snippet = text[max(run.start() - 3, 0):run.end() + 1]
        for region in regions:
            # Leniency.VALID (the default): a valid number for its region, not just the right length.
            if phonenumbers.PhoneNumberMatcher(snippet, region).has_next():
                return True
    return False


# --- IBANs ------------------------------------------------------------------------

# Length of the IBAN per country (ISO 13616 registry).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
_IBAN_START = re.compile(r"\b([A-Za-z]{2})\d\d")


def _iban_spans(text: str) -> list[tuple[int, int]]:
    """Spans of IBANs with a valid check, written with or without spaces or hyphens."""
    spans = []
    for start in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(start.group(1).upper())
        if length is None:
            continue
        chars, i = [], start.start()
        while i < len(text) and len(chars) < length:
            if text[i].isascii() and text[i].isalnum():
                chars.append(text[i])
            elif not (text[i] in " -" and chars and i + 1 < len(text) and text[i + 1].isalnum()):
                break
            i += 1
        if len(chars) == length and not (i < len(text) and text[i].isalnum()) and _mod97("".join(chars)):
            spans.append((start.start(), i))
    return spans


def _mod97(iban: str) -> bool:
    iban = iban.upper()
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


# --- profanity --------------------------------------------------------------------

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero widths
_MARKS = re.compile(r"[\u0300-\u036f]+")
_TOKEN = re.compile(r"[\w@$*!]+(?:['\-][\w@$*!]+)*")
_PARTS = re.compile(r"[\-_]")
# French elisions ("l'enculé") and the English "'s": not "p'tit", whose "tit" would be read as English.
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)'|'s$")
_LETTER = re.compile(r"[^\W\d_]")
_RUNS = re.compile(r"([a-zA-Z])\1\1")  # a cheap test on the whole text: "fuuuck"
_RUN = re.compile(r"([^\W\d_])\1{2,}")
# Entries with other characters ("s&m", an emoji) would be read as other words ("i.s.m").
_UNMATCHABLE = re.compile(r"[^\w\s'\-@$*!,]|^[\s,]*$")
_LEET = (str.maketrans("013457@$!", "oieastasi"), str.maketrans("013457@$!", "oleastasl"))


def _casefold(text: str) -> str:
    """Lower case, full-width and other compatibility forms undone, accents kept ("bänder")."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).replace("\u2019", "'")
    return text


def _unaccent(word: str) -> str:
    """The word without accents ("bander"): how the block lists are matched."""
    return word if word.isascii() else _MARKS.sub("", unicodedata.normalize("NFKD", word))


def _words(text: str) -> list[str]:
    """Case-folded words; "!" and "*" at the edges are punctuation, inside they are leetspeak or masks."""
    words = []
    for word in _TOKEN.findall(_casefold(text)):
        word = word.strip("!*")
        if word and (word.isalpha() or _LETTER.search(word)):
            words.append(word)
    return words


def _forms(token: str, runs: bool) -> set[str]:
    """The token, its parts ("cul-de-sac", "l'enculé"), leetspeak readings and shortened letter runs."""
    forms = {token}
    if not token.isalpha():
        forms.update(part for form in (token, _ELISION.sub("", token)) for part in _PARTS.split(form) if part)
        forms.update(form.translate(table) for form in list(forms) for table in _LEET if not form.isalpha())
    if runs:
        for form in list(forms):
            if _RUN.search(form):
                forms.update((_RUN.sub(r"\1", form), _RUN.sub(r"\1\1", form)))
    return forms


def _entries(lines: list[str], *, accents: bool) -> tuple[list[tuple[str, ...]], list[str]]:
    """List lines as word tuples, and the lines that are compound patterns ("kut*")."""
    words, patterns = [], []
    for line in lines:
        if line.startswith("*") or line.endswith("*"):
            patterns.append(_unaccent(_casefold(line)))
        elif not _UNMATCHABLE.search(folded := _casefold(line)):
            words.append(tuple(word if accents else _unaccent(word) for word in _TOKEN.findall(folded)))
    return words, patterns


def _read(name: str) -> list[str]:
    """Lines of a project list: one word or phrase a line, "#" starts a comment."""
    lines = (line.split("#", 1)[0].strip() for line in (_DATA / name).read_text("utf-8").splitlines())
    return [line for line in lines if line]


@lru_cache(maxsize=None)
def _glin_words(lang: str) -> tuple[str, ...]:
    """One of glin-profanity's word lists, read from its data without importing its filter machinery."""
    spec = importlib.util.find_spec("glin_profanity")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("glin-profanity is not installed; screening needs its word lists.")
    path = Path(spec.submodule_search_locations[0], "data", "dictionaries", f"{_GLIN_FILES[lang]}.json")
    data = json.loads(path.read_text("utf-8"))
    words = tuple(w for w in (data["words"] if isinstance(data, dict) else data) if isinstance(w, str) and w)
    if not words:
        raise RuntimeError(f"glin-profanity's {path.name} has no words.")
    return words


@lru_cache(maxsize=None)
def _allow(lang: str) -> list[tuple[str, ...]]:
    """An allow list, accents kept: "mose" (Moses) is allowed, "möse" is not."""
    return _entries(_read(f"allow_{lang}.txt"), accents=True)[0]


@lru_cache(maxsize=None)
def _block(lang: str) -> tuple[list[tuple[str, ...]], list[str], set[str]]:
    """A block list without accents, so "encule" is caught as well as "enculé".

    Returns its words, its compound patterns, and the words that lost accents ("mose" from "möse").
    """
    lines = [*_glin_words(lang), *_read(f"block_{lang}.txt")]
    words, patterns = _entries(lines, accents=False)
    accented = {_unaccent(word) for word in map(_casefold, lines) if not word.isascii()}
    return words, patterns, accented


@dataclass(frozen=True)
class _Matcher:
    """Everything a workshop language needs, with its allow lists applied where that can be done ahead."""

    words: dict[str, frozenset[str]]  # word -> languages whose list has it
    phrases: dict[str, list[tuple[tuple[str, ...], str]]]  # first word -> (words, language)
    allowed: dict[str, frozenset[str]]  # allowed word -> languages whose lists may not report it
    allowed_phrases: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]]
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (language, compound pattern)
    stems: re.Pattern[str] | None  # any pattern's stem anywhere: a cheap test before the patterns
    masked: dict[int, list[tuple[str, str]]]  # length -> (word, language), for "f*ck"


@lru_cache(maxsize=None)
def _matcher(workshop: str) -> _Matcher:
    """Build the matcher for a workshop language once; the lists are read on first use."""
    # Which lists an allow list entry of each language takes a word off (see the module docstring).
    others = {lang for lang in LANGUAGES if lang not in (workshop, "en")}
    protects = {lang: frozenset(LANGUAGES if lang == workshop else {lang, *others}) for lang in LANGUAGES}
    allowed, allowed_phrases = defaultdict(frozenset), defaultdict(list)
    for lang in LANGUAGES:
        for entry in _allow(lang):
            if len(entry) == 1:
                allowed[entry[0]] |= protects[lang]
            else:
                allowed_phrases[entry[0]].append((entry, protects[lang]))
    words, phrases, patterns, stems, masked = defaultdict(set), defaultdict(list), [], [], defaultdict(list)
    for lang in LANGUAGES:
        entries, globs, accented = _block(lang)
        for entry in entries:
            if len(entry) > 1:
                phrases[entry[0]].append((entry, lang))
            # An allowed word can go now, unless it lost accents: "mose" is allowed, "möse" is not.
            elif lang not in allowed.get(entry[0], ()) or entry[0] in accented:
                words[entry[0]].add(lang)
        if lang in (workshop, "en"):
            for glob in globs:
                stem = re.escape(glob.strip("*"))
                patterns.append((lang, re.compile(("" if glob[0] == "*" else "^") + stem
                                                  + ("" if glob[-1] == "*" else "$"))))
                stems.append(stem)
            for word in (w for w, langs in words.items() if lang in langs and w.isalpha()):
                masked[len(word)].append((word, lang))
    return _Matcher(
        words={w: frozenset(langs) for w, langs in words.items()}, phrases=dict(phrases),
        allowed=dict(allowed), allowed_phrases=dict(allowed_phrases), patterns=tuple(patterns),
        stems=re.compile("|".join(stems)) if stems else None, masked=dict(masked),
    )


def _protected(m: _Matcher, words: list[str]) -> dict[int, frozenset[str]]:
    """Per word position, the languages whose lists may not report it (the allow lists, accents kept)."""
    shield: dict[int, frozenset[str]] = {}
    for i, word in enumerate(words):
        if word in m.allowed:
            shield[i] = shield.get(i, frozenset()) | m.allowed[word]
        for phrase, langs in m.allowed_phrases.get(word, ()):
            if tuple(words[i:i + len(phrase)]) == phrase:
                for j in range(i, i + len(phrase)):
                    shield[j] = shield.get(j, frozenset()) | langs
    return shield


def _profanity(text: str, workshop: str) -> list[str]:
    """Languages whose profanity the text contains: the workshop's first, then English, then the rest."""
    m = _matcher(workshop)
    words = _words(text)
    tokens = [_unaccent(word) for word in words]
    runs = _RUNS.search(text) is not None
    forms = {i: _forms(word, runs) for i, word in enumerate(words) if runs or not word.isalpha()}
    candidates = set(tokens).union(*({_unaccent(form) for form in more} for more in forms.values()))
    stems = m.stems is not None and m.stems.search(" ".join(candidates)) is not None
    masks = any("*" in token for token in candidates)
    # Most texts have no listed word at all: settle that with set operations before any per-word work.
    if not (stems or masks) and m.words.keys().isdisjoint(candidates) and m.phrases.keys().isdisjoint(tokens):
        return []
    shield = _protected(m, words)
    order = tuple(dict.fromkeys((workshop, "en", *LANGUAGES)))
    found: set[str] = set()
    for i, token in enumerate(tokens):
        guarded = shield.get(i, frozenset())
        hits: set[str] = set()
        for form in forms.get(i, (words[i],)):
            # Allowed as written ("peter" in "Peter's"), else looked up without accents.
            allowed, form = m.allowed.get(form, frozenset()), _unaccent(form)
            hits |= m.words.get(form, frozenset()) - allowed
            if stems:
                hits.update(lang for lang, pattern in m.patterns if lang not in allowed and pattern.search(form))
        if masks and "*" in token:
            hits |= _unmask(m, token)
        # A word on several lists ("shit" is Dutch too) is reported once, in the first language of the order.
        found.update(next(([lang] for lang in order if lang in hits - guarded), []))
        for phrase, lang in m.phrases.get(token, ()):
            if tuple(tokens[i:i + len(phrase)]) == phrase and any(
                    lang not in shield.get(j, ()) for j in range(i, i + len(phrase))):
                found.add(lang)
    return [lang for lang in order if lang in found]


def _unmask(m: _Matcher, token: str) -> set[str]:
    """Languages with a listed word that "f*ck" or "sh**" could stand for (letters kept, one letter a star)."""
    letters = sum(c.isalpha() for c in token)
    if letters < 2 or letters < token.count("*"):
        return set()
    pattern = re.compile(re.escape(token.translate(_LEET[0])).replace(r"\*", "[a-z]"))
    return {lang for word, lang in m.masked.get(len(token), ()) if pattern.fullmatch(word)}
