#!/usr/bin/env python
"""Django's manage.py, for developers used to it; `famplan` does the same."""

import sys

from famplan.cli import main

if __name__ == "__main__":
    main(sys.argv)
