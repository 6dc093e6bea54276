"""`python -m <package>.cli COMMAND`: the same as the project's script."""

import sys

from . import main

if __name__ == "__main__":  # not when a test imports every module
    sys.exit(main())
