#!/usr/bin/env python3
"""Build the Makiivka report archive: `python build_site.py [build|check|new] ...` (see README.md)."""

import os
import sys

from newsarchive import warm

# A warm process, if one is running, runs the command in a child that has the builder loaded already.
code = warm.run(sys.argv)
if code is None:
    from newsarchive.cli import main
    code = main()
# Leave at once: freeing a large build's objects one by one takes longer than a small rebuild does.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
