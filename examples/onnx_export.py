"""Train an MNIST classifier in axon, export it to ONNX and run it in onnxruntime without axon.

axon.onnx.export(model, path) writes the trained model as an ONNX graph (inference mode, float32,
a symbolic batch axis) and checks it with onnx.checker. onnxruntime then predicts the 10,000
test images from that file alone, and the program compares its probabilities with axon's own:
the largest absolute difference (float32 rounding: below 1e-5) and the fraction of test images
where both pick the same class. It also prints the file's size and the ONNX operators it uses.

Three models (--model):
    mlp    Flatten - Dense(128, relu) - Dense(10, softmax)
    cnn    Conv(8,3) - MaxPool - Conv(16,3) - MaxPool - Flatten - Dense(10, softmax)
           (one Transpose into ONNX's channels-first layout, one back before Flatten)
    lstm   LSTM(32) reading each image as 28 rows of 28 pixels - Dense(10, softmax)

Needs onnx and onnxruntime (pip install onnx onnxruntime).

Run: python examples/onnx_export.py [--model mlp|cnn|lstm] [--epochs 1] [--samples 60000]
     [--output mnist_mlp.onnx]
"""
import argparse
import collections
import os

import numpy as np
import onnx
import onnxruntime

import axon
import axon.onnx
from axon import layers


def build_model(kind):
    if kind == "mlp":
        body = [axon.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(128, activation="relu")]
    elif kind == "cnn":
        body = [axon.Input(shape=(28, 28, 1)),
                layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
                layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten()]
    else:
        body = [axon.Input(shape=(28, 28)), layers.LSTM(32)]
    return axon.Sequential([*body, layers.Dense(10, activation="softmax")], name=f"mnist_{kind}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["mlp", "cnn", "lstm"], default="mlp")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--samples", type=int, default=60000, help="training images to use")
    parser.add_argument("--output", default=None, help="the ONNX file (default mnist_<model>.onnx)")
    args = parser.parse_args()
    path = args.output or f"mnist_{args.model}.onnx"

    axon.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = axon.datasets.mnist.load_data()
    x_train = x_train[:args.samples].astype("float32") / 255.0
    y_train = y_train[:args.samples]
    x_test = x_test.astype("float32") / 255.0
    if args.model == "cnn":   # a channel axis for the convolutions
        x_train, x_test = x_train[..., None], x_test[..., None]

    model = build_model(args.model)
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=2e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=128, verbose=0)
    axon_probabilities = model.predict(x_test, batch_size=500, verbose=0)
    accuracy = float(np.mean(axon_probabilities.argmax(axis=1) == y_test))
    print(f"{args.model}: test accuracy {accuracy:.4f} after {args.epochs} epochs on {len(x_train)} images")

    axon.onnx.export(model, path)
    operators = collections.Counter(node.op_type for node in onnx.load(path).graph.node)
    print(f"exported to {path}: {os.path.getsize(path) / 1024:.1f} KiB, "
          f"ONNX operators {', '.join(f'{name} x{count}' for name, count in sorted(operators.items()))}")

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    (onnx_probabilities,) = session.run(None, {session.get_inputs()[0].name: x_test})
    difference = float(np.max(np.abs(onnx_probabilities - axon_probabilities)))
    agreement = float(np.mean(onnx_probabilities.argmax(axis=1) == axon_probabilities.argmax(axis=1)))
    print(f"onnxruntime vs axon on {len(x_test)} test images: largest absolute difference "
          f"{difference:.2e}, same argmax {agreement:.4f}")


if __name__ == "__main__":
    main()
