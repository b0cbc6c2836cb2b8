"""The Layer base: build on first call, lists of inputs, regularizers, constraints, trainable."""
import numpy as np
import pytest

import axon
from axon.engine import functional as F
from axon.layers import Dense, Layer


class _WeightedSum(Layer):
    """``y = a * w_a + b * w_b`` for two inputs of the same shape (a test layer)."""

    def build(self, input_shape):
        assert isinstance(input_shape, list) and len(input_shape) == 2
        self.w_a = self.add_weight("w_a", input_shape[0][1:], "ones",
                                   regularizer=axon.regularizers.L1(0.1))
        self.w_b = self.add_weight("w_b", input_shape[1][1:], "ones")

    def call(self, inputs, training=False):
        a, b = inputs
        return a * self.w_a + b * self.w_b


def test_a_layer_called_on_a_list_builds_from_a_list_of_shapes():
    layer = _WeightedSum(name="ws")
    out = layer([np.ones((2, 3)), 2 * np.ones((2, 3))])
    assert out.numpy().tolist() == [[3.0] * 3] * 2
    with pytest.raises(ValueError, match="Layer 'ws' expects 2 inputs. Received: 1"):
        layer([np.ones((2, 3))])
    with pytest.raises(ValueError, match="Input 1 of layer 'ws' is incompatible"):
        layer([np.ones((2, 3)), np.ones((2, 4))])


def test_weight_regularizers_appear_in_losses_and_have_gradients():
    layer = _WeightedSum()
    layer([np.ones((1, 3)), np.ones((1, 3))])
    (penalty,) = layer.losses
    assert penalty.item() == pytest.approx(0.1 * 3)
    penalty.backward()
    np.testing.assert_allclose(layer.w_a.grad, 0.1 * np.ones(3))


def test_activity_regularizer_penalises_the_latest_output():
    layer = Dense(2, kernel_initializer="ones", use_bias=False,
                  activity_regularizer=axon.regularizers.L2(0.01))
    layer(np.ones((4, 3), "float32"))
    (penalty,) = layer.losses
    assert penalty.item() == pytest.approx(0.01 * 4 * 2 * 9)  # outputs are all 3
    layer(np.zeros((4, 3), "float32"))
    assert layer.losses[0].item() == 0.0
    assert layer.get_config()["activity_regularizer"]["class_name"] == "L2"


def test_losses_of_a_model_collect_every_layer():
    model = axon.Sequential([axon.Input(shape=(3,)),
                             Dense(4, kernel_regularizer="l2", bias_regularizer="l1"),
                             Dense(1, kernel_regularizer="l1")])
    assert len(model.losses) == 3


def test_constraint_is_applied_after_each_update():
    class NonNegative:
        def __call__(self, w):
            return F.maximum(w, 0.0)

    class Clamped(Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", (input_shape[-1],), "ones", constraint=NonNegative())

        def call(self, x, training=False):
            return x * self.w

    model = axon.Sequential([axon.Input(shape=(2,)), Clamped()])
    model.compile(axon.optimizers.SGD(learning_rate=10.0), loss="mse")
    model.fit(np.ones((8, 2), "float32"), -np.ones((8, 2), "float32"), epochs=1, verbose=0)
    assert (model.layers[0].w.numpy() >= 0).all()
    with pytest.raises(TypeError, match="constraint to be callable"):
        Clamped().add_weight("bad", (1,), constraint="positive")


def test_trainable_false_freezes_weights_in_fit():
    axon.utils.set_random_seed(0)
    frozen = Dense(4, name="frozen")
    model = axon.Sequential([axon.Input(shape=(3,)), frozen, Dense(1)])
    frozen.trainable = False
    before = frozen.get_weights()
    model.compile("adam", loss="mse")
    model.fit(np.ones((16, 3)), np.ones((16, 1)), epochs=2, verbose=0)
    for a, b in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


def test_custom_layer_without_compute_output_shape_works_in_a_functional_model():
    class Pairwise(Layer):
        def call(self, x, training=False):
            return F.concatenate([x, x * x], axis=-1)

    inputs = axon.Input(shape=(3,))
    doubled = Pairwise()(inputs)
    assert doubled.shape == (None, 6)
    model = axon.Model(inputs, Dense(1)(doubled))
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 1)


class _MaskedMean(Layer):
    """Mean over time of the real (unmasked) steps: ``sum_t m_t x_t / sum_t m_t``."""

    def call(self, inputs, training=False, mask=None):
        if mask is None:
            return F.mean(inputs, axis=1)
        weights = axon.Tensor(mask.astype(inputs.dtype)[..., None])
        return F.sum(inputs * weights, axis=1) / F.sum(weights, axis=1)


def test_masks_travel_from_embedding_through_sequential_and_functional_models():
    tokens = np.array([[3, 1, 0, 0], [2, 2, 2, 0]])
    embedding = axon.layers.Embedding(5, 2, mask_zero=True, name="emb")
    stack = axon.Sequential([axon.Input(shape=(4,)), embedding, Dense(2, name="proj"),
                             _MaskedMean()])
    vectors = (embedding(tokens).numpy() @ stack.layers[1].kernel.numpy()
               + stack.layers[1].bias.numpy())
    expected = np.stack([vectors[0, :2].mean(axis=0), vectors[1, :3].mean(axis=0)])
    np.testing.assert_allclose(stack.predict(tokens, verbose=0), expected, rtol=1e-5)

    inputs = axon.Input(shape=(4,), dtype="int64")
    graph = axon.Model(inputs, _MaskedMean()(stack.layers[1](embedding(inputs))))
    np.testing.assert_allclose(graph.predict(tokens, verbose=0), expected, rtol=1e-5)


def test_sub_layers_of_a_custom_layer_are_tracked_alone_or_in_lists():
    class Block(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.first = Dense(4, kernel_regularizer="l2")
            self.rest = [Dense(4), Dense(2)]

        def call(self, x, training=False):
            x = self.first(x)
            for layer in self.rest:
                x = layer(x)
            return x

    block = Block()
    block(np.ones((1, 3), "float32"))
    assert len(block.trainable_weights) == 6 and len(block.losses) == 1
    model = axon.Sequential([axon.Input(shape=(3,)), block])
    model.compile(axon.optimizers.SGD(learning_rate=0.1), loss="mse")
    before = [w.copy() for w in block.get_weights()]
    model.fit(np.ones((8, 3)), np.zeros((8, 2)), epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, block.get_weights()))
    block.trainable = False
    assert model.trainable_weights == []


def test_sub_layers_appended_later_or_held_in_dicts_and_mixed_tuples_are_tracked():
    class Blocks(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.first = Dense(3, name="first")
            self.blocks = []
            self.blocks.append(Dense(2, name="appended"))
            self.heads = {"a": Dense(2, name="head_a"), "b": Dense(2, name="head_b")}
            self.pair = (Dense(2, name="paired"), 0.5)

        def call(self, x, training=False):
            x = self.blocks[0](self.first(x))
            x = self.heads["a"](x) + self.heads["b"](x)
            return self.pair[0](x) * self.pair[1]

    layer = Blocks()
    layer(np.ones((1, 4), "float32"))
    owners = [sub.name for sub in layer._flatten_layers()[1:]]
    assert owners == ["first", "appended", "head_a", "head_b", "paired"]
    assert len(layer.trainable_weights) == 10
    assert [w.shape for w in layer.get_weights()][:4] == [(4, 3), (3,), (3, 2), (2,)]


def test_a_reassigned_sub_layer_is_no_longer_tracked():
    class Projection(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.proj = Dense(3, name="old_proj")
            self.proj = Dense(4, name="new_proj")

        def call(self, x, training=False):
            return self.proj(x)

    class Net(axon.Model):
        def __init__(self):
            super().__init__()
            self.head = None
            self.body = Dense(2, name="body")
            self.head = Dense(1, name="head")

    layer = Projection()
    layer(np.ones((2, 5), "float32"))
    assert [sub.name for sub in layer._flatten_layers()] == [layer.name, "new_proj"]
    assert [w.shape for w in layer.weights] == [(5, 4), (4,)]
    assert [sub.name for sub in Net().layers] == ["body", "head"]


def test_a_built_layer_checks_every_call_after_a_good_one():
    layer = Dense(3)
    layer(np.ones((2, 4), "float32"))
    layer(np.ones((5, 4), "float32"))  # the accepted shape is remembered ...
    with pytest.raises(ValueError, match="expected shape=\\(None, 4\\), found shape=\\(None, 5\\)"):
        layer(np.ones((5, 5), "float32"))  # ... and a different one is still refused
    layer(np.ones((1, 4), "float32"))


def test_a_sub_layer_deleted_or_replaced_by_a_plain_value_is_no_longer_tracked():
    class Net(axon.Model):
        def __init__(self):
            super().__init__()
            self.body = Dense(2, name="body")
            self.extra = Dense(2, name="extra")
            self.spare = [Dense(2, name="spare")]

    net = Net()
    del net.extra
    net.spare = "not a layer"
    assert [sub.name for sub in net.layers] == ["body"]
    net.extra = Dense(2, name="extra_again")
    assert [sub.name for sub in net.layers] == ["body", "extra_again"]
