"""A convolutional network on Fashion-MNIST (clothing in 10 classes), no data augmentation.

Two blocks of Conv 3x3 ('same' padding, ReLU) + MaxPool, then a dense head. Dropout zeroes a
random share of activations in training only (scaling the rest by 1/(1-rate)), which keeps the
network from memorising the 60,000 training images; Adam's learning rate follows a cosine from
1e-3 down to 5e-5 over the run.

Run: python examples/cnn_fashion_mnist.py [--epochs 15] [--batch-size 64]
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
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.4),
        layers.Dense(10, activation="softmax"),
    ], name="fashion_cnn")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=64)
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
    steps = args.epochs * -(-len(x_train) // args.batch_size)
    schedule = axon.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps, alpha=0.05)
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
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
