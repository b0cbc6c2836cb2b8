"""Tests of the primitives (axon/engine/ops), one module per ops module."""
