"""Write docs/bad-input.md: every case of tests/test_bad_input_table.py with the message axon gives.

Each case is run and its real error captured, so the document shows exactly what a user sees.
``tests/test_bad_input_table.py::test_docs_table_matches_the_cases`` renders the same table in
memory and fails when the file differs; after changing a case or a message, run:

    python tools/bad_input_table.py
"""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES_FILE = ROOT / "tests" / "test_bad_input_table.py"
DOC = ROOT / "docs" / "bad-input.md"

HEADER = """# What axon says when the input is wrong

Every public entry point checks what it is given and rejects bad input at the API boundary, before
any computation: the message names the argument (or layer), what was expected and what came. Nothing
the user passed is modified. Each row below is a case of `tests/test_bad_input_table.py`, run and
its message captured by `tools/bad_input_table.py`; a test fails when this page and the cases
differ, so the messages shown here are the ones axon gives.

`DataError` is `axon.training.data.DataError`, a `ValueError`: `except ValueError` catches it.

| id | what the user did | error | message |
|---|---|---|---|
"""

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def load_cases() -> list:
    """The ``CASES`` list of the test module (loaded by path: ``tests`` is not a package)."""
    spec = importlib.util.spec_from_file_location("bad_input_cases", CASES_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module.CASES


def outcome(case: Any) -> tuple[str, str]:
    """``(error type name, normalised message)`` of running ``case.call()``."""
    try:
        case.call()
    except Exception as error:  # the table records whatever comes
        return type(error).__name__, normalise(str(error))
    return "(none)", "(no error was raised)"


def normalise(message: str) -> str:
    """The message without what differs between machines and runs: the repository's path and
    memory addresses; on one line."""
    message = message.replace(str(ROOT), "<repo>")
    message = _ADDRESS.sub(" at 0x...", message)
    return " ".join(message.split())


def cell(text: str) -> str:
    """``text`` as a Markdown code span inside a table cell (pipes escaped, as GFM requires)."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}".replace("|", "\\|")


def render(cases: list) -> str:
    """The whole Markdown document for ``cases``."""
    rows = []
    for case in cases:
        kind, message = outcome(case)
        description = case.description.replace("|", "\\|")
        rows.append(f"| `{case.id}` | {description} | `{kind}` | {cell(message)} |")
    return HEADER + "\n".join(rows) + "\n"


def main() -> None:
    text = render(load_cases())
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)} ({text.count(chr(10)) - HEADER.count(chr(10))} cases)")


if __name__ == "__main__":
    main()
