"""The only module that runs git: initialise, stage, commit, push.

Pushing goes to every ``[[remotes]]`` entry with the git command line, each on
its own: a remote that is unreachable or rejects the push is reported in its
:class:`PushResult` and the others still get their push.  The whole branch is
pushed, so a later run pushes whatever an earlier one could not.

Credentials never come from the config file.  git finds them itself (credential
helper, SSH agent, ``insteadOf`` rules in git's configuration), or the
environment provides a token per remote: ``NEWSMIRROR_REMOTE_<NAME>_TOKEN`` (and
optionally ``NEWSMIRROR_REMOTE_<NAME>_USER``, default ``x-access-token``), where
``<NAME>`` is the remote's name in upper case with other characters as ``_``.
The token reaches git through ``GIT_CONFIG_*`` environment variables, never the
command line, and every message that leaves this module is scrubbed of it and
of any ``user:password@`` in a URL.  git never prompts: a missing credential is
an error, not a hung run.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsmirror.config import MirrorSettings, Remote
from newsmirror.errors import GitError
from newsmirror.models import PushResult

log = logging.getLogger(__name__)

# What a run writes, relative to the mirror root; only these are staged.
MANAGED_PATHS = (
    "articles", "index", "lists", "feeds", "media", "revisions", "README.md", "STATUS.md",
    "newsmirror.toml", ".gitignore",
)
# The parts with a file per article: a quiet run that wrote none there need not scan them.
ARCHIVE_PATHS = ("articles", "index", "media", "revisions")
FALLBACK_IDENTITY = ("newsmirror", "newsmirror@localhost")


def run_git(root: Path, *args: str, check: bool = True, timeout_s: float = 300,
            env: Mapping[str, str] | None = None, secrets: Sequence[str] = ()) -> str:
    """Run ``git`` in ``root``; raise :class:`GitError` with its (scrubbed) stderr on failure."""
    try:
        completed = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=timeout_s,
            check=False, env=dict(env) if env is not None else None, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        detail = scrub_secrets(str(exc), secrets)
        raise GitError(f"git {args[0]} failed: {root} ({detail})", url=str(root)) from exc
    if check and completed.returncode != 0:
        output = f"{completed.stderr}\n{completed.stdout}"
        detail = _telling_line(output) or str(completed.returncode)
        raise GitError(
            f"git {args[0]} failed: {root} ({scrub_secrets(detail, secrets)})", url=str(root),
        )
    return completed.stdout


_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@")
_TOKEN_SHAPES = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,})\b"
)
_PERMANENT_FAILURES = (
    "rejected", "declined", "does not appear to be a git repository", "not found",
    "authentication failed", "permission denied", "could not read username",
    "non-fast-forward", "fetch first", "shallow update not allowed",
)


def scrub_secrets(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` without credentials: URL user info, known token shapes and ``secrets``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _USERINFO.sub(lambda m: m.group("scheme") + "***@", text)
    return _TOKEN_SHAPES.sub("***", text)


def _telling_line(output: str) -> str:
    """The line of git's output that says most about why it failed."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    for marker in ("! [", "[rejected]", "[remote rejected]", "fatal:", "remote: error",
                   "error: hook", "rejected"):
        for line in lines:
            if marker in line:
                return " ".join(line.split())
    return " ".join(lines[-1].split()) if lines else ""


def is_repository(root: Path) -> bool:
    return (root / ".git").exists()


def init_repository(root: Path) -> None:
    if not is_repository(root):
        run_git(root, "init", "--quiet")


def _identity_args(root: Path) -> list[str]:
    name = run_git(root, "config", "user.name", check=False).strip()
    email = run_git(root, "config", "user.email", check=False).strip()
    args: list[str] = []
    if not name:
        args += ["-c", f"user.name={FALLBACK_IDENTITY[0]}"]
    if not email:
        args += ["-c", f"user.email={FALLBACK_IDENTITY[1]}"]
    return args


def commit_changes(root: Path, message: str, *, extra_paths: tuple[str, ...] = ()) -> str | None:
    """Stage the mirror's outputs and commit them; return the new commit, or None if clean."""
    if not stage_changes(root, extra_paths=extra_paths):
        return None
    return commit_staged(root, message)


def stage_changes(
    root: Path, *, extra_paths: tuple[str, ...] = (), skip: tuple[str, ...] = ()
) -> list[str]:
    """Stage the mirror's outputs but ``skip``; return the paths staged (none: nothing to
    commit).  git looks at every file of what it stages: skip only what was not written."""
    init_repository(root)
    paths = [p for p in (*MANAGED_PATHS, *extra_paths) if p not in skip and (root / p).exists()]
    if not paths:
        return []
    remove_stale_index_lock(root)  # callers hold the run lock
    # The untracked-files cache spares git reading every folder of a large mirror again.
    run_git(root, "-c", "core.untrackedCache=true", "add", "--all", "--", *paths)
    staged = run_git(root, "-c", "core.quotePath=false", "diff", "--cached", "--name-only",
                     "-z", check=False)
    return [p for p in staged.split("\0") if p]


def commit_staged(root: Path, message: str) -> str:
    """Commit what is staged; return the new commit."""
    run_git(root, *_identity_args(root), "commit", "--quiet", "--no-verify", "-m", message)
    commit = run_git(root, "rev-parse", "HEAD").strip()
    log.info("committed commit=%s message=%r", commit[:12], message)
    return commit


# -- pushing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PushPolicy:
    """How hard to try each remote."""

    retries: int = 2
    backoff_s: float = 5.0
    timeout_s: float = 300.0

    @classmethod
    def from_settings(cls, settings: MirrorSettings) -> PushPolicy:
        return cls(settings.push_retries, settings.push_backoff_s, settings.push_timeout_s)


@dataclass(frozen=True, slots=True)
class GitCall:
    """The environment one remote's git commands run with, and what to scrub."""

    env: dict[str, str]
    secrets: tuple[str, ...]


def token_variable(remote_name: str) -> str:
    """``NEWSMIRROR_REMOTE_<NAME>_TOKEN`` for a remote name."""
    return f"NEWSMIRROR_REMOTE_{re.sub(r'[^A-Z0-9]', '_', remote_name.upper())}_TOKEN"


def git_call_for(remote: Remote, environ: Mapping[str, str] | None = None) -> GitCall:
    """The environment for talking to ``remote``: never prompting, its token if one is set."""
    env = dict(os.environ if environ is None else environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    token = env.get(token_variable(remote.name), "")
    if not token or not remote.url.startswith(("http://", "https://")):
        return GitCall(env, (token,) if token else ())
    user = env.get(token_variable(remote.name).removesuffix("TOKEN") + "USER", "x-access-token")
    basic = base64.b64encode(f"{user}:{token}".encode()).decode()
    count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    env["GIT_CONFIG_COUNT"] = str(count + 1)
    env[f"GIT_CONFIG_KEY_{count}"] = "http.extraHeader"
    env[f"GIT_CONFIG_VALUE_{count}"] = f"Authorization: Basic {basic}"
    return GitCall(env, (token, basic))


def current_branch(root: Path) -> str:
    """The checked-out branch (``main`` when HEAD is detached or unborn and unnamed)."""
    name = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).strip()
    return name or "main"


def head_commit(root: Path) -> str | None:
    """The commit HEAD points at, or None before the first commit."""
    commit = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).strip()
    return commit or None


def push_to_remotes(root: Path, remotes: Sequence[Remote], policy: PushPolicy, *,
                    environ: Mapping[str, str] | None = None) -> list[PushResult]:
    """Push the current branch to every remote; one failure never stops the others."""
    commit = head_commit(root) if remotes else None
    branch = current_branch(root) if remotes else ""
    return [push_to_remote(root, remote, policy, commit=commit, branch=branch, environ=environ)
            for remote in remotes]


def push_to_remote(root: Path, remote: Remote, policy: PushPolicy, *, commit: str | None,
                   branch: str, environ: Mapping[str, str] | None = None) -> PushResult:
    """Push HEAD to one remote with bounded retries; the outcome is a value, never raised."""
    call = git_call_for(remote, environ)
    url = scrub_secrets(remote.url, call.secrets)
    if commit is None:
        return PushResult(remote.name, url, ok=False, error=f"push skipped: {url} (no commit yet)")
    refspec = f"HEAD:refs/heads/{remote.branch or branch}"  # HEAD: no hash in messages
    error = ""
    deepened = False

    def push() -> str:
        try:
            return run_git(root, "push", "--porcelain", "--", remote.url, refspec,
                           timeout_s=policy.timeout_s, env=call.env, secrets=call.secrets)
        except GitError as exc:
            raise GitError(str(exc).replace(f"git push failed: {root}", f"push failed: {url}", 1),
                           url=url) from exc

    for attempt in range(1, policy.retries + 2):
        try:
            output = push()
        except GitError as exc:
            error = str(exc)
            log.warning("push failed remote=%s url=%s attempt=%d reason=%s", remote.name, url,
                        attempt, error)
            if not deepened and _lacks_history(error) and deepen_shallow_clone(root, policy):
                deepened = True  # the push is tried again at once, with the history it lacked
                try:
                    return _pushed(remote, url, push(), commit, attempt)
                except GitError as retry:
                    error = str(retry)
            if _is_permanent(error) or attempt > policy.retries:
                return PushResult(remote.name, url, ok=False, commit=commit, attempts=attempt,
                                  error=error)
            time.sleep(policy.backoff_s * 2 ** (attempt - 1))
            continue
        return _pushed(remote, url, output, commit, attempt)
    return PushResult(remote.name, url, ok=False, commit=commit, error=error)  # pragma: no cover


def _pushed(remote: Remote, url: str, output: str, commit: str, attempt: int) -> PushResult:
    updated = "[up to date]" not in output
    log.info("pushed remote=%s url=%s commit=%s updated=%s", remote.name, url, commit[:12],
             updated)
    return PushResult(remote.name, url, ok=True, commit=commit, attempts=attempt,
                      updated=updated)


def _lacks_history(error: str) -> bool:
    """A refusal a shallow clone gets when the remote is behind it or empty."""
    lowered = error.lower()
    return "fetch first" in lowered or "shallow update not allowed" in lowered


def is_shallow_clone(root: Path) -> bool:
    return run_git(root, "rev-parse", "--is-shallow-repository", check=False).strip() == "true"


def deepen_shallow_clone(root: Path, policy: PushPolicy) -> bool:
    """Fetch the whole history of a shallow clone from where it was cloned; True if done.

    A shallow clone (the CI templates make one, so checkout time does not grow with
    the archive) pushes to a remote that has its history like any clone.  A remote
    that is behind it, or empty, needs the commits between: those are fetched once,
    from the clone's own upstream (``git fetch --unshallow``), and the push retried.
    """
    if not is_shallow_clone(root):
        return False
    try:
        run_git(root, "fetch", "--quiet", "--unshallow", "--no-tags", timeout_s=policy.timeout_s,
                env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except GitError as exc:
        log.warning("could not fetch the history of a shallow clone path=%s reason=%s", root, exc)
        return False
    log.info("fetched the whole history of a shallow clone path=%s", root)
    return True


def _is_permanent(error: str) -> bool:
    lowered = error.lower()
    return any(marker in lowered for marker in _PERMANENT_FAILURES)


def list_remote_heads(root: Path, remote: Remote, *, timeout_s: float = 30.0,
                      environ: Mapping[str, str] | None = None) -> list[str]:
    """The branch refs a remote has (``git ls-remote --heads``); GitError when unreachable."""
    call = git_call_for(remote, environ)
    try:
        output = run_git(root, "ls-remote", "--heads", "--", remote.url, timeout_s=timeout_s,
                         env=call.env, secrets=call.secrets)
    except GitError as exc:
        url = scrub_secrets(remote.url, call.secrets)
        raise GitError(str(exc).replace(f"git ls-remote failed: {root}",
                                        f"remote unreachable: {url}", 1), url=url) from exc
    return [line.split("\t", 1)[1] for line in output.splitlines() if "\t" in line]


# -- a killed run's leftovers --------------------------------------------------------------


def remove_stale_index_lock(root: Path, *, wait_s: float = 10.0) -> bool:
    """Remove ``.git/index.lock`` when no git process works in ``root``; True if removed.

    A run killed while git was staging or committing leaves this file (its git
    dies of the broken pipe, or is killed with it), and every later commit would
    fail on it.  A git process still working in ``root`` gets ``wait_s`` seconds
    to finish first.  Call only while holding the run lock, so no other run's git
    can be the one holding it.
    """
    lock = root / ".git" / "index.lock"
    deadline = time.monotonic() + wait_s
    while lock.exists() and _has_git_process_in(root):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    if not lock.exists():
        return False
    lock.unlink(missing_ok=True)
    log.warning("removed a stale git index lock path=%s", lock)
    return True


def _has_git_process_in(root: Path) -> bool:
    """True when some git process's working folder is ``root`` (False where /proc is absent)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    target = root.resolve()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "git":
                continue
            if Path(os.readlink(entry / "cwd")).resolve() == target:
                return True
        except OSError:
            continue
    return False
