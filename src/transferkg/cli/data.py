"""Commands that make and check the data: build, validate, compile, evidence, fmt, import."""

from __future__ import annotations

import sys

import click

from transferkg.cli.common import EXIT_NONCONFORMING, EXIT_OK, _handle_errors, _open, main


@main.command()
@click.option("--out", "out", default="build", show_default=True,
              type=click.Path(file_okay=False, path_type=str), help="Output folder.")
@click.option("--history", is_flag=True,
              help="Also record each claim's first release, read from git (transferkg history), in the "
                   "https://w3id.org/tct/graph/history named graph of the outputs.")
@click.pass_context
@_handle_errors
def build(ctx: click.Context, out: str, history: bool) -> None:
    """Load, derive, validate and write the graph (Turtle, N-Quads, summary).

    Writes atomically: a failed build leaves the previous OUT folder untouched.

    Example: transferkg build --out build/ --history
    """
    from transferkg.app.build import build as run_build

    result = run_build(out, root=ctx.obj["root"], history=history)
    click.echo(result.text())


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format.")
@click.option("--warnings/--no-warnings", default=True, show_default=True,
              help="List warnings as well as violations (text format).")
@click.pass_context
@_handle_errors
def validate(ctx: click.Context, fmt: str, warnings: bool) -> None:
    """Validate the curated graph against the SHACL shapes.

    Exit code 1 when there is any violation; warnings do not fail.

    Example: transferkg validate --format json
    """

    report = _open(ctx).validate()
    click.echo(report.to_json() if fmt == "json" else report.text(warnings=warnings))
    ctx.exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


@main.command(name="compile")
@click.pass_context
@_handle_errors
def compile_(ctx: click.Context) -> None:
    """Check the curated YAML files alone and print what they hold.

    Example: transferkg compile
    """
    from rdflib import Graph

    from transferkg.core.resources import find_layout
    from transferkg.curation.compile import compile_graph
    from transferkg.curation.loader import parse_turtle

    layout = find_layout(ctx.obj["root"])
    ontology = Graph()
    parse_turtle(layout.ontology, ontology, root=layout.root)
    for path in sorted(layout.vocab_dir.glob("*.ttl")):
        parse_turtle(path, ontology, root=layout.root)
    result = compile_graph(layout.graph_dir, ontology, display_root=layout.root)
    click.echo(f"{len(result.files)} files, {result.claims} claims, {len(result.graph)} triples, "
               f"{len(result.rows)} research rows cited")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.pass_context
@_handle_errors
def evidence(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Check that each claim's quote carries its value (numbers, dates, states); exit 1 if not.

    Without PATHS every file of graph/ is checked; a PATH may lie outside graph/
    (a review file), its sources and claim keys are looked up in graph/ too.

    Example: transferkg evidence graph/deals/us-kosovo-2025.yaml
    """
    from transferkg.core.resources import find_layout
    from transferkg.curation.evidence import check_file, check_graph_dir, format_findings

    layout = find_layout(ctx.obj["root"])
    if paths:
        findings = [f for p in paths for f in check_file(p, graph_dir=layout.graph_dir)]
    else:
        findings = check_graph_dir(layout.graph_dir)
    if findings:
        click.echo(format_findings(findings))
    claims = len({(f.path, f.line) for f in findings})
    click.echo(f"{claims} claim(s) whose quote does not carry their value" if findings else
               "ok: every value can be read off its quote", err=bool(findings))
    ctx.exit(EXIT_NONCONFORMING if findings else EXIT_OK)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--check", is_flag=True, help="Only report files not in canonical layout (exit 1).")
@click.pass_context
@_handle_errors
def fmt(ctx: click.Context, paths: tuple[str, ...], check: bool) -> None:
    """Rewrite Turtle files in the one canonical layout (default: ontology/**/*.ttl).

    Example: transferkg fmt --check
    """
    from pathlib import Path

    from transferkg.core.resources import find_layout
    from transferkg.curation.fmt import canonical_turtle
    from transferkg.curation.loader import parse_turtle

    layout = find_layout(ctx.obj["root"])
    files = [Path(p) for p in paths] or sorted((layout.root / "ontology").rglob("*.ttl"))
    changed = []
    for path in files:
        parse_turtle(path, root=layout.root)  # a clear error before any rewrite
        text = path.read_text(encoding="utf-8")
        canonical = canonical_turtle(text)
        if canonical != text:
            changed.append(path)
            if not check:
                from transferkg.core.outputs import write_atomic

                write_atomic(path, canonical)  # an interrupted rewrite never leaves half an ontology
    verb = "would reformat" if check else "reformatted"
    for path in changed:
        click.echo(f"{verb} {path}")
    if check and changed:
        ctx.exit(EXIT_NONCONFORMING)


@main.command(name="import")
@click.argument("file", type=click.Path(path_type=str))  # checked by import_csv: one line naming it
@click.option("--store", "store_path", type=click.Path(path_type=str), default=None,
              metavar="PATH", help="Oxigraph store folder to import into (default: the global --store; "
                                   "without any, a dry run that checks every row and keeps nothing).")
@click.option("--skip-bad", is_flag=True,
              help="Import the good rows and list the malformed ones in the report, "
                   "instead of importing nothing.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=str), default=None, metavar="FILE",
              help="CSV report of rejected rows (line, column, error, record); "
                   "with --skip-bad, default FILE.rejected.csv next to the input.")
@click.option("--kind", default="third-country-deportation", show_default=True, metavar="KIND",
              help="The kind of arrangement of rows without a kind column value (a code of "
                   "ontology/vocab/arrangement-kind.ttl, e.g. readmission-return).")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Show a progress bar on standard error.")
@click.option("--derive/--no-derive", default=True, show_default=True,
              help="Recompute the derived layer after the import. Its memory grows with the store "
                   "(about 1.5 GiB at 100,000 rows): for very large files import with --no-derive "
                   "(flat memory); running the import again without it adds nothing and recomputes the layer.")
@click.pass_context
@_handle_errors
def import_(ctx: click.Context, file: str, store_path: str | None, skip_bad: bool, report: str | None,
            kind: str, progress: bool, derive: bool) -> None:
    """Import transfer records from a CSV file into an Oxigraph store.

    Columns (header row, any order): date (YYYY-MM-DD, YYYY-MM or YYYY), from and to
    (ISO codes such as US, XK), count (people; may be empty), nationality (ISO codes
    separated by ';', or withheld / unknown / stateless), source (an http(s) URL or a
    src-… id of the curated graph), optionally id (the tracker's record id) and kind
    (the kind of arrangement; default --kind).

    The file is streamed twice (checked, then loaded in batches of a few hundred
    rows), so memory does not grow with its length and no temporary file is written.
    A malformed row fails the whole import with its file:line (exit 2) and nothing is
    written, unless --skip-bad is given. Ids are hashes of the content, so importing
    twice adds nothing; and an import interrupted (even killed) leaves whole records
    of the batches already loaded and no stray file: run the same import again to
    complete it. The derived layer is recomputed afterwards, so
    `transferkg --store PATH query transfers` lists the imported records.

    Example: transferkg import flights.csv --store data/kg.oxigraph --skip-bad
    """
    import os

    from transferkg.app.kg import load
    from transferkg.app.layers import rederive
    from transferkg.core.errors import LoadError
    from transferkg.ingest.bulk import import_csv

    if not os.path.isfile(file):  # before the store is opened (or created), which a typo must not do
        reason = "it is a folder" if os.path.isdir(file) else "no such file"
        raise LoadError(f"cannot read the file: {reason}", path=file)
    store = store_path or ctx.obj.get("store")
    kg = load(ctx.obj["root"], backend="oxigraph", store=store, derive_layer=False)
    size = os.path.getsize(file)
    try:
        if progress:
            with click.progressbar(length=size, label="Importing", file=sys.stderr,
                                   show_pos=False, show_percent=True) as bar:
                result = import_csv(file, kg.store, skip_bad=skip_bad, report=report, progress=bar.update,
                                    kind=kind, dry_run=not store)
        else:
            result = import_csv(file, kg.store, skip_bad=skip_bad, report=report, kind=kind, dry_run=not store)
        derived = rederive(kg.store, kg.loaded) if store and derive else None
        total = kg.store.triple_count()
    finally:
        kg.store.close()  # type: ignore[attr-defined]
    click.echo(result.text())
    if derived is not None:
        click.echo(f"  derived triples    {derived.total:>9}")
    if store:
        click.echo(f"  store holds        {total:>9} triples")
        if derived is None:
            click.echo("  (derived layer not recomputed: --no-derive)")
    else:
        click.echo("  (dry run: no --store given, nothing was kept)")
    if result.rejected_rows:
        click.echo(f"warning: {result.rejected_rows} row(s) rejected; see {result.report}", err=True)
