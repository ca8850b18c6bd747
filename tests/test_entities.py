"""The gazetteer of economies, blocs, ports and companies, and the roles words give them."""

from __future__ import annotations

import pytest

from extractor.extract.entities import (
    find_entities,
    is_non_partner_group,
    is_partner_position,
    is_possessive,
)


def canon(text: str) -> list[str]:
    return [m.canonical for m in find_entities(text)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Shipments to the U.S. fell.", "United States"),
        ("Shipments to America fell.", "United States"),
        ("Britain's car output fell.", "United Kingdom"),
        ("Exports to the EU rose.", "European Union"),
        ("Exports to Asean rose.", "ASEAN"),
        ("Korea's chip exports rose.", "South Korea"),
        ("Eurozone inflation eased.", "Euro area"),
        ("Samsung Electronics said sales rose.", "Samsung Electronics"),
    ],
)
def test_aliases_map_to_canonical_names(text: str, want: str) -> None:
    assert want in canon(text)


def test_case_and_longest_alias() -> None:
    assert canon("He told us it was fine.") == []
    assert canon("South Korea's won weakened.") == ["South Korea"]
    # part of a longer proper name: an agency, not the economy
    assert canon("The United States Geological Survey said so.") == []
    # sloppy copy glues a code to the next word
    assert "European Union" in canon("Extra-EU28exports of goods rose.")


def test_roles_from_the_words_around() -> None:
    text = "Vietnam's exports to Japan rose, while the deficit with non-EU countries grew."
    ents = {m.text: m for m in find_entities(text)}
    assert is_possessive(text, ents["Vietnam"])
    assert is_partner_position(text, ents["Japan"])
    assert is_non_partner_group(text, ents["EU"])
    assert not is_partner_position(text, ents["EU"])
    bound = "Europe-bound shipments rose."
    assert is_partner_position(bound, find_entities(bound)[0])
