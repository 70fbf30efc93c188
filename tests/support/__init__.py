"""Test support: recorded real responses served on loopback, mirrors made on the fly."""
