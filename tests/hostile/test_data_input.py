"""Hostile data input: curated YAML, Turtle and ``--store`` folders (issue 20, point 9).

Whatever a curator or a user hands the project, the CLI answers with one line
``error: FILE:LINE: message`` (or ``error: FOLDER: message``), exit 2, never a
traceback, and loses nothing: a failed build leaves the previous build folder as it
was, and a store folder that is refused is left byte for byte as it was.

The curated YAML is read by one loader (``transferkg.curation.yaml_reader.compose``) that refuses
what PyYAML lets through silently or crashes on: a key given twice (the second value
would replace the first), a raw control character, nesting deeper than a curated file
needs, a list used as a key. Every quantity becomes a number in one function
(``transferkg.curation.numbers.parse_number``), which refuses NaN and infinities, exponent
notation (``1e3``, which YAML reads as text), and numbers no count or sum needs.

Turtle is read by one function (``transferkg.curation.loader.parse_turtle``), which names the
file, and the line where it can, for a syntax error, nesting too deep for the parser
and a number too long for Python to read.

Already held and tested elsewhere, not repeated here: a malformed Turtle file, an
unbound prefix, a file that is not UTF-8, an empty ``graph/`` and a missing ontology
through the Python API (tests/curation/test_load.py); YAML syntax errors and the compiler's
own checks (tests/curation/test_compile.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import DATA, make_tree
from tests.helpers import invoke as cli_invoke
from transferkg.curation.compile import parse_number

MINI = "graph/mini.yaml"


def invoke(*args: str | Path) -> tuple[int, str]:
    """The CLI in-process (tests/helpers.py), as exit code and output."""
    result = cli_invoke(*args)
    return result.exit_code, result.output


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (relative name → hash of its bytes), to show nothing changed."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def line_of(text: str, needle: str, start: int = 0) -> int:
    """The 1-based line of the first ``needle`` in ``text`` after character ``start``."""
    return text[: text.index(needle, start)].count("\n") + 1


def edit(tree: Path, change: Callable[[str], str]) -> str:
    """Rewrite the tree's curated file with ``change``; the new text."""
    path = tree / MINI
    text = change(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    return text


# --------------------------------------------------------------------------- hostile YAML

def _dup_quote(text: str) -> tuple[str, str]:
    text = text.replace('quote: "50"\n', 'quote: "50"\n        quote: "fifty"\n', 1)
    first = line_of(text, 'quote: "50"')
    return text, f"{MINI}:{first + 1}: duplicate key 'quote' (first at line {first}): " \
                 "the second value would silently replace the first"


def _dup_flow(text: str) -> tuple[str, str]:
    text = text.replace("{p: sendingState, state: US,", "{p: sendingState, state: US, state: MX,", 1)
    line = line_of(text, "state: MX")
    return text, f"{MINI}:{line}: duplicate key 'state' (first at line {line}): " \
                 "the second value would silently replace the first"


def _dup_top(text: str) -> tuple[str, str]:
    text += "sources:\n  src-other:\n    kind: report\n    title: Other\n"
    second = line_of(text, "sources:", text.index("sources:") + 1)
    return text, f"{MINI}:{second}: duplicate key 'sources' (first at line {line_of(text, 'sources:')}): " \
                 "the second value would silently replace the first"


def _quantity(value: str) -> Callable[[str], tuple[str, str]]:
    def change(text: str) -> tuple[str, str]:
        text = text.replace("quantity: 50\n", f"quantity: {value}\n", 1)
        return text, f"{MINI}:{line_of(text, 'quantity: ' + value[:5])}: "
    return change


def _control(char: str) -> Callable[[str], tuple[str, str]]:
    def change(text: str) -> tuple[str, str]:
        text = text.replace('quote: "sender"', f'quote: "sen{char}der"', 1)
        return text, f"{MINI}:{line_of(text, char)}: character U+{ord(char):04X} is not allowed in YAML " \
                     "(a control character): remove it, or write it as an escape in a double-quoted string"
    return change


def _deep_flow(text: str) -> tuple[str, str]:
    text += "not-people: " + "[" * 5000 + "]" * 5000 + "\n"
    return text, f"{MINI}:{line_of(text, 'not-people')}: nested more than 32 levels deep " \
                 "(a curated file needs about six)"


def _deep_block(text: str) -> tuple[str, str]:
    text += "not-people:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(1, 3000))
    # each line nests a list and a mapping: the 33rd level is the mapping of k16
    return text, f"{MINI}:{line_of(text, 'k16:')}: nested more than 32 levels deep (a curated file needs about six)"


def _complex_key(text: str) -> tuple[str, str]:
    text += "? [sources, entities]\n: x\n"
    return text, f"{MINI}:{line_of(text, '? [')}: a key must be plain text, not a list or a mapping"


def _long_row(text: str) -> tuple[str, str]:
    text = text.replace('quote: "50"\n', 'quote: "50"\n        row: ' + "1" * 5000 + "\n", 1)
    return text, f"{MINI}:{line_of(text, 'row: 1')}: row must be a row number, not " \
                 f"'{'1' * 40}'… (5,000 characters)"


def _other_digits(text: str) -> tuple[str, str]:
    text = text.replace('date: "2025-06"', 'date: "٢٠٢٥-٠٦"', 1)  # Arabic-Indic digits
    return text, f"{MINI}:{line_of(text, 'date: ')}: not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: '٢٠٢٥-٠٦'"


def _finite(value: str) -> Callable[[str], tuple[str, str]]:
    def change(text: str) -> tuple[str, str]:
        text, where = _quantity(value)(text)
        return text, where + f"quantity must be a finite number, not {value!r}"
    return change


def _exponent(text: str) -> tuple[str, str]:
    text, where = _quantity("1e3")(text)
    return text, where + "quantity '1e3' is in exponent notation, which YAML reads as text: " \
                         "write the number in plain digits (1000)"


def _huge(text: str) -> tuple[str, str]:
    text, where = _quantity("9" * 4300)(text)
    return text, where + "quantity is a number of 4,300 digits, not a count of people or a sum of money " \
                         "(at most 18 digits)"


def _huge_range(text: str) -> tuple[str, str]:
    text = text.replace("quantity: 50\n", "quantity: {min: 10, max: " + "7" * 4300 + "}\n", 1)
    return text, f"{MINI}:{line_of(text, 'quantity: {min')}: quantity max is a number of 4,300 digits, " \
                 "not a count of people or a sum of money (at most 18 digits)"


HOSTILE_YAML: dict[str, Callable[[str], tuple[str, str]]] = {
    "duplicate-quote": _dup_quote,
    "duplicate-in-flow-mapping": _dup_flow,
    "duplicate-top-level": _dup_top,
    "exponent-1e3": _exponent,
    "nan-yaml": _finite(".nan"),
    "nan-word": _finite("NaN"),
    "inf": _finite(".inf"),
    "minus-inf": _finite("-.inf"),
    "infinity-word": _finite("Infinity"),
    "4300-digit-count": _huge,
    "4300-digit-range": _huge_range,
    "5000-digit-row": _long_row,
    "control-bell": _control("\x07"),
    "control-escape": _control("\x1b"),
    "control-nul": _control("\x00"),
    "control-c1": _control("\x9b"),
    "deep-flow-nesting": _deep_flow,
    "deep-block-nesting": _deep_block,
    "list-as-key": _complex_key,
    "non-ascii-digits-date": _other_digits,
}


@pytest.mark.parametrize("case", HOSTILE_YAML.values(), ids=HOSTILE_YAML.keys())
def test_hostile_yaml_is_one_line_with_file_and_line(tree: Path, case: Callable[[str], tuple[str, str]]) -> None:
    expected: list[str] = []

    def change(text: str) -> str:
        new, message = case(text)
        expected.append(message)
        return new

    edit(tree, change)
    code, output = invoke("--root", tree, "compile")
    assert code == 2
    assert output.strip() == f"error: {expected[0]}"


def test_every_duplicate_key_of_a_file_is_listed_first_first(tree: Path) -> None:
    text = edit(tree, lambda t: _dup_top(_dup_quote(t)[0])[0])
    quote = line_of(text, 'quote: "fifty"')
    sources = line_of(text, "sources:", text.index("sources:") + 1)
    code, output = invoke("--root", tree, "compile")
    assert code == 2
    lines = output.strip().splitlines()
    assert [line.split(": duplicate key")[0] for line in lines] == [f"error: {MINI}:{quote}", f"{MINI}:{sources}"]


@pytest.mark.parametrize("value", ["1200", "2.5", "0", "007", "+3", "999999999999999999"])
def test_plain_numbers_still_compile(tree: Path, value: str) -> None:
    edit(tree, lambda t: t.replace("quantity: 50\n", f"quantity: {value}\n", 1)
         .replace('quote: "50"\n', f'quote: "{value}"\n', 1))
    code, output = invoke("--root", tree, "compile")
    assert code == 0, output


@pytest.mark.parametrize(("text", "number"), [("1200", 1200), ("2.5", Decimal("2.5")), (" 40 ", 40),
                                              ("-3", -3), (".5", Decimal("0.5")), ("5.", Decimal("5"))])
def test_parse_number_reads_plain_digits(text: str, number: int | Decimal) -> None:
    value = parse_number(text)
    assert value == number and type(value) is type(number)


@pytest.mark.parametrize(("text", "why"), [
    ("1e3", "exponent notation"), ("1.5E+2", "exponent notation"), ("nan", "finite"), ("-Infinity", "finite"),
    ("1_000", "not a number"), ("1,000", "not a number"), ("0x10", "not a number"), ("٥", "not a number"),
    ("", "not a number"), ("1" * 19, "19 digits"), ("0." + "1" * 7, "after the decimal point"),
    ("1e99999999", "not a number"),
])
def test_parse_number_refuses_what_a_curator_did_not_mean(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_number(text)


# --------------------------------------------------------------------------- every command, nothing lost


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small tree built once for the module (fifteen tests copy it instead of building it again)."""
    tree = make_tree(tmp_path_factory.mktemp("built") / "tree", "mini.yaml", DATA / "mini" / "mini.yaml")
    out = tree / "build"
    code, output = invoke("--root", tree, "build", "--out", out)
    assert code == 0, output
    return out


@pytest.fixture()
def built(tree: Path, first_build: Path) -> tuple[Path, dict[str, str]]:
    """A build of the tree in tree/build (a copy of the module's one build of the same files), and what it holds."""
    out = tree / "build"
    shutil.copytree(first_build, out)
    return out, snapshot(out)


@pytest.mark.parametrize("command", [["compile"], ["build", "--out", "{build}"], ["check"],
                                     ["query", "agreements"], ["--store", "{store}", "stats"]])
@pytest.mark.parametrize("case", ["duplicate-quote", "4300-digit-count", "control-bell"])
def test_every_command_gives_the_same_line_and_keeps_the_build(tree: Path, built: tuple[Path, dict[str, str]],
                                                               tmp_path: Path, command: list[str], case: str) -> None:
    out, before = built
    expected: list[str] = []

    def change(text: str) -> str:
        new, message = HOSTILE_YAML[case](text)
        expected.append(message)
        return new

    edit(tree, change)
    args = [a.format(build=out, store=tmp_path / "kg.oxigraph") for a in command]
    code, output = invoke("--root", tree, *args)
    assert code == 2
    assert output.strip() == f"error: {expected[0]}"
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".build")) == []


PREFIX = "@prefix ex: <http://example.org/> .\n"
HOSTILE_TURTLE = {
    "malformed": (PREFIX + 'ex:a ex:b ex:c .\nex:a ex:b "unterminated .\n',
                  "graph/extra.ttl:3: Turtle syntax error"),
    "deep-lists": (PREFIX + "ex:a ex:b " + "(" * 3000 + ")" * 3000 + " .\n",
                   "graph/extra.ttl: Turtle nested too deeply to read (lists or [ … ] within one another)"),
    "deep-blank-nodes": (PREFIX + "ex:a ex:b " + "[ ex:c " * 3000 + "]" * 3000 + " .\n",
                         "graph/extra.ttl: Turtle nested too deeply to read (lists or [ … ] within one another)"),
    "5000-digit-integer": (PREFIX + "\nex:a ex:b " + "9" * 5000 + " .\n",
                           "graph/extra.ttl:3: a number of 5,000 digits, more than any value needs "
                           "(Python reads at most 4,300)"),
}


@pytest.mark.parametrize(("text", "message"), HOSTILE_TURTLE.values(), ids=HOSTILE_TURTLE.keys())
def test_hostile_turtle_through_the_cli_keeps_the_build(tree: Path, built: tuple[Path, dict[str, str]],
                                                        text: str, message: str) -> None:
    out, before = built
    (tree / "graph" / "extra.ttl").write_text(text, encoding="utf-8")
    code, output = invoke("--root", tree, "build", "--out", out)
    assert code == 2
    assert output.startswith(f"error: {message}")
    assert "sys.set_int_max_str_digits" not in output and "recursion" not in output
    assert snapshot(out) == before


def test_a_query_file_that_is_not_utf8_names_file_and_line(tree: Path, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    data = b"SELECT ?s\nWHERE { ?s ?p \"caf\xe9\" }\n"
    path.write_bytes(data)
    code, output = invoke("--root", tree, "sparql", path)
    byte = data.index(b"\xe9")
    assert code == 2 and output.strip() == f"error: {path}:2: not UTF-8 text (byte {byte})"


# --------------------------------------------------------------------------- --store folders


def _store_args(tree: Path, store: Path) -> list[str | Path]:
    return ["--root", tree, "--store", store, "stats"]


@pytest.fixture()
def store(tree: Path, tmp_path: Path) -> Path:
    """A real store, made by the CLI as a user would."""
    path = tmp_path / "kg.oxigraph"
    code, output = invoke(*_store_args(tree, path))
    assert code == 0, output
    return path


def test_a_new_or_existing_store_opens(tree: Path, store: Path) -> None:
    # The control for the refusals below: a store the CLI made opens again.
    assert (store / "CURRENT").is_file()
    code, output = invoke(*_store_args(tree, store))
    assert code == 0 and "triples" in output


def test_an_empty_file_named_like_a_store_is_refused(tree: Path, tmp_path: Path) -> None:
    path = tmp_path / "kg.oxigraph"
    path.touch()
    code, output = invoke(*_store_args(tree, path))
    assert code == 2
    assert output.strip() == f"error: {path}: not an Oxigraph store: a file, not a folder"
    assert path.read_bytes() == b""


def test_a_folder_of_other_files_is_refused_and_untouched(tree: Path, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "a.bin").write_bytes(os.urandom(256))
    before = snapshot(folder)
    code, output = invoke(*_store_args(tree, folder))
    assert code == 2
    assert output.strip() == (f"error: {folder}: not an Oxigraph store: the folder holds other files "
                              "(a.bin, notes.txt); give a new or empty folder, or the folder of a store")
    assert snapshot(folder) == before  # RocksDB would have added its files next to them


@pytest.mark.parametrize("damage", ["current", "manifest", "missing-table", "empty-current"])
def test_a_corrupt_store_is_refused_and_untouched(tree: Path, store: Path, damage: str) -> None:
    if damage == "current":
        (store / "CURRENT").write_text("garbage\n", encoding="utf-8")
    elif damage == "manifest":  # a RocksDB folder this Oxigraph cannot read
        for path in store.glob("MANIFEST-*"):
            path.write_bytes(os.urandom(path.stat().st_size or 64))
    elif damage == "missing-table":
        for path in store.glob("*.sst"):
            path.unlink()
    else:
        (store / "CURRENT").write_text("", encoding="utf-8")
    before = snapshot(store)
    code, output = invoke(*_store_args(tree, store))
    assert code == 2
    assert output.startswith(f"error: {store}: not a readable Oxigraph store, left as it is (")
    assert len(output.strip().splitlines()) == 1
    assert snapshot(store) == before  # not even the log rotated


def test_a_store_of_an_incompatible_oxigraph_is_refused_and_untouched(tree: Path, store: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # A store written by a newer Oxigraph cannot be made here; this is the error Oxigraph raises for one,
    # from the read-only open that comes first.
    import pyoxigraph

    import transferkg.store.folder as module

    class Newer:
        Store = type("Store", (), {})

        @staticmethod
        def read_only(path: str) -> None:
            raise RuntimeError("The RocksDB database is using the too recent version 99. Upgrade to the latest "
                               "Oxigraph version to load this database")

    Newer.Store.read_only = Newer.read_only  # type: ignore[attr-defined]
    fake = type("ox", (), {"Store": Newer.Store, "DefaultGraph": pyoxigraph.DefaultGraph})
    monkeypatch.setattr(module, "ox", fake)
    before = snapshot(store)
    code, output = invoke(*_store_args(tree, store))
    assert code == 2
    assert output.strip() == (f"error: {store}: not a readable Oxigraph store, left as it is (The RocksDB "
                              "database is using the too recent version 99. Upgrade to the latest Oxigraph "
                              "version to load this database)")
    assert snapshot(store) == before


def test_a_store_in_use_is_a_clear_error(tree: Path, store: Path) -> None:
    import pyoxigraph

    holder = pyoxigraph.Store(str(store))
    try:
        code, output = invoke(*_store_args(tree, store))
    finally:
        del holder
    assert code == 2
    assert output.strip() == f"error: {store}: the store is in use by another process (a transferkg or " \
                             "oxigraph still running?)"


def _run_unprivileged(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user whom folder permissions bind (nobody, through setpriv, when the tests run as root)."""
    command = [sys.executable, "-m", "transferkg", *map(str, args)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")  # util-linux; Python's own setuid cannot exec this venv's interpreter
        if setpriv is None:
            pytest.skip("running as root without setpriv: every folder is writable")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("kind", ["empty", "store"])
def test_a_folder_that_is_not_writable_is_refused_and_untouched(tree: Path, kind: str) -> None:
    base = Path(tempfile.mkdtemp(prefix="transferkg-ro-"))  # pytest's own tmp folder is private to root
    try:
        base.chmod(0o755)
        shutil.copytree(tree, base / "tree")
        folder = base / "kg.oxigraph"
        if kind == "store":
            code, output = invoke(*_store_args(base / "tree", folder))
            assert code == 0, output
        else:
            folder.mkdir()
        for path in [base / "tree", *(base / "tree").rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        before = snapshot(folder)
        proc = _run_unprivileged(_store_args(base / "tree", folder), cwd=base)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert proc.stderr.strip() == f"error: {folder}: the store folder is not writable"
        assert "Traceback" not in proc.stdout + proc.stderr
        assert snapshot(folder) == before
    finally:
        for path in [base, *base.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)
