"""`python -m api.cli`: the console script without its wrapper (as the tests' fallback runs it)."""

import sys

from api.cli import main

sys.exit(main())
