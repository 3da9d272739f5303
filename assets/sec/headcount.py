"""Headcount from the text of a 10-K (Item 1, "Human Capital").

Filers do not tag `dei:EntityNumberOfEmployees` (none of the captured companyfacts has it), so the
figure is read from sentences such as
    "As of December 31, 2024, Alphabet had 183,323 employees."
    "As of September 28, 2024, the Company had approximately 164,000 full-time equivalent employees."
    "We had a global workforce of 74,067 employees as of December 31, 2024 ..."
    "As of December 31, 2024, our employee headcount worldwide was 125,665."
A figure counts only when the sentence also dates it ("as of", "at the end of fiscal year"), which
leaves out "our approximately 4,700 employees in the region" and "a layoff of approximately 11,000
employees". Sentences of the Human Capital section win over the rest of the document; if the
candidates still disagree the answer is NULL, never a guess. The sentence is kept because the
qualifiers ("approximately", full-time equivalent, full- and part-time) differ by company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Thousands are written with separators in filings; a bare four-digit number is a year ("IBM 2014 Employees Stock Purchase Plan").
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s+(?:million|thousand)|\d{2,3})"
_ABOUT = r"(?:(?:approximately|about|around|roughly|nearly|over|more\s+than|almost|some|a\s+total\s+of)\s+)?"
_QUALIFIER = (
    r"(?:(?:full|part)[-\s]time|and|equivalent|regular|permanent|active|total|global|salaried|hourly)"
)
# "<number> [full-time (equivalent)] employees": up to five qualifier words between number and noun.
_COUNT_THEN_NOUN = re.compile(
    _ABOUT
    + _NUMBER
    + r"(?:[\s,]+"
    + _QUALIFIER
    + r"){0,5}\s+(?:employees|team\s+members|full[-\s]time\s+equivalents|FTEs)\b",
    re.IGNORECASE,
)
# "headcount worldwide was 125,665", "global workforce of 74,067", "number of employees totaled 1,200".
_NOUN_THEN_COUNT = re.compile(
    r"(?:headcount|workforce|number\s+of\s+(?:full[-\s]time\s+)?employees)(?:\s+(?:worldwide|globally|in\s+total))?"
    r"\s*(?:,\s*)?(?:was|were|of|totaled|totalled|is|stood\s+at|reached)\s+" + _ABOUT + _NUMBER + r"(?!\s*%)",
    re.IGNORECASE,
)
_DATED = re.compile(
    r"\bas\s+of\b|\bat\s+the\s+end\s+of\b|\bend\s+of\s+(?:our\s+)?(?:fiscal|the\s+fiscal)\b|"
    r"\b(?:at|on)\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d",
    re.IGNORECASE,
)
# Counts of a subset or of a change, not of the workforce.
_NOT_A_TOTAL = re.compile(
    r"layoff|laid\s+off|reduc|terminat|restructur|eliminat|severance|acquisition|acquired|participat|"
    r"represented\s+by|collective\s+bargaining|unions?\b|works?\s+council|hired|hiring|volunteer|%|percent|"
    r"\bplans?\b|stock\s+purchase|exhibit|registration\s+statement",
    re.IGNORECASE,
)
_SECTION_HEADING = re.compile(
    r"^\s*(?:human\s+capital(?:\s+(?:management|resources))?|(?:our\s+)?employees|our\s+people|"
    r"culture\s+and\s+workforce|workforce|people\s+and\s+culture|our\s+workforce)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
SECTION_CHARS = 12_000  # a Human Capital section runs a few pages at most
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z•(\"“])|\n+")


@dataclass(frozen=True)
class Headcount:
    employees: int | None
    sentence: str | None


def _to_int(number: str) -> int:
    text = number.lower().replace(",", "").strip()
    for word, factor in (("million", 1_000_000), ("thousand", 1_000)):
        if text.endswith(word):
            return round(float(text.removesuffix(word).strip()) * factor)
    return int(float(text))


def _candidates(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """(position, employees, sentence) for every dated sentence that states a total workforce."""
    found = []
    position = 0
    for sentence in _SENTENCE_END.split(text):
        start = text.find(sentence, position)
        position = max(position, start)
        if (
            "employ" not in sentence.lower()
            and "workforce" not in sentence.lower()
            and "team member" not in sentence.lower()
        ):
            continue
        if not _DATED.search(sentence) or _NOT_A_TOTAL.search(sentence):
            continue
        match = _COUNT_THEN_NOUN.search(sentence) or _NOUN_THEN_COUNT.search(sentence)
        if match:
            employees = _to_int(match.group(1))
            if employees > 0:
                found.append((offset + start, employees, " ".join(sentence.split())))
    return found


def parse_headcount(text: str) -> Headcount:
    """The workforce a 10-K states and the sentence it states it in; NULLs when absent or ambiguous."""
    everywhere = _candidates(text)
    in_section = [
        c
        for heading in _SECTION_HEADING.finditer(text)
        for c in everywhere
        if heading.end() <= c[0] < heading.end() + SECTION_CHARS
    ]
    for pool in (in_section, everywhere):
        figures = {employees for _, employees, _ in pool}
        if len(figures) == 1:
            first = min(pool)
            return Headcount(first[1], first[2])
        if len(figures) > 1:
            return Headcount(None, None)  # the document states different totals: do not pick one
    return Headcount(None, None)
