"""Finding dataset files: ``path=``, ``AXON_DATA_DIR``, the user cache, then the network.

Downloads go to a temporary file in the cache folder and are renamed into place (``os.replace``)
only once the SHA-256 of their decompressed content matches the expected value, so the cache
never holds a partial or wrong file. Tests replace ``_fetch`` (and the loaders' ``_MIRRORS``)
so that they never touch the network.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

ENV_DATA_DIR = "AXON_DATA_DIR"
_TIMEOUT_S = 60.0


class DatasetNotFoundError(FileNotFoundError):
    """The files of a dataset could not be found anywhere nor downloaded."""


class DatasetChecksumError(ValueError):
    """A downloaded file's decompressed content does not have the expected SHA-256."""


def cache_dir() -> Path:
    """Return the folder where downloaded datasets are kept.

    Returns:
        ``$XDG_CACHE_HOME/axon/datasets`` when ``XDG_CACHE_HOME`` is set to an absolute path,
        else ``~/.cache/axon/datasets``. Each dataset has a subfolder (``mnist/``,
        ``fashion-mnist/``). The folder is not created here.

    Example:
        >>> cache_dir().parts[-2:]
        ('axon', 'datasets')
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "axon" / "datasets"


def _fetch(url: str, dest: Path) -> None:
    """Download ``url`` into the file ``dest`` (overwriting it). Raises OSError on failure."""
    import urllib.request  # here, not at the top: it costs `import axon` about 50 ms

    with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response, open(dest, "wb") as out:
        shutil.copyfileobj(response, out, length=1 << 20)
        out.flush()
        os.fsync(out.fileno())


def _sha256_of_gzip(file: Path) -> str:
    """SHA-256 hex digest of the decompressed content of a gzip file."""
    digest = hashlib.sha256()
    with gzip.open(file, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _missing(folder: Path, names: Sequence[str]) -> list[str]:
    return [name for name in names if not (folder / name).is_file()]


def locate(
    *,
    title: str,
    subdir: str,
    loader: str,
    sha256: Mapping[str, str],
    mirrors: Sequence[str],
    path: str | os.PathLike[str] | None,
) -> dict[str, Path]:
    """Find (or download) a dataset's files and return their paths, keyed by file name.

    Looks in ``path`` (if given, and only there), then ``$AXON_DATA_DIR/<subdir>``, then
    ``cache_dir()/<subdir>``; files missing from the cache are downloaded from ``mirrors`` (base
    URLs tried in order) and checked against ``sha256`` (digests of the decompressed files).
    ``title`` names the dataset and ``loader`` its load function in messages.
    """
    names = list(sha256)
    if path is not None:
        return _from_path(path, names, title, subdir, loader)

    looked = []
    env = os.environ.get(ENV_DATA_DIR, "")
    if env:
        folder = Path(env).expanduser() / subdir
        missing = _missing(folder, names)
        if not missing:
            return {name: folder / name for name in names}
        looked.append(f"{ENV_DATA_DIR}={env}: {_describe(folder, missing)}")
    else:
        looked.append(f"{ENV_DATA_DIR}: not set")

    folder = cache_dir() / subdir
    missing = _missing(folder, names)
    if not missing:
        return {name: folder / name for name in names}
    looked.append(f"the cache: {_describe(folder, missing)}")

    failures = _download(folder, missing, sha256, mirrors)
    if failures:
        looked.extend(f"download {url}: {reason}" for url, reason in failures)
        raise DatasetNotFoundError(_not_found_message(title, subdir, loader, names, looked))
    return {name: folder / name for name in names}


def _from_path(
    path: str | os.PathLike[str], names: list[str], title: str, subdir: str, loader: str
) -> dict[str, Path]:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"Expected path to be a str or os.PathLike naming the folder that holds the {title} "
            f"files, or None. Received: path={path!r} of type {type(path).__name__}"
        )
    folder = Path(path).expanduser()
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "does not exist"
        raise DatasetNotFoundError(
            f"Expected path to be the folder that holds the {title} files ({', '.join(names)}). "
            f"Received: path={os.fspath(path)!r}, which {what}."
        )
    missing = _missing(folder, names)
    if missing:
        if not _missing(folder / subdir, names):
            hint = f"Its subfolder holds them: pass path={os.fspath(folder / subdir)!r}."
        else:
            hint = (
                f"Copy the files there, or call {loader}() without path= to use "
                f"{ENV_DATA_DIR}, the cache or a download."
            )
        raise DatasetNotFoundError(
            f"Expected path to be the folder that holds the {title} files ({', '.join(names)}). "
            f"Received: path={os.fspath(path)!r}, which lacks {', '.join(missing)}. {hint}"
        )
    return {name: folder / name for name in names}


def _describe(folder: Path, missing: list[str]) -> str:
    if not folder.is_dir():
        return f"{folder} does not exist"
    return f"{folder} lacks {', '.join(missing)}"


def _download(
    folder: Path, names: list[str], sha256: Mapping[str, str], mirrors: Sequence[str]
) -> list[tuple[str, str]]:
    """Download ``names`` into ``folder``; return (url, reason) for each failed attempt.

    Stops at the first file that no mirror could deliver (an empty list means success).
    Raises DatasetChecksumError if every mirror failed and at least one delivered wrong bytes.
    A cache folder created here is removed again if it stays empty.
    """
    if not mirrors:
        return [("(no mirror)", "the list of mirrors is empty")]
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [("(none tried)", f"cannot create the cache folder {folder}: {exc}")]
    try:
        return _download_all(folder, names, sha256, mirrors)
    finally:
        if created and not any(folder.iterdir()):
            with contextlib.suppress(OSError):  # another process may be filling it
                folder.rmdir()


def _download_all(
    folder: Path, names: list[str], sha256: Mapping[str, str], mirrors: Sequence[str]
) -> list[tuple[str, str]]:
    for name in names:
        failures: list[tuple[str, str]] = []
        mismatches: list[str] = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            reason = _download_one(url, folder / name, sha256[name])
            if reason is None:
                break
            failures.append((url, reason))
            if reason.startswith("checksum"):
                mismatches.append(f"{url}: {reason}")
        else:
            if mismatches:
                raise DatasetChecksumError(
                    f"The download of {name} did not match its expected SHA-256 (of the "
                    f"decompressed file), so it was not saved to {folder}:\n  - "
                    + "\n  - ".join(mismatches)
                    + "\nThe mirror may be corrupt or the download altered; provide the file "
                    "yourself (see path= or AXON_DATA_DIR)."
                )
            return failures
    return []


def _download_one(url: str, dest: Path, expected_sha256: str) -> str | None:
    """Fetch one file into ``dest`` atomically; return None on success, else the reason."""
    import http.client

    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        print(f"axon: downloading {url}", file=sys.stderr)
        try:
            _fetch(url, tmp)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            return f"{type(exc).__name__}: {exc}"
        try:
            received = _sha256_of_gzip(tmp)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            return f"checksum not computed: not a valid gzip file ({exc})"
        if received != expected_sha256:
            return f"checksum mismatch: expected SHA-256 {expected_sha256}, received {received}"
        os.replace(tmp, dest)
        return None
    finally:
        tmp.unlink(missing_ok=True)


def _not_found_message(
    title: str, subdir: str, loader: str, names: list[str], looked: list[str]
) -> str:
    files = ", ".join(names)
    return (
        f"Could not find the {title} files ({files}) and could not download them.\n"
        "Looked in:\n  - " + "\n  - ".join(looked) + "\n"
        "Provide the files in one of these ways:\n"
        f"  - pass the folder that holds them: {loader}(path='/folder/with/the/files')\n"
        f"  - set {ENV_DATA_DIR} to a folder with a '{subdir}/' subfolder that holds them\n"
        f"  - copy them into {cache_dir() / subdir}{os.sep}"
    )
