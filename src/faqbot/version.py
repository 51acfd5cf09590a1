"""faqbot's version: the one place it is written (the package, the cache key and the changelog follow it)."""

__version__ = "0.2.0"
