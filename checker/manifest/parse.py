"""Parse YAML text into documents: the fast reader first, libyaml otherwise."""

from __future__ import annotations

import logging

from checker.manifest.documents import ParsedStream
from checker.manifest.fastscan import scan

logger = logging.getLogger(__name__)


def parse_text(text: str) -> ParsedStream:
    """Parse every document of ``text`` with its positions.

    The fast line reader reads plain block-style YAML. libyaml reads any
    other YAML and every file with a problem, and reports the problem.
    """
    documents = scan(text)
    if documents is not None:
        return ParsedStream(documents=documents, parser="fast")
    logger.debug("text is outside the fast reader's subset; parsing with libyaml")
    from checker.manifest.fullparse import parse_full

    return parse_full(text)
