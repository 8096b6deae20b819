"""Commands that keep the graph current: ``report completeness`` (what is missing) and ``diff`` (what changed)."""

from __future__ import annotations

import click

from transferkg.cli.common import _handle_errors, _open, _output, main


@main.group()
def report() -> None:
    """Reports for curators: what the graph still lacks.

    Example: transferkg report completeness --format html -o build/completeness.html
    """


@report.command()
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json", "html"]), default="md",
              show_default=True, help="Markdown, CSV, JSON, or a self-contained HTML page (sortable columns).")
@click.option("--sort", "sort", type=click.Choice(["score", "name", "latest", "sources"]), default="score",
              show_default=True, help="Order of the rows: lowest score first, by name, oldest latest source "
                                      "first, or fewest independent sources first.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to FILE (atomically) instead of printing.")
@click.pass_context
@_handle_errors
def completeness(ctx: click.Context, fmt: str, sort: str, out: str | None) -> None:
    """Per agreement: which key facts are present, missing, single-sourced, government-only or conflicting.

    Parties, signing date (at its precision), current status (with its date), capacity, people
    transferred, nationalities, payments, selection criteria, legal challenges, the number of
    independent sources and the date of the latest one; a score from 0 to 100. The research
    to-do list: the thinnest agreements come first.

    Example: transferkg report completeness --format csv -o completeness.csv
    """
    from transferkg.app.completeness import SORT_KEYS, render
    from transferkg.app.completeness import completeness as run
    from transferkg.query.params import today

    rows = sorted(run(_open(ctx), today=today()), key=SORT_KEYS[sort])
    _output(render(rows, fmt, today=today()), out)


@main.command()
@click.argument("old")
@click.argument("new", required=False, default=None)
@click.option("--format", "fmt", type=click.Choice(["md", "json", "rdf"]), default="md", show_default=True,
              help="Markdown for people, JSON for scripts, RDF (TriG: removed and added claims as two named "
                   "graphs with PROV links).")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to FILE (atomically) instead of printing.")
@click.pass_context
@_handle_errors
def diff(ctx: click.Context, old: str, new: str | None, fmt: str, out: str | None) -> None:
    """What changed from OLD to NEW: claims added, removed and changed, status changes, agreements, states, sources.

    OLD and NEW are git revisions of the project (read with git archive; the working tree is
    never touched) or build folders (with transferkg.nq). NEW defaults to HEAD. The changes are
    grouped per agreement.

    Example: transferkg diff HEAD~5 HEAD --format md -o CHANGES.md
    """
    from transferkg.app.diff import diff as run
    from transferkg.app.diff import open_snapshot
    from transferkg.app.diff_output import render
    from transferkg.core.resources import find_layout

    root = find_layout(ctx.obj["root"]).root
    result = run(open_snapshot(old, root), open_snapshot(new or "HEAD", root))
    _output(render(result, fmt), out)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json", "rdf"]), default="md", show_default=True,
              help="Markdown per release for people, CSV or JSON per claim, RDF (Turtle: tct:firstRelease).")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to FILE (atomically) instead of printing.")
@click.pass_context
@_handle_errors
def history(ctx: click.Context, fmt: str, out: str | None) -> None:
    """When each claim entered the graph: the first git revision whose graph holds it.

    Reads every revision of ontology/ and graph/ on the first-parent history of HEAD with
    git archive (the working tree is never touched), compiled by the current code; each
    revision's claims are cached ($XDG_CACHE_HOME/transferkg/history/), so a rerun reads only new ones. Claims
    are named by what they say: a claim whose value, source or quote changed entered anew.

    Example: transferkg history --format csv -o first-releases.csv
    """
    from transferkg.app.history import first_releases, history_cache
    from transferkg.core.resources import find_layout

    root = find_layout(ctx.obj["root"]).root
    result = first_releases(root, cache=history_cache(), notify=lambda line: click.echo(f"transferkg: {line}", err=True))
    if fmt == "rdf":
        _output(result.graph().serialize(format="turtle"), out)
        return
    _output(result.text(fmt), out)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--url", default=None, help="The article's address (for the source entry).")
@click.option("--date", "date", default=None, help="Its publication date as shown, YYYY[-MM[-DD]] (resolves 'in June').")
@click.option("--title", default=None, help="Its title (default: the first line of the text).")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the review file (YAML) to FILE instead of printing; never a file under graph/.")
@click.pass_context
@_handle_errors
def cite(ctx: click.Context, file: str, url: str | None, date: str | None, title: str | None,
         out: str | None) -> None:
    """Candidate claims from a new article (text or HTML on disk), written for review — never into graph/.

    Finds the sentences about an agreement already in the graph: numbers of people or money,
    signing dates, status words, withheld information, protection, confirmations; writes each
    as a claim in the curation YAML format with its sentence as the verbatim quote. Every
    candidate passes the evidence check (its value can be read off its quote).

    Example: transferkg cite article.txt --url https://example.org/a --date 2025-12-12 -o review.yaml
    """
    from pathlib import Path

    from transferkg.core.dates import date_parts
    from transferkg.core.errors import BadParameter
    from transferkg.core.resources import find_layout
    from transferkg.curation.cite import checked
    from transferkg.curation.cite import cite as run

    graph_dir = find_layout(ctx.obj["root"]).graph_dir
    if out and Path(out).resolve().is_relative_to(graph_dir.resolve()):
        raise BadParameter(f"{out} is under {graph_dir}: candidates go into a review file, never into graph/")
    if date and date_parts(date) is None:
        raise BadParameter(f"--date takes YYYY, YYYY-MM or YYYY-MM-DD, not {date!r}")
    result = run(Path(file), graph_dir=graph_dir, url=url, date=date, title=title)
    source: dict[str, str] = {"kind": "news-article", "title": result.title or f"[title of {Path(file).name}]"}
    if url:
        source["url"] = url
    if date:
        source["published"] = date
    text = checked(result, source, graph_dir)
    _output(text, out)
    click.echo(f"{len(result.candidates)} candidate claim(s) about {result.agreement or 'no agreement of the graph'}"
               + (f"; {len(result.dropped)} dropped by the evidence check" if result.dropped else ""), err=True)
