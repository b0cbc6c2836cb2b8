"""Files: weights in the safetensors layout, written atomically. Never pickle."""
from axon.layers.serialization import register_keras_serializable  # noqa: I001
from axon.saving.atomic import atomic_write
from axon.saving.safetensors_format import FormatError, load_arrays, save_arrays
from axon.utils.registry import custom_object_scope

__all__ = ["atomic_write", "save_arrays", "load_arrays", "FormatError",
           "register_keras_serializable", "custom_object_scope"]
