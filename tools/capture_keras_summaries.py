"""Regenerate the fixtures with Keras 3 (run in a separate venv with keras and jax; never imported
by the tests): python tools/capture_keras_summaries.py tests/models/summary_fixtures"""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ["COLUMNS"] = "80"
import keras
import numpy as np
from keras import layers

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)

def save(name, model, columns=80, **kwargs):
    os.environ["COLUMNS"] = str(columns)
    got = []
    model.summary(print_fn=got.append, **kwargs)
    assert len(got) == 1
    with open(os.path.join(OUT, name + ".txt"), "w", encoding="utf-8") as f:
        f.write(got[0])
    os.environ["COLUMNS"] = "80"

def mlp():
    return keras.Sequential([keras.Input((784,)),
        layers.Dense(256, activation="relu", name="dense"),
        layers.Dense(128, activation="relu", name="dense_1"),
        layers.Dense(10, activation="softmax", name="dense_2")], name="sequential")

m = mlp()
save("mlp_default", m)
save("mlp_line_length_100", m, columns=120, line_length=100)
save("mlp_line_length_100_cropped", m, line_length=100)
save("mlp_line_length_30", m, line_length=30)
save("mlp_positions", m, positions=[0.5, 0.7, 1.0])
save("mlp_positions_4", m, positions=[0.4, 0.6, 0.8, 1.0])
save("mlp_show_trainable", m, show_trainable=True)
save("mlp_layer_range", m, layer_range=["dense_1", "dense_2"])
save("mlp_terminal_120", m, columns=120)

f = mlp()
f.get_layer("dense_1").trainable = False
save("mlp_frozen", f)
save("mlp_frozen_show_trainable", f, show_trainable=True)

x = np.random.RandomState(0).rand(32, 784).astype("float32")
y = np.random.RandomState(1).randint(0, 10, 32)
c = mlp()
c.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
save("mlp_compiled", c)
c.fit(x, y, epochs=1, batch_size=16, verbose=0)
save("mlp_adam_fit", c)
s = mlp()
s.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
s.fit(x, y, epochs=1, batch_size=16, verbose=0)
save("mlp_sgd_fit", s)
s = mlp()
s.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="sparse_categorical_crossentropy")
s.fit(x, y, epochs=1, batch_size=16, verbose=0)
save("mlp_sgd_momentum_fit", s)
s = mlp()
sched = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)
s.compile(optimizer=keras.optimizers.Adam(sched), loss="sparse_categorical_crossentropy")
s.fit(x, y, epochs=1, batch_size=16, verbose=0)
save("mlp_adam_schedule_fit", s)
ff = mlp()
ff.get_layer("dense").trainable = False
ff.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
ff.fit(x, y, epochs=1, batch_size=16, verbose=0)
save("mlp_frozen_adam_fit", ff)

inner = keras.Sequential([layers.Dense(8, activation="relu", name="inner_dense"),
                          layers.Dense(4, name="inner_dense_1")], name="inner")
outer = keras.Sequential([keras.Input((16,)), layers.Dense(32, name="first"), inner,
                          layers.Dense(2, name="last")], name="outer")
save("nested_collapsed", outer)
save("nested_expanded", outer, expand_nested=True)
inner.trainable = False
save("nested_expanded_frozen_show_trainable", outer, expand_nested=True, show_trainable=True)

a = keras.Input((8,), name="input_a")
b = keras.Input((4,), name="input_b")
ha = layers.Dense(16, activation="relu", name="dense_a")(a)
hb = layers.Dense(16, activation="relu", name="dense_b")(b)
h = layers.Concatenate(name="concatenate")([ha, hb])
out = layers.Dense(1, name="output")(h)
fm = keras.Model([a, b], out, name="two_inputs")
save("functional_two_inputs", fm)
save("functional_two_inputs_show_trainable", fm, show_trainable=True)
save("functional_two_inputs_line_length_60", fm, line_length=60)

class Sub(keras.Model):
    def __init__(self):
        super().__init__(name="subclassed")
        self.hidden = layers.Dense(4, activation="relu", name="hidden")
        self.out = layers.Dense(1, name="out")
    def call(self, x):
        return self.out(self.hidden(x))
sub = Sub()
save("subclassed_unbuilt", sub)
sub(np.zeros((2, 3), "float32"))
save("subclassed_built", sub)
x = keras.Input((6,), name="inputs")
y = layers.Dense(3, name="hidden")(x)
z = layers.Dense(1, name="score")(y)
save("functional_chain", keras.Model(x, z, name="chain"))
x = keras.Input((6,), name="inputs")
h = layers.Dense(5, name="trunk")(x)
o1 = layers.Dense(2, name="head_a")(h)
o2 = layers.Dense(3, name="head_b")(h)
save("functional_two_outputs", keras.Model(x, [o1, o2], name="two_outputs"))
print(keras.__version__)
