"""Tests of axon.utils.resolve, the one name lookup behind every ``get``."""
from __future__ import annotations

import pytest

from axon import activations, initializers, losses, metrics, optimizers
from axon.utils import resolve

KNOWN = {"sgd": "S", "adam": "A", "rmsprop": "R"}


def test_lookup_is_case_insensitive():
    assert resolve("adam", KNOWN, "optimizer") == "A"
    assert resolve("ADAM", KNOWN, "optimizer") == "A"
    assert resolve("RMSprop", KNOWN, "optimizer") == "R"


def test_error_names_kind_identifier_and_every_known_name_sorted():
    with pytest.raises(ValueError) as info:
        resolve("Adamw", KNOWN, "optimizer")
    assert str(info.value) == ("Unknown optimizer: 'Adamw'. Did you mean 'adam'? "
                               "Known optimizer names: adam, rmsprop, sgd. For a custom object, "
                               "pass custom_objects={'Adamw': ...} (to load_model or "
                               "from_config), or register it with "
                               "@axon.saving.register_keras_serializable().")


def test_no_suggestion_when_nothing_is_close():
    with pytest.raises(ValueError) as info:
        resolve("xyz", KNOWN, "optimizer")
    assert "Did you mean" not in str(info.value)


def test_non_string_identifiers():
    assert resolve(3, {3: "three"}, "thing") == "three"
    with pytest.raises(ValueError, match=r"Unknown thing: None\. Known thing names: a, b\."):
        resolve(None, {"b": 1, "a": 2}, "thing")


@pytest.mark.parametrize(("get", "kind"), [
    (losses.get, "loss"), (metrics.get, "metric"), (optimizers.get, "optimizer"),
    (initializers.get, "initializer"), (activations.get, "activation"),
])
def test_every_get_reports_unknown_names_through_resolve(get, kind):
    with pytest.raises(ValueError, match=f"^Unknown {kind}: 'no_such_thing'. Known {kind} names: "):
        get("no_such_thing")
