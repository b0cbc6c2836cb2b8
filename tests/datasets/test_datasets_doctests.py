"""Run the docstring examples of axon.datasets (those needing MNIST files are skipped there)."""
from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from axon.datasets import _files, _idx, digits, fashion_mnist, mnist


@pytest.mark.parametrize("module", [_files, _idx, digits, fashion_mnist, mnist],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
