"""Collection rules for the doctests under axon/ (pytest runs them with --doctest-modules)."""
import importlib.util

# Modules of optional extras: without their package, their doctests are not collected.
collect_ignore = [] if importlib.util.find_spec("sklearn") else ["axon/sklearn.py"]
collect_ignore_glob = [] if importlib.util.find_spec("onnx") else ["axon/onnx/*"]
if not importlib.util.find_spec("matplotlib"):
    collect_ignore.append("axon/plots.py")
