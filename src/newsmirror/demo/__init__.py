"""``newsmirror demo``: the real pipeline over bundled sample content on loopback, offline."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.models import RunReport
from newsmirror.pipeline import RunOptions, run
from newsmirror.scaffold import Outlet, init_mirror, render_config

DEMO_OUTLETS = (
    ("示例通讯社", "wire", "/wire.xml", "feed", "wire.xml", "application/rss+xml; charset=utf-8"),
    ("示例日报", "daily", "/daily.xml", "page", "daily.xml", "application/atom+xml; charset=utf-8"),
    ("示例周刊", "weekly", "/weekly.rdf", "auto", "weekly.rdf", "application/rdf+xml"),
)
DEMO_PAGES = {
    "/daily/river-cleanup": "river-cleanup.html",
    "/daily/bus-routes": "bus-routes.html",
    "/weekly/a-1001": "tea-house.html",
}


@dataclass(frozen=True, slots=True)
class DemoResult:
    root: Path
    report: RunReport


def demo_routes() -> dict[str, Route]:
    """The sample feeds and pages, keyed by the path they are served at."""
    content = resources.files("newsmirror.demo") / "content"
    routes = {
        path: Route((content / filename).read_bytes(), content_type)
        for _, _, path, _, filename, content_type in DEMO_OUTLETS
    }
    for path, filename in DEMO_PAGES.items():
        routes[path] = Route((content / "pages" / filename).read_bytes())
    for name in ("library", "river"):
        routes[f"/img/{name}.jpg"] = Route((content / "img" / f"{name}.jpg").read_bytes(),
                                           "image/jpeg")
    return routes


def demo_config_text(origin: str) -> str:
    outlets = tuple(
        Outlet(name, slug, origin + path, fulltext, "sample content served on loopback")
        for name, slug, path, fulltext, _, _ in DEMO_OUTLETS
    )
    # Loopback is the demo's whole point; its images are copied into media/ so that they
    # still show after the demo's server has stopped.
    return render_config(outlets, mirror_overrides={"allow_private_networks": True,
                                                     "images": "local"})


def run_demo(directory: Path | None = None) -> DemoResult:
    """Serve the sample content, create a mirror in ``directory`` and run it once."""
    root = directory or Path(tempfile.mkdtemp(prefix="newsmirror-demo-"))
    with LoopbackServer(demo_routes()) as server:
        init_mirror(root, config_text=demo_config_text(server.origin), force=True)
        report = run(load_config(root), RunOptions())
    return DemoResult(root=root, report=report)
