"""Query planning: typed text -> a Whoosh query (numbers first, then words and phrases)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from whoosh import query as Q

from registry import numbers
from registry.search.analysis import EnglishTokenizer, bigrams, is_cjk, jieba_words, normalise


@dataclass
class Plan:
    query: Any
    numbers: list[str]  # normalised keys
    words: list[str]
    phrases: list[str]
    highlight: list[str]


_NUMBERISH = re.compile(r"[0-9]")


def _split(text: str) -> tuple[list[str], list[str]]:
    """Quoted phrases and the remaining tokens."""
    text = normalise(text).replace("“", '"').replace("”", '"')
    phrases = [p.strip() for p in re.findall(r'"([^"]+)"', text) if p.strip()]
    rest = re.sub(r'"[^"]*"', " ", text)
    try:
        tokens = shlex.split(rest.replace("'", " "))
    except ValueError:
        tokens = rest.split()
    return phrases, tokens


def _find_numbers(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Greedy: the longest run of tokens (up to 3) that parses as a number is a number."""
    keys: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(tokens):
        for n in (3, 2, 1):
            chunk = " ".join(tokens[i:i + n])
            if n > len(tokens) - i or not _NUMBERISH.search(chunk):
                continue
            if is_cjk(chunk):
                continue
            parsed = numbers.try_parse(chunk)
            if parsed is not None:
                keys.append(parsed.key.lower())
                i += n
                break
            if n == 1 and numbers.partial_key(chunk) is not None:
                keys.append(numbers.compact(chunk).lower())
                i += 1
                break
        else:
            words.append(tokens[i])
            i += 1
    return keys, words


def _word_clause(word: str) -> tuple[Any, list[str]]:
    """One typed word: an alternative over the fields that may hold it."""
    alts: list[Any] = []
    marks: list[str] = []
    if is_cjk(word):
        segs = [w for w, _ in jieba_words(word)]
        marks.extend(segs)
        if segs:
            alts.append(Q.And([Q.Term("title", s) for s in segs]))
        grams = bigrams(word)
        if grams:
            alts.append(Q.And([Q.Term("title_bi", g) for g in grams]))
            alts.append(Q.And([Q.Term("body_bi", g) for g in grams]))
    else:
        w = word.lower()
        marks.append(w)
        parts = [t.text for t in EnglishTokenizer()(w)] or [w]  # 'high-strength' -> 2 terms
        for field in ("title_en", "title", "body_bi"):
            alts.append(Q.And([Q.Term(field, t) for t in parts]) if len(parts) > 1
                        else Q.Term(field, parts[0]))
        if _NUMBERISH.search(w):  # codes that are not standard numbers (credit codes …)
            alts.append(Q.Term("numkeys", numbers.compact(word).lower()))
    return (Q.Or(alts) if alts else Q.NullQuery), marks


def plan(text: str) -> Plan:
    """Turn typed text into a Whoosh query."""
    phrases, tokens = _split(text)
    keys, words = _find_numbers(tokens)
    clauses: list[Any] = []
    marks: list[str] = []
    for key in keys:
        clauses.append(Q.Or([Q.Term("numkeys", key), Q.Term("adopt", key),
                             Q.Term("cites", key)]))
    for word in words:
        clause, m = _word_clause(word)
        clauses.append(clause)
        marks.extend(m)
    for phrase in phrases:
        grams = bigrams(phrase)
        en = [t for t in re.findall(r"[a-z0-9]+", phrase)]
        alts = []
        if grams:
            alts.append(Q.Phrase("title_bi", grams) if len(grams) > 1 else Q.Term("title_bi", grams[0]))
            # body text has no positions (index size): all its bigrams must occur
            alts.append(Q.And([Q.Term("body_bi", g) for g in grams]))
        if en and not is_cjk(phrase):
            alts.append(Q.Phrase("title_en", en) if len(en) > 1 else Q.Term("title_en", en[0]))
        if alts:
            clauses.append(Q.Or(alts))
            marks.append(phrase)
    if not clauses:
        query: Any = Q.Every()
    elif len(clauses) == 1:
        query = clauses[0]
    else:
        query = Q.And(clauses)
    if words and not keys and not phrases and len(words) > 1:
        # several words typed in title order: reward titles that hold them exactly so
        # (an exact title query finds its record first, not every shorter title)
        exact = " ".join(words)
        grams = bigrams(exact)
        if is_cjk(exact) and len(grams) > 1:
            # slop 2: the bigram field leaves one position free between runs of characters
            query = Q.AndMaybe(query, Q.Phrase("title_bi", grams, slop=2, boost=4.0))
        elif not is_cjk(exact):
            en = [t.text for t in EnglishTokenizer()(exact)]
            if len(en) > 1:
                query = Q.AndMaybe(query, Q.Phrase("title_en", en, boost=4.0))
    elif len(words) == 1 and is_cjk(words[0]) and len(bigrams(words[0])) > 1:
        query = Q.AndMaybe(query, Q.Phrase("title_bi", bigrams(words[0]), boost=2.0))
    return Plan(query, keys, words, phrases, marks)


