"""Reading curated YAML strictly, and reporting every problem of a run with its ``file:line``.

PyYAML lets through what a curated file must not hold (a key given twice, whose second
value silently replaces the first) and crashes on some input (deep nesting). This
reader refuses both with the line, and :class:`Errors` collects every problem of a
compile run so a curator fixes them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from transferkg.core.errors import LoadError
from transferkg.core.files import read_utf8

__all__ = ["MAX_DEPTH", "Errors", "Where", "compose", "items", "line_of", "scalar", "short", "yaml_files"]

MAX_DEPTH = 32
"""How deeply a curated file may nest mappings and lists (a deal file needs six levels)."""


@dataclass
class Where:
    """A place in a curated file, for messages."""

    path: str
    line: int


class Errors:
    """Every problem of one run, raised together as one :class:`LoadError` (first problem first)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int, str]] = []

    def add(self, where: Where, message: str) -> None:
        self.items.append((where.path, where.line, message))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        self.items.sort()
        first = self.items[0]
        lines = [f"{p}:{ln}: {m}" for p, ln, m in self.items[:50]]
        more = len(self.items) - 50
        if more > 0:
            lines.append(f"… and {more} more")
        err = LoadError("\n".join(lines[1:]) if len(lines) > 1 else "", path=first[0],
                        line=first[1])
        # Put every error in the message, the first one first.
        err.args = ("\n".join(lines),)
        err.message = first[2]
        err.errors = self.items  # type: ignore[attr-defined]
        raise err


def yaml_files(graph_dir: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file below ``graph_dir``, in a stable order."""
    files = [p for p in graph_dir.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(graph_dir).as_posix())


def short(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters (a value may be megabytes long)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} characters)"


def line_of(node: yaml.Node) -> int:
    """The (1-based) line a node starts on."""
    return int(node.start_mark.line) + 1


def scalar(node: yaml.Node) -> str | None:
    """The text of a scalar node; None for a list or a mapping."""
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return None


def items(node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node, int]]:
    """``(key, value node, line of the key)`` of each entry of a mapping."""
    for k, v in node.value:
        yield str(k.value), v, line_of(k)


class _Refused(yaml.composer.ComposerError):
    """Well-formed YAML that a curated file must not hold (the message needs no "syntax error")."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe composer, refusing what it would otherwise let through silently or crash on.

    A second value for the same key replaces the first without a word in PyYAML; here
    every duplicate is recorded (and reported with both lines). A key that is a list or a
    mapping is refused, and so is nesting deeper than :data:`MAX_DEPTH`, which would
    otherwise end in a ``RecursionError`` (PyYAML composes nodes recursively).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self.duplicates: list[tuple[int, str, int]] = []
        """(line of the repeated key, the key, line where it first appeared)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    None, None, f"nested more than {MAX_DEPTH} levels deep (a curated file needs about six)",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node: yaml.MappingNode = super().compose_mapping_node(anchor)
        first: dict[str, int] = {}
        for key, _value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise _Refused(None, None, "a key must be plain text, not a list or a mapping", key.start_mark)
            line = key.start_mark.line + 1
            if str(key.value) in first:
                self.duplicates.append((line, str(key.value), first[str(key.value)]))
            else:
                first[str(key.value)] = line
        return node


def compose(path: Path, display: str) -> yaml.Node | None:
    """The YAML node tree of one curated file.

    Raises:
        LoadError: ``file:line`` of a syntax error, a control character, a duplicate key
            (every one, with the line of the first), a list used as a key, or nesting
            deeper than :data:`MAX_DEPTH`.
    """
    text = read_utf8(path, display)
    fast = _fast_compose(text)
    if fast is not _SLOW:
        return fast
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # checks every character first
        root = loader.get_single_node()
    except yaml.reader.ReaderError as exc:  # a raw control character; carries no line, only a position
        line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise LoadError(f"character U+{code:04X} is not allowed in YAML (a control character): "
                        "remove it, or write it as an escape in a double-quoted string",
                        path=display, line=line) from exc
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, display) from exc
    except yaml.YAMLError as exc:
        raise LoadError(f"YAML error: {exc}", path=display) from exc
    except RecursionError as exc:
        raise LoadError("YAML nested too deeply to read", path=display) from exc
    finally:
        if loader is not None:
            loader.dispose()
    if loader.duplicates:
        errors = Errors()
        for line, key, first in loader.duplicates:
            errors.add(Where(display, line), f"duplicate key {short(key)} (first at line {first}): "
                                             "the second value would silently replace the first")
        errors.raise_if_any()
    return root


_SLOW = yaml.Node("", "", None, None)
"""What :func:`_fast_compose` returns when only the checking composer can say what is wrong."""


def _fast_compose(text: str) -> yaml.Node | None:
    """``text``'s node tree through libyaml (ten times faster), or :data:`_SLOW` for anything suspect.

    The C composer does not check what :class:`_Loader` refuses, so the tree is walked
    here (without recursion: libyaml itself stops at 1,000 levels); a file with any
    problem is read again by :class:`_Loader`, whose messages are the ones users see.
    """
    cloader = getattr(yaml, "CSafeLoader", None)
    if cloader is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return _SLOW
    try:
        root = yaml.compose(text, Loader=cloader)
    except (yaml.YAMLError, RecursionError):
        return _SLOW
    stack: list[tuple[yaml.Node, int]] = [(root, 1)] if root is not None else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return _SLOW
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or str(key.value) in keys:
                    return _SLOW
                keys.add(str(key.value))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return root


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, display: str) -> LoadError:
    """A PyYAML error with a position as a :class:`LoadError` with the line and its text."""
    mark = exc.problem_mark or exc.context_mark
    yaml_line = mark.line + 1 if mark else None
    if isinstance(exc, _Refused):  # one line: the offending line may be thousands of brackets
        return LoadError(str(exc.problem), path=display, line=yaml_line)
    lines = text.splitlines()
    snippet = lines[mark.line] if mark and mark.line < len(lines) else None
    return LoadError(f"YAML syntax error: {exc.problem or exc.context}", path=display,
                     line=yaml_line, text=snippet)
