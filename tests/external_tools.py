"""Programs some tests need from the system (Java for the HTML checker, Chromium for the browser tests).

Locally a missing program skips those tests with the reason; under CI=true, where .ci/run installs
them, a missing program fails them, so that a broken install cannot pass as a green run.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_program(name: str, package: str) -> str:
    """The path of the program ``name``, from the Debian package ``package``; skip or fail without it."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (Debian package {package}; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path
