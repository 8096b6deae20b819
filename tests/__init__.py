"""The test suite, laid out like the package: ``tests/<layer>/test_*.py`` tests ``transferkg.<layer>``.

``tests/hostile/`` is a corpus of hostile input across layers; the top-level modules test the
project as a whole (layering, benchmarks, notebooks, planted defects). Fixtures are defined
once, in ``conftest.py``; paths and shared helpers (the CLI in-process and as a real
process, headless chromium, a child's environment) in ``helpers.py``. Reviewed answers and
test data live in ``queries/``, ``shapes/cases/`` and ``data/``.
"""
