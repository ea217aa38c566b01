"""Machine-assisted literature-synthesis reports."""

__version__ = "0.1.0"
