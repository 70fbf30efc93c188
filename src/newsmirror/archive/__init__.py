"""Archiving pages on demand: ``newsmirror archive URL...`` and the issue workflow.

Modules: ``prose`` (the links in free text, such as an issue body), ``addresses``
(where a page readers share is readable), ``snapshots``
(where a page that is gone may still be found), ``report`` (what became of each
link, for the terminal and as the answer to an issue), ``run`` (the command: each
link fetched, cleaned, stored, then the run's after-run sequence).
"""
