"""The ``transferkg`` command line: a thin layer over the library.

Exit codes (as pySHACL): 0 ok; 1 the data does not conform or a check found
rows; 2 an error (bad input, bad parameter, unreachable endpoint…).

Heavy libraries are imported inside the commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_NONCONFORMING, EXIT_ERROR = 0, 1, 2


def _handle_errors(func: F) -> F:
    """Turn library errors into one clear message and the documented exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from transferkg.errors import DataNotConforming, TransferKGError

        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except DataNotConforming as exc:
            click.echo(exc.report.text(limit=50), err=True)
            click.echo(f"error: {exc}", err=True)
            if debug:
                raise
            ctx.exit(EXIT_NONCONFORMING)
        except TransferKGError as exc:
            click.echo(f"error: {exc}", err=True)
            if debug:
                raise
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)

    return wrapper  # type: ignore[return-value]


def _open(ctx: click.Context, endpoint: str | None = None) -> Any:
    """The knowledge graph a command works on: the local build, or a remote endpoint.

    One place decides, so every command accepts the same ``--endpoint`` and backend options.
    """
    if endpoint:
        from transferkg.remote import connect

        return connect(endpoint, root=ctx.obj["root"])
    from transferkg.kg import load

    return load(ctx.obj["root"])


_ENDPOINT = click.option("--endpoint", default=None, metavar="URL",
                         help="Query a SPARQL endpoint instead of loading the local graph.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Project tree with ontology/, graph/, queries/ (default: the current "
                   "checkout, else the data installed with the package).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="transferkg")
@click.pass_context
def main(ctx: click.Context, root: str | None, debug: bool) -> None:
    """transferkg — a sourced knowledge graph of third-country transfer agreements.

    Exit codes: 0 ok, 1 data does not conform / a check found rows, 2 error.

    Example: transferkg build --out build/
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root
    ctx.obj["debug"] = debug


@main.command()
@click.option("--out", "out", default="build", show_default=True,
              type=click.Path(file_okay=False, path_type=str), help="Output folder.")
@click.pass_context
@_handle_errors
def build(ctx: click.Context, out: str) -> None:
    """Load, derive, validate and write the graph (Turtle, N-Quads, summary).

    Writes atomically: a failed build leaves the previous OUT folder untouched.

    Example: transferkg build --out build/
    """
    from transferkg.build import build as run_build

    result = run_build(out, root=ctx.obj["root"])
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


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_ENDPOINT
@click.pass_context
@_handle_errors
def stats(ctx: click.Context, fmt: str, endpoint: str | None) -> None:
    """Counts per class, claims per source and claims per agreement.

    Example: transferkg stats
    """
    import dataclasses
    import json


    result = _open(ctx, endpoint).stats()
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(result), indent=2, ensure_ascii=False))
    else:
        click.echo(result.text())


@main.command()
@click.option("--out", "out", default="build/ontology.html", show_default=True,
              type=click.Path(dir_okay=False, path_type=str), help="HTML file to write.")
@click.pass_context
@_handle_errors
def docs(ctx: click.Context, out: str) -> None:
    """Write a readable HTML page documenting the ontology and code lists.

    Example: transferkg docs --out build/ontology.html
    """
    from transferkg.docs import write_docs
    from transferkg.resources import find_layout

    path = write_docs(find_layout(ctx.obj["root"]), out)
    click.echo(f"Wrote {path}")


@main.command(name="compile")
@click.pass_context
@_handle_errors
def compile_(ctx: click.Context) -> None:
    """Check the curated YAML files alone and print what they hold.

    Example: transferkg compile
    """
    from rdflib import Graph

    from transferkg.compile import compile_graph
    from transferkg.loader import parse_turtle
    from transferkg.resources import find_layout

    layout = find_layout(ctx.obj["root"])
    ontology = Graph()
    parse_turtle(layout.ontology, ontology, root=layout.root)
    for path in sorted(layout.vocab_dir.glob("*.ttl")):
        parse_turtle(path, ontology, root=layout.root)
    result = compile_graph(layout.graph_dir, ontology, display_root=layout.root)
    click.echo(f"{len(result.files)} files, {result.claims} claims, {len(result.graph)} triples, "
               f"{len(result.rows)} research rows cited")


def _output(text: str, out: str | None) -> None:
    if out:
        from pathlib import Path

        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        click.echo(text)


_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "md"]),
                       default="table", show_default=True, help="Output format.")
_OUT = click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=str),
                    default=None, help="Write to this file instead of the terminal.")


@main.command()
@click.pass_context
@_handle_errors
def queries(ctx: click.Context) -> None:
    """List the named queries: name, summary and parameters.

    Example: transferkg queries
    """
    from transferkg.queries import QueryLibrary
    from transferkg.resources import find_layout

    for query in QueryLibrary(find_layout(ctx.obj["root"]).queries_dir):
        click.echo(f"{query.name}\n    {query.summary}")
        if query.params:
            click.echo(f"    parameters: {query.signature()}")


@main.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter (repeatable), e.g. --param host=XK.")
@_FORMAT
@_OUT
@_ENDPOINT
@click.pass_context
@_handle_errors
def query(ctx: click.Context, name: str, params: tuple[str, ...], fmt: str, out: str | None,
          endpoint: str | None) -> None:
    """Run the named query NAME with typed parameters.

    Example: transferkg query agreements --param host=XK --format csv
    """
    from transferkg.errors import BadParameter
    from transferkg.results import format_result

    values: dict[str, str] = {}
    for item in params:
        if "=" not in item:
            raise BadParameter(f"--param takes KEY=VALUE, not {item!r}")
        key, value = item.split("=", 1)
        values[key.strip()] = value
    kg = _open(ctx, endpoint)
    kg.queries.get(name)  # an unknown name fails before anything runs
    _output(format_result(kg.run_result(name, values), fmt), out)


@main.command()
@click.argument("source")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE clauses, which make the query contact other endpoints.")
@_FORMAT
@_OUT
@_ENDPOINT
@click.pass_context
@_handle_errors
def sparql(ctx: click.Context, source: str, allow_service: bool, fmt: str, out: str | None,
           endpoint: str | None) -> None:
    """Run an ad-hoc SELECT query from a FILE, from - (standard input) or given as text.

    The project prefixes (tct:, tctv:, id:, rdfs:, skos:, prov:, dcterms:, schema: …)
    are predeclared. SERVICE is refused unless --allow-service is given.

    Example: transferkg sparql 'SELECT ?s WHERE { ?s a tct:State } LIMIT 5'
    """
    from pathlib import Path

    from transferkg.queries import check_no_service
    from transferkg.results import format_result

    if source == "-":
        text = sys.stdin.read()
    elif "\n" not in source and len(source) < 4096 and Path(source).is_file():
        text = Path(source).read_text(encoding="utf-8")
    else:
        text = source
    if not allow_service:
        check_no_service(text)
    kg = _open(ctx, endpoint)
    result = kg.sparql(text, allow_service=allow_service)
    _output(format_result(result, fmt), out)


@main.command()
@_ENDPOINT
@click.pass_context
@_handle_errors
def check(ctx: click.Context, endpoint: str | None) -> None:
    """Run the data-quality checks of queries/checks; exit 1 if any returns rows.

    Example: transferkg check
    """
    from transferkg.results import format_result

    results = _open(ctx, endpoint).check()
    failed = {name: r for name, r in results.items() if len(r)}
    for name, result in results.items():
        click.echo(f"{'FAIL' if len(result) else 'ok  '} {name} ({len(result)} rows)")
    for name, result in failed.items():
        click.echo(f"\n{name}:\n{format_result(result, 'table')}")
    ctx.exit(EXIT_NONCONFORMING if failed else EXIT_OK)


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

    from transferkg.fmt import canonical_turtle
    from transferkg.loader import parse_turtle
    from transferkg.resources import find_layout

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
                path.write_text(canonical, encoding="utf-8")
    verb = "would reformat" if check else "reformatted"
    for path in changed:
        click.echo(f"{verb} {path}")
    if check and changed:
        ctx.exit(EXIT_NONCONFORMING)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
