"""The package's public face: `import axon` is cheap, and every public name still resolves."""
import subprocess
import sys

import axon


def test_import_axon_loads_the_subpackages_on_first_use():
    code = ("import sys, axon\n"
            "assert 'axon.layers' not in sys.modules and 'axon.models' not in sys.modules\n"
            "model = axon.Sequential([axon.layers.Dense(1, input_shape=(3,))])\n"
            "import axon.datasets\n"
            "from axon.layers import Dense\n"
            "assert axon.utils.set_random_seed and axon.Tensor is axon.engine.Tensor\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_resolves():
    for name in axon.__all__:
        assert getattr(axon, name) is not None
    assert set(axon.__all__) <= set(dir(axon))
