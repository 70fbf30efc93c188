"""`newsmirror import`: an archive in the predecessor's layout adopted in one commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.mirrors import commit_count, git, make_mirror
from tests.support.predecessor import (
    predecessor_files,
    predecessor_sources,
    write_predecessor_archive,
)
from typer.testing import CliRunner

from newsmirror.clean.urls import canonical_url
from newsmirror.cli import app
from newsmirror.config import load_config
from newsmirror.images import MediaStore
from newsmirror.importer import ImportOptions, import_archive
from newsmirror.importer.archive import parse_archive_text
from newsmirror.models import ArticleRecord
from newsmirror.store.articles import parse_article_file
from newsmirror.store.files import name_candidate
from newsmirror.store.index import ArchiveIndex

runner = CliRunner()


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the mirror outside .git and the cache, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in (".git", ".newsmirror")}


def invoke_import(mirror: Path, archive: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", str(archive), "--mirror", str(mirror), *args])
    return result.exit_code, result.output


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    return write_predecessor_archive(tmp_path / "archive")


@pytest.fixture()
def mirror(tmp_path: Path) -> Path:
    return make_mirror(tmp_path / "mirror", predecessor_sources(), min_body_chars=0)


def test_every_predecessor_sample_is_imported_from_both_folder_namings(
    archive: Path, mirror: Path
) -> None:
    code, output = invoke_import(mirror, archive)
    assert code == 0, output
    index = ArchiveIndex.open(mirror)
    try:
        counts = {s.slug: index.count(s.slug) for s in predecessor_sources()}
    finally:
        index.close()
    assert counts == {"bbc": 5, "voa": 6, "dw": 6, "rfi": 6, "nyt": 6, "ft": 6, "rfa": 6,
                      "cdt": 5, "reuters": 6}
    assert "imported 52 articles" in output


@pytest.mark.parametrize("relative", [f.relative for f in predecessor_files()
                                      if not f.folder.isascii()][:3] + ["articles/BBC/1047998.md"])
def test_an_imported_article_keeps_its_time_title_and_url(
    archive: Path, mirror: Path, relative: str
) -> None:
    """Files from the Chinese-named folders (``<id>_<title>.md``) and from ``BBC/``."""
    invoke_import(mirror, archive)
    original = (archive / relative).read_text(encoding="utf-8").split("\n")
    link = original[1]
    index = ArchiveIndex.open(mirror)
    try:
        record = index.find_by_path_or_url(canonical_url(link[link.rfind("](") + 2:-1]))
    finally:
        index.close()
    assert record is not None
    stored = parse_article_file((mirror / record.path).read_text(encoding="utf-8"))
    assert (stored.published_ms, stored.title) == (int(original[0][4:-3]), link[1:link.rfind("](")])
    assert record.first_seen_ms == record.published_ms


def test_imported_bodies_are_cleaned_like_fetched_ones(archive: Path, tmp_path: Path) -> None:
    """Sanitised (no class, style or share buttons) and images through the proxy."""
    root = make_mirror(tmp_path / "proxied", predecessor_sources(), images="proxy",
                       min_body_chars=0)
    invoke_import(root, archive)
    bodies = [parse_article_file(p.read_text(encoding="utf-8")).body_html
              for p in (root / "articles").rglob("*.md") if p.name != "README.md"]
    assert len(bodies) == 52
    assert not [b for b in bodies if ' class="' in b or " style=" in b or "addtoany" in b]
    images = [src for b in bodies for src in b.split('<img src="')[1:]]
    assert images and all(src.startswith("https://images.weserv.nl/?url=") for src in images)


def test_a_second_import_of_the_same_archive_changes_nothing(archive: Path, mirror: Path) -> None:
    invoke_import(mirror, archive)
    before, commits = tree(mirror), commit_count(mirror)
    code, output = invoke_import(mirror, archive)
    assert code == 0, output
    assert "imported 0 articles; 52 already in the mirror" in output
    assert (tree(mirror), commit_count(mirror)) == (before, commits)
    assert git(mirror, "status", "--porcelain") == ""


def test_the_import_is_one_commit_of_articles_index_lists_and_readmes(
    archive: Path, mirror: Path
) -> None:
    commits = commit_count(mirror)
    invoke_import(mirror, archive)
    assert commit_count(mirror) == commits + 1
    assert git(mirror, "status", "--porcelain") == ""
    committed = git(mirror, "-c", "core.quotepath=off", "show", "--name-only", "--format=%s", "HEAD").splitlines()
    assert committed[0].startswith("import: 52 articles (BBC 5, ")
    for expected in ("README.md", "lists/美国之音.md", "index/voa/2020-07.jsonl",
                     "articles/voa/2020/07/README.md"):
        assert expected in committed


def test_malformed_files_are_named_and_skipped_and_the_rest_imported(
    archive: Path, mirror: Path
) -> None:
    folder = archive / "articles" / "voa"
    (folder / "1.md").write_bytes(b"")
    (folder / "2.md").write_text("just some text\nand more\n", encoding="utf-8")
    (folder / "3.md").write_bytes(
        b"<!--1594230000000-->\n[\xd6\xd0\xce\xc4](https://www.voachinese.com/a/gbk.html)\n------\n\n<p>x</p>\n")
    (folder / "4.md").write_bytes(  # a good header, a body in GBK
        b"<!--1594230000000-->\n[t](https://www.voachinese.com/a/gbk-body.html)\n------\n\n"
        b"<p>\xd6\xd0\xce\xc4</p>\n")
    code, output = invoke_import(mirror, archive)
    assert code == 1
    assert "skipped articles/voa/1.md: empty file" in output
    assert "skipped articles/voa/2.md: no header" in output
    assert "skipped articles/voa/3.md: not UTF-8" in output
    assert "skipped articles/voa/4.md: not UTF-8" in output
    assert "imported 52 articles" in output and "4 skipped" in output


def test_a_body_too_short_for_the_mirror_is_named_and_skipped(archive: Path, tmp_path: Path) -> None:
    """The same minimum length as fetched articles: two CDT image-only posts fall short."""
    root = make_mirror(tmp_path / "strict", predecessor_sources())
    code, output = invoke_import(root, archive)
    assert code == 1
    assert "skipped articles/cdt/332717.md: article body empty or nearly so" in output
    assert "skipped articles/cdt/340001.md: article body empty or nearly so" in output
    assert "imported 50 articles" in output


def test_a_folder_without_source_is_named_and_nothing_is_written(
    archive: Path, tmp_path: Path
) -> None:
    sources = [s for s in predecessor_sources() if s.slug not in ("reuters", "ft")]
    root = make_mirror(tmp_path / "mirror", sources)
    before, commits = tree(root), commit_count(root)
    code, output = invoke_import(root, archive)
    assert code == 2
    assert "no source for folder articles/ft, articles/reuters" in output
    assert (tree(root), commit_count(root)) == (before, commits)
    assert not (root / ".newsmirror").exists()


def test_map_sends_a_folder_to_the_source_it_names(tmp_path: Path) -> None:
    archive = write_predecessor_archive(tmp_path / "archive", slugs=("voa",))
    (archive / "articles" / "voa").rename(archive / "articles" / "旧档案")
    root = make_mirror(tmp_path / "mirror", predecessor_sources())
    code, output = invoke_import(root, archive, "--map", "旧档案=voa")
    assert code == 0, output
    assert len(list((root / "index" / "voa").glob("*.jsonl"))) == 6
    assert "--map 旧档案=dw2: no source with slug 'dw2'" in invoke_import(
        root, archive, "--map", "旧档案=dw2")[1]


def test_articles_already_mirrored_are_left_out(archive: Path, mirror: Path) -> None:
    """Articles of the same canonical URL, whatever the file, count once."""
    first = write_predecessor_archive(archive.parent / "voa-only", slugs=("voa",))
    invoke_import(mirror, first)
    code, output = invoke_import(mirror, archive)
    assert code == 0, output
    assert "imported 46 articles; 6 already in the mirror" in output


def test_worker_processes_write_what_one_process_writes(archive: Path, tmp_path: Path) -> None:
    for n in range(400):  # enough articles for the worker processes to be used
        month = 1 + n % 12
        (archive / "articles" / "dw" / f"{n}.md").write_text(
            f"<!--{1_600_000_000_000 + n * 86_400_000}-->\n[标题 {n}](https://www.dw.com/zh/a-{n % 40})"
            f"\n------\n\n<p>第 {n} 篇文章，{month} 月，有足够的文字内容可以通过最短长度的检查。</p>\n",
            encoding="utf-8")
    trees = []
    for workers in (1, 2):
        root = make_mirror(tmp_path / f"workers-{workers}", predecessor_sources(),
                           min_body_chars=0, commit=False)
        report = import_archive(load_config(root), archive,
                                ImportOptions(workers=workers, clock=lambda: 1_800_000_000_000))
        assert (report.imported_count, report.duplicates) == (92, 360)
        trees.append(tree(root))
    assert trees[0] == trees[1]


def test_articles_join_a_month_the_mirror_already_has_under_free_names(tmp_path: Path) -> None:
    """A mirrored article took the name the imported one would get: it gets another."""
    root = make_mirror(tmp_path / "mirror", predecessor_sources())
    archive = write_predecessor_archive(tmp_path / "a", slugs=("voa",))
    sample = (archive / predecessor_files()[0].relative).read_text(encoding="utf-8")
    text = parse_archive_text(sample)
    name = name_candidate(canonical_url(text.url), text.title)
    taken = f"articles/voa/2020/07/{name}.md"
    (root / taken).parent.mkdir(parents=True)
    (root / taken).write_text("<!--1594230000000-->\n[早有](https://www.voachinese.com/a/1.html)"
                              "\n------\n\n<p>早已镜像的文章。</p>\n", encoding="utf-8")
    index = ArchiveIndex.open(root)
    index.save(ArticleRecord(
        id="0" * 12, source="voa", url="https://www.voachinese.com/a/1.html",
        canonical_url="https://www.voachinese.com/a/1.html", title="早有",
        published_ms=1_594_230_000_000, first_seen_ms=1_594_230_000_000, path=taken,
        content_sha256="0" * 64))
    index.close()
    code, output = invoke_import(root, archive)
    assert code == 0, output
    readme = (root / "articles/voa/2020/07/README.md").read_text(encoding="utf-8")
    assert f"({name}.md)" in readme and readme.count(f"({name[:30]}") == 2


def test_local_images_wait_for_a_run_and_nothing_is_downloaded(tmp_path: Path) -> None:
    """In local mode an import proxies each image, marks it for a run, and fetches nothing."""
    archive = write_predecessor_archive(tmp_path / "archive", slugs=("cdt",))
    root = make_mirror(tmp_path / "mirror", predecessor_sources(), images="local",
                       min_body_chars=0)
    code, output = invoke_import(root, archive)
    assert code == 0, output
    media = MediaStore.open(root)
    try:
        waiting = media.pending_articles(100)
    finally:
        media.close()
    bodies = {path: (root / path).read_text(encoding="utf-8") for path in waiting}
    assert len(bodies) == 5 and not (root / "media").exists()
    assert all('data-localise="https://chinadigitaltimes.net/' in text for text in bodies.values())
