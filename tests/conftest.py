"""Shared pytest set-up: one bounded, reproducible hypothesis profile for the property tests."""

import os

from hypothesis import HealthCheck, settings

# A fixed budget of examples keeps the property tests to seconds; under CI the examples are the
# same on every run (derandomize), so a red CI is reproducible. No deadline: the machine is shared
# and a slow example is not a failure. No example database: nothing is written into the repo.
settings.register_profile(
    "course",
    max_examples=100,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("course")
