"""The site's world map: drawn from the packaged geodata, every pair an arrow, labels escaped, no script."""

from __future__ import annotations

import re

from transferkg.render.map import STATUS_GROUPS, Pair, pairs_of, status_group, world_map


def test_pairs_take_the_most_operative_status_and_skip_a_state_sending_to_itself() -> None:
    rows = [("US", "XK", "United States", "Kosovo", "US–Kosovo (2025)", "implemented", True),
            ("US", "XK", "United States", "Kosovo", "older deal", "terminated", False),
            ("GB", "RW", "United Kingdom", "Rwanda", "UK–Rwanda", "terminated", False),
            ("DK", "DK", "Denmark", "Denmark", "nonsense", "signed", False)]
    pairs = pairs_of(rows)
    assert [(p.sender, p.host, p.group, len(p.agreements)) for p in pairs] == [
        ("GB", "RW", "stopped", 1), ("US", "XK", "operative", 2)]
    assert status_group("signed", False) == "agreed" and status_group("blocked-by-court", False) == "stopped"


def test_the_map_draws_shapes_arrows_and_small_states_as_points_and_escapes_labels() -> None:
    pairs = [Pair("US", "NR", "United <States>", "Nauru", ("a <b>",), "agreed"),
             Pair("GB", "RW", "United Kingdom", "Rwanda", ("UK–Rwanda",), "stopped")]
    svg = world_map(pairs)
    assert svg.count("<path d=\"M") > 150  # country shapes from the 1:110m data
    arrows = re.findall(r'marker-end="url\(#arrow-(\w+)\)"', svg)
    assert sorted(arrows) == ["agreed", "stopped"]
    assert "Nauru: receives (too small for the map's shapes)" in svg  # placed by points.json
    assert "United &lt;States&gt;" in svg and "a &lt;b&gt;" in svg and "<States>" not in svg
    assert "<script" not in svg and "style=" not in svg and "http" not in svg  # nothing to load, no CSP breach
    for colour, _dash, text in STATUS_GROUPS.values():
        assert colour in svg and text in svg  # the legend names every group


def test_the_partner_network_draws_one_arrow_per_partner_and_escapes_names() -> None:
    from transferkg.render.map import partner_network

    svg = partner_network("Kosovo", [("Denmark", False, "agreed"), ("<b>Evil</b>", False, "operative")])
    assert svg.count("marker-end=") == 2
    assert "Kosovo receives from Denmark" in svg and "&lt;b&gt;Evil&lt;/b&gt;" in svg and "<b>" not in svg
    assert partner_network("Nowhere", []) == ""
