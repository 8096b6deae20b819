"""The ``site`` command: the publishable tracker site, one static folder."""

from __future__ import annotations

import click

from transferkg.cli.common import _ENDPOINT, _handle_errors, _open, main


@main.command()
@click.option("--out", "out", default=None, metavar="FOLDER",
              help="The site's folder (default build/site/); replaced as a whole only when every page is written.")
@click.option("--since", "since", default=None, metavar="REV",
              help="Show the latest changes since REV (a git revision or a build folder) on the home page.")
@_ENDPOINT
@click.pass_context
@_handle_errors
def site(ctx: click.Context, out: str | None, since: str | None, endpoint: str | None) -> None:
    """Write the tracker website: a page per agreement, state and source, figures and search.

    The folder opens from disk (no server, nothing loaded from the network) and can be
    copied to any static host. Its parent folder must exist, except for the default.

    Example: transferkg site --out build/site/ --since v2025-12
    """
    from pathlib import Path

    from transferkg.app.site import build_site, check_site_target

    if out is None:  # only the command's own default folder is created
        target = Path("build") / "site"
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        target = Path(out.rstrip("/") or out)
    check_site_target(target)  # a bad folder fails before the graph loads
    kg = _open(ctx, endpoint)
    changes = None
    if since is not None:
        from transferkg.app.diff import diff, open_snapshot, snapshot_of

        changes = diff(open_snapshot(since, kg.layout.root), snapshot_of(kg))
    report = build_site(kg, target, changes=changes)
    click.echo(report.summary())
