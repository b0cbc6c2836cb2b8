"""Tests of the autodiff engine (axon/engine), mirroring its modules."""
