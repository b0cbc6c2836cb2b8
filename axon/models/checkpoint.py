"""Training checkpoints: a model file plus where ``fit`` stands, for exact resumption.

A checkpoint is a ``.axon`` archive (see :mod:`axon.models.model_file`) with two more members:
``training_state.json`` (epoch and step to continue from, the random generators' states, the
current pass over the data, the running metrics, every callback's state) and
``training_state.safetensors`` (the arrays among them: the shuffling order, EarlyStopping's best
weights ...). Restored into the same model with the same data, callbacks, machine and thread
count, training continues with bitwise the same weights as if it had never stopped.
"""
from __future__ import annotations

import json
import os
from typing import Any

from axon.models import model_file
from axon.saving import FormatError
from axon.saving.archive import decode_archive, write_archive
from axon.saving.safetensors_format import decode_arrays, encode_arrays, parse_json
from axon.saving.state_codec import pack_state, unpack_state


def write_checkpoint(model: Any, path: str | os.PathLike, epoch: int, step: int,
                     logs: dict | None) -> None:
    """Write ``model`` and its ``fit`` state atomically; training will continue at batch ``step``
    of ``epoch``."""
    arrays: dict = {}
    state = pack_state(model._fit_state_values(epoch, step, logs or {}), arrays, "state")
    members = model_file.model_members(model, require_config=False)
    members[model_file.TRAINING_STATE] = json.dumps(state, allow_nan=True).encode("utf-8")
    members[model_file.TRAINING_ARRAYS] = encode_arrays(arrays)
    write_archive(path, members)


def restore_checkpoint(model: Any, path: str | os.PathLike) -> None:
    """Load weights, optimizer state and ``fit`` state from a checkpoint into ``model`` (during
    ``fit``).

    Raises:
        FormatError: when the file is damaged or not a checkpoint.
        ValueError: when the checkpoint does not fit this model, data or set of callbacks.
    """
    source = os.fspath(path)
    with open(source, "rb") as handle:
        raw = handle.read()
    members = decode_archive(raw, source, model_file.MODEL_MEMBERS | model_file.TRAINING_MEMBERS,
                             {model_file.OPTIMIZER})
    model_file.check_metadata(members, source)
    weights, weights_metadata = decode_arrays(members[model_file.WEIGHTS],
                                              f"{source}: {model_file.WEIGHTS}")
    model_file.check_order(source, weights, weights_metadata)
    optimizer_state = model_file.optimizer_state(members, source)
    arrays, _ = decode_arrays(members[model_file.TRAINING_ARRAYS],
                              f"{source}: {model_file.TRAINING_ARRAYS}")
    state = parse_json(members[model_file.TRAINING_STATE], f"{source}: {model_file.TRAINING_STATE}")
    if not isinstance(state, dict):
        raise FormatError(f"{source}: the training state is not a JSON object.")
    values = unpack_state(state, arrays, source)
    model._prepare_to_restore()
    model.load_weights_from_arrays(weights, weights_metadata, source)
    if optimizer_state is not None:
        model.optimizer.set_state(model_file.saved_names(model, weights_metadata),
                                  *optimizer_state)
    model._restore_fit_state(values, source)
