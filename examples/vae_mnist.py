"""A variational autoencoder on MNIST that draws new digits (Kingma & Welling, 2014).

The encoder maps an image x to a Gaussian q(z|x) = N(mu(x), diag(exp(log_var(x)))) over a 2-D
latent code z; the decoder maps z back to pixel probabilities p(x|z). Training maximises the
evidence lower bound, i.e. minimises per image

    L = sum_pixels BCE(x, decoder(z)) + KL(q(z|x) || N(0, I)),
    KL = -1/2 sum_j (1 + log_var_j - mu_j**2 - exp(log_var_j)),

with z = mu + exp(log_var / 2) * eps, eps ~ N(0, I) (the reparameterisation trick, so the
gradient flows through the sampling). After training, decoding a grid of latent points shows
the digits the model has learnt; the picture is saved as a PNG.

Run: python examples/vae_mnist.py [--epochs 10] [--output docs/images/vae_digits.png]
"""
import argparse
import time
from pathlib import Path

import numpy as np

import axon
from axon import layers
from axon.engine import functional as F

LATENT = 2


class Sampling(layers.Layer):
    """``z = mu + exp(log_var / 2) * eps`` with ``eps ~ N(0, I)`` (axon's seeded generator)."""

    def call(self, inputs, training=False):
        z_mean, z_log_var = inputs
        eps = axon.Tensor(axon.backend.rng().standard_normal(z_mean.shape).astype(z_mean.dtype))
        return z_mean + F.exp(0.5 * z_log_var) * eps


def build_encoder():
    images = axon.Input(shape=(784,), name="image")
    hidden = layers.Dense(512, activation="relu")(images)
    hidden = layers.Dense(256, activation="relu")(hidden)
    z_mean = layers.Dense(LATENT, name="z_mean")(hidden)
    z_log_var = layers.Dense(LATENT, name="z_log_var")(hidden)
    z = Sampling(name="z")([z_mean, z_log_var])
    return axon.Model(images, [z_mean, z_log_var, z], name="encoder")


def build_decoder():
    code = axon.Input(shape=(LATENT,), name="code")
    hidden = layers.Dense(256, activation="relu")(code)
    hidden = layers.Dense(512, activation="relu")(hidden)
    return axon.Model(code, layers.Dense(784, activation="sigmoid")(hidden), name="decoder")


class VAE(axon.Model):
    """Encoder + decoder trained on the negative evidence lower bound in ``train_step``."""

    def __init__(self, encoder, decoder):
        super().__init__(name="vae")
        self.encoder, self.decoder = encoder, decoder
        self.total_tracker = axon.metrics.Mean(name="loss")
        self.reconstruction_tracker = axon.metrics.Mean(name="reconstruction")
        self.kl_tracker = axon.metrics.Mean(name="kl")

    @property
    def metrics(self):
        return [self.total_tracker, self.reconstruction_tracker, self.kl_tracker]

    def call(self, x, training=False):
        return self.decoder(self.encoder(x, training=training)[2], training=training)

    def train_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        with axon.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(x, training=True)
            reconstruction = self.decoder(z, training=True)
            # binary_crossentropy averages over the pixels: times 784 gives the sum.
            bce = axon.losses.binary_crossentropy(axon.Tensor(x), reconstruction) * 784.0
            reconstruction_loss = F.mean(bce)
            kl = -0.5 * F.sum(1.0 + z_log_var - z_mean * z_mean - F.exp(z_log_var), axis=1)
            kl_loss = F.mean(kl)
            loss = reconstruction_loss + kl_loss
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(reconstruction_loss)
        self.kl_tracker.update_state(kl_loss)
        return {m.name: m.result() for m in self.metrics}


def latent_grid(decoder, points=15, span=2.0):
    """Decode a ``points x points`` grid of latent codes in ``[-span, span]^2``."""
    axis = np.linspace(-span, span, points)
    codes = np.array([[a, b] for b in axis[::-1] for a in axis], dtype="float32")
    return decoder.predict(codes, verbose=0).reshape(-1, 28, 28)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--samples", type=int, default=60000, help="training images to use")
    parser.add_argument("--output", default="docs/images/vae_digits.png")
    args = parser.parse_args()

    axon.utils.set_random_seed(0)
    (x_train, _), (x_test, _) = axon.datasets.mnist.load_data()
    x_train = x_train[:args.samples].reshape(-1, 784).astype("float32") / 255.0
    x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

    vae = VAE(build_encoder(), build_decoder())
    vae.compile(optimizer=axon.optimizers.Adam(learning_rate=1e-3))
    start = time.perf_counter()
    history = vae.fit(x_train, epochs=args.epochs, batch_size=128, verbose=2)
    seconds = time.perf_counter() - start

    z_mean, _, _ = vae.encoder.predict(x_test[:2000], verbose=0)
    recon = vae.decoder.predict(z_mean, verbose=0)
    bce = -np.mean(np.sum(x_test[:2000] * np.log(recon + 1e-7)
                          + (1 - x_test[:2000]) * np.log(1 - recon + 1e-7), axis=1))
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    axon.utils.save_png(axon.utils.image_grid(latent_grid(vae.decoder), columns=15,
                                              background=0.0), args.output)
    print(f"trained {args.epochs} epochs in {seconds:.1f} s; final loss "
          f"{history.history['loss'][-1]:.1f} (reconstruction "
          f"{history.history['reconstruction'][-1]:.1f}, KL {history.history['kl'][-1]:.2f})")
    print(f"test reconstruction cross-entropy per image: {bce:.1f}")
    print(f"saved a 15x15 grid of decoded latent points to {args.output}")


if __name__ == "__main__":
    main()
