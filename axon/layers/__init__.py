"""Layers: the building blocks of models."""
from axon.layers.base import Layer
from axon.layers.core import Activation, Dense, Dropout, Flatten
from axon.layers.input_layer import Input, InputLayer, KerasTensor

__all__ = ["Layer", "Dense", "Activation", "Dropout", "Flatten", "Input", "InputLayer",
           "KerasTensor"]
