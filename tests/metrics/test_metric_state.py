"""Metric.state_names/get_state/set_state: the running state that checkpoints save and that
distributed training sums over processes."""
import numpy as np
import pytest

import axon
from axon import metrics


def test_state_is_told_from_configuration():
    assert metrics.AUC(num_thresholds=7).state_names() == [
        "false_negatives", "false_positives", "true_negatives", "true_positives"]  # no thresholds
    assert metrics.SparseTopKCategoricalAccuracy(k=3).state_names() == ["count", "total"]  # no k
    assert metrics.Precision(class_id=0, top_k=2).state_names() == ["false_positives",
                                                                    "true_positives"]
    f1 = metrics.F1Score()
    # states that the first batch builds: named before they exist, saved once they do
    assert f1.state_names() == ["false_negatives", "false_positives", "intermediate_weights",
                                "true_positives"]
    assert f1.get_state() == {}
    f1.update_state(np.eye(3), np.eye(3))
    assert sorted(f1.get_state()) == f1.state_names()


@pytest.mark.parametrize("make, y_true, y_pred", [
    (lambda: metrics.SparseCategoricalAccuracy(), [0, 2, 1, 1], np.eye(3)[[0, 1, 1, 2]]),
    (lambda: metrics.F1Score(average="macro"), np.eye(3)[[0, 2, 1, 1]], np.eye(3)[[0, 1, 1, 2]]),
    (lambda: metrics.AUC(num_thresholds=11), [0, 1, 1, 0], [0.2, 0.7, 0.4, 0.6]),
    (lambda: metrics.R2Score(), [[1.0], [2.0], [3.0], [5.0]], [[1.5], [2.0], [2.5], [4.0]]),
    (lambda: metrics.Precision(thresholds=[0.3, 0.6]), [0, 1, 1, 0], [0.2, 0.7, 0.4, 0.6]),
])
def test_a_state_moved_to_a_fresh_metric_continues_the_same(make, y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    original, copy = make(), make()
    original.update_state(y_true[:2], y_pred[:2])
    state = original.get_state()
    assert not any(np.shares_memory(value, getattr(original, name)) for name, value in state.items()
                   if isinstance(value, np.ndarray))      # a copy, not the running arrays
    copy.set_state(state)                       # F1Score's and R2Score's states are None here
    np.testing.assert_array_equal(copy.result(), original.result())
    for metric in (original, copy):
        metric.update_state(y_true[2:], y_pred[2:])
    np.testing.assert_array_equal(copy.result(), original.result())
    whole = make()
    whole.update_state(y_true, y_pred)
    np.testing.assert_allclose(copy.result(), whole.result())


def test_set_state_refuses_what_is_not_state():
    metric = metrics.Precision(thresholds=[0.5])
    with pytest.raises(ValueError, match=r"Metric 'precision' \(Precision\) has no state "
                                         r"'thresholds'.*its state is \['false_positives', "
                                         r"'true_positives'\]"):
        metric.set_state({"thresholds": np.array([0.1])})
    with pytest.raises(ValueError, match="has no state 'total' like the saved str"):
        metrics.Mean().set_state({"total": "3"})


def test_a_custom_metric_states_are_what_reset_state_assigns():
    class Largest(axon.metrics.Metric):
        def __init__(self, floor=0.0):
            super().__init__()
            self.floor = floor
            self.reset_state()

        def reset_state(self):
            self.largest, self.seen = -np.inf, 0

        def update_state(self, values, sample_weight=None):
            self.largest = max(self.largest, float(np.max(values)))
            self.seen += len(values)

        def result(self):
            return max(self.largest, self.floor)

    metric = Largest()
    metric.update_state([1.0, 4.0])
    assert metric.state_names() == ["largest", "seen"]
    assert metric.get_state() == {"largest": 4.0, "seen": 2}


def test_a_metric_that_cannot_be_copied_is_told_to_name_its_state():
    import threading

    class Guarded(axon.metrics.Mean):
        def __init__(self):
            super().__init__()
            self.lock = threading.Lock()

    with pytest.raises(TypeError, match=r"Metric 'mean' \(Guarded\) could not be copied .*"
                                        r"override state_names\(\)"):
        Guarded().state_names()
