"""The Keras programs here are scripts, run (after the port) by test_keras_programs.py only.

pytest runs with --doctest-modules, which would import every .py file: keep the programs out.
"""
collect_ignore_glob = ["[0-9][0-9]_*.py"]
