"""Datasets: ``mnist`` and ``fashion_mnist`` (IDX files, cached and checksummed) and ``digits``.

Each submodule has a ``load_data`` returning ``((x_train, y_train), (x_test, y_test))`` as uint8
NumPy arrays, like Keras's loaders::

    from axon.datasets import mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data()

MNIST and Fashion-MNIST are looked up in ``path=``, then ``$AXON_DATA_DIR/<name>/``, then the
cache (``$XDG_CACHE_HOME/axon/datasets/<name>/``, default ``~/.cache/axon/datasets/<name>/``),
then downloaded. ``digits`` ships with the package.
"""
from axon.datasets import digits, fashion_mnist, mnist
from axon.datasets._files import DatasetChecksumError, DatasetNotFoundError, cache_dir
from axon.datasets._idx import IDXFormatError, read_idx

__all__ = [
    "mnist",
    "fashion_mnist",
    "digits",
    "DatasetNotFoundError",
    "DatasetChecksumError",
    "IDXFormatError",
    "cache_dir",
    "read_idx",
]
