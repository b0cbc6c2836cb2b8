"""Loss functions: the number gradient descent makes small.

A loss compares targets ``y`` with predictions ``p`` and returns one value per sample; the
:class:`Loss` base then weights and reduces the batch, by default to the mean (Keras's
``'sum_over_batch_size'``):

    L = sum_i w_i * loss_i / N        (w_i = 1 without sample weights; N = number of values)

Every loss exists as a function (``mean_squared_error``: per-sample values) and as a class
(``MeanSquaredError``: reduction, sample weights, configuration), and under Keras's string names
(``'mse'``, ``'huber'``, ``'kld'`` ...; see :func:`get`). Modules: ``base`` (the reduction),
``regression``, ``probabilistic`` (cross-entropies, KL, Poisson), ``hinge``, ``focal``.

Example:
    >>> import axon
    >>> loss = axon.losses.get("mse")
    >>> float(loss(axon.Tensor([[1.0], [2.0]]), axon.Tensor([[1.5], [2.0]])).item())
    0.125
"""
from __future__ import annotations

from typing import Any

from axon.losses.base import REDUCTIONS, Loss, LossFunctionWrapper, reduce_values
from axon.losses.base import producer_input as _producer_input  # noqa: F401 - the fused-logits hook
from axon.losses.focal import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
)
from axon.losses.hinge import CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge
from axon.losses.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from axon.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from axon.utils.naming import to_snake_case
from axon.utils.registry import custom_class, custom_object, resolve

# Aliases -> class, beyond each class's own name (CamelCase, matched case-insensitively) and its
# snake_case form, which are added below. Functions' names are the classes' snake_case names
# except where listed here.
_ALIASES: dict[str, type] = {
    "mse": MeanSquaredError, "mae": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "huber": Huber, "huber_loss": Huber,
    "logcosh": LogCosh, "kld": KLDivergence, "kullback_leibler_divergence": KLDivergence,
    "bce": BinaryCrossentropy,
}
_CLASSES: tuple[type, ...] = (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    Huber, LogCosh, CosineSimilarity, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
    KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge,
)
ALL: dict[str, type] = {
    **{to_snake_case(cls.__name__): cls for cls in _CLASSES},
    **{cls.__name__.lower(): cls for cls in _CLASSES},
    **_ALIASES,
}


def get(identifier: Any) -> Loss:
    """A loss object from an identifier.

    Args:
        identifier: a name (case-insensitive: ``'mse'``, ``'mean_squared_error'``,
            ``'MeanSquaredError'``, ``'huber'``, ``'log_cosh'``/``'logcosh'``, ``'kld'`` ...; the
            error lists them all), a Loss class or instance, a ``{"class_name", "config"}``
            dict (from :func:`serialize`), or any function ``(y_true, y_pred) -> Tensor`` of
            per-sample values (wrapped in a :class:`LossFunctionWrapper`).

    Returns:
        A :class:`Loss`. Names give the class with its defaults.

    Example:
        >>> import axon
        >>> axon.losses.get("kld").name
        'kl_divergence'
    """
    if isinstance(identifier, Loss):
        return identifier
    custom = custom_object(identifier)   # a name the program supplied: custom_objects, registered
    if custom is not None:
        return get(custom)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        return resolve(identifier, ALL, "loss")()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Expected a name "
                     "(e.g. 'mse'), a Loss, a config dict or a callable.")


def serialize(loss: Loss) -> dict:
    """``{"class_name": ..., "config": loss.get_config()}``, as Keras writes a loss."""
    if not isinstance(loss, Loss):
        raise ValueError(f"serialize expects a Loss. Received: {loss!r}")
    class_name = getattr(type(loss), "_registered_name", None) or type(loss).__name__
    return {"class_name": class_name, "config": loss.get_config()}


def deserialize(config: dict) -> Loss:
    """The loss a :func:`serialize` dict describes (built-in classes only)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("deserialize expects a dict with 'class_name' and 'config'. "
                         f"Received: {config!r}")
    cls = custom_class(config["class_name"]) or resolve(
        config["class_name"], {c.__name__.lower(): c for c in _CLASSES}, "loss")
    return cls.from_config(dict(config.get("config", {})))


__all__ = [
    "REDUCTIONS", "Loss", "LossFunctionWrapper", "reduce_values", "get", "serialize",
    "deserialize", "ALL",
    *[cls.__name__ for cls in _CLASSES],
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy", "kl_divergence", "poisson",
    "hinge", "squared_hinge", "categorical_hinge",
]
