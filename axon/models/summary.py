"""``model.summary()``: the table of layers, output shapes and parameter counts, as Keras 3 prints it.

Keras 3 draws the table with the ``rich`` library; this module reproduces that layout character for
character in plain Python (tests compare it with texts captured from Keras 3.15):

* columns end at ``positions`` (fractions of ``line_length``); each cell has one space of padding
  either side and the table is exactly ``line_length`` wide, so the borders' and paddings' width is
  taken back from the columns evenly (integer shares rounded half to even, the last column takes
  what is left), or given to them in proportion to their widths when the columns are too narrow;
* a cell's text wraps at spaces; a word longer than its column is cut with ``…``;
* every line is cut at the terminal's width (``COLUMNS``, else the terminal's size, else 80), as
  rich does, and the default ``line_length`` is ``min(88, terminal width - 4)`` (108 with the
  "Connected to" column of a branching functional model, 12 more with ``show_trainable``);
* sizes are the weights' bytes in units of 1024 (``918.54 KB``); once the optimizer has taken a
  step, an "Optimizer params" line counts its state: the step counter (a 4-byte integer, as
  Keras on JAX or PyTorch), the learning rate when it is a number (a float), and every slot array.
"""
from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Callable
from typing import Any

from axon import backend
from axon.layers.input_layer import InputLayer

_WORD = re.compile(r"\s*\S+\s*")  # a word and the spaces around it, as rich splits text
_TRAILING_SPACE = re.compile(r"\s+$")
_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"]


def print_summary(model: Any, line_length: int | None = None, positions: Any = None,
                  print_fn: Callable[[str], Any] | None = None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range: Any = None) -> None:
    """Print ``model``'s layers, output shapes and parameter counts, laid out as Keras 3 does.

    Args:
        model: a Sequential, functional or subclassed model.
        line_length: total width of the table (default: ``min(88, terminal width - 4)``).
        positions: right edges of the columns as fractions of ``line_length``
            (default ``[0.45, 0.80, 1.0]``, or ``[0.3, 0.56, 0.74, 1.0]`` with "Connected to").
        print_fn: called once with the whole text (lines joined by newlines, ending with one),
            as in Keras 3; default: print it to stdout.
        expand_nested: also list the layers of nested models, indented with ``└``.
        show_trainable: add a "Trainable" column (``Y``, ``N``, or ``-`` for no weights).
        layer_range: ``[first, last]`` layer names (regular expressions, both ends included).

    Example:
        >>> import axon
        >>> model = axon.Sequential([axon.Input((4,)), axon.layers.Dense(3, name="h"),
        ...                          axon.layers.Dense(2, name="o")], name="tiny")
        >>> model.summary(line_length=60)
        Model: "tiny"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓
        ┃ Layer (type)             ┃ Output Shape      ┃   Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩
        │ h (Dense)                │ (None, 3)         │        15 │
        ├──────────────────────────┼───────────────────┼───────────┤
        │ o (Dense)                │ (None, 2)         │         8 │
        └──────────────────────────┴───────────────────┴───────────┘
         Total params: 23 (92.00 B)
         Trainable params: 23 (92.00 B)
         Non-trainable params: 0 (0.00 B)
    """
    from axon.models.sequential import Sequential  # imported here: sequential imports model

    layers = list(model.layers)
    is_graph = not isinstance(model, Sequential) and any(isinstance(x, InputLayer) for x in layers)
    sequential_like = not is_graph or _is_chain(model, layers)
    header = ["Layer (type)", "Output Shape", "Param #"]
    justify = ["left", "left", "right"]
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header.append("Connected to")
        justify.append("left")
    if not isinstance(positions, list | tuple) or not all(
            isinstance(p, int | float) and not isinstance(p, bool) for p in positions):
        raise TypeError(f"summary() expects positions to be a list of numbers (the columns' right "
                        f"edges as fractions of line_length). Received: positions={positions!r}")
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    if line_length is None:
        line_length = min(default_length, shutil.get_terminal_size().columns - 4)
    elif isinstance(line_length, bool) or not isinstance(line_length, int) or line_length < 1:
        raise ValueError(f"summary() expects line_length to be a positive integer. "
                         f"Received: line_length={line_length!r}")
    widths = _column_widths(line_length, list(positions), header)

    start, stop = _layer_index_range(layers, layer_range)
    rows = [header]
    for layer in layers[start:stop]:
        rows += _layer_rows(model, layer, 0, sequential_like, show_trainable, expand_nested)
    width = _console_width()
    lines = [f'Model: "{model.name}"']
    lines += [line[:width] for line in _table(rows, widths, justify)]
    lines += _totals(model)
    text = "\n".join(lines) + "\n"
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)


# ---- what goes in the cells ---------------------------------------------------------------------
def _is_chain(model: Any, layers: list) -> bool:
    """Whether a functional model is one straight path (Keras then drops "Connected to")."""
    inbound = [model.layer_inbound(layer) for layer in layers]
    consumed = [entry[0] for entries in inbound for entry in entries]
    return (sum(1 for entries in inbound if not entries) == 1
            and all(len(entries) <= 1 for entries in inbound)
            and len(consumed) == len(set(consumed)))


def _layer_rows(owner: Any, layer: Any, level: int, sequential_like: bool, show_trainable: bool,
                expand_nested: bool) -> list[list[str]]:
    """The row of ``layer`` (a layer of ``owner``), then those of its own layers when expanded."""
    prefix = "   " * level + "└ " if level else ""
    if not getattr(layer, "built", True):
        params = "0 (unbuilt)"
    else:
        params = f"{layer.count_params():,}"
    row = [f"{prefix}{layer.name} ({type(layer).__name__})", _shape_text(owner, layer), params]
    if not sequential_like:
        inbound = owner.layer_inbound(layer) if level == 0 else []
        row.append(", ".join(f"{name}[{node}][{tensor}]" for name, node, tensor in inbound) or "-")
    if show_trainable:
        row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    rows = [row]
    inner = getattr(layer, "layers", None) if expand_nested else None
    for sub_layer in inner or []:
        rows += _layer_rows(layer, sub_layer, level + 1, sequential_like, show_trainable, True)
    return rows


def _shape_text(owner: Any, layer: Any) -> str:
    """``(None, 256)``; a list of shapes for several outputs; ``?`` when it is not known."""
    getter = getattr(owner, "layer_output_shape", None)
    shape = getter(layer) if getter is not None else None
    build_shape = getattr(layer, "_build_input_shape", None)
    if shape is None and getattr(layer, "built", False) and build_shape is not None:
        try:
            shape = layer.compute_output_shape(build_shape)
        except NotImplementedError:
            shape = None
    if shape is None:
        return "?"

    def text(structure: Any) -> str:
        if isinstance(structure, list | tuple) and any(isinstance(s, list | tuple) for s in structure):
            inner = ", ".join(text(s) for s in structure)
            return f"[{inner}]" if isinstance(structure, list) else f"({inner})"
        return "(" + ", ".join(str(n) for n in structure) + ")"

    if isinstance(shape, list | tuple) and len(shape) == 1 and isinstance(shape[0], list | tuple):
        shape = shape[0]
    return text(shape)


def _layer_index_range(layers: list, layer_range: Any) -> tuple[int, int]:
    """``[start, stop)`` of the layers from the first matching ``layer_range[0]`` to the last
    matching ``layer_range[1]``."""
    if layer_range is None:
        return 0, len(layers)
    if not isinstance(layer_range, list | tuple) or len(layer_range) != 2 or not all(
            isinstance(name, str) for name in layer_range):
        raise ValueError(f"summary() expects layer_range to be a list of 2 layer names (or "
                         f"regular expressions). Received: layer_range={layer_range!r}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        names = ", ".join(layer.name for layer in layers)
        raise ValueError(f"summary(): layer_range does not match the model's layer names "
                         f"({names}). Received: layer_range={layer_range!r}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def _totals(model: Any) -> list[str]:
    trainable = _unique(model.trainable_weights)
    frozen = _unique(model.non_trainable_weights)
    counts = [sum(int(w.size) for w in trainable), sum(int(w.size) for w in frozen)]
    sizes = [sum(int(w.size) * _itemsize(w.dtype) for w in trainable),
             sum(int(w.size) * _itemsize(w.dtype) for w in frozen)]
    labels = ["Trainable", "Non-trainable"]
    optimizer = getattr(model, "optimizer", None)
    if getattr(model, "compiled", False) and optimizer is not None and (
            getattr(optimizer, "_slots", None) or getattr(optimizer, "iterations", 0)):
        arrays = [a for slots in optimizer._slots.values() for a in slots.values()]
        count, size = 1, 4  # the step counter: an int32, as Keras keeps it on JAX and PyTorch
        given = getattr(optimizer, "learning_rate_schedule", optimizer.learning_rate)
        if not callable(given):  # a number is a variable; a schedule is not
            count, size = count + 1, size + _itemsize(backend.floatx())
        counts.append(count + sum(int(a.size) for a in arrays))
        sizes.append(size + sum(int(a.size) * _itemsize(a.dtype) for a in arrays))
        labels.append("Optimizer")
    lines = [f" Total params: {sum(counts):,} ({_readable_size(sum(sizes))})"]
    lines += [f" {label} params: {count:,} ({_readable_size(size)})"
              for label, count, size in zip(labels, counts, sizes)]
    return lines


def _unique(weights: list) -> list:
    return list({id(w): w for w in weights}.values())


def _itemsize(dtype: Any) -> int:
    return int(backend.xp.dtype(dtype).itemsize)


def _readable_size(size: float) -> str:
    """``940584`` -> ``'918.54 KB'`` (units of 1024, two decimals)."""
    for unit in _UNITS:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {_UNITS[-1]}"


def _console_width() -> int:
    """The width at which rich cuts lines: ``COLUMNS``, else the terminal's width, else 80."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    for descriptor in (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


# ---- the table ----------------------------------------------------------------------------------
def _column_widths(line_length: int, positions: list, header: list[str]) -> list[int]:
    """Each column's width, paddings included and borders excluded, summing to
    ``line_length - (columns + 1)``."""
    requested, current = [], 0
    for index, position in enumerate(positions):
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError(f"Insufficient console width to print summary: column {index} would "
                             f"be {width} characters wide (at least 4 needed). Received: "
                             f"line_length={line_length}, positions={positions}")
        requested.append(width)
        current += width
    if len(requested) < len(header):
        raise ValueError(f"summary() expects {len(header)} positions, one per column "
                         f"({', '.join(header)}). Received: positions={positions}")
    room = line_length - (len(header) + 1)  # what the borders leave
    if room < len(header):
        raise ValueError(f"Insufficient console width to print summary. Received: "
                         f"line_length={line_length}")
    widths = [min(width + 2, room) for width in requested[:len(header)]]
    if sum(widths) > room:  # take the excess back evenly
        excess, remaining = sum(widths) - room, len(widths)
        for index, width in enumerate(widths):
            cut = min(width, round(excess / remaining))
            widths[index], excess, remaining = width - cut, excess - cut, remaining - 1
    if sum(widths) < room:  # share the rest in proportion to the widths
        extra, total = room - sum(widths), sum(widths)
        for index, width in enumerate(widths):
            share = math.ceil(width * extra / total)
            widths[index], extra, total = width + share, extra - share, total - width
    return widths


def _table(rows: list[list[str]], widths: list[int], justify: list[str]) -> list[str]:
    """Box-drawn lines: a heavy header, a rule between rows."""
    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * width for width in widths) + right

    lines = [rule("┏", "━", "┳", "┓")]
    for index, row in enumerate(rows):
        cells = [_wrap(text, width - 2, how) for text, width, how in zip(row, widths, justify)]
        height = max(len(cell) for cell in cells)
        for cell, width in zip(cells, widths):
            blank = [" " * (width - 2)] * (height - len(cell))
            cell[:] = blank + cell if index == 0 else cell + blank  # a header sits at the bottom
        bar = "┃" if index == 0 else "│"
        for line in range(height):
            lines.append(bar + bar.join(f" {cell[line]} " for cell in cells) + bar)
        if index == 0:
            lines.append(rule("┡", "━", "╇", "┩"))
        elif index < len(rows) - 1:
            lines.append(rule("├", "─", "┼", "┤"))
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


def _wrap(text: str, width: int, justify: str) -> list[str]:
    """``text`` word-wrapped to ``width`` and justified; a word too long is cut with ``…``."""
    if width < 1:
        return [""]
    breaks, offset, position = [], 0, 0
    match = _WORD.match(text, position)
    while match is not None:
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width or offset and start:
            if start:
                breaks.append(start)
            offset = len(word)
        match = _WORD.match(text, match.end())
    lines = []
    for begin, end in zip([0] + breaks, breaks + [len(text)]):
        line = text[begin:end]
        if len(line) > width:  # drop the trailing spaces that overflow
            spaces = _TRAILING_SPACE.search(line)
            if spaces is not None:
                line = line[:len(line) - min(len(spaces.group()), len(line) - width)]
        if justify != "left":
            line = line.rstrip()
        if len(line) > width:
            line = line[:max(width - 1, 0)] + "…"
        if justify == "right":
            line = line.rjust(width)
        elif justify == "center":
            line = (" " * ((width - len(line)) // 2) + line).ljust(width)
        else:
            line = line.ljust(width)
        lines.append(line)
    return lines
