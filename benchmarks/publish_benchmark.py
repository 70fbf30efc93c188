"""Time what running unattended adds to a run: the lock, health, STATUS.md and pushes.

    .venv/bin/python benchmarks/publish_benchmark.py [--repeat N]

Mirrors the four recorded real feeds on loopback into a fresh mirror that pushes
to two local bare repositories and one whose pre-receive hook refuses every push,
then times: the first run (163 articles, three first pushes), a quiet second run
(nothing new, no commit, three no-op pushes), `publish` alone, and the same quiet
run with pushing turned off.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.recorded import make_recorded_mirror, recorded_routes  # noqa: E402

from newsmirror.config import Config, load_config  # noqa: E402
from newsmirror.demo.server import LoopbackServer  # noqa: E402
from newsmirror.pipeline import RunOptions, publish, run  # noqa: E402


def _remotes(tmp: Path) -> str:
    for name in ("one", "two", "refusing"):
        subprocess.run(["git", "init", "--quiet", "--bare", str(tmp / f"{name}.git")], check=True)
    hook = tmp / "refusing.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    return "".join(f'\n[[remotes]]\nname = "{n}"\nurl = "{tmp / n}.git"\n'
                   for n in ("one", "two", "refusing"))


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def one_round() -> dict[str, float]:
    with LoopbackServer(recorded_routes()) as server, tempfile.TemporaryDirectory() as tmp:
        origin = server.origin
        root = make_recorded_mirror(Path(tmp) / "m", origin)
        with (root / "newsmirror.toml").open("a", encoding="utf-8") as config_file:
            config_file.write(_remotes(Path(tmp)))
        config = load_config(root)
        no_push: Config = dataclasses.replace(
            config, mirror=dataclasses.replace(config.mirror, push=False))
        return {
            "first run, 3 remotes": _timed(lambda: run(config, RunOptions())),
            "quiet run, 3 remotes": _timed(lambda: run(config, RunOptions())),
            "publish alone, 3 remotes": _timed(lambda: publish(config)),
            "quiet run, push off": _timed(lambda: run(no_push, RunOptions())),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rounds = [one_round() for _ in range(args.repeat)]
    for key in rounds[0]:
        print(f"{key}: {statistics.median(r[key] for r in rounds):.3f} s "
              f"(median of {args.repeat})")


if __name__ == "__main__":
    main()
