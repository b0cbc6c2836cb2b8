"""Independent float64 NumPy references of every loss's published (Keras 3) formula, the
reduction, and the data generators the loss tests share. Nothing here calls axon."""
from __future__ import annotations

import numpy

EPS = 1e-7  # Keras's backend.epsilon(), axon.config.epsilon()


# ---- per-sample values ----------------------------------------------------------------------------
def sigmoid(z):
    return 1.0 / (1.0 + numpy.exp(-z))


def log_softmax(z, axis=-1):
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - numpy.log(numpy.exp(shifted).sum(axis=axis, keepdims=True))


def mse(y, p):
    return ((y - p) ** 2).mean(axis=-1)


def mae(y, p):
    return numpy.abs(y - p).mean(axis=-1)


def mape(y, p):
    return 100.0 * (numpy.abs(y - p) / numpy.maximum(numpy.abs(y), EPS)).mean(axis=-1)


def msle(y, p):
    return ((numpy.log1p(numpy.maximum(p, EPS)) - numpy.log1p(numpy.maximum(y, EPS))) ** 2).mean(-1)


def huber(y, p, delta=1.0):
    e = numpy.abs(p - y)
    return numpy.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2).mean(axis=-1)


def log_cosh(y, p):
    return numpy.log(numpy.cosh(p - y)).mean(axis=-1)


def cosine_similarity(y, p, axis=-1):
    def unit(x):
        return x / numpy.maximum(numpy.sqrt((x * x).sum(axis=axis, keepdims=True)), EPS)
    return -(unit(y) * unit(p)).sum(axis=axis)


def _signed(y):
    return 2.0 * y - 1.0 if numpy.all((y == 0) | (y == 1)) else y


def hinge(y, p):
    return numpy.maximum(1.0 - _signed(y) * p, 0.0).mean(axis=-1)


def squared_hinge(y, p):
    return (numpy.maximum(1.0 - _signed(y) * p, 0.0) ** 2).mean(axis=-1)


def categorical_hinge(y, p):
    pos = (y * p).sum(axis=-1)
    neg = ((1.0 - y) * p).max(axis=-1)
    return numpy.maximum(neg - pos + 1.0, 0.0)


def kl_divergence(y, p):
    y, p = numpy.clip(y, EPS, 1.0), numpy.clip(p, EPS, 1.0)
    return (y * numpy.log(y / p)).sum(axis=-1)


def poisson(y, p):
    return (p - y * numpy.log(p + EPS)).mean(axis=-1)


def binary_crossentropy(y, p, from_logits=False, label_smoothing=0.0, axis=-1):
    y = y * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:  # moderate logits only: the textbook formula is exact there
        p = sigmoid(p)
    else:
        p = numpy.clip(p, EPS, 1 - EPS)
    return (-(y * numpy.log(p) + (1 - y) * numpy.log(1 - p))).mean(axis=axis)


def categorical_crossentropy(y, p, from_logits=False, label_smoothing=0.0, axis=-1):
    y = y * (1.0 - label_smoothing) + label_smoothing / y.shape[axis]
    if from_logits:
        log_p = log_softmax(p, axis)
    else:
        log_p = numpy.log(numpy.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS))
    return -(y * log_p).sum(axis=axis)


def sparse_categorical_crossentropy(k, p, from_logits=False, ignore_class=None, axis=-1):
    classes = p.shape[axis]
    k = numpy.asarray(k).astype(int)
    if k.ndim == p.ndim:
        k = numpy.squeeze(k, axis)
    valid = numpy.ones(k.shape, bool) if ignore_class is None else k != ignore_class
    onehot = numpy.moveaxis(numpy.eye(classes)[numpy.where(valid, k, 0)], -1, axis)
    return numpy.where(valid, categorical_crossentropy(onehot, p, from_logits, 0.0, axis), 0.0)


def binary_focal_crossentropy(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    y = y * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = sigmoid(p)
    c = numpy.clip(p, EPS, 1 - EPS)
    bce = -(y * numpy.log(c) + (1 - y) * numpy.log(1 - c))
    p_t = y * p + (1 - y) * (1 - p)
    focal = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = (y * alpha + (1 - y) * (1 - alpha)) * focal
    return focal.mean(axis=axis)


def categorical_focal_crossentropy(y, p, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    y = y * (1.0 - label_smoothing) + label_smoothing / y.shape[axis]
    if from_logits:
        p = numpy.exp(log_softmax(p, axis))
    p = numpy.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    alpha = numpy.asarray(alpha, dtype=float)
    if alpha.ndim:
        alpha = alpha.reshape((-1,) + (1,) * (p.ndim - 1 - (axis % p.ndim)))
    return -(alpha * (1 - p) ** gamma * y * numpy.log(p)).sum(axis=axis)


# ---- reduction --------------------------------------------------------------------------------------
def reduce(values, weight=None, reduction="sum_over_batch_size", mask=None):
    """Keras 3's reduction of per-sample ``values``; ``weight`` broadcast over trailing axes."""
    w = numpy.ones_like(values) if weight is None else numpy.asarray(weight, dtype=float)
    w = numpy.broadcast_to(w.reshape(w.shape + (1,) * (values.ndim - w.ndim)), values.shape)
    if mask is not None:
        w = w * mask
    weighted = values * w
    if reduction in ("none", None):
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean_with_sample_weight" and (weight is not None or mask is not None):
        divisor = w.sum()
    else:
        divisor = values.size if mask is None else mask.sum()
    return weighted.sum() / divisor if divisor else 0.0


# ---- data ---------------------------------------------------------------------------------------
def regression(rng, shape):
    return rng.normal(size=shape), rng.normal(size=shape)


def away_from(rng, y, kinks, gap=0.05, scale=1.5):
    """Predictions ``p = y + e`` whose error ``e`` stays ``gap`` away from each kink (and -kink)."""
    e = rng.normal(scale=scale, size=y.shape)
    for kink in kinks:
        for k in {kink, -kink}:
            close = numpy.abs(e - k) < gap
            e = numpy.where(close, k + numpy.sign(e - k + 1e-12) * gap * 2, e)
    return y + e


def positive(rng, shape, low=0.1, high=3.0):
    return rng.uniform(low, high, size=shape)


def binary(rng, shape):
    y = rng.integers(0, 2, size=shape).astype(float)
    y.flat[0], y.flat[-1] = 0.0, 1.0  # both classes present
    return y


def probabilities(rng, shape):
    return rng.uniform(0.05, 0.95, size=shape)


def distribution(rng, shape):
    p = rng.uniform(0.05, 1.0, size=shape)
    return p / p.sum(axis=-1, keepdims=True)


def one_hot(rng, shape):
    return numpy.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[:-1])]


def margin_safe(rng, y_signed, gap=0.1):
    """Predictions whose hinge margins ``1 - y p`` stay ``gap`` away from 0."""
    p = rng.normal(scale=1.5, size=y_signed.shape)
    margin = 1.0 - y_signed * p
    bad = numpy.abs(margin) < gap
    return numpy.where(bad, y_signed * (1.0 - numpy.sign(margin + 1e-12) * 2 * gap), p)
