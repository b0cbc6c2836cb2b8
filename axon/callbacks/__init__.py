"""Callbacks: code that runs at points of the training loop (Keras's ``keras.callbacks``)."""
from axon.callbacks.backup_and_restore import BackupAndRestore
from axon.callbacks.callback import Callback, CallbackList
from axon.callbacks.csv_logger import CSVLogger
from axon.callbacks.early_stopping import EarlyStopping
from axon.callbacks.history import History
from axon.callbacks.lambda_callback import LambdaCallback
from axon.callbacks.learning_rate_scheduler import LearningRateScheduler
from axon.callbacks.model_checkpoint import ModelCheckpoint
from axon.callbacks.monitor import MonitorCallback
from axon.callbacks.progbar import ProgbarLogger
from axon.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from axon.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["BackupAndRestore", "Callback", "CallbackList", "CSVLogger", "EarlyStopping", "History",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "MonitorCallback", "ProgbarLogger",
           "ReduceLROnPlateau", "TerminateOnNaN"]
