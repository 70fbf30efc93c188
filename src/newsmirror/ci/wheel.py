"""A wheel of the running newsmirror, for a CI workflow to install when no index has it.

The wheel is packed from the installed package itself (its files and its
metadata), so it holds exactly the code that wrote the workflow.  Its bytes
depend only on those files (fixed timestamps, sorted entries): writing it again
for the same code changes nothing in git.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

PACKAGE = "newsmirror"
_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIPPED_SUFFIXES = (".pyc", ".pyo", ".tmp")
_WHEEL_FILE = "Wheel-Version: 1.0\nGenerator: newsmirror\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def wheel_name(version: str) -> str:
    return f"{PACKAGE}-{version}-py3-none-any.whl"


def build_wheel(version: str) -> bytes:
    """The wheel's bytes: the package's files, METADATA, entry points, WHEEL and RECORD."""
    dist_info = f"{PACKAGE}-{version}.dist-info"
    entries = [(f"{PACKAGE}/{relative}", data) for relative, data in _package_files()]
    distribution = metadata.distribution(PACKAGE)
    for name in ("METADATA", "entry_points.txt"):
        text = distribution.read_text(name)
        if text is not None:
            entries.append((f"{dist_info}/{name}", text.encode("utf-8")))
    entries.append((f"{dist_info}/WHEEL", _WHEEL_FILE.encode()))
    record = "".join(f"{path},sha256={_digest(data)},{len(data)}\n" for path, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in entries:
            info = zipfile.ZipInfo(path, _EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _package_files() -> Iterator[tuple[str, bytes]]:
    """(path inside the package, bytes) of every file of the running package, sorted."""
    package = Path(__file__).resolve().parent.parent  # the newsmirror package folder
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and \
                not path.name.endswith(_SKIPPED_SUFFIXES):
            yield path.relative_to(package).as_posix(), path.read_bytes()


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


__all__ = ["build_wheel", "wheel_name"]
