"""Models: trainable compositions of layers."""
from axon.models.model import Model
from axon.models.sequential import Sequential

__all__ = ["Model", "Sequential"]
