"""Pushing to every remote: real bare repositories, one good, one missing, one refusing."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmirror.config import Remote, load_config
from newsmirror.errors import ConfigError
from newsmirror.publish import (
    PushPolicy,
    commit_changes,
    head_commit,
    push_to_remotes,
    scrub_secrets,
)
from tests.publish.remotes import bare_remote, branch_head, rejecting_remote
from tests.support.mirrors import git

FAST = PushPolicy(retries=2, backoff_s=0.01, timeout_s=30)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "user.name", "Test Volunteer")
    git(root, "config", "user.email", "volunteer@example.invalid")
    (root / "README.md").write_text("first\n")
    commit_changes(root, "first")
    return root


def test_push_delivers_head_to_a_bare_remote(repo: Path, tmp_path: Path) -> None:
    good = bare_remote(tmp_path / "good.git")
    [result] = push_to_remotes(repo, [Remote("good", str(good))], FAST)
    assert result.ok and result.updated
    assert branch_head(good, "main") == head_commit(repo)


@pytest.mark.parametrize(("kind", "reason"), [
    ("missing", "does not appear to be a git repository"),
    ("rejecting", "pre-receive hook declined"),
], ids=["missing-path", "rejecting-hook"])
def test_failing_remote_is_reported_and_others_still_get_the_push(
    repo: Path, tmp_path: Path, kind: str, reason: str
) -> None:
    bad = tmp_path / "bad.git"
    if kind == "rejecting":
        rejecting_remote(bad)
    good = bare_remote(tmp_path / "good.git")
    results = push_to_remotes(repo, [Remote("bad", str(bad)), Remote("good", str(good))], FAST)
    assert [r.ok for r in results] == [False, True]
    assert reason in (results[0].error or "")
    assert branch_head(good, "main") == head_commit(repo)


def test_refused_push_is_not_retried(repo: Path, tmp_path: Path) -> None:
    [result] = push_to_remotes(repo, [Remote("r", str(rejecting_remote(tmp_path / "r.git")))],
                               FAST)
    assert result.attempts == 1


def test_unreachable_remote_is_retried_a_bounded_number_of_times(
    repo: Path, closed_port: int
) -> None:
    remote = Remote("down", f"http://127.0.0.1:{closed_port}/mirror.git")
    [result] = push_to_remotes(repo, [remote], FAST)
    assert not result.ok
    assert result.attempts == FAST.retries + 1


def test_later_push_delivers_what_an_earlier_one_could_not(repo: Path, tmp_path: Path) -> None:
    remote = rejecting_remote(tmp_path / "late.git")
    push_to_remotes(repo, [Remote("late", str(remote))], FAST)
    (repo / "README.md").write_text("second\n")
    commit_changes(repo, "second")
    (remote / "hooks" / "pre-receive").unlink()  # the host takes pushes again
    [result] = push_to_remotes(repo, [Remote("late", str(remote))], FAST)
    assert result.ok
    assert git(remote, "rev-list", "--count", "main").strip() == "2"


@pytest.fixture()
def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _AuthRecorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.seen.append(self.headers.get("Authorization", ""))
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def auth_server() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Recorder", (_AuthRecorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/mirror.git", seen
    server.shutdown()
    server.server_close()


def test_token_from_environment_reaches_git_as_a_header(
    repo: Path, auth_server: tuple[str, list[str]]
) -> None:
    url, seen = auth_server
    environ = {"PATH": "/usr/bin:/bin", "NEWSMIRROR_REMOTE_CODEBERG_TOKEN": "tok-12345-secret",
               "NEWSMIRROR_REMOTE_CODEBERG_USER": "volunteer"}
    push_to_remotes(repo, [Remote("codeberg", url)], FAST, environ=environ)
    # base64 of "volunteer:tok-12345-secret"
    assert "Basic dm9sdW50ZWVyOnRvay0xMjM0NS1zZWNyZXQ=" in seen


def test_token_never_appears_in_the_push_error(
    repo: Path, auth_server: tuple[str, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    url, _ = auth_server
    environ = {"PATH": "/usr/bin:/bin", "NEWSMIRROR_REMOTE_CODEBERG_TOKEN": "tok-12345-secret"}
    [result] = push_to_remotes(repo, [Remote("codeberg", url)], FAST, environ=environ)
    assert not result.ok
    assert "tok-12345-secret" not in f"{result} {caplog.text}"


@pytest.mark.parametrize(("text", "secrets", "expected"), [
    ("fatal: https://bob:hunter2@git.example/x.git", (), "fatal: https://***@git.example/x.git"),
    ("push to ssh://git@host/x", (), "push to ssh://***@host/x"),
    ("token ghp_" + "a" * 36 + " refused", (), "token *** refused"),
    ("glpat-abcdefghijklmnopqrst was used", (), "*** was used"),
    ("header Basic c2VjcmV0 sent", ("c2VjcmV0",), "header Basic *** sent"),
    ("nothing secret here", (), "nothing secret here"),
], ids=["userinfo", "ssh-user", "github-token", "gitlab-token", "named-secret", "clean"])
def test_scrub_secrets_hides_credentials(text: str, secrets: tuple[str, ...],
                                         expected: str) -> None:
    assert scrub_secrets(text, secrets) == expected


def test_stale_git_index_lock_does_not_block_a_commit(repo: Path) -> None:
    (repo / ".git" / "index.lock").write_text("")
    (repo / "README.md").write_text("after a killed run\n")
    assert commit_changes(repo, "after") is not None


@pytest.mark.parametrize("url", [
    "https://volunteer:hunter2@codeberg.example/m.git",
    "http://x:tok@127.0.0.1/m.git",
], ids=["https", "http"])
def test_config_refuses_a_password_in_a_remote_url(tmp_path: Path, url: str) -> None:
    (tmp_path / "newsmirror.toml").write_text(
        f'[[remotes]]\nname = "r"\nurl = "{url}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="credentials do not belong") as caught:
        load_config(tmp_path)
    assert "hunter2" not in str(caught.value) and ":tok@" not in str(caught.value)
