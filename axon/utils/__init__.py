"""Helpers shared across axon: seeding, label encoding, names and name lookup."""
from axon.utils.labels import to_categorical
from axon.utils.naming import unique_name
from axon.utils.registry import resolve
from axon.utils.seeding import set_random_seed

__all__ = ["set_random_seed", "to_categorical", "unique_name", "resolve"]
