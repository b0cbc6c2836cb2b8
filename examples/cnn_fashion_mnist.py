"""A convolutional network on Fashion-MNIST (clothing in 10 classes), no data augmentation.

Two blocks of [Conv 3x3 - BatchNormalization - ReLU] x 2 + MaxPool + Dropout, then a dense head.
Batch normalisation keeps each channel's activations near zero mean and unit variance during
training (with running averages for inference); dropout zeroes a random share of activations in
training only.

Run: python examples/cnn_fashion_mnist.py [--epochs 15] [--batch-size 128]
"""
import argparse
import json
import time

import numpy as np

import axon
from axon import layers


def conv_block(filters):
    return [layers.Conv2D(filters, 3, padding="same", use_bias=False),
            layers.BatchNormalization(), layers.Activation("relu")]


def build_model():
    return axon.Sequential([
        axon.Input(shape=(28, 28, 1)),
        *conv_block(32), *conv_block(32), layers.MaxPooling2D(2), layers.Dropout(0.25),
        *conv_block(64), *conv_block(64), layers.MaxPooling2D(2), layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.4),
        layers.Dense(10, activation="softmax"),
    ], name="fashion_cnn")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--samples", type=int, default=60000, help="training images to use")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="write the per-epoch results here")
    args = parser.parse_args()

    axon.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = axon.datasets.fashion_mnist.load_data()
    x_train = x_train[:args.samples, :, :, None].astype("float32") / 255.0
    y_train = y_train[:args.samples]
    x_test = x_test[:, :, :, None].astype("float32") / 255.0

    model = build_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seconds, accuracy = [], []
    for epoch in range(args.epochs):
        start = time.perf_counter()
        history = model.fit(x_train, y_train, epochs=epoch + 1, initial_epoch=epoch,
                            batch_size=args.batch_size, verbose=0)
        seconds.append(time.perf_counter() - start)
        accuracy.append(float(model.evaluate(x_test, y_test, batch_size=500, verbose=0)[1]))
        print(f"epoch {epoch + 1}: {seconds[-1]:.1f} s, train loss "
              f"{history.history['loss'][-1]:.4f}, test accuracy {accuracy[-1]:.4f}", flush=True)
    best = int(np.argmax(accuracy))
    print(f"test accuracy after {args.epochs} epochs: {accuracy[-1]:.4f}; best "
          f"{accuracy[best]:.4f} (epoch {best + 1}); median epoch {np.median(seconds):.1f} s")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"epoch_seconds": seconds, "test_accuracy": accuracy}, handle)


if __name__ == "__main__":
    main()
