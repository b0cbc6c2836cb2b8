"""Models: trainable compositions of layers."""
from axon.models.model import Model
from axon.models.model_file import load_model
from axon.models.sequential import Sequential
from axon.models.serialization import deserialize

__all__ = ["Model", "Sequential", "load_model", "deserialize"]
