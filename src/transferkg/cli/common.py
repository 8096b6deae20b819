"""What every command shares: the group, error handling, opening the graph, output options.

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


_READ_COMMANDS = frozenset({"query", "sparql", "check", "stats", "show", "view", "export", "network", "active",
                            "totals", "validate", "completeness"})
"""Commands that only read the graph: without --store or --backend memory they open the build store."""


def _open(ctx: click.Context, endpoint: str | None = None) -> Any:
    """The knowledge graph a command works on: the local build, or a remote endpoint.

    One place decides, so every command accepts the same ``--endpoint`` and backend options.
    """
    graph = ctx.meta.get(_GRAPH_KEY)
    if endpoint is not None:  # --endpoint "" is a bad URL, not "no endpoint"
        from transferkg.app.connect import connect

        return _not_empty(ctx, connect(endpoint, root=ctx.obj["root"], graph=graph))
    if graph is not None:
        from transferkg.core.errors import BadParameter

        raise BadParameter("--graph IRI names a graph of a SPARQL endpoint: give --endpoint URL too")
    from transferkg.app.kg import load

    reuse = ctx.command.name in _READ_COMMANDS  # the build store (build/store/), rebuilt if an input changed
    kg = load(ctx.obj["root"], backend=ctx.obj.get("backend"), store=ctx.obj.get("store"), reuse_build=reuse,
              notify=lambda line: click.echo(line, err=True))
    close = getattr(kg.store, "close", None)
    if ctx.obj.get("store") and close is not None:  # a --store folder is unlocked when the command ends
        ctx.call_on_close(close)
    return kg


def _not_empty(ctx: click.Context, kg: Any) -> Any:
    """``kg`` over an endpoint, set to warn (or, for ``check``, to fail) if the graph it reads is empty.

    An empty graph usually means the data was pushed to a named graph and the
    command reads the default graph (or another graph): every query would answer
    0 rows and every check "ok". The count is asked just before the command's
    first request, so a command that fails before sending anything sends nothing.
    """
    store = kg.store
    command = ctx.command.name

    def check_count() -> None:
        from transferkg.core.errors import EndpointError, QuerySyntaxError
        from transferkg.store.remote.http import Unanswered

        try:
            count = store.triple_count()
        except Unanswered:
            raise  # the command's own request would wait as long again
        except (EndpointError, QuerySyntaxError):
            return  # no count to be had; the command's requests say what is wrong
        if count:
            return
        settings = store.settings
        if settings.graph:
            where = f"graph <{settings.graph}>"
            hint = "did you push to another graph? use --graph IRI (or none for the default graph)"
        else:
            where = "the default graph"
            hint = "did you push to a named graph? use --graph IRI"
        message = f"0 triples in {where} of {settings.url} — {hint}"
        if command == "check":
            raise EndpointError(f"{message}; check does not report success over an empty graph")
        click.echo(f"warning: {message}", err=True)

    store.before_first_request = check_count
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


_GRAPH_KEY = "transferkg.endpoint_graph"
"""Where ``--graph IRI`` is kept (``ctx.meta``) for :func:`_open`."""


def _remember_graph(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        ctx.meta[_GRAPH_KEY] = value
    return value


_ENDPOINT_URL = click.option("--endpoint", default=None, metavar="URL",
                             help="Query a SPARQL endpoint instead of loading the local graph.")
_ENDPOINT_GRAPH = click.option("--graph", "endpoint_graph", default=None, metavar="IRI", expose_value=False,
                               callback=_remember_graph,
                               help="With --endpoint: the named graph to read (default: "
                                    "TRANSFERKG_ENDPOINT_GRAPH, the config file, else the default graph).")


def _endpoint_options(func: F) -> F:
    """``--endpoint URL`` and ``--graph IRI``, for every command that reads the graph."""
    return _ENDPOINT_URL(_ENDPOINT_GRAPH(func))


_ENDPOINT = _endpoint_options


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


def _kind_label(kg: Any, code: str) -> str:
    """The code list's label of an arrangement kind ("third-country deportation"), else the code."""
    return str(kg.code_label(code))


