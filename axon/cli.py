"""The ``axon`` command. ``axon train`` trains a multilayer perceptron and saves its weights.

Example:
    axon train                                  # MLP on the embedded 8x8 digits, offline
    axon train --dataset mnist --data-dir ../shared/datasets --epochs 10 --hidden 256,128
    axon train --dataset mnist --resume runs/mnist   # checkpoints there; rerun after a crash
    axon train --validation-split 0.1 --plot runs/plots   # also history/confusion/weights PNGs
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

DATASETS = ("digits", "mnist", "fashion_mnist")
# Per-dataset defaults: (epochs, batch size, hidden sizes, pixel scale).
DEFAULTS = {"digits": (40, 32, "64", 16.0), "mnist": (10, 128, "256,128", 255.0),
            "fashion_mnist": (10, 128, "256,128", 255.0)}


def _hidden_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden expects comma-separated positive integers like 256,128. Received: {text!r}"
        ) from None
    if any(size <= 0 for size in sizes):
        raise argparse.ArgumentTypeError(f"--hidden sizes must be positive. Received: {text!r}")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="axon", description="axon: neural networks from their mathematical foundations.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = commands.add_parser(
        "train", help="train a multilayer perceptron (MLP) classifier and save its weights",
        description="Train an MLP classifier: Flatten -> Dense(hidden, activation)... -> "
                    "Dense(classes, softmax), with sparse categorical cross-entropy. Prints a "
                    "progress bar per epoch, the test accuracy, and where the weights were saved.")
    train.add_argument("--dataset", choices=DATASETS, default="digits",
                       help="digits: 8x8 handwritten digits embedded in axon (works offline; "
                            "default); mnist or fashion_mnist: 28x28 images read from --data-dir, "
                            "$AXON_DATA_DIR, the cache, or downloaded")
    train.add_argument("--data-dir", metavar="DIR", default=None,
                       help="folder holding the dataset's IDX .gz files (for mnist and "
                            "fashion_mnist), e.g. ../shared/datasets/mnist")
    train.add_argument("--epochs", type=int, default=None,
                       help="passes over the training data (default: 40 for digits, 10 otherwise)")
    train.add_argument("--hidden", type=_hidden_sizes, default=None, metavar="SIZES",
                       help="hidden layer sizes, comma-separated (default: 64 for digits, "
                            "256,128 otherwise)")
    train.add_argument("--activation", default="relu",
                       help="hidden activation: relu, tanh, sigmoid, gelu, elu, selu, ... "
                            "(default relu)")
    train.add_argument("--optimizer", default="adam",
                       help="any optimizer name: adam, sgd, rmsprop, adamw, nadam, lion, ... "
                            "(default adam)")
    train.add_argument("--lr", type=float, default=0.001, help="learning rate (default 0.001)")
    train.add_argument("--batch-size", type=int, default=None,
                       help="samples per gradient step (default: 32 for digits, 128 otherwise)")
    train.add_argument("--validation-split", type=float, default=0.0,
                       help="fraction of training data held out for validation (default 0)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--output", metavar="PATH", default=None,
                       help="where to save the weights (default: ./axon-<dataset>.weights."
                            "safetensors); a name ending in .axon saves the whole model "
                            "(load it with axon.models.load_model)")
    train.add_argument("--resume", metavar="DIR", default=None,
                       help="checkpoint training in DIR (BackupAndRestore); if DIR holds a "
                            "checkpoint of an interrupted run, continue it exactly where it "
                            "stopped (run the same command again)")
    train.add_argument("--checkpoint-every", type=int, default=None, metavar="N",
                       help="with --resume: also checkpoint every N batches (default: at each "
                            "epoch end only)")
    train.add_argument("--no-terminate-on-nan", action="store_true",
                       help="keep training when the loss becomes NaN or infinite (by default "
                            "training stops with a message naming where it happened)")
    train.add_argument("--distributed", action="store_true",
                       help="train data-parallel on the ranks of an MPI job: run as "
                            "`mpiexec -n K axon train --distributed` (needs pip install "
                            "'axon[mpi]'); --batch-size is per rank; rank 0 prints and saves")
    train.add_argument("--plot", metavar="DIR", default=None,
                       help="also save history.png, confusion_matrix.png (on the test set) and "
                            "weight_histograms.png in DIR (needs matplotlib; files only, no window)")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                       help="0 silent, 1 progress bars (default), 2 one line per epoch")
    return parser


def load_dataset(name: str, data_dir: str | None) -> tuple:
    """``((x_train, y_train), (x_test, y_test), classes)`` with pixels scaled to [0, 1]."""
    from axon import datasets

    if name == "digits":
        (x_train, y_train), (x_test, y_test) = datasets.digits.load_data()
    else:
        module = getattr(datasets, name)
        (x_train, y_train), (x_test, y_test) = module.load_data(path=data_dir)
    scale = DEFAULTS[name][3]
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / scale
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / scale
    return (x_train, y_train), (x_test, y_test), int(y_train.max()) + 1


def train(args: argparse.Namespace) -> int:
    import axon

    epochs_default, batch_default, hidden_default, _ = DEFAULTS[args.dataset]
    epochs = args.epochs if args.epochs is not None else epochs_default
    batch_size = args.batch_size if args.batch_size is not None else batch_default
    hidden = args.hidden if args.hidden is not None else _hidden_sizes(hidden_default)
    axon.utils.set_random_seed(args.seed)
    if args.distributed:
        axon.distributed.init()
    main_rank = axon.distributed.is_main()   # rank 0 alone prints and saves
    verbose = args.verbose if main_rank else 0

    if args.plot is not None and main_rank:
        _use_file_plots()  # before training: a missing matplotlib should not cost a whole run
    (x_train, y_train), (x_test, y_test), classes = load_dataset(args.dataset, args.data_dir)
    model = axon.Sequential(name=f"mlp_{args.dataset}")
    model.add(axon.Input(shape=x_train.shape[1:]))
    for units in hidden:
        model.add(axon.layers.Dense(units, activation=args.activation))
    model.add(axon.layers.Dense(classes, activation="softmax"))
    optimizer = axon.optimizers.get(args.optimizer)
    optimizer = type(optimizer)(learning_rate=args.lr)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    if verbose:
        print(f"Training an MLP {x_train.shape[1]}-{'-'.join(map(str, hidden))}-{classes} on "
              f"{args.dataset} ({len(x_train)} train / {len(x_test)} test samples), "
              f"{type(optimizer).__name__} lr={args.lr}, batch {batch_size}, {epochs} epochs, "
              f"seed {args.seed}" + (f", {axon.distributed.size()} ranks"
                                     if args.distributed else ""))
    callbacks = [] if args.no_terminate_on_nan else [axon.callbacks.TerminateOnNaN()]
    if args.resume is not None:
        if os.path.exists(os.path.join(args.resume, "checkpoint.axon")) and verbose:
            print(f"Resuming from the checkpoint in {args.resume}")
        callbacks.append(axon.callbacks.BackupAndRestore(
            args.resume, save_freq=args.checkpoint_every or "epoch"))
    elif args.checkpoint_every is not None:
        raise ValueError("--checkpoint-every needs --resume DIR (the folder for checkpoints).")
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=verbose,
                        validation_split=args.validation_split, callbacks=callbacks,
                        distributed=args.distributed)
    seconds = time.perf_counter() - start
    if not main_rank:
        return 0
    if model.stop_training and not args.no_terminate_on_nan:
        print("axon train: training stopped early (see the message above).", file=sys.stderr)
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    output = Path(args.output or f"axon-{args.dataset}.weights.safetensors")
    if output.suffix == ".axon":
        model.save(output)
    else:
        model.save_weights(output)
    print(f"Test accuracy: {accuracy:.4f} (test loss {loss:.4f}; trained in {seconds:.1f} s)")
    print(f"{'Model' if output.suffix == '.axon' else 'Weights'} saved to {output.resolve()}")
    if args.plot is not None:
        from axon.plots import save_training_plots

        paths = save_training_plots(args.plot, history, model, x_test, y_test)
        print(f"Plots saved to {Path(args.plot).resolve()}: {', '.join(p.name for p in paths)}")
    return 0


def _use_file_plots() -> None:
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError("axon train --plot needs matplotlib: pip install matplotlib") from error
    matplotlib.use("Agg")  # files only: never a window, with or without a display


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "train":  # no command given: show what there is
        parser.print_help()
        return 2
    try:
        return train(args)
    except (ValueError, FileNotFoundError, TypeError, ImportError) as error:
        if os.environ.get("AXON_DEBUG"):
            raise
        print(f"axon train: error: {error}", file=sys.stderr)
        return 2


def run() -> None:  # pragma: no cover - console entry
    sys.exit(main())
