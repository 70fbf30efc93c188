"""Rendering stored articles into files people read: article files, lists, site, feeds."""
