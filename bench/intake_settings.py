"""Settings of the intake benchmark's server (``bench/intake_bench.py``): the project's
own settings, unchanged, with a URL map that adds the baseline route."""

from recycling_network.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake_site"
