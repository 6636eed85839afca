"""Suite-wide settings: how hard hypothesis searches, chosen by where the suite runs.

CI (CI=true, as CI services set it) searches harder, prints the blob that
reproduces a failure and keeps no example database, since each run starts
clean; a local run is quick, so the suite stays something one runs before every
commit. HYPOTHESIS_PROFILE=ci (or quick) picks one explicitly. Tests give their
own budget as a share of the profile's (budget()), never a fixed count, so the
profile really decides.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The generated inputs are whole data files and whole tables: slow to build
# next to hypothesis's idea of a unit test, and that is not a failure.
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=200, print_blob=True, database=None, **_COMMON)
settings.register_profile("quick", max_examples=40, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "quick"))


def budget(share: float) -> int:
    """max_examples for a test that is cheaper (share > 1) or dearer than the usual one."""
    return max(10, round(settings.default.max_examples * share))
