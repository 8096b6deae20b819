"""Commands that share the graph: serve it locally, push it to an endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from transferkg.cli.common import _handle_errors, _open, main

_BUILD_DIR = click.option("--build", "build_dir", default=None, metavar="DIR",
                          type=click.Path(file_okay=False, path_type=str),
                          help="Use DIR/transferkg.ttl written by `transferkg build` "
                               "(default: load and derive the graph in memory).")


def _built_graph(ctx: click.Context, build_dir: str | None, *, validate: bool) -> Any:
    """The built graph: a build folder's Turtle, or loaded (and validated) in memory."""
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
              help="Replace this named graph (default: the default graph); read it with "
                   "--graph IRI on query, check, stats… (or TRANSFERKG_ENDPOINT_GRAPH, the config file).")
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

    from transferkg.app.server import OxigraphServer, load_store
    from transferkg.core.errors import EndpointError

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    with tempfile.TemporaryDirectory(prefix="transferkg-serve-") as tmp:
        source = _served_file(ctx, build_dir, Path(tmp))
        location = Path(store_dir) if store_dir else Path(tmp) / "db"
        load_store(location, [source])
        server = OxigraphServer(location, port=port, read_only=not rw,
                                token=(os.environ.get("TRANSFERKG_ENDPOINT_TOKEN") or None) if rw else None)
        # SIGINT too: a process started in the background of a script inherits SIGINT *ignored*, and
        # Python then never turns Ctrl-C (or kill -INT) into KeyboardInterrupt; serve must stop anyway.
        stops = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
        pending: list[int] = []  # a signal during start-up waits until the server is announced, then stops it
        previous = {sig: signal.signal(sig, lambda signum, _frame: pending.append(signum)) for sig in stops}
        try:
            server.start()
            _announce(server, rw)
            for sig in stops:
                signal.signal(sig, interrupt)
            if pending:
                raise KeyboardInterrupt
            code = server.wait()
            if code not in (0, -signal.SIGINT, -signal.SIGTERM):
                raise EndpointError(f"the Oxigraph server at {server.url} stopped unexpectedly (exit {code})")
        except KeyboardInterrupt:
            click.echo("Stopping the server.", err=True)
        finally:
            server.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _served_file(ctx: click.Context, build_dir: str | None, tmp: Path) -> Path:
    """The RDF file ``serve`` loads: a build's Turtle, else the graph built now, written into ``tmp``."""
    if build_dir:
        from transferkg.app.build import TURTLE_NAME

        source = Path(build_dir) / TURTLE_NAME
        if not source.is_file():
            from transferkg.core.errors import LoadError

            raise LoadError("file not found (run transferkg build first)", path=str(source))
        return source
    source = tmp / "transferkg.nt"
    _built_graph(ctx, None, validate=False).serialize(source, format="nt", encoding="utf-8")
    return source


def _announce(server: Any, rw: bool) -> None:
    """Tell the user what is served, where, and how to use it."""
    from transferkg.store.remote import EndpointSettings, RemoteStore

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
