"""axon: neural networks from their mathematical foundations, with a Keras-style API."""
from axon.engine import GradcheckError, Tensor, Variable, gradcheck, no_grad

__version__ = "0.1.0"
