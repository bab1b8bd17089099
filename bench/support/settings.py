"""The bench's settings: the project's, with a URLconf that adds the bare view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.support.urls"
