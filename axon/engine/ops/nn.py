"""Primitives of neural-network heads, fused for numerical stability and speed.

Each could be composed from elementwise and reduction primitives; each is fused because the
composite would overflow (``exp`` of a large logit) or lose precision (``log`` of a saturated
probability), and because one fused node is faster than five.
"""
from __future__ import annotations

from axon.backend import mean_over_axes, xp
from axon.engine.op import Op


def _shift(x, axis):
    """``x - m`` with ``m = max(x)`` over ``axis`` (0 where the max is infinite), and ``m``."""
    m = x.max(axis=axis, keepdims=True)  # the methods: no NumPy wrapper on every softmax
    m = xp.where(xp.isfinite(m), m, 0)
    return x - m, m


def _log_softmax(x, axis):
    """``(x - m) - ln(sum(e**(x - m)))``: no ``exp`` overflows, and the ``ln(n)`` term is never
    lost by adding it to a huge ``m`` first."""
    shifted, _ = _shift(x, axis)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _logsumexp(x, axis):
    """``m + ln(sum(e**(x - m)))`` with ``m = max(x)``: exact, and no ``exp`` ever overflows."""
    shifted, m = _shift(x, axis)
    return m + xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


class LogSumExp(Op):
    """``y = ln(sum_i e**x_i)`` over ``axis``;  ``dL/dx_i = g * e**(x_i - y) = g * softmax(x)_i``.

    # NOTE: fused for stability (the max is subtracted before ``exp``).
    """

    def forward(self, x, axis=-1, keepdims=False):
        y = _logsumexp(x, axis)
        self.x, self.axis, self.kept_shape = x, axis, y.shape
        return y if keepdims else xp.squeeze(y, axis=axis)

    def backward(self, g):
        return (g.reshape(self.kept_shape) * xp.exp(_log_softmax(self.x, self.axis)),)


class Softmax(Op):
    """``y_i = e**x_i / sum_j e**x_j`` over ``axis``;  ``dL/dx = y * (g - sum_j g_j * y_j)``.

    # NOTE: fused for stability and speed; the loss functions recognise a softmax output and
    # use its logits, so softmax + cross-entropy is computed as one stable expression.
    """

    def forward(self, x, axis=-1):
        shifted, _ = _shift(x, axis)
        y = xp.exp(shifted)
        y /= y.sum(axis=axis, keepdims=True)
        self.y, self.axis = y, axis
        return y

    def backward(self, g):
        y = self.y
        return (y * (g - xp.sum(g * y, axis=self.axis, keepdims=True)),)


class LogSoftmax(Op):
    """``y_i = x_i - ln(sum_j e**x_j)`` over ``axis``;  ``dL/dx = g - softmax(x) * sum_j g_j``.

    # NOTE: fused for stability: ``log(softmax(x))`` underflows to ``-inf`` for large logit gaps.
    """

    def forward(self, x, axis=-1):
        self.y = _log_softmax(x, axis)
        self.axis = axis
        return self.y

    def backward(self, g):
        return (g - xp.exp(self.y) * xp.sum(g, axis=self.axis, keepdims=True),)


class SoftmaxCrossEntropy(Op):
    """Cross-entropy of targets ``t`` against ``softmax(z)``, one value per sample (last axis):

    ``loss = -sum_i t_i * log_softmax(z)_i``;
    ``dL/dz = g * (softmax(z) * sum_i t_i - t)``,  ``dL/dt = -g * log_softmax(z)``.

    # NOTE: fused for stability: finite loss and gradients even for saturated logits.
    """

    def forward(self, logits, targets):
        log_p = _log_softmax(logits, -1)
        self.log_p, self.targets = log_p, targets
        return -xp.sum(targets * log_p, axis=-1)

    def backward(self, g):
        g = g[..., None]
        log_p, t = self.log_p, self.targets
        gz = g * (xp.exp(log_p) * xp.sum(t, axis=-1, keepdims=True) - t) if self.needs_grad[0] else None
        gt = -g * log_p if self.needs_grad[1] else None
        return gz, gt


class SparseSoftmaxCrossEntropy(Op):
    """Cross-entropy of integer labels ``k`` against ``softmax(z)``, one value per sample:

    ``loss = -log_softmax(z)_k = ln(sum_j e**z_j) - z_k``;
    ``dL/dz = g * (softmax(z) - onehot(k))``. Labels get no gradient.

    # NOTE: fused for stability and speed: the one-hot matrix is never built.
    """

    def forward(self, logits, labels):
        log_p = _log_softmax(logits, -1)
        self.log_p, self.labels = log_p, labels
        return -xp.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]

    def backward(self, g):
        dz = xp.exp(self.log_p)
        xp.put_along_axis(dz, self.labels[..., None],
                          xp.take_along_axis(dz, self.labels[..., None], axis=-1) - 1, axis=-1)
        return dz * g[..., None], None


class SigmoidCrossEntropy(Op):
    """Binary cross-entropy of targets ``t`` against ``sigmoid(z)``, elementwise:

    ``loss = -t*ln(sigmoid(z)) - (1-t)*ln(1-sigmoid(z)) = max(z, 0) - z*t + ln(1 + e**-|z|)``;
    ``dL/dz = g * (sigmoid(z) - t)``,  ``dL/dt = -g * z``.

    # NOTE: fused for stability: the right-hand form never takes the log of 0.
    """

    def forward(self, logits, targets):
        self.logits, self.targets = logits, targets
        return xp.maximum(logits, 0) - logits * targets + xp.log1p(xp.exp(-xp.abs(logits)))

    def backward(self, g):
        z = self.logits
        gz = g * (0.5 * (1 + xp.tanh(0.5 * z)) - self.targets) if self.needs_grad[0] else None
        gt = -g * z if self.needs_grad[1] else None
        return gz, gt


class Normalize(Op):
    """Standardize over ``axes``: ``y = (x - mu) / sqrt(var + epsilon)``, with ``mu`` and ``var``
    the mean and biased (divide-by-n) variance of ``x`` over ``axes`` (kept as size-1 axes).

    With ``s = 1 / sqrt(var + epsilon)`` and means over ``axes``, the gradient through ``mu`` and
    ``var`` as well is ``dL/dx = s * (g - mean(g) - y * mean(g * y))``. Attribute ``moments``: an
    optional list that receives ``mu`` and ``var`` (no gradient flows through them).

    # NOTE: fused for speed: the core of BatchNormalization and LayerNormalization, one node
    # instead of eight (forward+backward of a (256, 512) float32 batch over axis 0, NumPy on CPU:
    # 3.0 ms as a composite of mean/sub/mul/sqrt/div, 0.3 ms fused).
    """

    def forward(self, x, axes, epsilon, moments=None):
        mean = mean_over_axes(x, axes, keepdims=True)
        centered = x - mean
        variance = mean_over_axes(centered * centered, axes, keepdims=True)
        scale = 1.0 / xp.sqrt(variance + epsilon)
        y = centered * scale
        if moments is not None:  # the caller's list receives the statistics (not differentiated)
            moments += [mean, variance]
        if self.needs_grad[0]:
            self.y, self.scale, self.axes = y, scale, axes
        return y

    def backward(self, g):
        y, axes = self.y, self.axes
        mean_g = mean_over_axes(g, axes, keepdims=True)
        mean_gy = mean_over_axes(g * y, axes, keepdims=True)
        return (self.scale * (g - mean_g - y * mean_gy),)


class BatchNormalize(Op):
    """Standardize over ``axes``, then scale and shift: ``y = gamma * xhat + beta`` with
    ``xhat = (x - mu) * s``, ``s = 1 / sqrt(var + epsilon)`` (``mu``, ``var``: mean and biased
    variance over ``axes``). ``gamma`` and ``beta`` are constant along ``axes`` (shaped like
    ``mu``, size 1 on every reduced axis), as in batch normalization; either may be absent
    (attributes ``scaled``, ``shifted`` say which inputs follow ``x``).

    With sums and means over ``axes``, ``n`` entries each:
    ``dL/dbeta = sum(g)``, ``dL/dgamma = sum(g * xhat)``,
    ``dL/dx = s * gamma * (g - mean(g) - xhat * mean(g * xhat))``.
    Attribute ``moments``: an optional list that receives ``mu`` and ``var``.

    # NOTE: fused for speed: the scale and shift of batch normalization in the same node as the
    # standardization, so the backward shares ``mean(g)`` and ``mean(g * xhat)`` between the
    # three gradients and writes ``dL/dx`` in one buffer (BatchNormalization forward + backward
    # on a (128, 26, 26, 32) float32 batch, NumPy on 2 cores: 30-35 ms as standardize, multiply
    # and add; 17-20 ms fused).
    """

    def forward(self, x, *affine, axes, epsilon, scaled, shifted, moments=None):
        gamma = affine[0] if scaled else None
        beta = affine[-1] if shifted else None
        mean = mean_over_axes(x, axes, keepdims=True)
        xhat = x - mean
        variance = mean_over_axes(xhat * xhat, axes, keepdims=True)
        scale = 1.0 / xp.sqrt(variance + epsilon)
        xhat *= scale
        if moments is not None:  # the caller's list receives the statistics (not differentiated)
            moments += [mean, variance]
        if gamma is not None:  # y is a new array: xhat stays as backward needs it
            y = xhat * gamma
            if beta is not None:
                y += beta
        else:
            y = xhat if beta is None else xhat + beta
        if any(self.needs_grad):
            self.xhat, self.scale, self.gamma, self.axes = xhat, scale, gamma, axes
            self.count = x.size // mean.size
        return y

    def backward(self, g):
        xhat, axes, count = self.xhat, self.axes, self.count
        mean_g = mean_over_axes(g, axes, keepdims=True)
        g_xhat = g * xhat
        mean_gx = mean_over_axes(g_xhat, axes, keepdims=True)
        grads = []
        if self.needs_grad[0]:
            dx = xp.multiply(xhat, mean_gx, out=g_xhat)  # the buffer is free once averaged
            dx += mean_g
            xp.subtract(g, dx, out=dx)
            dx *= self.scale if self.gamma is None else self.scale * self.gamma
            grads.append(dx)
        else:
            grads.append(None)
        if self.gamma is not None:
            grads.append(mean_gx * count if self.needs_grad[1] else None)
        if len(self.needs_grad) > len(grads):
            grads.append(mean_g * count if self.needs_grad[-1] else None)
        return tuple(grads)

