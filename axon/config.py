"""Global numeric settings, named as in Keras (``keras.config``).

Example:
    >>> import axon
    >>> axon.config.floatx()
    'float32'
"""
from axon.backend import epsilon, floatx, set_epsilon, set_floatx

__all__ = ["floatx", "set_floatx", "epsilon", "set_epsilon"]
