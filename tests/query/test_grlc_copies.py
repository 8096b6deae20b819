"""The grlc-ready copies, read as grlc reads them (its parameter pattern), without starting grlc."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

from tests.helpers import REPO, invoke
from transferkg.core.errors import BadParameter
from transferkg.query.grlc import grlc_text, write_grlc
from transferkg.query.library import QueryLibrary

LIBRARY = QueryLibrary(REPO / "queries")
# grlc 1.3's own pattern (grlc/gquery.py get_parameters): ?_name required, ?__name optional, then a type
GRLC_PARAM = re.compile(r"\?(?P<required>[_]{1,2})(?P<name>[a-zA-Z0-9]+)([_](?P<type>(iri)|(number)|(literal)|(integer)))?"
                        r"([_](?P<prefix>[a-zA-Z0-9]+)[_](?P<userdefined>[a-zA-Z0-9]+))?")


@pytest.mark.parametrize("name", LIBRARY.names())
def test_grlc_sees_exactly_the_library_parameters_all_optional(name: str) -> None:
    query = LIBRARY.get(name)
    text = grlc_text(query)
    found = {m.group("name"): m for m in GRLC_PARAM.finditer(text)}
    assert set(found) == set(query.params)
    for pname, match in found.items():
        assert match.group("required") == "__", pname  # every parameter optional: defaults live in the query
        kind = query.params[pname].type
        if kind in ("state", "iri", "code"):
            assert match.group("type") == "iri"
        elif kind in ("date", "boolean"):
            assert (match.group("prefix"), match.group("userdefined")) == ("xsd", kind)
    prepareQuery(text)  # still SPARQL (grlc parses it with rdflib too)
    assert text.splitlines()[0].startswith("#+ summary: ")


def test_the_copies_are_written_with_the_endpoint_and_refuse_a_bad_one(tmp_path: Path) -> None:
    written = write_grlc(LIBRARY, tmp_path / "grlc", endpoint="http://127.0.0.1:7878/query")
    assert len(written) == len(LIBRARY.names()) + 1
    assert (tmp_path / "grlc" / "endpoint.txt").read_text(encoding="utf-8") == "http://127.0.0.1:7878/query\n"
    with pytest.raises(BadParameter, match="not an http"):
        write_grlc(LIBRARY, tmp_path / "other", endpoint="http://x/\nfile:///etc/passwd")
    assert not (tmp_path / "other").exists()
    result = invoke("queries", "--grlc-endpoint", "http://127.0.0.1:1/query")
    assert result.exit_code == 2 and "needs --grlc DIR" in result.output
