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
    from transferkg.kg import load

    report = load(ctx.obj["root"]).validate()
    click.echo(report.to_json() if fmt == "json" else report.text(warnings=warnings))
    ctx.exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
@_handle_errors
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts per class, claims per source and claims per agreement.

    Example: transferkg stats
    """
    import dataclasses
    import json

    from transferkg.kg import load

    result = load(ctx.obj["root"]).stats()
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
