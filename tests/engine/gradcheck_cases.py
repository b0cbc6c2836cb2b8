"""One float64 gradient check per primitive: the registry's proof that every primitive is checked.

``CASES`` maps each primitive class to a function that runs ``axon.gradcheck`` on it (through the
public functional API where one exists, so the op under test is the one the library uses).
``test_registry.py`` asserts that ``CASES`` covers ``PRIMITIVES`` exactly and runs every case; the
property tests in ``tests/engine/ops/`` check each primitive over many more shapes.
"""
from __future__ import annotations

import numpy as np

import axon
from axon.engine import functional as F
from axon.engine import ops

_rng = np.random.default_rng(1234)


def _u(*shape, low=-2.0, high=2.0):
    return _rng.uniform(low, high, size=shape)


def _away(*shape):
    x = _u(*shape)
    return np.where(np.abs(x) < 0.1, np.sign(x + 1e-12) * 0.3, x)


def _check(fn, *inputs, **kwargs):
    assert axon.gradcheck(fn, *inputs, **kwargs) is True


def case_add():
    _check(F.add, _u(3, 1), _u(1, 4))


def case_sub():
    _check(F.sub, _u(2, 3), _u(3))


def case_mul():
    _check(F.mul, _u(2, 1, 3), _u(4, 1))


def case_div():
    _check(F.div, _u(3, 4), _u(4, low=0.5, high=2.0))


def case_neg():
    _check(F.neg, _u(2, 3))


def case_pow():
    _check(F.pow, _u(2, 3, low=0.5, high=2.0), _u(3))


def case_exp():
    _check(F.exp, _u(2, 3))


def case_log():
    _check(F.log, _u(2, 3, low=0.5, high=2.0))


def case_sqrt():
    _check(F.sqrt, _u(2, 3, low=0.5, high=2.0))


def case_abs():
    _check(F.abs, _away(2, 3))


def case_maximum():
    _check(F.maximum, np.array([[0.05, 1.05, -0.95]]), np.array([[0.15], [-0.35]]))


def case_minimum():
    _check(F.minimum, np.array([[0.05, 1.05, -0.95]]), np.array([[0.15], [-0.35]]))


def case_where():
    condition = np.array([[True, False, True], [False, False, True]])
    _check(lambda a, b: F.where(condition, a, b), _u(2, 3), _u(3))


def case_clip():
    _check(lambda x: F.clip(x, -0.5, 0.5), np.array([[-1.2, -0.3, 0.1], [0.4, 0.7, 1.9]]))


def case_step():
    _check(F.step, _away(2, 3))


def case_sigmoid():
    _check(F.sigmoid, _u(2, 3))


def case_tanh():
    _check(F.tanh, _u(2, 3))


def case_relu():
    _check(F.relu, _away(2, 3))


def case_softplus():
    _check(F.softplus, _u(2, 3))


def case_erf():
    _check(F.erf, _u(2, 3))


def case_sum():
    _check(lambda x: F.sum(x, axis=(0, -1), keepdims=True), _u(2, 3, 4))


def case_max():
    x = (_rng.permutation(24) * 0.25).reshape(2, 3, 4)
    _check(lambda x: F.max(x, axis=1), x)


def case_reshape():
    _check(lambda x: F.reshape(x, (-1, 2)), _u(2, 3, 2))


def case_transpose():
    _check(lambda x: F.transpose(x, (1, -1, 0)), _u(2, 3, 4))


def case_broadcast_to():
    _check(lambda x: F.broadcast_to(x, (2, 3, 4)), _u(3, 1))


def case_getitem():
    _check(lambda x: F.getitem(x, (np.array([0, 2, 0]), slice(1, None))), _u(3, 4))


def case_pad():
    _check(lambda x: F.pad(x, ((1, 0), (2, 1))), _u(2, 3))


def case_concatenate():
    _check(lambda a, b, c: F.concatenate([a, b, c], axis=-1), _u(2, 1), _u(2, 3), _u(2, 2))


def case_matmul():
    _check(F.matmul, _u(2, 3, 4), _u(4, 5))


def case_dense():
    _check(lambda x, w, b: F.dense(x, w, b), _u(2, 3, 4), _u(4, 5), _u(5))
    _check(lambda x, w: F.dense(x, w, relu=True), _away(3, 4), _u(4, 2))
    _check(lambda x, w, b: F.dense(x, w, b, relu=True), _u(5, 3), _u(3, 4), _u(4))


def case_logsumexp():
    _check(lambda x: F.logsumexp(x, axis=-1), _u(3, 4))


def case_softmax():
    _check(lambda x: F.softmax(x, axis=0), _u(3, 4))


def case_log_softmax():
    _check(lambda x: F.log_softmax(x, axis=-1), _u(3, 4))


def case_softmax_cross_entropy():
    _check(F.softmax_cross_entropy, _u(3, 4), _u(3, 4, low=0.0, high=1.0))


def case_sparse_softmax_cross_entropy():
    _check(F.sparse_softmax_cross_entropy, _u(3, 4), np.array([0, 3, 1]))


def case_sigmoid_cross_entropy():
    _check(F.sigmoid_cross_entropy, _u(3, 4), _u(3, 4, low=0.0, high=1.0))


def case_normalize():
    _check(lambda x: F.standardize(x, axis=(0, 2), epsilon=1e-3), _u(3, 2, 4))
    _check(lambda x: F.standardize(x, axis=-1, epsilon=0.5), _u(2, 5))


def case_batch_normalize():
    x = _u(4, 3, 2)
    gamma, beta = _u(1, 1, 2), _u(1, 1, 2)
    _check(lambda x, g, b: F.batch_normalize(x, (0, 1), 1e-3, g, b), x, gamma, beta)
    _check(lambda x, g: F.batch_normalize(x, (0, 1), 1e-3, gamma=g), x, gamma)
    _check(lambda x, b: F.batch_normalize(x, (0, 1), 1e-3, beta=b), x, beta)
    _check(lambda x: F.batch_normalize(x, 0, 0.5), _u(5, 3))


def case_max_pool():
    x = (_rng.permutation(2 * 5 * 4 * 3) * 0.1).reshape(2, 5, 4, 3)  # distinct: no ties
    _check(lambda x: F.max_pool(x, (3, 2), strides=(2, 1), padding="same"), x)
    _check(lambda x: F.max_pool(x, 2, data_format="channels_first"), x)
    _check(lambda x: F.max_pool(x, 2), x)  # 2x2 channels-last: the compiled kernel, if present
    volume = (_rng.permutation(2 * 3 * 4 * 3 * 2) * 0.1).reshape(2, 3, 4, 3, 2)  # 3 spatial axes
    _check(lambda x: F.max_pool(x, (2, 3, 2), strides=(1, 2, 2), padding="same"), volume)
    _check(lambda x: F.max_pool(x, 2, data_format="channels_first"), volume)


def case_avg_pool():
    _check(lambda x: F.avg_pool(x, (3, 2), strides=(2, 1), padding="same"), _u(2, 5, 4, 3))
    _check(lambda x: F.avg_pool(x, 2, strides=1, data_format="channels_first"), _u(2, 3, 4))
    _check(lambda x: F.avg_pool(x, (2, 3, 2), strides=(1, 2, 2), padding="same"),
           _u(2, 3, 4, 3, 2))  # 3 spatial axes: border windows divide by fewer entries
    _check(lambda x: F.avg_pool(x, 2, data_format="channels_first"), _u(2, 2, 4, 3, 2))


def case_conv():
    _check(lambda x, w, b: F.conv(x, w, b, strides=(2, 1), padding="same", groups=2),
           _u(2, 5, 4, 4), _u(3, 2, 2, 6), _u(6))
    _check(lambda x, w: F.conv(x, w, padding="causal", dilation_rate=2), _u(2, 6, 3), _u(2, 3, 2))


def case_conv_transpose():
    _check(lambda x, w, b: F.conv_transpose(x, w, b, strides=2, padding="same", output_padding=1),
           _u(2, 3, 4, 2), _u(3, 2, 3, 2), _u(3))


def case_lstm_sequence():
    mask = np.array([[1, 1], [0, 1], [1, 0]], bool)[:, :, None]  # (time, batch, 1)
    dropout = np.array([[2.0, 0.0, 2.0], [0.0, 2.0, 2.0]])
    for options in ({}, {"mask": mask}, {"mask": mask, "dropout": dropout,
                                          "zero_output_for_mask": True}):
        _check(lambda p, h, c, u, options=options: F.lstm_sequence(p, h, c, u, **options),
               _u(3, 2, 12), _u(2, 3), _u(2, 3), _u(3, 12))


def case_gru_sequence():
    mask = np.array([[1, 1], [0, 1], [1, 0]], bool)[:, :, None]
    dropout = np.array([[2.0, 0.0, 2.0], [0.0, 2.0, 2.0]])
    for options in ({}, {"mask": mask}, {"mask": mask, "dropout": dropout,
                                          "zero_output_for_mask": True}):
        _check(lambda p, h, u, b, options=options: F.gru_sequence(p, h, u, b, **options),
               _u(3, 2, 9), _u(2, 3), _u(3, 9), _u(9))


CASES = {
    ops.Add: case_add,
    ops.Sub: case_sub,
    ops.Mul: case_mul,
    ops.Div: case_div,
    ops.Neg: case_neg,
    ops.Pow: case_pow,
    ops.Exp: case_exp,
    ops.Log: case_log,
    ops.Sqrt: case_sqrt,
    ops.Abs: case_abs,
    ops.Maximum: case_maximum,
    ops.Minimum: case_minimum,
    ops.Where: case_where,
    ops.Clip: case_clip,
    ops.Step: case_step,
    ops.Sigmoid: case_sigmoid,
    ops.Tanh: case_tanh,
    ops.Relu: case_relu,
    ops.Softplus: case_softplus,
    ops.Erf: case_erf,
    ops.Sum: case_sum,
    ops.Max: case_max,
    ops.Reshape: case_reshape,
    ops.Transpose: case_transpose,
    ops.BroadcastTo: case_broadcast_to,
    ops.GetItem: case_getitem,
    ops.Pad: case_pad,
    ops.Concatenate: case_concatenate,
    ops.MatMul: case_matmul,
    ops.Dense: case_dense,
    ops.Conv: case_conv,
    ops.ConvTranspose: case_conv_transpose,
    ops.LogSumExp: case_logsumexp,
    ops.Softmax: case_softmax,
    ops.LogSoftmax: case_log_softmax,
    ops.SoftmaxCrossEntropy: case_softmax_cross_entropy,
    ops.SparseSoftmaxCrossEntropy: case_sparse_softmax_cross_entropy,
    ops.SigmoidCrossEntropy: case_sigmoid_cross_entropy,
    ops.Normalize: case_normalize,
    ops.BatchNormalize: case_batch_normalize,
    ops.MaxPool: case_max_pool,
    ops.AvgPool: case_avg_pool,
    ops.LSTMSequence: case_lstm_sequence,
    ops.GRUSequence: case_gru_sequence,
}
