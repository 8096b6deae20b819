"""Commands that answer questions: queries, query, sparql, active, totals, show, check, stats."""

from __future__ import annotations

import sys

import click

from transferkg.cli.common import (
    _ENDPOINT,
    _FORMAT,
    _MAX_WIDTH,
    _OUT,
    EXIT_NONCONFORMING,
    EXIT_OK,
    _handle_errors,
    _kind_label,
    _max_width,
    _open,
    _output,
    _parse_params,
    main,
)


@main.command()
@click.option("--markdown", is_flag=True,
              help="Print the catalogue as a Markdown table (the README's query catalogue).")
@click.option("--grlc", "grlc_dir", metavar="DIR", default=None,
              help="Write a grlc-ready copy of every query into DIR (grlc's ?__name_iri parameters).")
@click.option("--grlc-endpoint", metavar="URL", default=None,
              help="With --grlc: the SPARQL endpoint grlc should query (written to DIR/endpoint.txt).")
@click.pass_context
@_handle_errors
def queries(ctx: click.Context, markdown: bool, grlc_dir: str | None, grlc_endpoint: str | None) -> None:
    """List the named queries: name, summary and parameters.

    Example: transferkg queries --markdown

    Example: transferkg queries --grlc build/grlc --grlc-endpoint http://127.0.0.1:7878/query
    """
    from transferkg.core.errors import BadParameter
    from transferkg.core.resources import find_layout
    from transferkg.query.library import QueryLibrary

    library = QueryLibrary(find_layout(ctx.obj["root"]).queries_dir)
    if grlc_endpoint and not grlc_dir:
        raise BadParameter("--grlc-endpoint needs --grlc DIR")
    if grlc_dir:
        from transferkg.query.grlc import write_grlc

        written = write_grlc(library, grlc_dir, endpoint=grlc_endpoint)
        click.echo(f"wrote {len(written)} file(s) for grlc into {grlc_dir}", err=True)
        return
    if markdown:
        from transferkg.query.catalogue import render_catalogue

        click.echo(render_catalogue(library), nl=False)
        return
    for query in library:
        click.echo(f"{query.name}\n    {query.summary}")
        if query.params:
            click.echo(f"    parameters: {query.signature()}")


@main.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter (repeatable), e.g. --param host=XK.")
@_FORMAT
@_OUT
@_MAX_WIDTH
@_ENDPOINT
@click.pass_context
@_handle_errors
def query(ctx: click.Context, name: str, params: tuple[str, ...], fmt: str, out: str | None,
          max_width: int | None, endpoint: str | None) -> None:
    """Run the named query NAME with typed parameters.

    Example: transferkg query agreements --param host=XK --format csv
    """
    from transferkg.query.results import format_result

    values = _parse_params(params)
    kg = _open(ctx, endpoint)
    kg.queries.get(name)  # an unknown name fails before anything runs
    _output(format_result(kg.result(name, values), fmt, max_width=_max_width(max_width, out)), out)


@main.command()
@click.option("--on", "day", default="today", show_default=True, metavar="DAY",
              help="The day, YYYY-MM-DD (default today).")
@_FORMAT
@_OUT
@_MAX_WIDTH
@_ENDPOINT
@click.pass_context
@_handle_errors
def active(ctx: click.Context, day: str, fmt: str, out: str | None, max_width: int | None,
           endpoint: str | None) -> None:
    """Which deals are active today (or on DAY): operative, with a source from the last twelve months.

    The same as `transferkg query status_on_date --param day=DAY --param operative=true`:
    in force, implemented or resumed, and reported within twelve months of the day.

    Example: transferkg active --on 2026-06-30
    """
    from transferkg.query.results import format_result

    kg = _open(ctx, endpoint)
    result = kg.result("status_on_date", {"day": day, "operative": "true"})
    if fmt == "table" and not out:
        from transferkg.query.library import today

        when = f"today ({today().isoformat()})" if day == "today" else f"on {day}"
        click.echo(f"Agreements operative {when}: in force, implemented or resumed, "
                   "with a source from the twelve months before:")
    _output(format_result(result, fmt, max_width=_max_width(max_width, out)), out)


@main.command()
@click.option("--sender", default=None, metavar="STATE", help="Only this sending state (name or ISO code; "
                                                               "several: US,AU).")
@click.option("--host", default=None, metavar="STATE", help="Only this receiving state (name or ISO code).")
@click.option("--kind", default="third-country-deportation", show_default=True, metavar="KIND",
              help="Kind of arrangement (arrangement-kind code), or 'all' for every kind, one row each.")
@_FORMAT
@_OUT
@_MAX_WIDTH
@_ENDPOINT
@click.pass_context
@_handle_errors
def totals(ctx: click.Context, sender: str | None, host: str | None, kind: str, fmt: str, out: str | None,
           max_width: int | None, endpoint: str | None) -> None:
    """People transferred per sending state, receiving state and kind: reported totals and recorded transfers.

    By default third-country deportations only (--kind all for every kind, each on its
    own rows). A reported total (the latest cumulative count a source gives) and the sum
    of the transfers recorded one by one are shown side by side, never added.

    Example: transferkg totals --sender US
    """
    from transferkg.query.results import format_result

    params = {k: v for k, v in (("sender", sender), ("host", host), ("kind", kind)) if v and v != "all"}
    kg = _open(ctx, endpoint)
    result = kg.result("totals", params)
    if fmt == "table" and not out:
        what = "every kind of transfer, each on its own rows" if kind == "all" else \
            f"{_kind_label(kg, kind)} only (--kind all for every kind)"
        click.echo(f"People transferred — {what}. 'reported' is the latest total a source gives; 'recorded' "
                   "adds up the transfers recorded one by one; the two are never added together.")
    _output(format_result(result, fmt, max_width=_max_width(max_width, out)), out)


@main.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json", "html"]), default="text",
              show_default=True, help="A terminal card, Markdown, JSON or a self-contained HTML page.")
@_OUT
@_MAX_WIDTH
@_ENDPOINT
@click.pass_context
@_handle_errors
def show(ctx: click.Context, name: str, fmt: str, out: str | None, max_width: int | None,
         endpoint: str | None) -> None:
    """Everything about a state or an agreement: parties, status, people, nationalities, cases, sources.

    NAME is a state's name, demonym or ISO code (Kosovo, xk, Salvadoran) or an agreement's
    id or label (agreement-US-XK-2025-06, US-XK-2025-06), case-insensitive.

    Example: transferkg show Kosovo
    """
    profile = _open(ctx, endpoint).profile(name)
    _output(profile.render(fmt, max_width=_max_width(max_width, out) or 120), out)


@main.command()
@click.argument("source")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE clauses, which make the query contact other endpoints.")
@_FORMAT
@_OUT
@_MAX_WIDTH
@_ENDPOINT
@click.pass_context
@_handle_errors
def sparql(ctx: click.Context, source: str, allow_service: bool, fmt: str, out: str | None,
           max_width: int | None, endpoint: str | None) -> None:
    """Run an ad-hoc SELECT query from a FILE, from - (standard input) or given as text.

    The project prefixes (tct:, tctv:, id:, rdfs:, skos:, prov:, dcterms:, schema: …)
    are predeclared. SERVICE is refused unless --allow-service is given.

    Example: transferkg sparql 'SELECT ?s WHERE { ?s a tct:State } LIMIT 5'
    """
    from pathlib import Path

    from transferkg.query.library import check_no_service, read_query_file
    from transferkg.query.results import format_result

    if source == "-":
        text = sys.stdin.read()
    elif "\n" not in source and len(source) < 4096 and Path(source).is_file():
        text = read_query_file(Path(source))
    else:
        text = source
    if not allow_service:
        check_no_service(text)
    kg = _open(ctx, endpoint)
    result = kg.sparql(text, allow_service=allow_service)
    _output(format_result(result, fmt, max_width=_max_width(max_width, out)), out)


@main.command()
@_ENDPOINT
@click.pass_context
@_handle_errors
def check(ctx: click.Context, endpoint: str | None) -> None:
    """Run the data-quality checks of queries/checks; exit 1 if any returns rows.

    Example: transferkg check
    """
    from transferkg.query.results import format_result

    kg = _open(ctx, endpoint)
    results = kg.check()
    severity = {q.name: q.severity for q in kg.checks}
    failed = {name: r for name, r in results.items() if len(r) and severity[name] == "error"}
    warned = {name: r for name, r in results.items() if len(r) and severity[name] != "error"}
    for name, result in results.items():
        mark = "ok  " if not len(result) else ("FAIL" if name in failed else "warn")
        click.echo(f"{mark} {name} ({len(result)} rows)")
    findings = kg.evidence() if kg.loaded is not None else None
    names = kg.privacy() if kg.loaded is not None else None
    if findings is None or names is None:
        click.echo("skip evidence and privacy (the curated files are not at hand over an endpoint)")
    else:
        claims = len({(f.path, f.line) for f in findings})
        click.echo(f"{'FAIL' if findings else 'ok  '} evidence ({claims} claims whose quote does not carry "
                   "their value)")
        click.echo(f"{'FAIL' if names else 'ok  '} privacy ({len(names)} name-like phrases not accounted for "
                   "in graph/names.yaml)")
    for name, result in {**failed, **warned}.items():
        click.echo(f"\n{name}{' (warning)' if name in warned else ''}:\n{format_result(result, 'table')}")
    if findings:
        from transferkg.curation.evidence import format_findings

        click.echo(f"\nevidence:\n{format_findings(findings)}")
    if names:
        click.echo("\nprivacy:\n" + "\n".join(f.describe() for f in names))
    ctx.exit(EXIT_NONCONFORMING if failed or findings or names else EXIT_OK)



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
