"""Tests for finding dataset files: path=, AXON_DATA_DIR, the cache, downloads and errors.

They use tiny fake datasets (see ``make_dataset`` in conftest.py) whose labels all equal a
marker, so each test can tell which folder a load came from. Downloads go to ``file://`` mirrors;
the network is never touched (conftest's autouse fixture makes any other URL fail).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from axon.datasets import (
    DatasetChecksumError,
    DatasetNotFoundError,
    IDXFormatError,
    _files,
    cache_dir,
    fashion_mnist,
    mnist,
)

LOADERS = [pytest.param(mnist, "mnist", id="mnist"),
           pytest.param(fashion_mnist, "fashion-mnist", id="fashion_mnist")]


def _marker(loaded: tuple) -> int:
    (x_train, y_train), (x_test, y_test) = loaded
    assert x_train.shape == (3, 28, 28) and x_test.shape == (2, 28, 28)
    markers = set(y_train.tolist()) | set(y_test.tolist())
    assert len(markers) == 1
    return markers.pop()


def _record_fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    guarded = _files._fetch

    def recording_fetch(url: str, dest: Path) -> None:
        urls.append(url)
        guarded(url, dest)

    monkeypatch.setattr(_files, "_fetch", recording_fetch)
    return urls


# --- the cache folder ---------------------------------------------------------------------------

def test_cache_dir_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "axon" / "datasets"


@pytest.mark.parametrize("xdg", [None, "", "relative/dir"])
def test_cache_dir_defaults_to_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, xdg: str | None
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache_dir() == tmp_path / ".cache" / "axon" / "datasets"


# --- lookup order ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("module", "subdir"), LOADERS)
def test_path_beats_env_beats_cache(
    module: ModuleType,
    subdir: str,
    make_dataset: Callable,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    make_dataset(tmp_path / "given", marker=1)
    make_dataset(tmp_path / "env" / subdir, marker=2)
    make_dataset(isolated_environment / subdir, marker=3)
    monkeypatch.setenv("AXON_DATA_DIR", str(tmp_path / "env"))
    assert _marker(module.load_data(path=tmp_path / "given")) == 1
    assert _marker(module.load_data()) == 2
    monkeypatch.delenv("AXON_DATA_DIR")
    assert _marker(module.load_data()) == 3


@pytest.mark.parametrize(("module", "subdir"), LOADERS)
def test_incomplete_env_folder_falls_back_to_cache(
    module: ModuleType,
    subdir: str,
    make_dataset: Callable,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    make_dataset(tmp_path / "env" / subdir, marker=2)
    (tmp_path / "env" / subdir / "t10k-labels-idx1-ubyte.gz").unlink()
    make_dataset(isolated_environment / subdir, marker=3)
    monkeypatch.setenv("AXON_DATA_DIR", str(tmp_path / "env"))
    assert _marker(module.load_data()) == 3


def test_env_folder_with_tilde(
    make_dataset: Callable, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    make_dataset(tmp_path / "data" / "mnist", marker=4)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AXON_DATA_DIR", "~/data")
    assert _marker(mnist.load_data()) == 4


# --- path= errors ---------------------------------------------------------------------------------

def test_path_missing_a_file_raises_instead_of_falling_through(
    make_dataset: Callable,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    make_dataset(tmp_path / "given", marker=1)
    (tmp_path / "given" / "t10k-images-idx3-ubyte.gz").unlink()
    make_dataset(tmp_path / "env" / "mnist", marker=2)
    monkeypatch.setenv("AXON_DATA_DIR", str(tmp_path / "env"))
    with pytest.raises(DatasetNotFoundError, match=r"lacks t10k-images-idx3-ubyte\.gz") as info:
        mnist.load_data(path=tmp_path / "given")
    assert isinstance(info.value, FileNotFoundError)
    assert "path=" in str(info.value) and str(tmp_path / "given") in str(info.value)


def test_path_to_the_parent_folder_gets_a_hint(make_dataset: Callable, tmp_path: Path) -> None:
    make_dataset(tmp_path / "datasets" / "mnist")
    hint = r"Its subfolder holds them: pass path='.*datasets.+mnist'"
    with pytest.raises(DatasetNotFoundError, match=hint):
        mnist.load_data(path=tmp_path / "datasets")


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"path='.*nowhere', which does not exist"):
        fashion_mnist.load_data(path=str(tmp_path / "nowhere"))


def test_path_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetNotFoundError, match=r"which is a file"):
        mnist.load_data(path=tmp_path / "file")


def test_path_of_wrong_type() -> None:
    expected = r"Expected path to be a str or os\.PathLike.*Received: path=3 of type int"
    with pytest.raises(TypeError, match=expected):
        mnist.load_data(path=3)  # type: ignore[arg-type]


def test_corrupt_file_is_named(make_dataset: Callable, tmp_path: Path) -> None:
    make_dataset(tmp_path / "given")
    (tmp_path / "given" / "train-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    with pytest.raises(IDXFormatError, match=r"train-labels-idx1-ubyte\.gz is not a valid gzip"):
        mnist.load_data(path=tmp_path / "given")


# --- downloads ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("module", "subdir"), LOADERS)
def test_download_into_cache(
    module: ModuleType,
    subdir: str,
    make_dataset: Callable,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(module, "_SHA256", make_dataset(tmp_path / "mirror", marker=5))
    monkeypatch.setattr(module, "_MIRRORS", [(tmp_path / "mirror").as_uri()])  # no slash: fine
    urls = _record_fetches(monkeypatch)
    assert _marker(module.load_data()) == 5
    assert len(urls) == 4
    cached = sorted(p.name for p in (isolated_environment / subdir).iterdir())
    assert cached == sorted(module._SHA256)  # no temporary files left
    assert _marker(module.load_data()) == 5
    assert len(urls) == 4  # the second load came from the cache


def test_download_fetches_only_what_the_cache_lacks(
    make_dataset: Callable,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(mnist, "_SHA256", make_dataset(tmp_path / "mirror", marker=6))
    monkeypatch.setattr(mnist, "_MIRRORS", [(tmp_path / "mirror").as_uri() + "/"])
    make_dataset(isolated_environment / "mnist", marker=6)
    (isolated_environment / "mnist" / "train-images-idx3-ubyte.gz").unlink()
    urls = _record_fetches(monkeypatch)
    assert _marker(mnist.load_data()) == 6
    assert [url.rsplit("/", 1)[1] for url in urls] == ["train-images-idx3-ubyte.gz"]


def test_checksum_mismatch_raises_and_leaves_nothing(
    make_dataset: Callable,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    expected = make_dataset(tmp_path / "genuine", marker=7)
    make_dataset(tmp_path / "tampered", marker=8)  # same names, other content
    monkeypatch.setattr(mnist, "_SHA256", expected)
    monkeypatch.setattr(mnist, "_MIRRORS", [(tmp_path / "tampered").as_uri() + "/"])
    with pytest.raises(DatasetChecksumError) as info:
        mnist.load_data()
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert expected["train-images-idx3-ubyte.gz"] in message
    assert "tampered" in message and "was not saved" in message
    assert not (isolated_environment / "mnist").exists()


def test_bad_mirror_then_good_mirror(
    make_dataset: Callable,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    expected = make_dataset(tmp_path / "genuine", marker=7)
    make_dataset(tmp_path / "tampered", marker=8)
    monkeypatch.setattr(mnist, "_SHA256", expected)
    monkeypatch.setattr(
        mnist, "_MIRRORS", [(tmp_path / d).as_uri() + "/" for d in ("tampered", "genuine")]
    )
    assert _marker(mnist.load_data()) == 7
    assert len(list((isolated_environment / "mnist").iterdir())) == 4


def test_mirror_serving_non_gzip_is_a_checksum_error(
    make_dataset: Callable, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = make_dataset(tmp_path / "genuine")
    (tmp_path / "html").mkdir()
    for name in expected:
        (tmp_path / "html" / name).write_text("<html>Not found</html>")
    monkeypatch.setattr(mnist, "_SHA256", expected)
    monkeypatch.setattr(mnist, "_MIRRORS", [(tmp_path / "html").as_uri() + "/"])
    with pytest.raises(DatasetChecksumError, match=r"not a valid gzip file"):
        mnist.load_data()


# --- nothing found, download failed ---------------------------------------------------------------

@pytest.mark.parametrize(("module", "subdir"), LOADERS)
def test_offline_error_lists_every_place_and_the_remedies(
    module: ModuleType, subdir: str, isolated_environment: Path
) -> None:
    with pytest.raises(DatasetNotFoundError) as info:
        module.load_data()
    assert isinstance(info.value, FileNotFoundError)
    message = str(info.value)
    assert "AXON_DATA_DIR: not set" in message
    assert str(isolated_environment / subdir) in message
    for mirror in module._MIRRORS:
        assert mirror in message
    assert "network disabled in tests" in message
    assert f"axon.datasets.{module.__name__.rsplit('.', 1)[1]}.load_data(path=" in message
    assert f"set AXON_DATA_DIR to a folder with a '{subdir}/' subfolder" in message
    assert "copy them into" in message
    for name in module._SHA256:
        assert name in message


def test_offline_error_mentions_the_env_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AXON_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(DatasetNotFoundError, match=r"AXON_DATA_DIR=.*data: .*mnist does not exist"):
        mnist.load_data()


def test_fetch_failure_of_any_kind_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_fetch(url: str, dest: Path) -> None:
        dest.write_bytes(b"partial")
        raise TimeoutError("timed out")

    monkeypatch.setattr(_files, "_fetch", failing_fetch)
    with pytest.raises(DatasetNotFoundError, match=r"TimeoutError: timed out"):
        mnist.load_data()
    assert not (cache_dir() / "mnist").exists()  # the partial file and the folder were removed


def test_failed_download_keeps_an_existing_cache_folder(
    make_dataset: Callable, isolated_environment: Path, tmp_path: Path
) -> None:
    make_dataset(isolated_environment / "mnist")
    (isolated_environment / "mnist" / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DatasetNotFoundError, match=r"lacks train-images-idx3-ubyte\.gz"):
        mnist.load_data()
    assert len(list((isolated_environment / "mnist").iterdir())) == 3


def test_uncreatable_cache_folder_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "not-a-folder").write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    with pytest.raises(DatasetNotFoundError, match=r"cannot create the cache folder"):
        mnist.load_data()


def test_no_mirrors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mnist, "_MIRRORS", [])
    with pytest.raises(DatasetNotFoundError, match=r"the list of mirrors is empty"):
        mnist.load_data()


def test_loaded_arrays_are_independent(make_dataset: Callable, tmp_path: Path) -> None:
    make_dataset(tmp_path / "given", marker=2)
    (x_train, _), _ = mnist.load_data(path=tmp_path / "given")
    x_train[...] = 0
    (x_again, _), _ = mnist.load_data(path=tmp_path / "given")
    assert np.any(x_again != 0)
