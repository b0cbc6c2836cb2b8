"""PNG writing (stdlib only) and image grids: decode the file again and compare pixels."""
import struct
import zlib

import numpy as np
import pytest

from axon.utils import image_grid, save_png


def _read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = chunks.get(kind, b"") + body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {0: 1, 2: 3}[colour]
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = np.frombuffer(raw, np.uint8).reshape(height, 1 + width * channels)
    assert (rows[:, 0] == 0).all() and depth == 8
    pixels = rows[:, 1:].reshape(height, width, channels)
    return pixels[..., 0] if channels == 1 else pixels


def test_grey_and_colour_round_trip(tmp_path):
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    save_png(grey, tmp_path / "g.png")
    np.testing.assert_array_equal(_read_png(tmp_path / "g.png"), grey)
    colour = np.random.default_rng(0).random((5, 6, 3))
    save_png(colour, tmp_path / "c.png")
    np.testing.assert_array_equal(_read_png(tmp_path / "c.png"),
                                  (np.clip(colour, 0, 1) * 255 + 0.5).astype(np.uint8))


def test_grid_places_each_image_and_pads():
    images = np.stack([np.full((2, 2), v) for v in (0.0, 0.5, 1.0)])
    grid = image_grid(images, columns=2, padding=1, background=0.25)
    assert grid.shape == (7, 7)
    assert (grid[1:3, 1:3] == 0.0).all() and (grid[1:3, 4:6] == 0.5).all()
    assert (grid[4:6, 1:3] == 1.0).all() and (grid[4:6, 4:6] == 0.25).all()


def test_bad_shapes_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"\(h, w\), \(h, w, 1\) or \(h, w, 3\)"):
        save_png(np.zeros((2, 2, 2)), tmp_path / "x.png")
    with pytest.raises(ValueError, match="image_grid expects"):
        image_grid(np.zeros((2, 2)))
