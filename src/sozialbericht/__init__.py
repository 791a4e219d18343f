"""Sozialbericht Leipzig: from the city's open statistics to a steering report."""

__version__ = "0.1.0"
