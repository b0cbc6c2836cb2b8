"""MkDocs hook: links from the docs to repository files outside ``docs/``.

The guides link to files such as ``../BENCHMARKS.md`` or ``../tests/keras_programs/``, which read
well on a forge but are not pages of the site (strict mode would warn about them). This hook
points each such link at the page that includes the file (``BENCHMARKS.md``: benchmarks.md),
or else replaces it by its text and the path in the repository; it warns (an error under
``--strict``) when the target does not exist.
"""
from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.repo_links")

# [text](target) not preceded by "!" (images stay), target without a scheme or an anchor-only
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s#]+)(?P<anchor>#[^)]*)?\)")
# repository files that a page of the site includes: repository path -> page (under docs/)
_INCLUDED = {"BENCHMARKS.md": "benchmarks.md"}
_FENCE = re.compile(r"^(```|~~~)")


def on_page_markdown(markdown, page, config, files):
    docs_dir = Path(config["docs_dir"]).resolve()
    repo = docs_dir.parent
    page_dir = (docs_dir / page.file.src_uri).parent

    def replace(match):
        target = match["target"]
        if "://" in target or target.startswith(("mailto:", "/")):
            return match[0]
        resolved = (page_dir / target).resolve()
        if resolved.is_relative_to(docs_dir):
            return match[0]  # a page or asset of the site: MkDocs checks it
        if not resolved.is_relative_to(repo) or not resolved.exists():
            log.warning("%s links to %s, which is not a file of the repository", page.file.src_uri, target)
            return match[0]
        path = posixpath.join(*resolved.relative_to(repo).parts) + ("/" if resolved.is_dir() else "")
        if path in _INCLUDED:
            page_uri = posixpath.relpath(_INCLUDED[path], posixpath.dirname(page.file.src_uri) or ".")
            return f"[{match['text']}]({page_uri}{match['anchor'] or ''})"
        text = match["text"]
        return text if path.rstrip("/") in text else f"{text} (`{path}`)"

    out, in_fence = [], False
    for line in markdown.split("\n"):
        if _FENCE.match(line.lstrip()):
            in_fence = not in_fence
        out.append(line if in_fence else _LINK.sub(replace, line))
    return "\n".join(out)
