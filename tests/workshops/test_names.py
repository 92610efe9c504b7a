"""Names: normalised, nothing invisible or direction-changing, 1 to 40 characters, staff names reserved."""
import unicodedata

import pytest

from tests.factories import staff_member, staff_user, workshop_with_facilitator
from workshops import services
from workshops.errors import DomainError
from workshops.models import Participant
from workshops.names import name_checked, name_clean
from workshops.protocol import Join

RLO, LRE, PDF, RLI, PDI = "\u202e", "\u202a", "\u202c", "\u2067", "\u2069"
ZWSP, ZWNJ, ZWJ, WJ, BOM = "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"


@pytest.mark.parametrize("raw, stored", [
    (f"An{RLO}gpj.exe", "Angpj.exe"),
    (f"{LRE}An{PDF} {RLI}Bo{PDI}", "An Bo"),
    (f"A{ZWSP}n{ZWNJ}n{ZWJ}a{WJ}{BOM}", "Anna"),
    ("An\x00\x1b[31m\nBo\t", "An[31m Bo"),
    ("  An   de \u00a0 Vries ", "An de Vries"),
])
def test_control_bidi_and_zero_width_characters_are_dropped(raw, stored):
    assert name_clean(raw) == stored


def test_names_are_stored_nfc_normalised():
    decomposed = "Zoe\u0301 Rene\u0301e"  # e + combining acute accent
    assert name_clean(decomposed) == "Zoé Renée"
    assert unicodedata.is_normalized("NFC", name_clean(decomposed))


@pytest.mark.parametrize("raw", ["", "   ", RLO + ZWSP, "x" * 41, "é" * 41])
def test_a_name_is_1_to_40_characters_after_cleaning(raw):
    with pytest.raises(ValueError):
        name_checked(raw)


def test_forty_visible_characters_with_invisible_ones_between_are_allowed():
    assert name_checked(ZWSP.join("x" * 40)) == "x" * 40


def test_the_join_schema_cleans_the_name_and_refuses_one_that_is_only_invisible():
    assert Join.model_validate({"name": f" An{RLO} "}).name == "An"
    with pytest.raises(Exception) as refused:
        Join.model_validate({"name": RLO + ZWJ})
    assert refused.value.errors()[0]["loc"] == ("name",)


# At join, through the service


@pytest.mark.django_db
def test_a_citizen_name_is_stored_clean():
    workshop, _ = workshop_with_facilitator()
    participant = services.participant_join(workshop=workshop, name=f"Zoe\u0301{RLO}{ZWSP}")
    assert Participant.objects.get(pk=participant.pk).name == "Zoé"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Facilitator Anna", "FACILITATOR ANNA", f"facilitator{ZWSP} anna",
                                  "ｆａｃｉｌｉｔａｔｏｒ anna", "fac", "Moderator", "MODERATOR"])
def test_a_citizen_may_not_take_a_staff_members_name_or_username(name):
    user = staff_user("fac")
    user.first_name, user.last_name = "Facilitator", "Anna"
    user.save()
    workshop = services.workshop_create(user=user, title="Station square")
    staff_member(workshop, "moderator", username="moderator")
    with pytest.raises(DomainError) as refused:
        services.participant_join(workshop=workshop, name=name)
    assert refused.value.code == "invalid" and "name" in refused.value.fields
    assert not Participant.objects.filter(workshop=workshop, role="citizen").exists()


@pytest.mark.django_db
def test_staff_names_of_another_workshop_are_free_to_take():
    workshop, _ = workshop_with_facilitator(username="fac")
    other, _ = workshop_with_facilitator(username="other")
    assert services.participant_join(workshop=workshop, name="Other").name == "Other"
    with pytest.raises(DomainError):
        services.participant_join(workshop=other, name="other")


@pytest.mark.django_db
def test_a_staff_display_name_is_stored_clean():
    user = staff_user("fac")
    user.first_name, user.last_name = f"An{RLO}", f"de{ZWSP} Vries{'x' * 50}"
    user.save()
    workshop = services.workshop_create(user=user, title="Station square")
    name = Participant.objects.get(workshop=workshop, user=user).name
    assert name == ("An de Vries" + "x" * 50)[:40]
