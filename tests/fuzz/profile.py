"""How hard the property tests try: a small fixed-seed budget by default, more on request.

    NEWSMIRROR_FUZZ=long .venv/bin/python -m pytest tests/fuzz tests/hostile/test_hostile_names.py

The default (CI) profile is derandomised (the same examples every run) with a
small budget; ``long`` draws fresh random examples, many more of them.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_PROFILES = {
    "ci": settings(max_examples=40, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow]),
    "long": settings(max_examples=3000, derandomize=False, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow]),
}
FUZZ = _PROFILES[os.environ.get("NEWSMIRROR_FUZZ", "ci")]
