"""``python -m transferkg.cli`` is the ``transferkg`` command too."""

import sys

from transferkg.cli import main

sys.exit(main(prog_name="transferkg"))
