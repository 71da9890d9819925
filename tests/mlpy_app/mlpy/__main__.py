"""python -m mlpy ..."""

import sys

from mlpy.cli.app import cli

if __name__ == "__main__":
    sys.exit(cli())
