"""The issue-driven archive workflow ``newsmirror init --ci github`` writes beside the hourly one.

The template (``github-archive.yml``) is written with one choice filled in: whose
new issues it answers, from ``[archive] issue_authors``.  Everything an issue's
author wrote reaches ``newsmirror archive`` through environment variables, never
through the text of a shell command.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from newsmirror.config import IssueAuthors
from newsmirror.errors import ConfigError
from newsmirror.store.files import write_atomic

ARCHIVE_WORKFLOW_PATH = ".github/workflows/newsmirror-archive.yml"
# The author associations GitHub gives the people who may write to a repository.
COLLABORATOR_ASSOCIATIONS = ("OWNER", "MEMBER", "COLLABORATOR")
_AUTHOR_CONDITIONS: dict[str, str] = {
    "anyone": "true",
    "collaborators": "contains(fromJSON('[" + ", ".join(f'"{a}"' for a in COLLABORATOR_ASSOCIATIONS)
    + "]'), github.event.issue.author_association)",
}
_WHO_MAY_ASK = {
    "anyone": "anyone who can open an issue",
    "collaborators": "the repository's owner, members and collaborators; anyone else's issue "
    "is archived when one of them adds the label",
}


def archive_workflow(issue_authors: IssueAuthors) -> str:
    """The archive workflow's text, answering new issues of ``issue_authors``."""
    text = resources.files("newsmirror.ci").joinpath("github-archive.yml").read_text("utf-8")
    return text.replace("@AUTHOR_MAY_ASK@", _AUTHOR_CONDITIONS[issue_authors]).replace(
        "@WHO_MAY_ASK@", _WHO_MAY_ASK[issue_authors])


def write_archive_workflow(root: Path, issue_authors: IssueAuthors, *,
                           force: bool = False) -> Path:
    """Write the archive workflow into the mirror at ``root``; return its path."""
    path = root / ARCHIVE_WORKFLOW_PATH
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists (use --force to overwrite)", url=str(path))
    write_atomic(path, archive_workflow(issue_authors))
    return path


__all__ = ["ARCHIVE_WORKFLOW_PATH", "archive_workflow", "write_archive_workflow"]
