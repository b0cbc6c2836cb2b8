"""A convolutional network on MNIST: Conv(32,3)-MaxPool-Conv(64,3)-MaxPool-Flatten-Dense(128)-Dense(10).

Each convolution slides a 3x3 kernel over the image: y[i, j, o] = relu(b[o] + sum_{a,b,c}
x[i+a, j+b, c] W[a, b, c, o]); max pooling keeps the largest value of each 2x2 window. The network
is trained with Adam on the 60,000 training images, its learning rate following a cosine from
1e-3 down to 5e-5 over the run (so the last steps settle instead of jumping around), and scored
on the 10,000 test images after every epoch.

Run: python examples/cnn_mnist.py [--epochs 3] [--batch-size 64] [--samples 60000]
"""
import argparse
import json
import time

import numpy as np

import axon
from axon import layers


def build_model():
    return axon.Sequential([
        axon.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mnist_cnn")


class EpochScore(axon.callbacks.Callback):
    """Times each epoch's training and scores the test set after it."""

    def __init__(self, x_test, y_test):
        super().__init__()
        self.x_test, self.y_test = x_test, y_test
        self.seconds, self.accuracy = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)
        predictions = self.model.predict(self.x_test, batch_size=500, verbose=0)
        self.accuracy.append(float(np.mean(predictions.argmax(axis=1) == self.y_test)))
        print(f"epoch {epoch + 1}: {self.seconds[-1]:.1f} s, train loss {logs['loss']:.4f}, "
              f"test accuracy {self.accuracy[-1]:.4f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--samples", type=int, default=60000, help="training images to use")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="write the per-epoch results here")
    args = parser.parse_args()

    axon.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = axon.datasets.mnist.load_data()
    x_train = x_train[:args.samples, :, :, None].astype("float32") / 255.0
    y_train = y_train[:args.samples]
    x_test = x_test[:, :, :, None].astype("float32") / 255.0

    model = build_model()
    steps = args.epochs * -(-len(x_train) // args.batch_size)
    schedule = axon.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps, alpha=0.05)
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    score = EpochScore(x_test, y_test)
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, verbose=0,
              callbacks=[score])
    print(f"test accuracy after {args.epochs} epochs: {score.accuracy[-1]:.4f} "
          f"(median epoch {np.median(score.seconds):.1f} s)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"epoch_seconds": score.seconds, "test_accuracy": score.accuracy}, handle)


if __name__ == "__main__":
    main()
