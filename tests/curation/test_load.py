"""Bad input gets one clear message naming file and line, and loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import transferkg
from transferkg.core.errors import LoadError


def test_mini_tree_loads(tree: Path) -> None:
    kg = transferkg.load(tree)
    assert kg.stats().agreements == 1


def test_malformed_turtle_names_file_line_and_text(tree: Path) -> None:
    (tree / "graph" / "extra.ttl").write_text(
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"unterminated .\n",
        encoding="utf-8")
    with pytest.raises(LoadError) as info:
        transferkg.load(tree)
    message = str(info.value)
    assert message.startswith("graph/extra.ttl:3: Turtle syntax error")
    assert 'ex:a ex:b "unterminated' in message


def test_unknown_prefix_names_the_prefix(tree: Path) -> None:
    (tree / "graph" / "extra.ttl").write_text(
        "@prefix ex: <http://example.org/> .\n\nex:a nope:b ex:c .\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        transferkg.load(tree)
    assert info.value.line == 3
    assert 'Prefix "nope:" not bound' in str(info.value)


def test_file_that_is_not_utf8(tree: Path) -> None:
    (tree / "graph" / "extra.ttl").write_bytes(b"# ok\n# caf\xe9\n")
    with pytest.raises(LoadError) as info:
        transferkg.load(tree)
    assert "graph/extra.ttl:2: not UTF-8" in str(info.value)


def test_yaml_not_utf8(tree: Path) -> None:
    (tree / "graph" / "mini.yaml").write_bytes(b"entities:\n  x: \xff\n")
    with pytest.raises(LoadError, match=r"graph/mini.yaml:2: not UTF-8"):
        transferkg.load(tree)


def test_empty_graph_folder(tree: Path) -> None:
    (tree / "graph" / "mini.yaml").unlink()
    with pytest.raises(LoadError, match=r"graph: no data"):
        transferkg.load(tree)


def test_missing_ontology(tree: Path) -> None:
    (tree / "ontology" / "tct.ttl").unlink()
    with pytest.raises(LoadError, match=r"ontology/tct.ttl: ontology file not found"):
        transferkg.load(tree)


def test_malformed_ontology_names_it(tree: Path) -> None:
    path = tree / "ontology" / "tct.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\ntct:Broken a \n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"^ontology/tct.ttl:\d+: Turtle syntax error"):
        transferkg.load(tree)
