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
