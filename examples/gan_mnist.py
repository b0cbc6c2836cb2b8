"""A generative adversarial network on MNIST (Goodfellow et al., 2014) that draws new digits.

Two networks play a game. The discriminator D(x) in (0, 1) learns to tell real images from
generated ones; the generator G(z) turns noise z ~ N(0, I) into images that D should call real.
With binary cross-entropy BCE, each step does

    D: minimise  BCE(1, D(x_real)) + BCE(0, D(G(z)))       (real -> 1, fake -> 0)
    G: minimise  BCE(1, D(G(z)))                            (the "non-saturating" loss)

each with its own Adam optimizer (learning rate 2e-4, beta_1 = 0.5, as in DCGAN). The model is
an axon.Model whose ``train_step`` is overridden, so ``fit`` runs the loop, the progress bar and
callbacks. Samples from a fixed batch of noise are saved as a PNG grid.

Run: python examples/gan_mnist.py [--epochs 20] [--output docs/images/gan_digits.png]
"""
import argparse
import time
from pathlib import Path

import numpy as np

import axon
from axon import layers

NOISE = 64


def build_generator():
    return axon.Sequential([
        axon.Input(shape=(NOISE,)),
        layers.Dense(256, activation="leaky_relu"),
        layers.BatchNormalization(),
        layers.Dense(512, activation="leaky_relu"),
        layers.BatchNormalization(),
        layers.Dense(784, activation="tanh"),
    ], name="generator")


def build_discriminator():
    return axon.Sequential([
        axon.Input(shape=(784,)),
        layers.Dense(512, activation="leaky_relu"),
        layers.Dropout(0.3),
        layers.Dense(256, activation="leaky_relu"),
        layers.Dropout(0.3),
        layers.Dense(1, activation="sigmoid"),
    ], name="discriminator")


class GAN(axon.Model):
    """Generator + discriminator, each stepped by its own optimizer in ``train_step``."""

    def __init__(self, generator, discriminator):
        super().__init__(name="gan")
        self.generator, self.discriminator = generator, discriminator
        self.d_tracker = axon.metrics.Mean(name="d_loss")
        self.g_tracker = axon.metrics.Mean(name="g_loss")
        self.bce = axon.losses.BinaryCrossentropy()

    def compile(self, d_optimizer, g_optimizer):
        super().compile(optimizer=g_optimizer)
        self.d_optimizer = d_optimizer

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def _noise(self, count):
        return axon.backend.rng().standard_normal((count, NOISE)).astype("float32")

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        count = real.shape[0]
        ones, zeros = np.ones((count, 1), "float32"), np.zeros((count, 1), "float32")
        fake = self.generator(self._noise(count), training=True).numpy()
        d_weights = self.discriminator.trainable_weights
        with axon.GradientTape() as tape:
            d_loss = (self.bce(ones, self.discriminator(real, training=True))
                      + self.bce(zeros, self.discriminator(fake, training=True)))
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_weights), d_weights))

        g_weights = self.generator.trainable_weights
        with axon.GradientTape() as tape:
            judged = self.discriminator(self.generator(self._noise(count), training=True),
                                        training=True)
            g_loss = self.bce(ones, judged)
        self.optimizer.apply_gradients(zip(tape.gradient(g_loss, g_weights), g_weights))
        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}


def judge_samples(x_train, y_train, samples):
    """A proxy for "recognisable": an MLP trained on the real digits classifies the samples.

    Returns its mean top probability over the samples and how many different digits it names
    with probability > 0.5 (a generator that collapses onto one digit scores 1).
    """
    judge = axon.Sequential([axon.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                             layers.Dense(10, activation="softmax")], name="judge")
    judge.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    judge.fit(x_train, y_train, epochs=3, batch_size=128, verbose=0)
    probabilities = judge.predict(samples, verbose=0)
    confident = probabilities.max(axis=1) > 0.5
    return (float(probabilities.max(axis=1).mean()),
            len(set(probabilities.argmax(axis=1)[confident].tolist())))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--samples", type=int, default=60000, help="training images to use")
    parser.add_argument("--output", default="docs/images/gan_digits.png")
    args = parser.parse_args()

    axon.utils.set_random_seed(0)
    (x_train, y_train), _ = axon.datasets.mnist.load_data()
    x_train = x_train[:args.samples].reshape(-1, 784).astype("float32") / 127.5 - 1.0
    y_train = y_train[:args.samples]

    gan = GAN(build_generator(), build_discriminator())
    gan.compile(d_optimizer=axon.optimizers.Adam(learning_rate=2e-4, beta_1=0.5),
                g_optimizer=axon.optimizers.Adam(learning_rate=2e-4, beta_1=0.5))
    start = time.perf_counter()
    history = gan.fit(x_train, epochs=args.epochs, batch_size=64, verbose=2)
    seconds = time.perf_counter() - start

    fixed_noise = np.random.default_rng(1).standard_normal((64, NOISE)).astype("float32")
    samples = gan.generator.predict(fixed_noise, verbose=0).reshape(-1, 28, 28)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    axon.utils.save_png(axon.utils.image_grid((samples + 1.0) / 2.0, columns=8,
                                              background=0.0), args.output)
    real_score = float(gan.discriminator.predict(x_train[:1000], verbose=0).mean())
    fake_score = float(gan.discriminator.predict(samples.reshape(-1, 784), verbose=0).mean())
    print(f"trained {args.epochs} epochs in {seconds:.1f} s; final d_loss "
          f"{history.history['d_loss'][-1]:.3f}, g_loss {history.history['g_loss'][-1]:.3f}")
    print(f"discriminator's mean score: real {real_score:.3f}, generated {fake_score:.3f}")
    print(f"saved 64 generated digits to {args.output}")
    confidence, drawn = judge_samples(x_train, y_train, samples.reshape(-1, 784))
    print(f"a classifier trained on the real digits names the generated ones with mean "
          f"confidence {confidence:.3f}; {drawn} of 10 digits drawn")


if __name__ == "__main__":
    main()
