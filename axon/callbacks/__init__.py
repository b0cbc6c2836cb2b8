"""Callbacks: code that runs at points of the training loop."""
from axon.callbacks.callback import Callback, CallbackList
from axon.callbacks.history import History
from axon.callbacks.progbar import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
