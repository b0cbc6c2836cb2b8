"""Collection rules for the doctests under axon/ (pytest runs them with --doctest-modules)."""
import importlib.util

# axon.sklearn needs the optional scikit-learn; without it, its doctests are not collected.
collect_ignore = [] if importlib.util.find_spec("sklearn") else ["axon/sklearn.py"]
