"""Shared test fixtures."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = Path(os.environ.get("AXON_TEST_DATASETS", PROJECT_ROOT.parent / "shared" / "datasets"))


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The folder holding ``mnist/`` and ``fashion-mnist/`` IDX files (../shared/datasets)."""
    if not (SHARED_DATASETS / "mnist").is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATASETS}")
    return SHARED_DATASETS


# ---- the whole session on a stand-in backend (tests/test_backend_switch.py runs this) -----------
STANDIN_REPORT = os.environ.get("AXON_TEST_STANDIN_REPORT")


def pytest_sessionstart(session):
    if STANDIN_REPORT:
        import sys

        sys.path.insert(0, str(Path(__file__).parent))
        import standin_backend

        from axon import backend

        backend.register_backend("standin", standin_backend.namespace)
        backend.set_backend("standin")


def pytest_sessionfinish(session, exitstatus):
    if STANDIN_REPORT:
        import json
        import sys

        import standin_backend

        from axon import backend

        stale = sorted(name for name, module in list(sys.modules.items())
                       if name.startswith("axon") and hasattr(module, "xp")
                       and module.xp is not backend.xp)
        Path(STANDIN_REPORT).write_text(json.dumps(
            {"backend": backend.backend(), "stale": stale,
             "calls": dict(standin_backend.CALLS)}))
