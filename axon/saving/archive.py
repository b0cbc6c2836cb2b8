"""A zip archive of named byte strings: the container of ``.axon`` model files and checkpoints.

Members are stored uncompressed (``ZIP_STORED``) with a fixed timestamp, so the same model gives
the same bytes and any zip tool can list and extract them (``unzip -l m.axon``). Reading trusts
nothing: only uncompressed members with expected names are read, each no larger than the archive
itself, with their CRC checked, so a forged archive can neither run code nor claim more memory
than its own size.
"""
from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

from axon.saving.atomic import atomic_write
from axon.saving.safetensors_format import FormatError

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)   # the earliest zip timestamp: files do not depend on the clock
_ZIP_SIGNATURE = b"PK\x03\x04"


def encode_archive(members: dict[str, bytes]) -> bytes:
    """The bytes of a zip archive holding ``members`` (name -> bytes), in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def write_archive(path: str | os.PathLike, members: dict[str, bytes]) -> None:
    """Write the archive atomically: a crash leaves the old file or the new one."""
    encoded = encode_archive(members)
    with atomic_write(path) as handle:
        handle.write(encoded)


def is_archive(raw: bytes) -> bool:
    """Whether ``raw`` starts like a zip archive."""
    return raw[:4] == _ZIP_SIGNATURE


def decode_archive(raw: bytes, source: str, required: set[str],
                   optional: set[str] = frozenset()) -> dict[str, bytes]:
    """The members of a zip archive given as bytes, checked; ``source`` names it in errors.

    Raises:
        FormatError: when the bytes are not a zip archive, a member is compressed, unexpected,
            repeated, missing, larger than the archive, or fails its CRC check.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            struct.error, NotImplementedError, RecursionError) as error:
        raise FormatError(f"{source}: not a readable zip archive ({type(error).__name__}: "
                          f"{str(error)[:200]}).") from None
    names = [info.filename for info in infos]
    unexpected = sorted(set(names) - required - set(optional))
    if unexpected:
        raise FormatError(f"{source}: unexpected member(s) {unexpected[:5]}; an axon file holds "
                          f"{sorted(required | set(optional))}.")
    if len(set(names)) != len(names):
        raise FormatError(f"{source}: a member appears twice.")
    missing = sorted(required - set(names))
    if missing:
        raise FormatError(f"{source}: member(s) {missing} are missing.")
    members = {}
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED:
            raise FormatError(f"{source}: member {info.filename!r} is compressed; axon files store "
                              "members uncompressed.")
        if info.file_size > len(raw) or info.compress_size != info.file_size:
            raise FormatError(f"{source}: member {info.filename!r} claims {info.file_size} bytes "
                              f"in an archive of {len(raw)}.")
        try:
            with archive.open(info) as member:
                content = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error,
                NotImplementedError, RuntimeError, zlib.error) as error:
            raise FormatError(f"{source}: member {info.filename!r} is damaged "
                              f"({type(error).__name__}: {str(error)[:200]}).") from None
        if len(content) != info.file_size:
            raise FormatError(f"{source}: member {info.filename!r} is truncated.")
        members[info.filename] = content
    return members
