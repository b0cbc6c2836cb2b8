"""Layers: the building blocks of models."""
from axon.layers.base import Layer
from axon.layers.core import Activation, Dense, Dropout
from axon.layers.embedding import Embedding
from axon.layers.input_layer import Input, InputLayer, KerasTensor
from axon.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from axon.layers.normalization import BatchNormalization, LayerNormalization
from axon.layers.reshaping import Flatten, Reshape
from axon.layers.serialization import deserialize, register_keras_serializable, serialize

__all__ = ["Layer", "Dense", "Activation", "Dropout", "Flatten", "Reshape", "Input", "InputLayer",
           "KerasTensor", "BatchNormalization", "LayerNormalization", "Embedding", "Add",
           "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "serialize", "deserialize", "register_keras_serializable"]
