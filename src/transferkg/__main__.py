"""``python -m transferkg`` is the ``transferkg`` command."""

from transferkg.cli import main

main(prog_name="transferkg")
