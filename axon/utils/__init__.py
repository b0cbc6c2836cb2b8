"""Helpers shared across axon: seeding, label encoding, data splitting, normalisation, sequence padding,
names and name lookup."""
from axon.utils.images import image_grid, save_png
from axon.utils.labels import to_categorical
from axon.utils.naming import unique_name
from axon.utils.numerical import normalize
from axon.utils.py_dataset import PyDataset, Sequence
from axon.utils.registry import resolve
from axon.utils.seeding import set_random_seed
from axon.utils.sequences import pad_sequences
from axon.utils.split import train_test_split

__all__ = ["set_random_seed", "to_categorical", "normalize", "train_test_split", "unique_name",
           "resolve", "PyDataset", "Sequence", "save_png", "image_grid",
           "pad_sequences"]
