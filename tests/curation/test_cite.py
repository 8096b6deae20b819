"""``transferkg cite``: candidate claims from an article, each passing the evidence check, never written to graph/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.helpers import REPO
from transferkg.cli import main
from transferkg.curation.cite import Candidate, CiteResult, article_text, checked, cite, sentences

GRAPH = REPO / "graph"


def _quotes_of(source: str) -> list[str]:
    """Every quote graph/ takes from ``source``, longest first, none contained in another."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("src") == source and isinstance(node.get("quote"), str):
                found.append(node["quote"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(GRAPH.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    unique = sorted(set(found), key=lambda q: (-len(q), q))
    return [q for i, q in enumerate(unique) if not any(q in longer for longer in unique[:i])]


@pytest.fixture(scope="module")
def seed_articles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two seed articles as far as the project may hold them: the quotes graph/ takes from each,
    one sentence per quote (the articles themselves stay outside the repository)."""
    folder = tmp_path_factory.mktemp("seed")
    articles = {}
    for name in ("000", "004"):
        text = "\n\n".join(q.rstrip(".") + "." for q in _quotes_of(f"src-article-{name}"))
        articles[name] = folder / f"{name}_seed.txt"
        articles[name].write_text(text, encoding="utf-8")
    return articles

# Invented for the test (not a real article): traps for every guess cite makes.
TRAPS = """<html><head><title>Kosovo takes more deportees</title><script>var x = "up to 900 migrants";</script></head>
<body><p>Kosovo said on Monday it would accept up to 75 more migrants deported from the United States.</p>
<p>The country, which has 1.6 million inhabitants and was recognized by over 100 nations, declared
independence in 2008.</p>
<p>Officials in Kosovo met 12 times in March 2026 to discuss the plan.</p>
<p>In 2021, Kosovo hosted Afghan evacuees for the United States.</p>
<p>Separately, 300 Venezuelans were sent to El Salvador, and Panama received 299 people.</p>
<p>Kosovo will be paid $6 million by the United States, a Kosovo official said.</p></body></html>
"""


def _claims(result: CiteResult) -> list[tuple[str, str, object]]:
    return [(c.subject, c.claim["p"], c.claim.get("quantity", c.claim.get("code", c.claim.get("date",
                                                                                            c.claim.get("text")))))
            for c in result.candidates]


def test_sentences_and_html(tmp_path: Path) -> None:
    assert sentences("One. Two three! “Four”\n\nFive") == ["One.", "Two three!", "“Four”", "Five"]
    page = tmp_path / "a.html"
    page.write_text(TRAPS, encoding="utf-8")
    text = article_text(page)
    assert "900" not in text and "Kosovo said on Monday" in text  # scripts dropped


def test_the_second_seed_article(seed_articles: dict[str, Path]) -> None:
    article = seed_articles["004"]
    result = cite(article, graph_dir=GRAPH, date="2025-12-12")
    assert result.agreement == "agreement-US-XK-2025-06"
    found = _claims(result)
    assert ("agreement-US-XK-2025-06", "capacity", 50) in found
    capacity = next(c for c in result.candidates if c.claim["p"] == "capacity")
    assert capacity.claim["qualifier"] == "up-to" and "up to 50" in capacity.claim["quote"]  # Kosovo's "up to 50"
    assert ("agreement-US-XK-2025-06", "personsTransferred", 1) in found  # "one migrant has arrived"
    assert ("agreement-US-XK-2025-06", "protectionStatus", "temporary protection") in found
    assert ("agreement-US-XK-2025-06", "nationalityStatus", "withheld") in found  # nationality and date withheld
    assert ("statuschange-US-XK-2025-06-implemented", "status", "implemented") in found
    signing = next(c for c in result.candidates if c.claim["p"] == "signingDate")
    assert signing.claim["date"] == "2025-06" and signing.claim["basis"] == {"rule": "relative-date",
                                                                             "word": "in June"}
    text = checked(result, {"kind": "news-article", "title": "t", "published": "2025-12-12"}, GRAPH)
    assert not result.dropped
    doc = yaml.safe_load(text)
    quotes = [c["quote"] for claims in doc["claims-on"].values() for c in claims]
    raw = " ".join(article.read_text(encoding="utf-8").split())
    assert all(q in raw for q in quotes)  # verbatim


def test_the_first_seed_article(seed_articles: dict[str, Path]) -> None:
    result = cite(seed_articles["000"], graph_dir=GRAPH)
    found = _claims(result)
    assert ("agreement-US-XK-2025-06", "capacity", 50) in found
    note = next(c for c in result.candidates if c.claim["p"] == "note")
    assert "CBS News" in note.claim["text"] and "CBS News" in note.claim["quote"]
    # states named in passing (Costa Rica, Panama, El Salvador, Libya, South Sudan) give nothing
    assert {"CR", "PA", "SV"} <= set(result.skipped_states)
    assert all(c.subject.endswith("US-XK-2025-06") or "US-XK-2025-06" in c.subject for c in result.candidates)
    assert 200 not in [c.claim.get("quantity") for c in result.candidates]  # "over 200 Venezuelans … El Salvador"
    checked(result, {"kind": "news-article", "title": "t"}, GRAPH)
    assert not result.dropped


def test_traps(tmp_path: Path) -> None:
    page = tmp_path / "traps.html"
    page.write_text(TRAPS, encoding="utf-8")
    result = cite(page, graph_dir=GRAPH, date="2026-03-30", title="Kosovo takes more deportees")
    found = _claims(result)
    assert ("agreement-US-XK-2025-06", "capacity", 75) in found
    quantities = {c.claim.get("quantity") for c in result.candidates}
    # not people: inhabitants in millions, nations, a year, a count of meetings, a day
    assert not quantities & {1.6, 1600000, 100, 2008, 12, 2021, 2026}
    assert not quantities & {300, 299}  # about El Salvador and Panama, named in passing
    payment = next(c for c in result.candidates if c.claim["p"] == "payment")
    assert payment.claim["quantity"] == 6000000 and payment.claim["unit"] == "USD"
    assert not any(c.claim["p"] == "signingDate" for c in result.candidates)  # 2008 and 2021 are not signings
    checked(result, {"kind": "news-article", "title": "t", "published": "2026-03-30"}, GRAPH)
    assert not result.dropped


def test_a_candidate_the_quote_does_not_carry_is_dropped() -> None:
    result = CiteResult("agreement-US-XK-2025-06", "src-new-x")
    good = Candidate("agreement-US-XK-2025-06", {"p": "capacity", "quantity": 50, "src": "src-new-x",
                                                 "quote": "Kosovo will host 50 migrants"}, "test")
    bad = Candidate("agreement-US-XK-2025-06", {"p": "capacity", "quantity": 60, "src": "src-new-x",
                                                "quote": "Kosovo will host 50 more migrants soon"}, "test")
    result.candidates = [good, bad]
    text = checked(result, {"kind": "news-article", "title": "t"}, GRAPH)
    assert result.candidates == [good] and result.dropped[0][0] is bad
    assert "quantity: 60" not in text


def test_cli_never_writes_into_graph(tmp_path: Path, seed_articles: dict[str, Path]) -> None:
    article = seed_articles["004"]
    out = tmp_path / "review.yaml"
    result = CliRunner().invoke(main, ["--root", str(REPO), "cite", str(article), "--date", "2025-12-12",
                                       "--url", "https://example.org/a", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["sources"]["src-new-004-seed"]["url"] == "https://example.org/a"
    refused = CliRunner().invoke(main, ["--root", str(REPO), "cite", str(article),
                                        "-o", str(GRAPH / "review.yaml")])
    assert refused.exit_code == 2 and "never into graph/" in refused.output
    assert not (GRAPH / "review.yaml").exists()
