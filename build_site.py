#!/usr/bin/env python3
"""Build the Makiivka report archive: `python build_site.py [build|check|new] ...` (see README.md)."""

from newsarchive.cli import main

raise SystemExit(main())
