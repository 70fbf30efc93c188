"""The version of newsmirror (the same as in pyproject.toml)."""

__version__ = "0.1.0"

__all__ = ["__version__"]
