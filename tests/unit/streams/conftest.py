import sys
from pathlib import Path

# The core's terse event builders (tests/unit/core/builders.py) serve these tests too.
sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
