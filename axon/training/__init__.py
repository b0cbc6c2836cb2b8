"""Training: the loop (compile/fit/evaluate/predict) and data handling at the boundary."""
from axon.training.data import DataError
from axon.training.trainer import Trainer

__all__ = ["Trainer", "DataError"]
