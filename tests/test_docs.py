"""The documentation: the mkdocs site builds with --strict (every page in the nav, every
link and anchor between pages resolved), and the Markdown a reader meets in the
repository links only to files the repository has."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README_MAX_LINES = 200
# [text](target) and ![alt](target); the target up to a space, a title or the ')'.
LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)')


def _local_targets(markdown: Path) -> list[str]:
    text = re.sub(r'```.*?```', '', markdown.read_text(), flags=re.S)  # no code blocks
    return [t for t in LINK.findall(text)
            if not re.match(r'[a-z][a-z0-9+.-]*:', t) and not t.startswith('#')]


def _markdown_files() -> list[Path]:
    return [REPO / 'README.md', REPO / 'benchmarks' / 'README.md',
            *sorted((REPO / 'docs').rglob('*.md'))]


@pytest.mark.slow
def test_mkdocs_build_is_strict_clean(tmp_path):
    result = subprocess.run(
        [sys.executable, '-m', 'mkdocs', 'build', '--strict', '--site-dir',
         str(tmp_path / 'site')],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / 'site' / 'guides' / 'deciding' / 'index.html').is_file()


@pytest.mark.parametrize('markdown', _markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_links_stay_inside_the_repository_and_resolve(markdown):
    broken = []
    for target in _local_targets(markdown):
        path = (markdown.parent / target.split('#')[0]).resolve()
        if REPO not in (path, *path.parents) or not path.exists():
            broken.append(target)
    assert not broken, f'{markdown.relative_to(REPO)} links to {broken}'


def test_readme_stays_short():
    lines = (REPO / 'README.md').read_text().count('\n')
    assert lines <= README_MAX_LINES, (
        f'README.md has {lines} lines; keep it under {README_MAX_LINES} and move the '
        'rest to docs/')
