"""Tests of the primitives (axon/engine/ops), one module per ops module."""
import numpy as np


def assert_same_results(fused, composite, rtol, atol=1e-12):
    """A fused primitive's results (values, gradients) equal its composite's; a gradient that
    one side leaves as None must be None on the other."""
    for got, expected in zip(fused, composite, strict=True):
        if expected is None:
            assert got is None
        else:
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
