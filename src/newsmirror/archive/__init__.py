"""Archiving pages on demand: ``newsmirror archive URL...`` and the issue workflow.

Modules: ``prose`` (the links in free text, such as an issue body).
"""
