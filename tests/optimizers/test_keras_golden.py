"""Trajectories and schedule values against numbers produced by real Keras 3.

The numbers below were produced by Keras 3.15.1 (JAX 0.10.2 backend, ``JAX_ENABLE_X64=1``,
``keras.config.set_floatx("float64")``) on the least-squares problem of ``optimizer_references``:
float64 ``keras.Variable``s started at ``START``, six ``optimizer.apply_gradients`` calls with the
gradients of ``optimizer_references.gradients``. They are stored here; Keras is not imported.
"""
from __future__ import annotations

import numpy
import pytest
from numpy.testing import assert_allclose
from optimizer_references import START, axon_run

import axon
from axon.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Lion, Nadam, RMSprop, schedules

CASES = {
    "sgd_nesterov": lambda: SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    "adagrad": lambda: Adagrad(learning_rate=0.1),
    "rmsprop_centered_momentum": lambda: RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
    "adadelta": lambda: Adadelta(learning_rate=1.0),
    "adam_amsgrad": lambda: Adam(learning_rate=0.05, beta_2=0.9, amsgrad=True),
    "adamw": lambda: AdamW(learning_rate=0.05, weight_decay=0.1),
    "adamax": lambda: Adamax(learning_rate=0.05),
    "nadam": lambda: Nadam(learning_rate=0.05),
    "lion": lambda: Lion(learning_rate=0.01, weight_decay=0.5),
    "sgd_clipnorm_cosine_warmup": lambda: SGD(
        learning_rate=schedules.CosineDecay(0.01, 4, alpha=0.1, warmup_target=0.2, warmup_steps=3),
        momentum=0.5, clipnorm=0.5),
    "adam_global_clipnorm_exponential": lambda: Adam(
        learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5, staircase=True), global_clipnorm=0.3),
    "rmsprop_clipvalue_weight_decay": lambda: RMSprop(learning_rate=0.02, clipvalue=0.2,
                                                      weight_decay=0.05),
}

# Keras 3.15.1: [kernel (3, 2), bias (2,)] after six steps.
GOLDEN = {
    "sgd_nesterov": ([[0.94474158845252, -0.8501919962712929], [-0.21825139383052317, 0.33755896622387344], [0.4166823635654038, -0.3734633980378588]],  # noqa: E501
        [-0.006779429376049126, 0.48802224161354085]),
    "adagrad": ([[0.7793109114285602, -0.5678742264764196], [0.48520711288471946, 0.3548003815946975], [-0.28146606280517855, 0.5760623257309153]],  # noqa: E501
        [0.1358602198856936, -0.0947508337113972]),
    "rmsprop_centered_momentum": ([[0.7189595204590492, -0.516481169184116], [0.5703217403884129, 0.3129632807057965], [-0.36920763485536107, 0.6676762872079434]],  # noqa: E501
        [0.1278891596576144, -0.16486067471940724]),
    "adadelta": ([[0.5086132252188128, -0.30861980935435557], [0.7913542441958542, 0.10861601402635705], [-0.5913583139642233, 0.8913525695366926]],  # noqa: E501
        [0.2077661536711525, -0.39134612244400263]),
    "adam_amsgrad": ([[0.7947256008704283, -0.5928940196410003], [0.5014924133901767, 0.39073305631488353], [-0.3012547294850327, 0.6010046718314619]],  # noqa: E501
        [0.1049038003598237, -0.10053307659579899]),
    "adamw": ([[0.7717538524003158, -0.5766109192509636], [0.4849297721432232, 0.37950667856110165], [-0.29053618646276097, 0.5810030797971588]],  # noqa: E501
        [0.10332454861453665, -0.09463257552881484]),
    "adamax": ([[0.7491088941619155, -0.5494714750979426], [0.528620259115481, 0.34459966151841104], [-0.3289937123556599, 0.6250569389973409]],  # noqa: E501
        [0.1294026037994767, -0.11972579350105164]),
    "nadam": ([[0.7116399504047364, -0.5087242231235681], [0.5795630812500181, 0.30526014964683174], [-0.3781410729375194, 0.6769027982902637]],  # noqa: E501
        [0.1331453149304362, -0.1744455983072844]),
    "lion": ([[0.5444412359656016, -0.3503667340943485], [0.7170430261975438, 0.15629223222309532], [-0.5229685243262906, 0.8140802771331703]],  # noqa: E501
        [0.21342948315872193, -0.32889402245503746]),
    "sgd_clipnorm_cosine_warmup": ([[0.6954889547669371, -0.45953287964003875], [0.5310384322028922, 0.24491932605275601], [-0.315546256235451, 0.6072585486420501]],  # noqa: E501
        [0.19835935653279924, 0.016435280718924306]),
    "adam_global_clipnorm_exponential": ([[0.8436488976319079, -0.6409068173595532], [0.44966153895528765, 0.4369428429336451], [-0.24940470014117863, 0.5491173241325384]],  # noqa: E501
        [0.1175782272280953, -0.048788979008294896]),
    "rmsprop_clipvalue_weight_decay": ([[0.7384160741010815, -0.5396130780980826], [0.5538033999184108, 0.3408100820950837], [-0.3550004039154121, 0.6532048979199102]],  # noqa: E501
        [0.12472586980939124, -0.15619740791241343]),
}

# Keras 3.15.1: Adam(learning_rate=0.05, use_ema=True, ema_momentum=0.8, ema_overwrite_frequency=4)
# after six steps: the weights (overwritten by their average at step 4) and the averages.
EMA_WEIGHTS = ([[0.6979156317597277, -0.4975222603185333], [0.5996177761032893, 0.296865048958944],
                [-0.3995087624238484, 0.699234372414786]], [0.15226909379947406, -0.19873685154638812])
EMA_AVERAGES = ([[0.6285340768550475, -0.4284492317984654], [0.6703996953431757, 0.22819566958166018],
                 [-0.4703830794190021, 0.7702595367844397]], [0.20861996157731047, -0.27005781304590804])

# Keras 3.15.1 (float64), each schedule at STEPS. Keras computes parts of the cosine schedules in
# float32 even under float64 (0.010000000149 for 0.01), hence a 1e-6 tolerance.
STEPS = [0, 1, 2, 3, 4, 5, 7, 10, 13, 20]
SCHEDULES = {
    "ExponentialDecay": (lambda: schedules.ExponentialDecay(0.1, 3, 0.7), [0.1, 0.08879040017426007, 0.07883735163105243, 0.06999999999999999, 0.06215328012198205, 0.0551861461417367, 0.04350729608538743, 0.0304551072597712, 0.02131857508183984, 0.009275135582041683]),  # noqa: E501
    "InverseTimeDecay": (lambda: schedules.InverseTimeDecay(0.1, 3, 0.5, staircase=True), [0.1, 0.1, 0.1, 0.06666666666666667, 0.06666666666666667, 0.06666666666666667, 0.05, 0.04, 0.03333333333333333, 0.025]),  # noqa: E501
    "PiecewiseConstantDecay": (lambda: schedules.PiecewiseConstantDecay([2, 5], [0.1, 0.05, 0.01]), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.01, 0.01, 0.01, 0.01]),  # noqa: E501
    "PolynomialDecay": (lambda: schedules.PolynomialDecay(0.1, 4, end_learning_rate=0.01, power=2.0, cycle=True), [0.1, 0.060625000000000005, 0.0325, 0.015625, 0.01, 0.022656250000000003, 0.01140625, 0.012499999999999999, 0.0131640625, 0.01]),  # noqa: E501
    "CosineDecay": (lambda: schedules.CosineDecay(0.01, 5, alpha=0.1, warmup_target=0.1, warmup_steps=3), [0.01, 0.04, 0.07, 0.1, 0.09140576124191285, 0.06890575885772705, 0.018594232201576234, 0.010000000149011612, 0.010000000149011612, 0.010000000149011612]),  # noqa: E501
    "CosineDecayRestarts": (lambda: schedules.CosineDecayRestarts(0.1, 3, t_mul=2.0, m_mul=0.5, alpha=0.05), [0.1, 0.07625, 0.028749997168779375, 0.052500000000000005, 0.04931810438632965, 0.040624999999999994, 0.016874998584389688, 0.02834536902606487, 0.0228125, 0.0054046309739351275]),  # noqa: E501
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_trajectory_matches_keras(case):
    # Keras's CosineDecay computes its cosine phase in float32 even under float64 (e.g. 0.10999999046
    # for 0.11), so that trajectory agrees to about 2e-7; the others to float64 rounding.
    rtol = 1e-6 if "cosine" in case else 1e-10
    kernel, bias = axon_run(CASES[case](), 6)[-1]
    assert_allclose(kernel, GOLDEN[case][0], rtol=rtol, atol=1e-13)
    assert_allclose(bias, GOLDEN[case][1], rtol=rtol, atol=1e-13)


def test_ema_matches_keras():
    opt = Adam(learning_rate=0.05, use_ema=True, ema_momentum=0.8, ema_overwrite_frequency=4)
    variables = [axon.Variable(x.copy(), dtype="float64") for x in START]
    axon_run(opt, 6, variables)
    for variable, weights, average in zip(variables, EMA_WEIGHTS, EMA_AVERAGES):
        assert_allclose(variable.numpy(), weights, rtol=1e-10, atol=1e-13)
        assert_allclose(opt._averages[id(variable)], average, rtol=1e-10, atol=1e-13)
    opt.finalize_variable_values(variables)
    for variable, average in zip(variables, EMA_AVERAGES):
        assert_allclose(variable.numpy(), average, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_keras(name):
    make, expected = SCHEDULES[name]
    schedule = make()
    assert_allclose([schedule(step) for step in STEPS], expected, rtol=1e-6)
    assert all(isinstance(schedule(step), float) for step in STEPS)


def test_golden_cases_really_move_the_weights():
    for case in CASES:
        assert not numpy.allclose(GOLDEN[case][0], START[0], atol=1e-3), case
