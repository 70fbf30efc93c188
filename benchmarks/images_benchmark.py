"""Bytes that local image mode adds to the repository per 100 articles, with and without
re-encoding.

    .venv/bin/python benchmarks/images_benchmark.py [--articles N] [--seed N]

Serves N articles' images on loopback and runs the image stage (local mode: download,
sniff, optional re-encode, store in media/) over each article twice, into two fresh
media/ folders: once with ``image_reencode = false``, once with re-encoding as configured
(default: above 200 kB or 960 px wide, to 960 px at quality 75; see --max-width-px, --quality).  The images are synthetic
(no network here, and no real photo collection in the project): smooth colour fields
with film grain standing in for news photos, and long PNG screenshots with text-like
strokes and an embedded photo standing in for WeChat/Weibo screenshots; sizes are
tuned to what the outlets serve (see the table the script prints).  Every image is
distinct, so deduplication does not flatter the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsmirror.config import MirrorSettings  # noqa: E402
from newsmirror.demo.server import LoopbackServer, Route  # noqa: E402
from newsmirror.fetch import Fetcher, FetchPolicy  # noqa: E402
from newsmirror.images import ImagePolicy, MediaStore, mirror_images  # noqa: E402

# (share of images, what it stands for, width, height, format, quality)
KINDS = (
    (0.50, "article photo 976 px (BBC, DW size)", 976, 549, "JPEG", 85),
    (0.20, "full-size upload 1920 px (WordPress, RFA)", 1920, 1080, "JPEG", 92),
    (0.20, "long screenshot 1080x1920 PNG (WeChat, Weibo)", 1080, 1920, "PNG", None),
    (0.10, "chart 800x500 PNG", 800, 500, "PNG", None),
)


@dataclass(frozen=True)
class Corpus:
    articles: list[str]  # body HTML with {{origin}} image URLs
    routes: dict[str, Route]
    bytes_by_kind: dict[str, list[int]]


def photo(width: int, height: int, rnd: random.Random) -> Image.Image:
    cells = (width // 24 + 1, height // 24 + 1)
    base = Image.frombytes("RGB", cells, rnd.randbytes(cells[0] * cells[1] * 3))
    base = base.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", (width, height), rnd.randbytes(width * height)).convert("RGB")
    return Image.blend(base, grain, 0.06)


def screenshot(width: int, height: int, rnd: random.Random, *, with_photo: bool) -> Image.Image:
    image = Image.new("RGB", (width, height), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for y in range(30, height - 40, 44):
        x = 40
        while x < width - 80:
            stroke = rnd.randint(14, 40)
            draw.rectangle((x, y, x + stroke, y + 24), fill=(30, 30, 30))
            x += stroke + rnd.randint(4, 12)
    if with_photo:
        image.paste(photo(width - 80, height // 3, rnd), (40, height // 3))
    return image.filter(ImageFilter.GaussianBlur(0.7))


def make_image(kind: tuple[float, str, int, int, str, int | None], rnd: random.Random) -> bytes:
    _, label, width, height, fmt, quality = kind
    if fmt == "JPEG":
        image = photo(width, height, rnd)
    else:
        image = screenshot(width, height, rnd, with_photo="screenshot" in label)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": quality} if quality else {}))
    return buffer.getvalue()


def make_corpus(articles: int, seed: int) -> Corpus:
    rnd = random.Random(seed)
    routes: dict[str, Route] = {}
    bodies: list[str] = []
    by_kind: dict[str, list[int]] = {k[1]: [] for k in KINDS}
    for a in range(articles):
        tags = []
        for i in range(rnd.randint(2, 6)):
            kind = rnd.choices(KINDS, weights=[k[0] for k in KINDS])[0]
            data = make_image(kind, rnd)
            path = f"/img/{a}/{i}.{'jpg' if kind[4] == 'JPEG' else 'png'}"
            routes[path] = Route(data, "image/jpeg" if kind[4] == "JPEG" else "image/png")
            by_kind[kind[1]].append(len(data))
            tags.append(f'<p><img src="{{{{origin}}}}{path}" alt="图 {i}"></p>')
        bodies.append("<p>正文</p>" + "".join(tags))
    return Corpus(bodies, routes, by_kind)


async def localise_all(corpus: Corpus, origin: str, media_root: Path, reencode: bool,
                       settings: MirrorSettings) -> float:
    policy = replace(ImagePolicy.from_settings(settings, "local"), reencode=reencode)
    media = MediaStore.open(media_root)
    started = time.perf_counter()
    try:
        async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
            for body in corpus.articles:
                html = body.replace("{{origin}}", origin)
                outcome = await mirror_images(html, policy, page_url=origin + "/a",
                                              fetcher=fetcher, media=media)
                assert outcome.counts["images/failed"] == 0, outcome.counts
    finally:
        media.close()
    return time.perf_counter() - started


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--max-width-px", type=int, default=MirrorSettings().image_max_width_px)
    parser.add_argument("--quality", type=int, default=MirrorSettings().image_quality)
    args = parser.parse_args()
    settings = replace(MirrorSettings(), allow_private_networks=True, max_retries=0,
                       image_max_width_px=args.max_width_px, image_quality=args.quality)
    corpus = make_corpus(args.articles, args.seed)
    per_100 = 100 / args.articles
    print(f"{args.articles} articles, {len(corpus.routes)} images")
    for label, sizes in corpus.bytes_by_kind.items():
        if sizes:
            median_kb = sorted(sizes)[len(sizes) // 2] / 1e3
            print(f"  {label}: {len(sizes)} images, median {median_kb:.0f} kB")
    with LoopbackServer(corpus.routes) as server, tempfile.TemporaryDirectory() as tmp:
        for reencode in (False, True):
            root = Path(tmp) / ("reencoded" if reencode else "as-downloaded")
            seconds = asyncio.run(localise_all(corpus, server.origin, root, reencode, settings))
            total, files = folder_bytes(root / "media")
            shape = f" (max {args.max_width_px} px, quality {args.quality})" if reencode else ""
            megabytes = total * per_100 / 1e6
            print(f"image_reencode = {str(reencode).lower():5}{shape}: media/ {megabytes:.1f} MB "
                  f"per 100 articles ({files} files), {seconds:.1f} s")


if __name__ == "__main__":
    main()
