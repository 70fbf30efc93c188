"""Cleaning: canonical URLs, and the allowlist sanitiser that is always last."""
