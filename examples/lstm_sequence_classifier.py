"""An LSTM that reads each MNIST image one row at a time (28 steps of 28 pixels) and names the digit.

At every step t the LSTM updates its cell c and hidden state h from the row x_t:

    i, f, o = sigmoid(x_t W_{i,f,o} + h_{t-1} U_{i,f,o} + b_{i,f,o})     (input, forget, output gates)
    g = tanh(x_t W_c + h_{t-1} U_c + b_c)                                (candidate cell)
    c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)

and the last h_28 goes through a softmax layer. Gradients flow back through all 28 steps
(backpropagation through time).

Run: python examples/lstm_sequence_classifier.py [--epochs 3] [--samples 60000]
"""
import argparse
import time

import numpy as np

import axon
from axon import layers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=60000, help="training images to use")
    parser.add_argument("--units", type=int, default=128)
    args = parser.parse_args()

    axon.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = axon.datasets.mnist.load_data()
    x_train = x_train[:args.samples].astype("float32") / 255.0  # (n, 28 steps, 28 features)
    y_train = y_train[:args.samples]
    x_test = x_test.astype("float32") / 255.0

    model = axon.Sequential([
        axon.Input(shape=(28, 28)),
        layers.LSTM(args.units),
        layers.Dense(10, activation="softmax"),
    ], name="row_lstm")
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=2e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=128, verbose=2)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
    print(f"trained {args.epochs} epochs in {seconds:.1f} s "
          f"({seconds / args.epochs:.1f} s per epoch)")
    print(f"test accuracy {accuracy:.4f}")
    print(f"predicted {np.argmax(model.predict(x_test[:10], verbose=0), axis=1).tolist()}, "
          f"true {y_test[:10].tolist()}")


if __name__ == "__main__":
    main()
