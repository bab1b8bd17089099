# One Chromium for the whole session, shared by every browser test module.
from config.tests.browser import browser

__all__ = ["browser"]
