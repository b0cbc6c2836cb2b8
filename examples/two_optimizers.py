"""One model, two optimizers: a slow, careful SGD for the feature extractor and a fast Adam
for the classifier head, in a custom ``train_step`` so ``fit`` still drives the loop.

Run: python examples/two_optimizers.py
"""

import axon
from axon import layers

axon.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = axon.datasets.digits.load_data()
x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0


class TwoSpeedClassifier(axon.Model):
    """Features learn with SGD + momentum, the head with Adam."""

    def __init__(self):
        super().__init__()
        self.features = axon.Sequential([layers.Dense(64, activation="relu"),
                                         layers.Dense(32, activation="relu")])
        self.head = layers.Dense(10)

    def call(self, x, training=False):
        return self.head(self.features(x, training=training))

    def compile(self, feature_optimizer, head_optimizer, **kwargs):
        super().compile(optimizer=head_optimizer, **kwargs)
        self.feature_optimizer = feature_optimizer

    def train_step(self, data):
        x, y = data
        with axon.GradientTape() as tape:
            logits = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=logits)
        feature_weights = self.features.trainable_weights
        head_weights = self.head.trainable_weights
        grads = tape.gradient(loss, feature_weights + head_weights)
        self.feature_optimizer.apply(grads[:len(feature_weights)], feature_weights)
        self.optimizer.apply(grads[len(feature_weights):], head_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, logits)
        return {m.name: m.result() for m in self.metrics}


model = TwoSpeedClassifier()
model.compile(feature_optimizer=axon.optimizers.SGD(learning_rate=0.05, momentum=0.9),
              head_optimizer=axon.optimizers.Adam(learning_rate=3e-3),
              loss=axon.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=20, batch_size=32, verbose=0)
print(f"final training loss {history.history['loss'][-1]:.4f}, "
      f"accuracy {history.history['accuracy'][-1]:.4f}")
print(f"feature optimizer steps {model.feature_optimizer.iterations}, "
      f"head optimizer steps {model.optimizer.iterations}")
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {accuracy:.4f}")
