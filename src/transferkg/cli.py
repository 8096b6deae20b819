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
        from transferkg.core.errors import DataNotConforming, TransferKGError
        from transferkg.core.outputs import printable  # a message quoting the data shows control characters as \u001b

        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except DataNotConforming as exc:
            click.echo(printable(exc.report.text(limit=50)), err=True)
            click.echo(printable(f"error: {exc}"), err=True)
            if debug:
                raise
            ctx.exit(EXIT_NONCONFORMING)
        except TransferKGError as exc:
            click.echo(printable(f"error: {exc}"), err=True)
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
    if endpoint is not None:  # --endpoint "" is a bad URL, not "no endpoint"
        from transferkg.store.remote import connect

        return connect(endpoint, root=ctx.obj["root"])
    from transferkg.app.kg import load

    kg = load(ctx.obj["root"], backend=ctx.obj.get("backend"), store=ctx.obj.get("store"))
    close = getattr(kg.store, "close", None)
    if ctx.obj.get("store") and close is not None:  # a --store folder is unlocked when the command ends
        ctx.call_on_close(close)
    return kg


def _parse_params(params: tuple[str, ...]) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a dict (values are typed later, by the query)."""
    from transferkg.core.errors import BadParameter

    values: dict[str, str] = {}
    for item in params:
        if "=" not in item:
            raise BadParameter(f"--param takes KEY=VALUE, not {item!r}")
        key, value = item.split("=", 1)
        values[key.strip()] = value
    return values


_ENDPOINT = click.option("--endpoint", default=None, metavar="URL",
                         help="Query a SPARQL endpoint instead of loading the local graph.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Project tree with ontology/, graph/, queries/ (default: the current "
                   "checkout, else the data installed with the package).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.option("--backend", type=click.Choice(["memory", "oxigraph"]), default=None,
              help="Embedded store: oxigraph (pyoxigraph, fast at scale) or memory (plain rdflib); "
                   "default: see README, Scale.")
@click.option("--store", "store", type=click.Path(path_type=str), default=None,  # the store checks it: one line
              metavar="PATH", help="A persistent Oxigraph store folder (implies --backend oxigraph); "
                                   "records imported there are kept. A folder holding anything but a "
                                   "store is refused and left untouched.")
@click.version_option(package_name="transferkg")
@click.pass_context
def main(ctx: click.Context, root: str | None, debug: bool, backend: str | None,
         store: str | None) -> None:
    """transferkg — a sourced knowledge graph of third-country transfer agreements.

    Exit codes: 0 ok, 1 data does not conform / a check found rows, 2 error.

    Example: transferkg build --out build/
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root
    ctx.obj["debug"] = debug
    ctx.obj["backend"] = backend
    ctx.obj["store"] = store


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
    from transferkg.app.build import build as run_build

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
              type=click.Path(dir_okay=False, path_type=str),
              help="HTML file to write (a folder you name must exist; the default build/ is created).")
@click.pass_context
@_handle_errors
def docs(ctx: click.Context, out: str) -> None:
    """Write a readable HTML page documenting the ontology and code lists.

    Example: transferkg docs --out build/ontology.html
    """
    from transferkg.core.resources import find_layout
    from transferkg.render.docs import write_docs

    if out == "build/ontology.html":
        from pathlib import Path

        _make_default_folder(Path(out).parent)
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


def _output(text: str, out: str | None) -> None:
    """Print ``text``, or write it to ``out`` atomically (a missing folder is an error, exit 2).

    Control characters from the data are shown as ``\\u001b`` either way (an escape JSON reads
    back as the same character), so no ANSI sequence reaches a terminal raw.
    """
    from transferkg.core.outputs import printable, write_atomic

    text = printable(text)
    if out:
        write_atomic(out, text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text)


def _make_default_folder(folder: Any) -> None:
    """Create a command's own default output folder (build/views/); a folder the user names must exist."""
    from transferkg.core.errors import OutputError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {folder}: {exc.strerror or exc}") from exc


def _max_width(max_width: int | None, out: str | None) -> int | None:
    """The table width: as given, else the terminal's when printing to one."""
    if max_width:
        return max_width
    if out or not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "md"]),
                       default="table", show_default=True, help="Output format.")
_OUT = click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=str),
                    default=None, help="Write to this file instead of the terminal (all at once: a failed "
                                       "write keeps the previous file; the folder must exist).")
_MAX_WIDTH = click.option("--max-width", type=click.IntRange(40), default=None, metavar="N",
                          help="Table format: fit the table in N columns (default: the terminal's width).")


@main.command()
@click.option("--markdown", is_flag=True,
              help="Print the catalogue as a Markdown table (the README's query catalogue).")
@click.pass_context
@_handle_errors
def queries(ctx: click.Context, markdown: bool) -> None:
    """List the named queries: name, summary and parameters.

    Example: transferkg queries --markdown
    """
    from transferkg.core.resources import find_layout
    from transferkg.query.library import QueryLibrary

    library = QueryLibrary(find_layout(ctx.obj["root"]).queries_dir)
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
    _output(format_result(kg.run_result(name, values), fmt, max_width=_max_width(max_width, out)), out)


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
    result = kg.run_result("status_on_date", {"day": day, "operative": "true"})
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
    result = kg.run_result("totals", params)
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


_BUILD_DIR = click.option("--build", "build_dir", default=None, metavar="DIR",
                          type=click.Path(file_okay=False, path_type=str),
                          help="Use DIR/transferkg.ttl written by `transferkg build` "
                               "(default: load and derive the graph in memory).")


def _built_graph(ctx: click.Context, build_dir: str | None, *, validate: bool) -> Any:
    """The built graph: a build folder's Turtle, or loaded (and validated) in memory."""
    from pathlib import Path

    if build_dir:
        from rdflib import Graph

        from transferkg.app.build import TURTLE_NAME
        from transferkg.curation.loader import parse_turtle

        return parse_turtle(Path(build_dir) / TURTLE_NAME, Graph())
    from transferkg.core.errors import DataNotConforming

    kg = _open(ctx)  # with the global backend options, as every other command
    try:
        if validate:
            report = kg.validate()
            if not report.conforms:
                raise DataNotConforming(report)
        return kg.graph
    finally:
        close = getattr(kg.store, "close", None)
        if callable(close):
            close()


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The SPARQL endpoint: an Oxigraph-style base URL (/query, /update, /store).")
@click.option("--graph", "graph", default=None, metavar="IRI",
              help="Replace this named graph (default: the default graph); queries then need "
                   "TRANSFERKG_ENDPOINT_GRAPH or the config file to find it.")
@_BUILD_DIR
@click.pass_context
@_handle_errors
def push(ctx: click.Context, endpoint: str, graph: str | None, build_dir: str | None) -> None:
    """Replace the data of a SPARQL endpoint by the built graph, safely.

    Uploads into a staging graph (Graph Store Protocol PUT), checks its triple
    count, then swaps it in with one SPARQL Update (MOVE): a failed push leaves
    the previous data queryable, and pushing twice leaves one copy. Without
    --build the graph is loaded, derived and validated first, as by build.
    Credentials: TRANSFERKG_ENDPOINT_USER/_PASSWORD or _TOKEN.

    Example: transferkg push --endpoint http://127.0.0.1:7878 --build build/
    """
    from transferkg.store.remote import EndpointSettings
    from transferkg.store.remote import push as push_graph

    settings = EndpointSettings.resolve(endpoint, graph=graph)  # a bad URL or setting fails before the build
    data = _built_graph(ctx, build_dir, validate=True)
    click.echo(push_graph(data, settings).text())


@main.command()
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port on 127.0.0.1 (0: any free port).")
@click.option("--rw", is_flag=True, help="Read-write: accept SPARQL Update and Graph Store writes that carry "
              "the server's token (transferkg push finds it; web pages never can).")
@click.option("--store", "store_dir", default=None, metavar="DIR",
              type=click.Path(file_okay=False, path_type=str),
              help="Keep the Oxigraph database in DIR, reloaded from the graph at each start "
                   "(default: a temporary folder, deleted on exit).")
@_BUILD_DIR
@click.pass_context
@_handle_errors
def serve(ctx: click.Context, port: int, rw: bool, store_dir: str | None, build_dir: str | None) -> None:
    """Serve the graph with a local Oxigraph server and its browser query UI.

    Bound to 127.0.0.1 only, read-only unless --rw. With --rw, writes need a
    token (random, or $TRANSFERKG_ENDPOINT_TOKEN) kept in a file only you can
    read, and are refused from web pages. Stop it with Ctrl-C.
    Other commands reach it with --endpoint http://127.0.0.1:PORT.

    Example: transferkg serve --port 7878
    """
    import os
    import signal
    import tempfile
    from pathlib import Path

    from transferkg.app.server import OxigraphServer, load_store
    from transferkg.core.errors import EndpointError
    from transferkg.store.remote import EndpointSettings, RemoteStore

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    with tempfile.TemporaryDirectory(prefix="transferkg-serve-") as tmp:
        if build_dir:
            from transferkg.app.build import TURTLE_NAME

            source = Path(build_dir) / TURTLE_NAME
            if not source.is_file():
                from transferkg.core.errors import LoadError

                raise LoadError("file not found (run transferkg build first)", path=str(source))
        else:
            source = Path(tmp) / "transferkg.nt"
            _built_graph(ctx, None, validate=False).serialize(source, format="nt", encoding="utf-8")
        location = Path(store_dir) if store_dir else Path(tmp) / "db"
        load_store(location, [source])
        server = OxigraphServer(location, port=port, read_only=not rw,
                                token=(os.environ.get("TRANSFERKG_ENDPOINT_TOKEN") or None) if rw else None)
        stops = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
        previous = {sig: signal.signal(sig, interrupt) for sig in stops}
        try:
            server.start()
            count = RemoteStore(EndpointSettings(server.url)).triple_count()
            mode = "read-write" if rw else "read-only"
            click.echo(f"Serving {count} triples ({mode}) with Oxigraph, pid {server.pid}")
            click.echo(f"  query UI (browser): {server.ui_url}")
            click.echo(f"  SPARQL endpoint:    {server.query_url}")
            click.echo(f"  use it with:        transferkg query agreements --endpoint {server.url}")
            if server.token_file is not None:
                click.echo(f"  writes need the token in {server.token_file} (transferkg push finds it; other "
                           "clients send Authorization: Bearer <token>)")
            click.echo("Press Ctrl-C to stop.")
            code = server.wait()
            if code not in (0, -signal.SIGINT, -signal.SIGTERM):
                raise EndpointError(f"the Oxigraph server at {server.url} stopped unexpectedly (exit {code})")
        except KeyboardInterrupt:
            click.echo("Stopping the server.", err=True)
        finally:
            server.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


TIMELINE_SINCE = "2025"
"""The timeline's default window: without --since or --until it starts here."""

_VIEW_NAMES = ("deal-network", "bipartite", "nationality-flows", "provenance", "recognition", "timeline")
_GRAPH_VIEWS = _VIEW_NAMES[:-1]


def _view_filters(func: F) -> F:
    """The filter options shared by view, export and network."""
    options = [
        click.option("--sender", default=None, metavar="STATE", help="Only agreements (or transfers) of this "
                     "sending state: a name or ISO code, e.g. US."),
        click.option("--status", default=None, metavar="CODE",
                     help="Only agreements whose current status is CODE, e.g. in-force, blocked-by-court."),
        click.option("--kind", default=None, metavar="KIND",
                     help="Only agreements of this kind, e.g. third-country-deportation (all: every kind)."),
        click.option("--since", default=None, metavar="DATE",
                     help="Only agreements (transfers) dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--until", default=None, metavar="DATE",
                     help="Only agreements (transfers) dated on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_VIEW_FILTERS = {"deal-network": {"sender", "status", "kind", "since", "until"},
                 "bipartite": {"sender", "status", "kind", "since", "until"},
                 "nationality-flows": {"sender", "since", "until"},
                 "provenance": set(), "recognition": set(),
                 "timeline": {"sender", "status", "since", "until"}}
"""Which filters each view takes."""


def _check_view_options(name: str, filters: dict[str, str | None], subject: str | None = None) -> None:
    """Refuse, before any loading, filters that view NAME does not take."""
    from transferkg.core.errors import BadParameter

    allowed = _VIEW_FILTERS.get(name, {"sender", "status", "since", "until"})
    given = {k for k, v in filters.items() if v}
    if given - allowed:
        raise BadParameter(f"view {name!r} does not take --{', --'.join(sorted(given - allowed))}"
                           + (f"; it takes --{', --'.join(sorted(allowed))}" if allowed else ""))
    if subject and name != "provenance":
        raise BadParameter("--subject is for the provenance view")


def _view_graph(kg: Any, name: str, filters: dict[str, str | None], subject: str | None = None) -> Any:
    """Build view NAME with the given filters; nothing matching is an error, never an empty picture."""
    from transferkg.core.errors import ChecksFailed
    from transferkg.views import graphs as views

    _check_view_options(name, filters, subject)
    kept: dict[str, Any] = {k: v for k, v in filters.items() if v}
    if name == "deal-network":
        graph = views.deal_network(kg, **kept)
    elif name == "bipartite":
        graph = views.state_agreement_bipartite(kg, **kept)
    elif name == "nationality-flows":
        graph = views.nationality_flows(kg, **kept)
    elif name == "provenance":
        graph = views.provenance(kg, subject=subject)
    else:
        graph = views.recognition(kg)
    if graph.number_of_nodes() == 0:
        given = ", ".join(f"--{k} {v}" for k, v in kept.items()) or "no filter"
        raise ChecksFailed(f"nothing to draw: no {name} matches {given}; nothing was written")
    return graph


@main.command()
@click.argument("name", required=False, type=click.Choice(_VIEW_NAMES))
@click.option("--query", "query_name", default=None, metavar="QUERY",
              help="Draw a library query (or a .rq file) whose rows have ?item/?itemLabel and "
                   "?target/?targetLabel columns (optional ?edgeLabel, ?rgb), instead of a view.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the --query (repeatable).")
@click.option("--out", "-o", "out", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Output file: .html (interactive), .png or .svg (default: build/views/NAME.html; "
                   "build/views/timeline.png, folder created). A folder you name must exist; a failed "
                   "write keeps the previous file.")
@_view_filters
@click.option("--subject", default=None, metavar="ID",
              help="Provenance view: only claims about this subject, e.g. agreement-US-XK-2025-06.")
@click.option("--max-nodes", default=1500, show_default=True, type=click.IntRange(1),
              help="HTML size guard: beyond this, merge parallel edges and keep the best-connected nodes.")
@_ENDPOINT
@click.pass_context
@_handle_errors
def view(ctx: click.Context, name: str | None, query_name: str | None, params: tuple[str, ...], out: str | None,
         sender: str | None, status: str | None, kind: str | None, since: str | None, until: str | None,
         subject: str | None, max_nodes: int, endpoint: str | None) -> None:
    """Draw a view as a self-contained HTML page (no network needed) or a PNG/SVG figure.

    NAME is deal-network, bipartite, nationality-flows, provenance, recognition or
    timeline (PNG/SVG only; from 2025 unless --since or --until say otherwise). The
    HTML page has a legend, tooltips with source links, and filters for sending
    state, status and dates.

    Example: transferkg view deal-network --sender US --out deals.html
    """
    from pathlib import Path

    from transferkg.core.errors import BadParameter

    if bool(name) == bool(query_name):
        raise BadParameter("give a view NAME or --query QUERY (one of them)")
    default = Path("build") / "views" / (f"{name}.png" if name == "timeline" else f"{name or 'query'}.html")
    target = Path(out) if out else default
    if not out:
        _make_default_folder(default.parent)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", ".png", ".svg"):
        raise BadParameter(f"--out must end in .html, .png or .svg, not {target.name!r}")
    filters = {"sender": sender, "status": status, "kind": kind, "since": since, "until": until}
    if name == "timeline" and suffix not in (".png", ".svg"):
        raise BadParameter("the timeline is a figure: --out must end in .png or .svg")
    if name:
        _check_view_options(name, filters, subject)
    elif any(filters.values()) or subject:
        raise BadParameter("filters are for the named views; put conditions for --query in the query")
    kg = _open(ctx, endpoint)
    from transferkg.render import figures as viz

    if name == "timeline":
        if not since and not until:  # the current wave is unreadable squeezed beside 2001
            since = TIMELINE_SINCE
            click.echo(f"Timeline since {since}, the current wave of agreements (--since 2001 draws the whole history)",
                       err=True)
        viz.plot_timeline(kg, target, sender=sender, status=status, since=since, until=until)
        click.echo(f"Wrote {target}")
        return
    if query_name:
        from transferkg.query.library import parse_query_file
        from transferkg.views.graphs import graph_from_result

        values = _parse_params(params)
        path = Path(query_name)
        query = parse_query_file(path) if query_name.endswith(".rq") and path.is_file() else kg.queries.get(query_name)
        query.check_no_service()  # names the file; a view never reaches out to another endpoint
        from transferkg.core.namespaces import sparql_prefixes

        result = kg.store.select(sparql_prefixes() + query.text, query.bind(values))
        graph = graph_from_result(result, name=query.name)
        if query.summary:
            graph.graph["description"] = query.summary
    else:
        assert name is not None
        graph = _view_graph(kg, name, filters, subject)
        if name == "provenance" and not subject and suffix in (".png", ".svg") and len(graph) > 150:
            subject = _most_documented(graph)  # thousands of claims make a grey smear, not a figure
            click.echo(f"Provenance of {subject}, the most documented subject (--subject ID for another; "
                       f"the HTML page shows every subject)", err=True)
            graph = _view_graph(kg, name, filters, subject)
    if suffix in (".png", ".svg"):
        viz.plot_network(graph, target)
    else:
        viz.write_html(graph, target, max_nodes=max_nodes)
    click.echo(f"Wrote {target} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


def _kind_label(kg: Any, code: str) -> str:
    """The code list's label of an arrangement kind ("third-country deportation"), else the code."""
    from transferkg.core.namespaces import TCTV

    rows = kg.store.select("SELECT ?l WHERE { ?k <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
                           {"k": TCTV[code]}).rows
    return str(rows[0][0]) if rows else code


def _most_documented(graph: Any) -> str:
    """The subject node of a provenance graph with the most claims about it."""
    subjects = [n for n, d in graph.nodes(data=True) if d.get("role") == "subject"]
    best = str(max(subjects, key=lambda n: (graph.degree(n), str(n))))
    return best.removeprefix("id:")


@main.command()
@click.option("--format", "fmt", required=True,
              type=click.Choice(["graphml", "gexf", "json", "csv", "ttl", "nt", "jsonld", "trig", "nq"]),
              help="graphml/gexf/json (node-link)/csv (edge list) of a view; ttl/nt/jsonld of the graph; "
                   "trig/nq with one named graph per source.")
@click.option("--view", "view_name", default=None, type=click.Choice(_GRAPH_VIEWS),
              help="The view to export (graph formats; default deal-network).")
@_view_filters
@_OUT
@_ENDPOINT
@click.pass_context
@_handle_errors
def export(ctx: click.Context, fmt: str, view_name: str | None, sender: str | None, status: str | None,
           kind: str | None, since: str | None, until: str | None, out: str | None, endpoint: str | None) -> None:
    """Export a view for Gephi, Cytoscape or a spreadsheet, or the graph as RDF.

    Example: transferkg export --format graphml --view deal-network -o deals.graphml
    """
    from transferkg.core.errors import BadParameter
    from transferkg.render.export import GRAPH_FORMATS, export_graph, export_rdf

    filters = {"sender": sender, "status": status, "kind": kind, "since": since, "until": until}
    if fmt in GRAPH_FORMATS:
        _check_view_options(view_name or "deal-network", filters)
    elif view_name or any(filters.values()):
        raise BadParameter(f"--format {fmt} exports the whole graph as RDF; --view and filters are for "
                           "graphml, gexf, json and csv")
    kg = _open(ctx, endpoint)
    if fmt in GRAPH_FORMATS:
        text = export_graph(_view_graph(kg, view_name or "deal-network", filters), fmt, out)
    else:
        text = export_rdf(kg, fmt, out)
    if text is not None:
        from transferkg.core.outputs import printable

        click.echo(printable(text), nl=False)  # an escape Turtle, N-Triples and JSON read back as the same text
    else:
        click.echo(f"Wrote {out}", err=True)


@main.command()
@click.option("--metrics", is_flag=True, help="A table per state: agreements and people received and sent, "
                                              "hosts, senders, betweenness, community.")
@click.option("--view", "view_name", default="deal-network", show_default=True,
              type=click.Choice(_GRAPH_VIEWS), help="The view to measure.")
@_view_filters
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format of --metrics.")
@_OUT
@_ENDPOINT
@click.pass_context
@_handle_errors
def network(ctx: click.Context, metrics: bool, view_name: str, sender: str | None, status: str | None,
            kind: str | None, since: str | None, until: str | None, fmt: str, out: str | None,
            endpoint: str | None) -> None:
    """Summarise the deal network (or another view); --metrics prints a table per node.

    Example: transferkg network --metrics
    """
    import networkx as nx

    from transferkg.views.graphs import network_metrics

    if kind is None and view_name in ("deal-network", "bipartite"):
        kind = "third-country-deportation"  # the headline counts one kind of transfer, and says so
    filters = {"sender": sender, "status": status, "kind": kind, "since": since, "until": until}
    _check_view_options(view_name, filters)
    kg = _open(ctx, endpoint)
    graph = _view_graph(kg, view_name, filters)
    table = network_metrics(graph)
    scope = (f"kind: {_kind_label(kg, kind)}" if kind and kind != "all" else "every kind of arrangement") + \
        "; people = the larger of the latest reported total and the recorded transfers, per agreement"
    if metrics:
        if fmt == "csv":
            from transferkg.core.outputs import csv_frame

            text = csv_frame(table)  # labels cannot run as spreadsheet formulas
        elif fmt == "json":
            text = table.to_json(orient="records", indent=1, force_ascii=False)
        else:
            text = f"{view_name} ({scope})\n" + table.to_string(index=False)
        _output(text, out)
        return
    components = nx.number_weakly_connected_components(graph) if graph.is_directed() else \
        nx.number_connected_components(graph)
    hosts = table[table["agreements_received"] > 0].head(5)
    senders = table.sort_values(["hosts", "label"], ascending=[False, True], kind="mergesort")
    senders = senders[senders["hosts"] > 0].head(5)
    lines = [f"{view_name} ({scope}): {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
             f"{components} connected component(s), {table['community'].nunique() if len(table) else 0} "
             "communities",
             "hosts (edges in, people received): " + ", ".join(
                 f"{r.label} ({r.agreements_received}, {r.people_received})" for r in hosts.itertuples()),
             "senders (distinct hosts): " + ", ".join(f"{r.label} ({r.hosts})" for r in senders.itertuples()),
             "(transferkg network --metrics for the full table)"]
    _output("\n".join(lines), out)



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
        derived = kg.store.rederive() if store and derive else None  # type: ignore[attr-defined]
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
