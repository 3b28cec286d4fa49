"""Analyzers: Chinese words (jieba, word positions), CJK bigrams, numbers, plain English.

jieba's stock ChineseAnalyzer gives character offsets as positions, drops one-character
non-Chinese tokens and stems English; these tokenizers do neither. Positions count words,
and the sub-words jieba's search mode finds inside a word share that word's position, so
phrase queries over words work; the bigram field makes any Chinese substring findable
whatever the segmentation.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import jieba
from whoosh.analysis import (
    Composable,
    LowercaseFilter,
    SpaceSeparatedTokenizer,
    Token,
    Tokenizer,
)

jieba.setLogLevel(logging.WARNING)

# Bump when an analyzer or the schema changes: an index of another version is rebuilt.
ANALYSIS_VERSION = 2

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_WORD_RE = re.compile(f"[{_CJK}]+|[A-Za-z]+|\\d+(?:\\.\\d+)*")
_SKIP = re.compile(r"^[\s\W_]+$", re.UNICODE)


def normalise(text: str) -> str:
    """Full-width to half-width and lower case (NFKC)."""
    return unicodedata.normalize("NFKC", text).lower()


def is_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def jieba_words(text: str) -> list[tuple[str, list[str]]]:
    """Words in order (jieba's accurate mode), each with its search-mode sub-words."""
    out: list[tuple[str, list[str]]] = []
    for word in jieba.cut(normalise(text), HMM=False):
        if not word or _SKIP.match(word):
            continue
        subs: list[str] = []
        if len(word) > 2 and is_cjk(word):
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    piece = word[i:i + n]
                    if piece in jieba.dt.FREQ and jieba.dt.FREQ[piece]:
                        subs.append(piece)
        out.append((word, subs))
    return out


class ChineseWordTokenizer(Tokenizer):
    """jieba words with word-index positions; keeps 1-char tokens; no stemming."""

    unit_tokens = True  # boosts all 1.0, none stopped (whoosh_internals.fastdoc)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, subs in jieba_words(value):
            for text in ([word] + (subs if mode != "query" else [])):
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = text
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char, start_char + len(text)
                yield t
            pos += 1


class BigramTokenizer(Tokenizer):
    """Overlapping CJK bigrams (a lone CJK character stays a unigram) plus ASCII words."""

    unit_tokens = True  # boosts all 1.0, none stopped (whoosh_internals.fastdoc)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for m in _WORD_RE.finditer(normalise(value)):
            run = m.group()
            if is_cjk(run):
                grams = [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
            else:
                grams = [run]
            for g in grams:
                t.text = g
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = g
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char + m.start(), start_char + m.end()
                yield t
                pos += 1
            pos += 1  # a gap between runs, so phrases do not span punctuation


def bigrams(text: str) -> list[str]:
    """The bigram tokens of ``text`` (what the bigram field indexes)."""
    return [t.text for t in BigramTokenizer()(text)]


def chinese_analyzer() -> Composable:
    return ChineseWordTokenizer()


def bigram_analyzer() -> Composable:
    return BigramTokenizer()


def keys_analyzer() -> Composable:
    """Space-separated normalised keys (standard numbers, codes), lower-cased."""
    return SpaceSeparatedTokenizer() | LowercaseFilter()


class EnglishTokenizer(Tokenizer):
    """ASCII words and numbers, lower-cased, one-character tokens kept, no stemming."""

    unit_tokens = True  # boosts all 1.0, none stopped (whoosh_internals.fastdoc)

    _RE = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, m in enumerate(self._RE.finditer(normalise(value))):
            t.text = m.group()
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            if chars:
                t.startchar, t.endchar = start_char + m.start(), start_char + m.end()
            yield t


def english_analyzer() -> Composable:
    return EnglishTokenizer()
