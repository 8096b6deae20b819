"""One exception tree for everything transferkg raises on purpose.

Callers catch :class:`TransferKGError`; the CLI maps :class:`DataNotConforming`
and :class:`ChecksFailed` to exit code 1 and every other error to exit code 2.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BadParameter",
    "BuildError",
    "ChecksFailed",
    "DataNotConforming",
    "EndpointError",
    "LoadError",
    "OutputError",
    "QueryFailed",
    "QuerySyntaxError",
    "TransferKGError",
    "UnknownQuery",
]


class TransferKGError(Exception):
    """Base class of every error transferkg raises on purpose."""

    exit_code = 2


class LoadError(TransferKGError):
    """A data, ontology or shapes file could not be read or compiled."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 text: str | None = None) -> None:
        self.path = path
        self.line = line
        self.text = text
        where = path or ""
        if path and line:
            where = f"{path}:{line}"
        full = f"{where}: {message}" if where else message
        if text:
            full += f"\n    {text.strip()[:200]}"
        super().__init__(full)
        self.message = message


class DataNotConforming(TransferKGError):
    """The data violates the SHACL shapes; ``report`` holds the results."""

    exit_code = 1

    def __init__(self, report: Any) -> None:
        self.report = report
        super().__init__(f"data does not conform: {report.violation_count} violation(s)")


class ChecksFailed(TransferKGError):
    """One or more data-quality checks returned rows."""

    exit_code = 1


class BuildError(TransferKGError):
    """The build could not write its outputs; the previous build is untouched."""


class OutputError(TransferKGError):
    """An output file could not be written (missing folder, no permission, disk full); nothing was replaced."""


class UnknownQuery(TransferKGError):
    """No query of that name is in the query library."""


class BadParameter(TransferKGError):
    """A query parameter is unknown, missing, mistyped or not a valid IRI/date."""


class QuerySyntaxError(TransferKGError):
    """A SPARQL query does not parse; the message gives line and column."""


class QueryFailed(TransferKGError):
    """A query parsed but the engine could not evaluate it (e.g. a SERVICE endpoint it calls failed)."""


class EndpointError(TransferKGError):
    """A SPARQL endpoint refused, failed or did not answer; the message names it."""
