"""``python -m axon``: the same as the ``axon`` command."""
import sys

from axon.cli import main

sys.exit(main())
