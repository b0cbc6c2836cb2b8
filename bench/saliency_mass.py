"""Where gradient attributions put their mass on MNIST digits: axon and PyTorch side by side.

The same small CNN (Conv 8 - MaxPool - Conv 16 - MaxPool - Dense 10, softmax) is trained in axon
and in PyTorch on the same digits, then each attribution of the predicted class's probability is
split between the digit's pixels (``x > threshold``) and the rest, on the first test digits:

* ``mass``: total attribution inside the digit / total outside;
* ``density``: mean attribution per pixel inside / mean per pixel outside.

Plain saliency ``|df/dx|`` is a sensitivity map: it is large wherever a change of the pixel
would change the class, which includes the empty strokes around a digit that would turn a 7 into
a 9. This script measures that property of the method in both libraries, so that the numbers in
``docs/explain.md`` can be reproduced.

    python bench/saliency_mass.py [--train 6000 --epochs 1 --digits 20]

PyTorch is optional (``pip install torch``); without it only axon's rows are printed.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy

import axon
from axon import explain, layers

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = (0.5, 0.0)


def split(attributions, images, threshold: float) -> tuple[float, float]:
    """Median over digits of (mass inside / mass outside) and of (density inside / outside)."""
    digit = images > threshold
    inside = (attributions * digit).sum((1, 2))
    outside = (attributions * ~digit).sum((1, 2))
    with numpy.errstate(divide="ignore"):   # x * gradient is exactly 0 on blank pixels
        density = (inside / digit.sum((1, 2))) / (outside / (~digit).sum((1, 2)))
        return float(numpy.median(inside / outside)), float(numpy.median(density))


def ratio(value: float) -> str:
    return "all inside" if value == numpy.inf else f"{value:.2f}"


def axon_attributions(x_train, y_train, x_test, epochs: int, seed: int) -> dict:
    axon.utils.set_random_seed(seed)
    model = axon.Sequential([layers.Conv2D(8, 3, activation="relu", input_shape=(28, 28, 1)),
                             layers.MaxPooling2D(), layers.Conv2D(16, 3, activation="relu"),
                             layers.MaxPooling2D(), layers.Flatten(),
                             layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train[..., None], y_train, epochs=epochs, batch_size=64, verbose=0)
    x = x_test[..., None]
    return {"saliency": explain.saliency(model, x)[..., 0],
            "gradient x input": numpy.abs(explain.gradient_x_input(model, x))[..., 0],
            "integrated gradients": numpy.abs(explain.integrated_gradients(model, x))[..., 0]}


def torch_attributions(x_train, y_train, x_test, epochs: int, seed: int) -> dict | None:
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10))
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    images, labels = torch.tensor(x_train[:, None]), torch.tensor(y_train.astype("int64"))
    for _ in range(epochs):
        order = torch.randperm(len(images))
        for start in range(0, len(images), 64):
            index = order[start:start + 64]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(images[index]), labels[index]).backward()
            optimizer.step()
    x = torch.tensor(x_test[:, None], requires_grad=True)
    probabilities = torch.softmax(model(x), 1)
    picked = probabilities[torch.arange(len(x)), probabilities.argmax(1)]
    (gradient,) = torch.autograd.grad(picked.sum(), [x])
    gradient = gradient.numpy()[:, 0]
    return {"saliency": numpy.abs(gradient), "gradient x input": numpy.abs(gradient * x_test)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, default=6000, help="training digits")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--digits", type=int, default=20, help="test digits to explain")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "datasets" / "mnist"))
    args = parser.parse_args()
    (x_train, y_train), (x_test, _) = axon.datasets.mnist.load_data(path=args.data)
    x_train = (x_train[:args.train] / 255.0).astype("float32")
    x_test = (x_test[:args.digits] / 255.0).astype("float32")
    y_train = y_train[:args.train]
    print(f"# {args.train} training digits, {args.epochs} epoch(s), {args.digits} test digits; "
          "medians over the test digits")
    print("| library | attribution | digit = x > t | mass inside / outside | "
          "density inside / outside |")
    print("|---|---|---|---|---|")
    for library, compute in (("axon", axon_attributions), ("PyTorch", torch_attributions)):
        results = compute(x_train, y_train, x_test, args.epochs, args.seed)
        if results is None:
            print(f"| {library} | (not installed) | | | |")
            continue
        for name, attributions in results.items():
            for threshold in THRESHOLDS:
                mass, density = split(attributions, x_test, threshold)
                print(f"| {library} | {name} | {threshold} | {ratio(mass)} | {ratio(density)} |")


if __name__ == "__main__":
    main()
