"""States by name, code, demonym or capital: how sources and users name them."""

from __future__ import annotations

import pytest

from transferkg.core.states import find_states, mentions, resolve_state, state_label, suggest_states


@pytest.mark.parametrize(("name", "code"), [
    ("Kosovo", "XK"), ("kosovo", "XK"), ("XK", "XK"), ("xk", "XK"), ("state-XK", "XK"),
    ("El Salvador", "SV"), ("Salvadoran", "SV"), ("united states", "US"), ("USA", "US"),
    ("Eswatini", "SZ"), ("Swaziland", "SZ"), ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"),
    ("Türkiye", "TR"), ("Turkey", "TR"), ("Papua New Guinea", "PG"), ("South Sudan", "SS"),
])
def test_a_user_may_name_a_state_by_name_code_or_demonym(name: str, code: str) -> None:
    assert resolve_state(name) == code


@pytest.mark.parametrize("name", ["Kosovoo", "Atlantis", "ZZ", "Congolese", ""])
def test_unknown_or_ambiguous_names_resolve_to_nothing(name: str) -> None:
    assert resolve_state(name) is None


def test_close_names_are_suggested() -> None:
    assert suggest_states("Kosovoo") == ["Kosovo (XK)"]
    assert "El Salvador (SV)" in suggest_states("Salvador")


def test_labels_come_from_pycountry_and_kosovo_is_xk() -> None:
    assert state_label("XK") == "Kosovo"
    assert state_label("SV") == "El Salvador"
    assert state_label("QQ") is None


def test_states_named_in_a_text_longest_first_and_us_only_in_capitals() -> None:
    found = find_states("Papua New Guinea and South Sudan told us the U.S. asked; Guinea did not")
    assert set(found) == {"PG", "SS", "US"}
    assert found["US"] == ["U.S."]
    assert "GN" not in find_states("Equatorial Guinea")


def test_a_state_is_mentioned_by_a_demonym_or_capital() -> None:
    assert mentions("five Vietnamese and two Laotians", "VN") == "Vietnamese"
    assert mentions("an agreement between Washington and Pristina", "XK") == "Pristina"
    assert mentions("we will help them", "US") is None
