"""A tiny transformer encoder that learns to reverse sequences of digits.

Input: 10 tokens from a vocabulary of 10; target: the same tokens in reverse order, one
prediction per position. Tokens and positions are embedded and added; one encoder block applies

    a = LayerNorm(x + MultiHeadAttention(x, x))          attention: softmax(Q K^T / sqrt(d)) V
    y = LayerNorm(a + Dense(relu) -> Dense)(a)            position-wise feed-forward

Reversal needs each position to fetch the token at the mirrored position, which attention over
positions can do and a per-position network cannot.

Run: python examples/tiny_transformer.py [--epochs 5]
"""
import argparse
import time

import numpy as np

import axon
from axon import layers

VOCAB, LENGTH, WIDTH = 10, 10, 32


class TokenAndPosition(layers.Layer):
    """``e = token_embedding[x_t] + position_embedding[t]``."""

    def __init__(self, vocab, length, width, **kwargs):
        super().__init__(**kwargs)
        self.tokens = layers.Embedding(vocab, width)
        self.positions = layers.Embedding(length, width)
        self.length = length

    def call(self, x, training=False):
        return self.tokens(x) + self.positions(np.arange(self.length)[None, :])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.tokens.output_dim,)


def build_model():
    tokens = axon.Input(shape=(LENGTH,), dtype="int64", name="tokens")
    x = TokenAndPosition(VOCAB, LENGTH, WIDTH)(tokens)
    attended = layers.MultiHeadAttention(num_heads=4, key_dim=WIDTH // 4)(x, x)
    x = layers.LayerNormalization()(layers.Add()([x, attended]))
    hidden = layers.Dense(64, activation="relu")(x)
    x = layers.LayerNormalization()(layers.Add()([x, layers.Dense(WIDTH)(hidden)]))
    return axon.Model(tokens, layers.Dense(VOCAB, activation="softmax")(x), name="reverser")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()

    axon.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, VOCAB, size=(8000, LENGTH))
    x_test = rng.integers(0, VOCAB, size=(1000, LENGTH))
    y_train, y_test = x_train[:, ::-1].copy(), x_test[:, ::-1].copy()

    model = build_model()
    model.compile(optimizer=axon.optimizers.Adam(learning_rate=3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, verbose=2)
    seconds = time.perf_counter() - start
    predictions = model.predict(x_test, verbose=0).argmax(axis=-1)
    token_accuracy = float(np.mean(predictions == y_test))
    sequence_accuracy = float(np.mean(np.all(predictions == y_test, axis=1)))
    print(f"trained {args.epochs} epochs in {seconds:.1f} s")
    print(f"test token accuracy {token_accuracy:.4f}, whole sequences right "
          f"{sequence_accuracy:.4f}")
    print(f"example: {x_test[0].tolist()} -> {predictions[0].tolist()}")


if __name__ == "__main__":
    main()
