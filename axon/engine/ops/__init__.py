"""The primitives and their registry.

``PRIMITIVES`` lists every primitive explicitly (no import-time self-registration). A test walks
it and fails for any primitive without a float64 gradient check, and for any ``Op`` subclass
defined here but missing from the list.
"""
from axon.engine.ops.conv import Conv, ConvTranspose
from axon.engine.ops.elementwise import (
    Abs,
    Add,
    Clip,
    Div,
    Erf,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    Softplus,
    Sqrt,
    Step,
    Sub,
    Tanh,
    Where,
)
from axon.engine.ops.linalg import Dense, MatMul
from axon.engine.ops.movement import BroadcastTo, Concatenate, GetItem, Pad, Reshape, Transpose
from axon.engine.ops.nn import (
    BatchNormalize,
    LogSoftmax,
    LogSumExp,
    Normalize,
    SigmoidCrossEntropy,
    Softmax,
    SoftmaxCrossEntropy,
    SparseSoftmaxCrossEntropy,
)
from axon.engine.ops.pooling import AvgPool, MaxPool
from axon.engine.ops.recurrent import GRUSequence, LSTMSequence
from axon.engine.ops.reduce import Max, Sum

PRIMITIVES = (
    # elementwise
    Add, Sub, Mul, Div, Neg, Pow, Exp, Log, Sqrt, Abs, Maximum, Minimum, Where, Clip,
    Step, Sigmoid, Tanh, Relu, Softplus, Erf,
    # reductions
    Sum, Max,
    # movement
    Reshape, Transpose, BroadcastTo, GetItem, Pad, Concatenate,
    # linear algebra
    MatMul, Dense,
    # convolution
    Conv, ConvTranspose,
    # neural-network heads
    LogSumExp, Softmax, LogSoftmax, SoftmaxCrossEntropy, SparseSoftmaxCrossEntropy,
    SigmoidCrossEntropy, Normalize, BatchNormalize,
    # pooling
    MaxPool, AvgPool,
    # whole recurrences
    LSTMSequence, GRUSequence,
)

__all__ = [op.__name__ for op in PRIMITIVES] + ["PRIMITIVES"]
