"""The results table: quantitative results the papers state, one row per value, found by documented rules.

Pure and deterministic. Rows come from the sentences the report quotes: every abstract sentence of every paper
of the report and every extracted claim's source sentence (`Claim.quote`); a spec claim is a person's words,
not a paper's, and gives no row. Each row keeps its sentence and the sentence's index (as `paper_sentences`
numbers them, from 0), and its value is a substring of that sentence, exactly as written.

Precision over recall: a cell the rules cannot fill from the sentence stays empty, never guessed.

1. **Value**: a number with a unit that makes it a measurement, optionally led by a qualifier ("over", "up to",
   "around", "as high as", "an average of", ...):
   - a percentage: "71.4%", "18-27%", "99\\%", "69.61%/75.66%" (a mean/median pair);
   - points: "4.1 points", "2 pp", "3.5 percentage points";
   - a metric as its unit: "2.4 F1", "+3~7 F1 scores", "1.2 BLEU points";
   - a factor with what it compares: "3x faster", "2.5 times smaller"; a bare "3x"/"3×" (never "3x3");
   - a bare number right after its metric, an optional verb of change and a linking word: "BLEU of 31.2",
     "accuracy improves from 70.2 to 75.4", "the exact match score is 65.0".
   A change named right after the value is part of it: "29% relative WER improvement", "50% accuracy drops".
2. **Not results**, rejected even with a unit: years (1900-2099 without decimals, e.g. "CoNLL 2003 F1"),
   numbers after Table/Section/Figure/Eq./Appendix/... ("Table 3 BLEU scores"), numbers inside square brackets
   (citations), amounts of input ("10% of the training data", "1% of labelled examples"), a metric-unit number
   followed by a count noun ("5 BLEU experiments"), and numbers glued to a word ("T5", "F_1", "xzx34",
   "CoNLL-2003"). A bare number is only ever a value by the last case of 1, and never when a count noun follows
   it: "57 languages", "13 pairs", "over 6,000 bilingual pairs" are counts, never rows. Numbers written as words
   ("two points") are not read.
3. **Metric** (a name from `METRICS`, shown in its canonical form): the metric in the value itself ("2.4 F1");
   for a factor, what its comparative measures ("3x faster": speed, "2.5 times smaller": size); else one at most
   two words after the value ("29% relative WER", "50% accuracy drops"), unless the value measures something of
   its own ("30% fewer parameters": empty); else one ending at most four words before it ("F1-score of 77.88%",
   "success rates as high as 99%"); neither may reach across "and", "or", "while", "with" or punctuation; else
   the only metric the sentence names, when every value of the sentence is of the same kind (all percentages,
   all points, ...); else empty.
4. **Task or dataset**: a name right after "on" or "for" at most four words after the value, in its clause: a
   known task or dataset (`TASKS`), or a capitalised phrase with an optional "(ACRONYM)" and a "test data" /
   "dataset" / ... tail ("on Spanish Diseases Recognition (SDR)", "for EAE"); not when the phrase is only
   language names ("for Armenian" is a condition) or hardware (`NOT_TASKS`). Else the only known task or dataset
   the sentence names ("... for cross-lingual named entity recognition ..."); else empty.
5. **Condition**, from the value's clause (the sentence cut at "; ", ": " and " - "), joined by "; ":
   - the change a word leads up to the value with, as a noun: "improvements of 18-27%" gives "relative
     improvement", "reducing the model size by around 50%" gives "reduction";
   - for values listed after a colon, the phrase that introduces the list ("with the mean/median values
     being: ..." gives "the mean/median values");
   - the comparison nearest the value ("over mBERT", "compared to using English", "outperforms the previous
     strong baseline");
   - the setting nearest it ("using only English adaptation data", "for low-resource languages", "across 20
     languages"), else a language or language pair ("for Armenian", "from English to Swahili").
   Comparisons and settings are phrases of the sentence as written, cut at the next punctuation or linking word.

Rows are ordered by the paper's reference number, then sentence index, then the value's position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from builder.models import Claim, Paper, Result
from builder.text import paper_sentences
from builder.text.cues import YEAR

# ------------------------------------------------------------------------------------------------ lexicons

# Canonical metric name -> pattern (matched on word boundaries; acronyms case-sensitive, words not).
METRICS: dict[str, str] = {
    "F1": r"(?:micro-|macro-|span-)?(?:F1|F_1|F₁)(?:[- ](?:scores?|measures?))?|F-?(?:scores?|measures?)",
    "BLEU": r"(?:sp)?BLEU",
    "chrF": r"chrF(?:\+\+)?",
    "COMET": r"COMET",
    "BERTScore": r"BERTScore",
    "ROUGE": r"ROUGE(?:-(?:1|2|L))?",
    "METEOR": r"METEOR",
    "TER": r"TER",
    "accuracy": r"(?i:accuracy|accuracies)",
    "exact match": r"(?i:exact[- ]match)|EM",
    "precision": r"(?i:precision)",
    "recall": r"(?i:recall)",
    "WER": r"WER|(?i:word error rates?)",
    "CER": r"CER|(?i:character error rates?)",
    "error rate": r"(?i:error rates?)",
    "perplexity": r"(?i:perplexity|perplexities)|PPL",
    "AUC": r"AUC|AUROC|(?i:area under the curve)",
    "MRR": r"MRR",
    "nDCG": r"n?DCG(?:@\d+)?",
    "mAP": r"mAP",
    "LAS": r"LAS",
    "UAS": r"UAS",
    "success rate": r"(?i:success rates?)",
    "correlation": r"(?i:(?:spearman|pearson)(?:'s)?(?: correlation)?|correlations?)",
    "speedup": r"(?i:speed-?ups?)",
    "latency": r"(?i:latency)",
    "throughput": r"(?i:throughput)",
    "model size": r"(?i:model sizes?)",
}

# Well-known tasks and datasets; names in a group are one task ("NER" is "named entity recognition").
TASKS: dict[str, str] = {
    "ner": r"(?i:named[- ]entity recognition)|NER",
    "qa": r"(?i:question answering)|QA",
    "eae": r"(?i:event argument extraction)|EAE",
    "ee": r"(?i:event extraction)",
    "pos": r"(?i:part[- ]of[- ]speech tagging)|POS tagging",
    "parsing": r"(?i:dependency parsing)",
    "classification": r"(?i:text classification|document classification)",
    "sentiment": r"(?i:sentiment analysis|sentiment classification)",
    "nli": r"(?i:natural language inference)|NLI",
    "mt": r"(?i:machine translation)",
    "re": r"(?i:relation extraction)",
    "el": r"(?i:entity linking)",
    "summarization": r"(?i:summari[sz]ation)",
    "asr": r"(?i:speech recognition)|ASR",
    "image classification": r"(?i:image classification)",
    "conll": r"CoNLL(?:[- ]?(?:2002|2003)(?:/(?:2002|2003))?)?",
    "wikiann": r"WikiANN|PAN-X",
    "masakhaner": r"MasakhaNER(?: ?2\.0)?",
    "ontonotes": r"OntoNotes(?: ?5(?:\.0)?)?",
    "xtreme": r"XTREME(?:-R)?",
    "xnli": r"XNLI",
    "xquad": r"XQuAD",
    "mlqa": r"MLQA",
    "tydiqa": r"TyDi ?QA",
    "squad": r"SQuAD(?: ?[12]\.\d)?",
    "paws-x": r"PAWS-X",
    "mldoc": r"MLDoc",
    "imagenet": r"ImageNet",
    "glue": r"GLUE",
    "superglue": r"SuperGLUE",
    "wmt": r"WMT(?:[- ]?\d{2,4})?",
    "flores": r"FLORES(?:-\d+)?",
    "ud": r"(?i:universal dependencies)",
}

# Language names: a task phrase made only of these names a language, which is a condition, not a task.
_LANGUAGE_NAMES = """
    afrikaans amharic arabic armenian assamese azerbaijani basque belarusian bengali bosnian bulgarian burmese
    catalan cebuano chinese croatian czech danish dutch english estonian finnish french galician georgian german
    greek gujarati hausa hebrew hindi hungarian icelandic igbo indonesian irish italian japanese javanese kannada
    kazakh khmer kinyarwanda korean kurdish kyrgyz lao latvian lingala lithuanian luganda macedonian malagasy malay
    malayalam maltese marathi mongolian nepali norwegian odia oromo pashto persian polish portuguese punjabi
    romanian russian serbian sindhi sinhala slovak slovenian somali spanish sundanese swahili swedish tagalog tajik
    tamil telugu thai tigrinya turkish ukrainian urdu uzbek vietnamese welsh wolof xhosa yoruba zulu
"""
LANGUAGES = frozenset(_LANGUAGE_NAMES.split())

# Capitalised names that are not tasks or datasets ("4.2x on GPUs").
NOT_TASKS = frozenset({"GPU", "GPUs", "CPU", "CPUs", "TPU", "TPUs", "Average", "Overall", "All"})

# Nouns that make a bare number a count of something ("57 languages"), not a result.
COUNT_NOUNS = (
    r"languages?|datasets?|tasks?|subtasks?|benchmarks?|pairs?|domains?|models?|samples?|sentences?|examples?|"
    r"documents?|tokens?|words?|annotators?|entit(?:y|ies)|types?|classes|labels?|layers?|heads?|parameters?|"
    r"epochs?|runs?|seeds?|times|years?|days?|hours?|authors?|countries|speakers?|articles?|corpora|systems?|"
    r"experiments?|levels?|steps?|shots?|instances?|queries|questions|images?|hops?"
)

# ------------------------------------------------------------------------------------------------- patterns

_METRIC_ANY = "|".join(f"(?:{p})" for p in METRICS.values())
_METRIC = re.compile(rf"(?<![\w-])(?:{_METRIC_ANY})(?![\w])")
_METRIC_PARTS = [(name, re.compile(rf"(?<![\w-])(?:{p})(?![\w])")) for name, p in METRICS.items()]
_TASK_PARTS = [(key, re.compile(rf"(?<![\w-])(?:{p})(?![\w-])")) for key, p in TASKS.items()]

_QUALIFIER = (
    r"(?:(?:up to|more than|less than|at least|at most|as (?:high|low|much|many|large) as|over|around|about|"
    r"approximately|roughly|nearly|almost|only|(?:an )?average of|on average)\s+)?"
)
_NUM = r"[+\-−±]?\d+(?:,\d{3})*(?:\.\d+)?"
_RANGE = rf"{_NUM}(?:\s?(?:-|–|~|to)\s?{_NUM})?"
_PCT = r"\s?(?:\\?%|percent\b|per cent\b)"
_START = r"(?<![\w.,/\\\-+−±~])"  # not glued to a word, a decimal point or another number
_COMPARATIVE = (
    r"faster|slower|speed-?ups?|smaller|larger|bigger|fewer|less|more|higher|lower|cheaper|reductions?|"
    r"compression|improvements?|gains?"
)
_VALUE_PATTERNS = [
    # percentages, single, ranges and slash pairs ("69.61%/75.66%")
    re.compile(rf"{_START}{_QUALIFIER}{_RANGE}{_PCT}(?:\s?/\s?{_RANGE}{_PCT})*"),
    # points
    re.compile(rf"{_START}{_QUALIFIER}{_RANGE}\s?(?:pp|p\.p\.|percentage points?|absolute points?|points?|pts)\b"),
    # a metric as the unit
    re.compile(rf"{_START}{_QUALIFIER}{_RANGE}\s(?:{_METRIC_ANY})(?:\s(?:scores?|points?|pts))?(?![\w])"),
    # factors
    re.compile(rf"{_START}{_QUALIFIER}{_NUM}\s?(?:x|×|times|-fold|fold)\s(?:{_COMPARATIVE})\b"),
    re.compile(rf"{_START}{_QUALIFIER}{_NUM}(?:x|×)(?![\w×])"),
]
_CHANGE_VERBS = (
    r"improves?|improved|increases?|increased|rises|rose|drops?|dropped|decreases?|decreased|goes|went|grows|grew|"
    r"jumps?|jumped|falls?|fell|gains?|gained|climbs?|climbed"
)
# A bare number right after a metric and a linking word ("BLEU of 31.2", "accuracy reaches 88").
_BARE_AFTER_METRIC = re.compile(
    rf"(?<![\w-])(?:{_METRIC_ANY})(?:\s(?:scores?|values?))?(?:\s(?:{_CHANGE_VERBS}))?\s(?:of|=|:|is|was|are|were|"
    rf"reaches|reached|reaching|to|from|by|at)\s({_QUALIFIER}{_START}{_RANGE})(?!\.\d|[\w%])(?!\s(?:{COUNT_NOUNS})\b)"
)
_CHANGE_NOUN = r"(?:improvements?|gains?|increases?|reductions?|decreases?|drops?|degradations?|error reductions?)"
# "29% relative WER improvement", "50% accuracy drops", "2.4 F1 improvement": taken into the value.
_CHANGE_AFTER = re.compile(rf"\s(?:(?:relative|absolute)\s)?(?:(?:{_METRIC_ANY})\s)?{_CHANGE_NOUN}\b")
# "improvements of 18-27%", "reducing the model size by around 50%": a change word, then "by"/"of" and the value.
_CHANGE_BEFORE = re.compile(
    r"(?P<relative>\brelative\s+(?:[\w-]+\s+)?)?\b(?P<word>(?:improv|reduc|increas|decreas|drop|gain|boost|lower|"
    r"rais|outperform|surpass|degrad)\w*)(?P<between>[^,;:]*?)\s(?:by|of)\s+$",
    re.IGNORECASE,
)
_CHANGE_NOUNS = {
    "improv": "improvement",
    "boost": "improvement",
    "gain": "gain",
    "reduc": "reduction",
    "lower": "reduction",
    "decre": "decrease",
    "drop": "drop",
    "degra": "drop",
    "incre": "increase",
    "rais": "increase",
    "outpe": "margin",
    "surpa": "margin",
}
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:Table|Tab\.|Section|Sec\.|Figure|Fig\.|Eq\.|Equation|Appendix|Chapter|Algorithm|Theorem|Lemma|"
    r"Step|Version|Line)|§)\s*$",
    re.IGNORECASE,
)
_COUNTED = re.compile(rf"^\s(?:{COUNT_NOUNS})\b")
_INPUT_AMOUNT = re.compile(
    r"^\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:data|training|labell?ed|annotated|examples|samples|sentences|"
    r"tokens|parameters|annotations|labels|corpus|corpora|training set|documents)\b",
    re.IGNORECASE,
)

# Clauses: a value's comparison and setting are looked for in its own part of the sentence.
_CLAUSE_BREAK = re.compile(r";\s|:\s|\s[-–—]\s")
_STOP = (
    r"by|on|for|in|across|with|and|or|while|when|whereas|but|using|at|to|which|that|achieving|reaching|"
    r"showing|demonstrating|resulting|leading|thus|as|from"
)
_NP = rf"(?!\d|[+\-−]\d)[^\s,;:.()]+(?:\s(?!(?:{_STOP})\b)[^\s,;:.()]+){{0,7}}"
_COMPARISON = re.compile(
    rf"\b(?:(?:(?:better|worse|higher|lower|more|less|faster|slower|larger|smaller)\s+)?than|over|"
    rf"compared\s+(?:to|with)|relative\s+to|against|versus|vs\.|improv(?:e|es|ed|ing)\s+(?:up)?on|"
    rf"outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?)\s+{_NP}"
)
_SETTING = re.compile(
    rf"\b(?:(?:by\s+)?using\s+{_NP}|(?:in|for|on|under|across)\s+(?:the\s+|a\s+)?"
    rf"(?:(?!(?:in|for|on|under|across)\b)[\w-]+\s+){{0,3}}?"
    rf"(?:languages|settings?|scenarios?|regimes?|conditions)\b)"
)
_LANGS = r"[A-Z][a-z]+(?:(?:,\s|\s(?:and|or)\s|/|-)[A-Z][a-z]+)*"
_LANGUAGE_SETTING = re.compile(
    rf"\b(?:from\s+{_LANGS}\s+(?:to|into)\s+{_LANGS}|(?:for|on|in|into|to|from)\s+{_LANGS})(?![\w-]|\s+[A-Z(])"
)
_NAME_FIRST = r"[A-Z][\w.\-/&]*"
_NAME_TOKEN = r"(?:[A-Z][\w.\-/&]*|\d[\w.\-]*)"
_ON_FOR = re.compile(r"\s+(?:on|for)\s+(?:the\s+)?")
_TASK_NAME = re.compile(
    rf"({_NAME_FIRST}(?:\s{_NAME_TOKEN})*(?:\s\([A-Z][\w\-]*\))?"
    rf"(?:\s(?:(?:test|dev|development|validation|held-out)\s)?(?:data|set|sets|split|dataset|benchmark|task|"
    rf"corpus))?)"
)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def _values(sentence: str) -> list[_Span]:
    """Every value of the sentence (rule 1), leftmost-longest, overlaps dropped, non-results (rule 2) removed."""
    found: list[_Span] = []
    for pattern in _VALUE_PATTERNS:
        found += [_Span(m.start(), m.end(), m.group(0)) for m in pattern.finditer(sentence)]
    found += [_Span(m.start(1), m.end(1), m.group(1)) for m in _BARE_AFTER_METRIC.finditer(sentence)]
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[_Span] = []
    for span in found:
        if kept and span.start < kept[-1].end:
            continue
        if not _is_result(sentence, span):
            continue
        change = _CHANGE_AFTER.match(sentence, span.end)
        if change:  # "29% relative WER improvement": the value says what changed, and which way
            span = _Span(span.start, change.end(), sentence[span.start : change.end()])
        kept.append(span)
    return kept


def _is_result(sentence: str, span: _Span) -> bool:
    before, after = sentence[: span.start], sentence[span.end :]
    numbers = re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", span.text)
    if any(YEAR.fullmatch(n) for n in numbers) and "%" not in span.text:
        return False
    if _REFERENCE_BEFORE.search(before):
        return False
    if before.rfind("[") > before.rfind("]"):  # inside square brackets: a citation
        return False
    if _COUNTED.match(after) and _kind(span) in ("metric", "bare"):  # "5 BLEU experiments": a count
        return False
    return not ("%" in span.text or "percent" in span.text) or not _INPUT_AMOUNT.match(after)


def _clause(sentence: str, position: int) -> tuple[int, int]:
    """The bounds of the part of the sentence (cut at '; ', ': ', ' - ') holding `position`."""
    start, end = 0, len(sentence)
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.end() <= position:
            start = match.end()
        elif match.start() >= position:
            end = match.start()
            break
    return start, end


def _words_between(text: str) -> int:
    return len(text.split())


_JOINER = re.compile(r"[,;:()]|\b(?:and|or|while|whereas|but|with)\b")
_OWN_MEASURE = re.compile(r"^\s(?:fewer|less|more|lower|higher|smaller|larger|bigger|faster|slower|cheaper)\s+([\w-]+)")
_FACTOR_MEASURE = {"fast": "speed", "slow": "speed", "spee": "speed", "smal": "size", "larg": "size", "bigg": "size"}


def _kind(span: _Span) -> str:
    """What a value measures in: a percentage, points, a factor, a metric as its unit, or a bare number."""
    if re.search(r"%|percent|per cent", span.text):
        return "percent"
    if re.search(r"\d\s?(?:x|×|times|-fold|fold)\b|\d(?:x|×)$", span.text):
        return "factor"
    if re.search(r"\b(?:pp|p\.p\.|points?|pts)$", span.text):
        return "points"
    return "metric" if _METRIC.search(span.text) else "bare"


def _metric(sentence: str, span: _Span, spans: Sequence[_Span]) -> str:
    """Rule 3: in the value, just after it, just before it, or the sentence's only metric."""
    for name, pattern in _METRIC_PARTS:
        if pattern.search(span.text):
            return name
    kind = _kind(span)
    word = re.search(r"(?:x|×|times|fold)\s(\w+)", span.text) if kind == "factor" else None
    if word:  # "3x faster": what the comparative measures, never a metric from elsewhere
        return _FACTOR_MEASURE.get(word.group(1)[:4].lower(), "")
    after = sentence[span.end :]
    first = _METRIC.search(after)
    if first and _words_between(after[: first.start()]) <= 2 and not _JOINER.search(after[: first.start()]):
        return _metric_name(first.group(0))
    own = _OWN_MEASURE.match(after)
    if own and not _METRIC.fullmatch(own.group(1)):
        return ""  # "30% fewer parameters": a measure of its own, not in the lexicon
    before = sentence[: span.start]
    last = None
    for match in _METRIC.finditer(before):
        last = match
    if last is not None:
        gap = before[last.end() :]
        if _words_between(gap) <= 4 and not _JOINER.search(gap):
            return _metric_name(last.group(0))
    names = {_metric_name(m.group(0)) for m in _METRIC.finditer(sentence)}
    if len(names) == 1 and kind != "factor" and all(_kind(other) == kind for other in spans):
        return names.pop()
    return ""


def _metric_name(text: str) -> str:
    for name, pattern in _METRIC_PARTS:
        if pattern.fullmatch(text):
            return name
    return ""  # unreachable: `text` was matched by one of the patterns


def _is_language_phrase(phrase: str) -> bool:
    words = [w for w in re.split(r"[\s/,&\-]+|\b(?:and|or|to|into)\b", phrase) if w]
    return bool(words) and all(w.lower() in LANGUAGES for w in words)


def _task(sentence: str, span: _Span, clause_end: int) -> tuple[str, tuple[int, int] | None]:
    """Rule 4: the name after 'on'/'for' just after the value, else the sentence's only known task or dataset."""
    for match in _ON_FOR.finditer(sentence, span.end, clause_end):
        if _words_between(sentence[span.end : match.start()]) > 4:
            break
        at = match.end()
        known = [m for _, pattern in _TASK_PARTS if (m := pattern.match(sentence, at, clause_end))]
        name = max(known, key=lambda m: m.end()) if known else _TASK_NAME.match(sentence, at, clause_end)
        if name is None:
            continue  # "for low-resource languages": no name here, maybe a little further
        phrase = name.group(0 if known else 1).rstrip(".")
        if _is_language_phrase(phrase) or _METRIC.fullmatch(phrase) or phrase in NOT_TASKS:
            break
        return phrase, (at, at + len(phrase))
    seen: dict[str, str] = {}
    for key, pattern in _TASK_PARTS:
        for match in pattern.finditer(sentence):
            seen.setdefault(key, match.group(0))
    return (next(iter(seen.values())), None) if len(seen) == 1 else ("", None)


def _nearest(pattern: re.Pattern[str], sentence: str, bounds: tuple[int, int], avoid: list[tuple[int, int]]) -> str:
    """The match of `pattern` in the clause nearest the value, overlapping none of `avoid`."""
    start, end = bounds
    value = avoid[0]
    best: tuple[int, int, str] | None = None
    for match in pattern.finditer(sentence, start, end):
        if any(match.start() < b and a < match.end() for a, b in avoid):
            continue
        distance = value[0] - match.end() if match.end() <= value[0] else match.start() - value[1]
        key = (max(distance, 0), match.start())
        if best is None or key < best[:2]:
            best = (*key, match.group(0))
    return best[2].rstrip() if best else ""


def _change(sentence: str, span: _Span, clause_start: int, comparison: str) -> str:
    """The change a word leads up to the value with ("improvements of 18-27%", "reducing ... by around 50%"),
    as a noun; none when the comparison already names it ("outperforms X by 3 F1")."""
    match = _CHANGE_BEFORE.search(sentence, clause_start, span.start)
    between = match.group("between") if match else ""
    if not match or re.search(r"(?<![A-Za-z_])\d", between) or _words_between(between) > 8:
        return ""
    word = match.group("word").lower()
    if comparison.lower().startswith(word[:5]):
        return ""
    noun = next((n for prefix, n in _CHANGE_NOUNS.items() if word.startswith(prefix)), "")
    return f"relative {noun}" if noun and match.group("relative") else noun


def _condition(sentence: str, span: _Span, task: tuple[int, int] | None) -> str:
    """Rule 5: the change, the comparison and the setting nearest the value in its clause."""
    bounds = _clause(sentence, span.start)
    avoid = [(span.start, span.end), *([task] if task else [])]
    comparison = _nearest(_COMPARISON, sentence, bounds, avoid)
    change = _change(sentence, span, bounds[0], comparison)
    setting = _nearest(_SETTING, sentence, bounds, avoid)
    if not setting:  # "for Armenian", "from English to Swahili"
        languages = _nearest(_LANGUAGE_SETTING, sentence, bounds, avoid)
        setting = languages if languages and _is_language_phrase(languages.split(None, 1)[1]) else ""
    if setting.startswith("by using "):
        setting = setting[len("by ") :]
    return "; ".join(part for part in (change, _list_intro(sentence, bounds[0]), comparison, setting) if part)


_INTRO = re.compile(r"(?:^|,\s|;\s)(?:with\s+|where\s+)?([^,;:]+?)(?:\s+(?:being|are|were|is|was|as follows))?:\s$")


def _list_intro(sentence: str, clause_start: int) -> str:
    """Values listed after a colon: the phrase that introduces the list ("with the mean/median values being:")."""
    if clause_start < 2 or sentence[clause_start - 2] != ":":
        return ""
    match = _INTRO.search(sentence[:clause_start])
    return match.group(1) if match and _words_between(match.group(1)) <= 6 else ""


def sentence_results(arxiv_id: str, index: int, sentence: str) -> list[Result]:
    """The results one sentence states, in the order they appear."""
    rows = []
    spans = _values(sentence)
    for span in spans:
        _, clause_end = _clause(sentence, span.start)
        task, task_span = _task(sentence, span, clause_end)
        rows.append(
            Result(
                paper=arxiv_id,
                task=task,
                metric=_metric(sentence, span, spans),
                value=span.text,
                condition=_condition(sentence, span, task_span),
                sentence=sentence,
                sentence_index=index,
            )
        )
    return rows


def _sentences(papers: Sequence[Paper], claims: Iterable[Claim]) -> list[tuple[str, int, str]]:
    """(paper, index, text) of every abstract sentence and every extracted claim's source sentence, once each."""
    seen: dict[tuple[str, int], str] = {}
    for paper in papers:
        for sentence in paper_sentences(paper):
            if sentence.section == "abstract":
                seen.setdefault((paper.arxiv_id, sentence.index), sentence.text)
    for claim in claims:
        if claim.origin == "extracted" and claim.quote and claim.sentence_index is not None:
            seen.setdefault((claim.source, claim.sentence_index), claim.quote)
    return [(paper, index, text) for (paper, index), text in seen.items()]


def extract_results(papers: Sequence[Paper], claims: Iterable[Claim] = ()) -> tuple[Result, ...]:
    """The report's results table: every row of every sentence, by reference number, sentence, position."""
    numbers = {paper.arxiv_id: n for n, paper in enumerate(papers, start=1)}
    ordered = sorted(
        _sentences(papers, claims), key=lambda item: (numbers.get(item[0], len(numbers) + 1), item[0], item[1])
    )
    return tuple(row for paper, index, text in ordered for row in sentence_results(paper, index, text))
