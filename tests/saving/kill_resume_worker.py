"""A training run that checkpoints every batch with BackupAndRestore; killed and restarted by
test_kill_and_resume.py. Usage: python kill_resume_worker.py BACKUP_DIR OUTPUT_DIR"""
import json
import sys
from pathlib import Path

import numpy as np

import axon
from axon import callbacks, layers


def main(backup_dir: str, output_dir: str) -> None:
    axon.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(384, 12)).astype("float32")
    y = (x[:, :3].sum(axis=1) > 0).astype("int64") + (x[:, 3] > 1).astype("int64")
    model = axon.Sequential([layers.Dense(32, activation="relu", input_shape=(12,)),
                             layers.BatchNormalization(), layers.Dropout(0.3),
                             layers.Dense(3, activation="softmax")])
    model.compile(optimizer=axon.optimizers.Adam(axon.optimizers.schedules.ExponentialDecay(
        0.01, decay_steps=40, decay_rate=0.8)), loss="sparse_categorical_crossentropy",
        metrics=["accuracy"])
    output = Path(output_dir)
    history = model.fit(x, y, batch_size=16, epochs=6, verbose=0, validation_split=0.25,
                        callbacks=[callbacks.EarlyStopping(patience=2, restore_best_weights=True),
                                   callbacks.ReduceLROnPlateau(monitor="loss", patience=0),
                                   callbacks.CSVLogger(output / "log.csv"),
                                   callbacks.BackupAndRestore(backup_dir, save_freq=1)])
    model.save_weights(output / "final.weights.safetensors")
    (output / "history.json").write_text(json.dumps(history.history))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
