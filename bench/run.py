"""Run every benchmark workload on axon and on each installed peer, and write the tables.

    python bench/run.py                      # the full run (about half an hour on 2 cores)
    python bench/run.py --smoke              # every workload on tiny sizes (CI runs this)

Each workload runs in a fresh worker process per framework (``bench/workers/``), the frameworks
alternating within each round so that drift of the machine's speed falls on all of them alike.
Every framework is pinned to the same number of threads. A worker trains with one untimed
warm-up epoch, then times each epoch's training (evaluation excluded); the tables give the
median over the timed epochs of all rounds. The first round of a training workload runs the
epochs the accuracy is quoted after (10 for the MLP, 3 for the CNN) and scores the test set.

The matrix-product peak is measured in this process, at the start and the end of the run
(float32, square products of sizes 256 to 2048, the best median); achieved GFLOP/s count the
multiply-adds of the forward and backward passes (2 flops each).

Peers (PyTorch, Keras on TensorFlow, scikit-learn) are found by importing them with
``--python`` (default: this interpreter); install them in the benchmark's own environment
(``pip install -r bench/requirements.txt``), never as axon dependencies.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKERS = ROOT / "bench" / "workers"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

FRAMEWORKS = {  # name: (worker file, module that must import, label in the tables)
    "axon": ("axon_worker.py", "axon", "axon"),
    "pytorch": ("torch_worker.py", "torch", "PyTorch (eager loop)"),
    "keras": ("keras_worker.py", "keras", "Keras 3 on TensorFlow (fit)"),
    "sklearn": ("sklearn_worker.py", "sklearn", "scikit-learn MLPClassifier"),
}

# Multiply-adds per sample of one forward pass, and of the input gradient the first layer does
# not need (backward = weight gradients + input gradients = 2x forward, less that).
MLP_LAYERS = [(784, 256), (256, 128), (128, 10)]
FORWARD_MACS = {
    "mlp": sum(a * b for a, b in MLP_LAYERS),
    "cnn": 26 * 26 * 32 * 9 + 11 * 11 * 64 * 9 * 32 + 1600 * 128 + 128 * 10,
    "lstm": 28 * 4 * 128 * (28 + 128) + 128 * 10,
}
FIRST_INPUT_GRAD_MACS = {"mlp": 784 * 256, "cnn": 26 * 26 * 32 * 9, "lstm": 28 * 4 * 128 * 28}


def training_flops_per_sample(workload: str) -> float:
    return 2.0 * (3 * FORWARD_MACS[workload] - FIRST_INPUT_GRAD_MACS[workload])


def matmul_peak_gflops(threads: int) -> dict:
    """The best median GFLOP/s of float32 square matrix products, in this process."""
    import numpy

    best = {}
    for n in (256, 512, 1024, 2048):
        a = numpy.random.default_rng(0).random((n, n), dtype=numpy.float32)
        b = a.T.copy()
        a @ b
        repeats = max(3, int(2e9 / (2 * n ** 3)))
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - start)
        best[n] = 2 * n ** 3 / statistics.median(times) / 1e9
    return {"gflops": max(best.values()), "by_size": best}


def installed(python: str, module: str) -> str | None:
    """The version of ``module`` importable by ``python``, or None."""
    code = (f"import importlib, sys; m = importlib.import_module({module!r}); "
            "print(getattr(m, '__version__', '?'))")
    result = subprocess.run([python, "-c", code], capture_output=True, text=True,
                            env=_worker_env(1), timeout=600)
    return result.stdout.strip().splitlines()[-1] if result.returncode == 0 else None


def _worker_env(threads: int) -> dict:
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def run_worker(python: str, framework: str, task: dict) -> dict:
    worker = WORKERS / FRAMEWORKS[framework][0]
    start = time.perf_counter()
    result = subprocess.run([python, str(worker), json.dumps(task)], capture_output=True,
                            text=True, env=_worker_env(task["threads"]), timeout=4 * 3600)
    if result.returncode != 0:
        raise RuntimeError(f"{framework} worker failed on {task}:\n{result.stderr[-3000:]}")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    out["process_seconds"] = time.perf_counter() - start
    out["framework"] = framework  # the key of FRAMEWORKS, whatever name the worker reports
    out["skipped"] = out.get("skipped") or out.get("extra", {}).get("skipped")
    return out


def plan(smoke: bool, rounds: int) -> list[dict]:
    """The training and latency tasks, in the order they run (round by round)."""
    sizes = {"train_samples": 512, "test_samples": 256} if smoke else \
        {"train_samples": None, "test_samples": None}
    configs = [("mlp", 128, 9)] if smoke else \
        [("mlp", 32, 9), ("mlp", 128, 9), ("mlp", 1024, 9), ("cnn", 128, 2), ("lstm", 128, 1)]
    if smoke:
        configs += [("cnn", 128, 1), ("lstm", 128, 1)]
    tasks = []
    for round_index in range(1 if smoke else rounds):
        for workload, batch, first_epochs in configs:
            first = round_index == 0
            epochs = 1 if smoke else (first_epochs if first else min(first_epochs, 2))
            tasks.append({"workload": workload, "batch_size": batch, "epochs": epochs,
                          "warmup": not smoke, "evaluate": first and workload != "lstm",
                          "round": round_index, **sizes})
        tasks.append({"workload": "latency", "batch_size": 1, "epochs": 0, "warmup": False,
                      "evaluate": False, "round": round_index})
    return tasks


def import_seconds(python: str, module: str, repeats: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [float(subprocess.run([python, "-c", code], capture_output=True, text=True,
                                  env=_worker_env(2), check=True).stdout.split()[-1])
             for _ in range(repeats)]
    return statistics.median(times)


def installed_size_mb(python: str) -> dict:
    """Bytes on disk of the axon package and of its runtime dependencies other than NumPy."""
    code = r"""
import importlib.metadata as md, json, os, re
from pathlib import Path
import axon
sizes = {"axon": sum(p.stat().st_size for p in Path(axon.__file__).parent.rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts)}
for requirement in md.requires("axon") or []:
    if "extra ==" in requirement:
        continue
    name = re.split(r"[<>=!~; \[]", requirement, maxsplit=1)[0]
    if name.lower() == "numpy":
        continue
    files = md.files(name) or []
    sizes[name] = sum(os.path.getsize(f.locate()) for f in files if os.path.isfile(f.locate()))
print(json.dumps(sizes))
"""
    result = subprocess.run([python, "-c", code], capture_output=True, text=True,
                            env=_worker_env(2))
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1:]}
    return {name: size / 1e6 for name, size in json.loads(result.stdout).items()}


def summarize(results: list[dict], peak: float) -> dict:
    """Per (workload, batch, framework): median epoch seconds, accuracy, GFLOP/s, samples."""
    table: dict[tuple, dict] = {}
    for r in results:
        if r.get("workload") == "latency" or r.get("extra", {}).get("skipped"):
            continue
        key = (r["workload"], r["batch_size"], r["framework"])
        entry = table.setdefault(key, {"epoch_seconds": [], "test_accuracy": None,
                                       "train_samples": r["train_samples"]})
        entry["epoch_seconds"] += r["epoch_seconds"]
        if r.get("test_accuracy") is not None:
            entry["test_accuracy"] = r["test_accuracy"]
    for (workload, _, _), entry in table.items():
        entry["median_epoch_seconds"] = statistics.median(entry["epoch_seconds"])
        flops = training_flops_per_sample(workload) * entry["train_samples"]
        entry["gflops"] = flops / entry["median_epoch_seconds"] / 1e9
        entry["percent_of_peak"] = 100 * entry["gflops"] / peak
    return table


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [BEGIN, "", f"## Benchmark suite (`python bench/run.py`, {report['date']})", "",
             f"{m['processor']}, {m['cpus']} CPUs, {report['threads']} threads per framework; "
             f"Python {m['python']}; " + ", ".join(f"{FRAMEWORKS[f][2]} {v}" for f, v in
                                                   report["versions"].items()) + ". "
             f"Matrix-product peak (float32, measured at the start and end of the run): "
             f"{report['peak']['gflops']:.0f} GFLOP/s. Training data: "
             f"{report['train_samples']} MNIST images per epoch"
             f"{' (smoke run: tiny sizes, not a measurement)' if report['smoke'] else ''}.", "",
             "| workload | batch | framework | median epoch (s) | axon / this | test accuracy "
             "| GFLOP/s | % of peak |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    table = report["training"]
    for row in table:
        axon_row = next((r for r in table if r["workload"] == row["workload"]
                         and r["batch_size"] == row["batch_size"] and r["framework"] == "axon"),
                        None)
        ratio = (f"{axon_row['median_epoch_seconds'] / row['median_epoch_seconds']:.2f}"
                 if axon_row and row["framework"] != "axon" else "")
        accuracy = "" if row["test_accuracy"] is None else f"{row['test_accuracy']:.4f}"
        lines.append(f"| {row['workload']} | {row['batch_size']} | {FRAMEWORKS[row['framework']][2]}"
                     f" | {row['median_epoch_seconds']:.3f} | {ratio} | {accuracy} | "
                     f"{row['gflops']:.1f} | {row['percent_of_peak']:.0f} |")
    lines += ["", "Single-sample latency (median of 200 calls after 20 warm-up calls, "
              "medians over rounds):", "", "| framework | `predict(x)` (us) | `model(x)` (us) |",
              "| --- | --- | --- |"]
    for framework, values in report["latency"].items():
        call = values.get("call_us")
        lines.append(f"| {FRAMEWORKS[framework][2]} | {values['predict_us']:.1f} | "
                     f"{'' if call is None else f'{call:.1f}'} |")
    f = report["footprint"]
    lines += ["", "axon's footprint:", "",
              f"- `import axon`: {f['import_seconds']:.3f} s (median of 5 fresh interpreters)",
              "- installed size: " + ", ".join(f"{k} {v:.2f} MB" for k, v in f["size_mb"].items()
                                               if isinstance(v, float)),
              f"- peak resident memory while training the MLP one epoch (batch 128): "
              f"{f['memory']['peak_training_mb']:.0f} MB",
              f"- resident memory over {len(f['memory']['resident_mb_after_call'])} repeated "
              f"`fit`/`predict` calls: {f['memory']['resident_mb_after_call'][0]:.1f} MB after the "
              f"first, {f['memory']['resident_mb_after_call'][-1]:.1f} MB after the last "
              f"(growth from call 10: {f['memory']['growth_mb_from_call_10']:+.2f} MB)", "", END]
    return "\n".join(lines)


def write_markdown(path: Path, text: str) -> None:
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(new)
    os.replace(temporary, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; checks, not measures")
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS),
                        choices=list(FRAMEWORKS))
    parser.add_argument("--python", default=sys.executable, help="interpreter for the workers")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workloads", nargs="+", default=None,
                        choices=["mlp", "cnn", "lstm", "latency"],
                        help="run only these workloads (e.g. to re-measure one change against "
                        "the peers; write --json and --markdown elsewhere then)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=os.environ.get(
        "AXON_DATA_DIR", str(ROOT.parent / "shared" / "datasets")))
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "latest.json"))
    parser.add_argument("--markdown", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--reuse", default=None, help="a JSON lines file of worker results "
                        "(the .jsonl written beside --json) to report again instead of training")
    args = parser.parse_args()

    versions = {}
    for framework in args.frameworks:
        version = installed(args.python, FRAMEWORKS[framework][1])
        if version is None:
            print(f"{framework}: not importable by {args.python}; skipped", flush=True)
        else:
            versions[framework] = version
    if "axon" not in versions:
        raise SystemExit("axon is not importable: install it (pip install -e .) first")

    peak_start = matmul_peak_gflops(args.threads)
    raw_path = Path(args.json).with_suffix(".jsonl")
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    results = []
    if not args.reuse:
        raw_path.write_text("")
    if args.reuse:
        results = [json.loads(line) for line in Path(args.reuse).read_text().splitlines() if line]
    tasks = [] if args.reuse else plan(args.smoke, args.rounds)
    if args.workloads:
        tasks = [task for task in tasks if task["workload"] in args.workloads]
    for task in tasks:
        task = {**task, "seed": args.seed, "threads": args.threads, "data_dir": args.data_dir}
        for framework in versions:
            out = run_worker(args.python, framework, task)
            if out["skipped"]:
                continue
            out["train_samples"] = task.get("train_samples") or 60000
            out["round"] = task["round"]
            results.append(out)
            with open(raw_path, "a") as handle:  # kept as it comes, for --reuse after a failure
                handle.write(json.dumps(out) + "\n")
            times = ", ".join(f"{s:.2f}" for s in out["epoch_seconds"])
            print(f"round {task['round']} {task['workload']:7s} batch {task['batch_size']:4d} "
                  f"{framework:8s} epochs [{times}] accuracy {out.get('test_accuracy')} "
                  f"{out.get('extra') or ''}", flush=True)
    memory = run_worker(args.python, "axon", {
        "workload": "memory", "batch_size": 128, "seed": args.seed, "threads": args.threads,
        "data_dir": args.data_dir, "repeats": 12 if args.smoke else 50,
        "train_samples": 2048 if args.smoke else None, "test_samples": 1000})
    peak_end = matmul_peak_gflops(args.threads)
    peak = max(peak_start["gflops"], peak_end["gflops"])

    table = summarize(results, peak)
    for r in results:  # a worker's own version string says more (e.g. axon's kernels)
        if r.get("version") and r["framework"] in versions:
            versions[r["framework"]] = r["version"]
    latency: dict[str, dict] = {}
    for r in results:
        if r["workload"] == "latency":
            entry = latency.setdefault(r["framework"], {"predict_us": [], "call_us": []})
            for key in ("predict_us", "call_us"):
                if r["extra"].get(key) is not None:
                    entry[key].append(r["extra"][key])
    report = {
        "date": date.today().isoformat(), "smoke": args.smoke, "threads": args.threads,
        "rounds": 1 if args.smoke else args.rounds,
        "train_samples": 512 if args.smoke else 60000,
        "machine": {"processor": _processor(), "cpus": os.cpu_count(),
                    "python": platform.python_version()},
        "versions": versions,
        "peak": {"gflops": peak, "start": peak_start, "end": peak_end},
        "training": [{"workload": w, "batch_size": b, "framework": f, **entry}
                     for (w, b, f), entry in table.items()],
        "latency": {f: {k: (statistics.median(v) if v else None) for k, v in e.items()}
                    for f, e in latency.items()},
        "footprint": {"import_seconds": import_seconds(args.python, "axon", 5),
                      "size_mb": installed_size_mb(args.python), "memory": memory["extra"]},
        "raw": results,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1))
    text = markdown(report)
    if args.markdown:
        write_markdown(Path(args.markdown), text)
    print(text)


def _processor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
