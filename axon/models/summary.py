"""``model.summary()``: the table of layers, output shapes and parameter counts."""
from __future__ import annotations

from typing import Any


def _shape_text(layer: Any, shape: tuple | None) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if n is None else str(n) for n in shape) + (
        ",)" if len(shape) == 1 else ")")


def print_summary(model: Any, line_length: int = 80, print_fn: Any = None) -> None:
    """Print one row per layer: name (type), output shape, parameter count; then the totals."""
    print_fn = print_fn or print
    columns = [int(line_length * 0.45), int(line_length * 0.30)]
    columns.append(line_length - sum(columns))
    shape = None
    expected = model._expected_input_shape() if hasattr(model, "_expected_input_shape") else None
    if expected is not None:
        shape = (None,) + tuple(expected)

    def row(*cells: str) -> str:
        return "".join(cell[:width - 1].ljust(width) for cell, width in zip(cells, columns[:-1])) \
            + cells[-1].rjust(columns[-1])

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(row("Layer (type)", "Output Shape", "Param #"))
    print_fn("=" * line_length)
    for layer in model.layers:
        shape = layer.compute_output_shape(shape) if shape is not None else None
        print_fn(row(f"{layer.name} ({type(layer).__name__})", _shape_text(layer, shape),
                     f"{layer.count_params():,}"))
    print_fn("=" * line_length)
    trainable = sum(int(w.size) for w in model.trainable_weights)
    frozen = sum(int(w.size) for w in model.non_trainable_weights)
    print_fn(f"Total params: {trainable + frozen:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {frozen:,}")
    print_fn("_" * line_length)
