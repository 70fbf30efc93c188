"""The issue-driven archive workflow ``newsmirror init --ci github`` writes beside the hourly one.

The template (``github-archive.yml``) is written with two things filled in: whose
new issues it answers, from ``[archive] issue_authors``, and the hourly
workflow's "Install newsmirror" step, copied as written, so both install the same
newsmirror.  Everything an issue's author wrote reaches ``newsmirror archive``
through environment variables, never through the text of a shell command.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from newsmirror.ci import CI_TARGETS, ci_template
from newsmirror.config import IssueAuthors
from newsmirror.errors import ConfigError
from newsmirror.store.files import write_atomic

ARCHIVE_WORKFLOW_PATH = ".github/workflows/newsmirror-archive.yml"
INSTALL_STEP_NAME = "- name: Install newsmirror"
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


def archive_workflow(issue_authors: IssueAuthors, hourly_workflow: str | None = None) -> str:
    """The archive workflow's text, answering new issues of ``issue_authors`` and installing
    newsmirror as ``hourly_workflow`` does (default: the shipped hourly template)."""
    text = resources.files("newsmirror.ci").joinpath("github-archive.yml").read_text("utf-8")
    install = install_step(hourly_workflow if hourly_workflow is not None
                           else ci_template("github"))
    return text.replace("@INSTALL_STEP@", install).replace(
        "@AUTHOR_MAY_ASK@", _AUTHOR_CONDITIONS[issue_authors]).replace(
        "@WHO_MAY_ASK@", _WHO_MAY_ASK[issue_authors])


def install_step(workflow: str) -> str:
    """The "Install newsmirror" step of a workflow, with the comment lines above it, as
    written (up to the blank line that ends it)."""
    lines = workflow.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == INSTALL_STEP_NAME), None)
    if start is None:
        raise ConfigError(f"the hourly workflow has no step '{INSTALL_STEP_NAME}'")
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


def write_archive_workflow(root: Path, issue_authors: IssueAuthors, *,
                           force: bool = False) -> Path:
    """Write the archive workflow into the mirror at ``root``, after the hourly workflow
    (whose install step it copies); return its path."""
    path = root / ARCHIVE_WORKFLOW_PATH
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists (use --force to overwrite)", url=str(path))
    hourly = root / CI_TARGETS["github"][0]
    try:
        hourly_text = hourly.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the hourly workflow: {hourly} ({exc})") from exc
    write_atomic(path, archive_workflow(issue_authors, hourly_text))
    return path


__all__ = ["ARCHIVE_WORKFLOW_PATH", "archive_workflow", "install_step", "write_archive_workflow"]
