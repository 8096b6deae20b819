"""Comunica, the reference of portable SPARQL: every library query gives the embedded backend's rows.

Comunica (npm ``@comunica/query-sparql``, pinned in ``.ci/run``, which installs it into
``.ci/node``; elsewhere point ``$TRANSFERKG_COMUNICA`` at the folder holding its
``node_modules``) runs in one ``node`` process over the Turtle file of ``transferkg build``,
loaded once into an in-memory N3 store — no network, no server. Parameters are bound
the way remote endpoints get them: ``BIND`` (one term) or ``VALUES`` rows at the start of the WHERE group.
Rows are compared as multisets, literals normalised (numbers by value, ``xsd:string``
as plain literals, the "; "-joined list columns sorted).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import PARAM_CASES, REPO, from_json, invoke, multiset
from transferkg.app.kg import KnowledgeGraph
from transferkg.query.results import sort_lists
from transferkg.store.binding import inject_values

pytestmark = [pytest.mark.slow]


RUNNER = r"""
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [modules, dataFile, queriesFile] = process.argv.slice(2);
const require = createRequire(path.join(modules, "noop.js"));
const { QueryEngine } = require("@comunica/query-sparql");
const N3 = require("n3");

const store = new N3.Store();
store.addQuads(new N3.Parser({ format: "Turtle" }).parse(fs.readFileSync(dataFile, "utf8")));
const engine = new QueryEngine();
const out = {};
for (const [name, text] of Object.entries(JSON.parse(fs.readFileSync(queriesFile, "utf8")))) {
  try {
    const result = await engine.query(text, { sources: [store] });
    const { data } = await engine.resultToString(result, "application/sparql-results+json");
    let body = "";
    for await (const chunk of data) body += chunk;
    out[name] = JSON.parse(body);
  } catch (err) {
    out[name] = { error: String((err && err.message) || err) };
  }
}
process.stdout.write(JSON.stringify(out));
"""


def comunica_modules() -> Path | None:
    """The folder whose ``node_modules`` holds ``@comunica/query-sparql`` (None: not installed)."""
    for folder in (os.environ.get("TRANSFERKG_COMUNICA"), str(REPO / ".ci" / "node")):
        if folder and (Path(folder) / "node_modules" / "@comunica" / "query-sparql").is_dir():
            return Path(folder) / "node_modules"
    return None


@pytest.fixture(scope="module")
def modules() -> Path:
    found = comunica_modules()
    if found is None or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("Comunica is not installed: .ci/run installs it into .ci/node")
        pytest.skip("Comunica not installed (npm install --prefix .ci/node @comunica/query-sparql)")
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "build"
    result = invoke("build", "--out", out)
    assert result.exit_code == 0, result.output
    return out / "transferkg.ttl"


def cases(kg: KnowledgeGraph) -> dict[str, tuple[str, dict[str, str]]]:
    out = {q.name: (q.name, {}) for q in kg.queries}
    out.update({f"{name} {params}": (name, params) for name, params in PARAM_CASES})
    return out


def test_every_library_query_on_comunica(kg: KnowledgeGraph, modules: Path, built: Path, tmp_path: Path) -> None:
    texts = {}
    for key, (name, params) in cases(kg).items():
        query = kg.queries.get(name)
        texts[key] = inject_values(query.text, query.bind(params))  # every parameter as BIND or VALUES rows
    (tmp_path / "queries.json").write_text(json.dumps(texts), encoding="utf-8")
    (tmp_path / "run.mjs").write_text(RUNNER, encoding="utf-8")
    done = subprocess.run(["node", str(tmp_path / "run.mjs"), str(modules), str(built), str(tmp_path / "queries.json")],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "NODE_OPTIONS": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout)
    failures = []
    for key, (name, params) in cases(kg).items():
        answer = answers[key]
        if "error" in answer:
            failures.append(f"{key}: Comunica refused it: {answer['error'][:300]}")
            continue
        lists = kg.queries.get(name).lists
        theirs = multiset(sort_lists(from_json(answer), lists))
        ours = multiset(kg.result(name, params))
        if theirs != ours:
            extra = sorted(set(theirs[1]) - set(ours[1]))[:3]
            missing = sorted(set(ours[1]) - set(theirs[1]))[:3]
            failures.append(f"{key}: {len(theirs[1])} rows on Comunica vs {len(ours[1])} embedded; "
                            f"only on Comunica {extra}; only embedded {missing}")
    assert not failures, "\n".join(failures)
