"""Names people are shown by: normalised, with nothing invisible or direction-changing in them."""
import unicodedata

__all__ = ["NAME_MAX", "name_clean", "name_checked", "name_key"]

NAME_MAX = 40
# Cc: controls (newlines, escapes); Cf: format characters, among them the bidi overrides,
# embeddings and isolates (U+202A-202E, U+2066-2069) and the zero-width ones (U+200B-200D,
# U+2060, U+FEFF); Co, Cs, Cn: private use, lone surrogates, unassigned.
_DROPPED = {"Cc", "Cf", "Co", "Cs", "Cn"}


def name_clean(value: str) -> str:
    """NFC, without control, format or unassigned characters, every run of white space made one space."""
    kept = "".join(" " if ch.isspace() else ch for ch in unicodedata.normalize("NFC", value)
                   if ch.isspace() or unicodedata.category(ch) not in _DROPPED)
    return " ".join(kept.split())


def name_checked(value: str) -> str:
    """The cleaned name, or ValueError when it is not 1 to NAME_MAX characters."""
    name = name_clean(value)
    if not 1 <= len(name) <= NAME_MAX:
        raise ValueError(f"A name has 1 to {NAME_MAX} visible characters.")
    return name


def name_key(value: str) -> str:
    """What two names are compared by: case-folded, and compatibility forms (e.g. full-width) folded."""
    return unicodedata.normalize("NFKC", name_clean(value).casefold())
