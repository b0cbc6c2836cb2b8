"""A Keras program of the usual shape runs after a textual port and nothing else."""
import os
import re
import subprocess
import sys
import textwrap

KERAS_PROGRAM = textwrap.dedent("""
    import numpy as np
    import tensorflow as tf
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense, Dropout
    from tensorflow.keras.utils import to_categorical

    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    x_train = x_train[:6000].reshape(-1, 784).astype("float32") / 255
    x_test = x_test[:1000].reshape(-1, 784).astype("float32") / 255
    y_train = to_categorical(y_train[:6000], 10)
    y_test = to_categorical(y_test[:1000], 10)

    model = Sequential([
        Dense(128, activation="relu", input_shape=(784,)),
        Dropout(0.2),
        Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    history = model.fit(x_train, y_train, epochs=3, batch_size=128, validation_split=0.1,
                        verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predictions = model.predict(x_test[:5], verbose=0)
    print("classes", np.argmax(predictions, axis=1).tolist())
    print("accuracy", accuracy)
    print("history", sorted(history.history))
""")

KERAS3_PROGRAM = textwrap.dedent("""
    import numpy as np
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(512, 8)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("int64")
    model = keras.Sequential([
        keras.Input(shape=(8,)),
        layers.Dense(32, activation="tanh"),
        layers.Dense(2),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    print("accuracy", model.evaluate(x, y, verbose=0)[1])
""")


def port(source: str) -> str:
    """The textual port: tensorflow becomes axon, then every keras namespace becomes axon.

    ``import tensorflow as tf`` becomes ``import axon``, so what remains of ``tf.`` (e.g.
    ``tf.GradientTape``) becomes ``axon.`` too.
    """
    source = source.replace("import tensorflow as tf", "import axon")
    source = source.replace("tensorflow.keras", "axon").replace("tf.keras", "axon")
    source = re.sub(r"\btf\.", "axon.", source)
    return re.sub(r"\bkeras\b", "axon", source)


def _run(source, shared_datasets, tmp_path):
    script = tmp_path / "program.py"
    script.write_text(port(source))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "AXON_DATA_DIR": str(shared_datasets),
           "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_tf_keras_program_runs_after_textual_port(shared_datasets, tmp_path):
    assert "tensorflow" not in port(KERAS_PROGRAM) and "keras" not in port(KERAS_PROGRAM)
    out = _run(KERAS_PROGRAM, shared_datasets, tmp_path)
    assert "Total params: 101,770" in out
    assert float(out.split("accuracy ")[1].split()[0]) > 0.85
    assert "history ['accuracy', 'loss', 'val_accuracy', 'val_loss']" in out


def test_keras3_program_runs_after_textual_port(shared_datasets, tmp_path):
    out = _run(KERAS3_PROGRAM, shared_datasets, tmp_path)
    assert float(out.split("accuracy ")[1].split()[0]) > 0.9
