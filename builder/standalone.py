"""Claims that stand alone: an abstract sentence rewritten as a statement attributed to its paper.

"Finally, we show that our approach surpasses existing methods" means nothing in a table of claims from
nine papers. These deterministic rules turn it into "Politov et al. (2025) show that their approach
surpasses existing methods", and keep the sentence itself as the claim's quote:

1. discourse openers go ("Finally,", "Moreover,", "In this paper,", "First,"), as many as there are;
2. the writers become the paper: "we" and "this paper/work/study" -> the author-year label ("Politov et al.
   (2025)"), "our approach/method/model/..." and "the proposed method" -> the method's name where the paper
   names it (a title such as "CROP: ..." or "a framework called X"), else "the approach of <label>";
   after the label, later self-references read "they/their/them";
3. the verb agrees with the new subject ("This paper introduces" -> "<label> introduce");
4. every number, hedge and condition stays: only the words above change, and nothing is cut.

A sentence whose subject is a pronoun the rules cannot resolve ("It also improves ...", "These results
...") is not a claim that stands alone; `resolvable` says so, and extraction skips it. The same rules give
the claim's *finding* for verification: the sentence without its openers and reporting frame, with method
names resolved but no author label (a name and a year are not evidence, and a year would read as a number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from builder.models import Paper

_OPENER = re.compile(
    r"^(?:finally|moreover|furthermore|additionally|in addition|also|then|thus|therefore|hence|overall|"
    r"in particular|specifically|importantly|notably|however|first(?:ly)?|second(?:ly)?|third(?:ly)?|lastly|"
    r"here|to this end|in (?:this|our|the present) (?:paper|work|study|article)|in summary|in short|"
    r"as a result|consequently|besides|further|interestingly|surprisingly|crucially|similarly|likewise|"
    r"in contrast|on the other hand|to (?:this|that) end|as such|for instance|for example)\s*,?\s+",
    re.IGNORECASE,
)
_FRAME = re.compile(
    r"^(?P<who>we|our (?:results|experiments|analys[ie]s|findings|evaluations?|study)|this (?:paper|work|study)|"
    r"(?:the |our )?(?:experimental )?results(?: on [^,]{1,80})?|"
    r"(?:the )?(?:extensive |our )?experiments(?: (?:on|for|across|in|with) [^,]{1,80}?)?)"
    r"\s+(?P<adv>(?:also|further|empirically|experimentally|clearly|first|then|additionally|well)\s+)?"
    r"(?P<verb>show|shows|showed|shown|find|finds|found|demonstrate|demonstrates|demonstrated|observe|observes|"
    r"observed|confirm|confirms|confirmed|reveal|reveals|revealed|indicate|indicates|indicated|suggest|suggests|"
    r"suggested|establish|establishes|established|verify|verifies|verified|prove|proves|proved)\s+that\s+",
    re.IGNORECASE,
)
METHOD_NOUNS = "approach|method|model|framework|technique|system|algorithm|architecture|strategy|pipeline"
_OUR_METHOD = re.compile(
    rf"\b(?:our|the proposed|this|the presented)\s+(?:new\s+|novel\s+|simple\s+)?((?:{METHOD_NOUNS})(?:e?s)?)\b", re.I
)
_SELF = re.compile(
    rf"\b(?:(?:our|the proposed|the presented)\s+(?:new\s+|novel\s+|simple\s+)?(?P<noun>(?:{METHOD_NOUNS})(?:e?s)?)|"
    r"we|our|us|this paper|this work|this study|the present (?:paper|work|study))\b",
    re.IGNORECASE,
)
_UNRESOLVED_START = re.compile(r"^(?:it|they|these|those|this|such|both|he|she)\b(?! (?:paper|work|study))", re.I)
# An opening phrase that points back at the sentence before ("Motivated by this fact,", "For the latter,", "Even in
# this scenario,", "Combining it with ...,", "For that reason,"): its condition cannot be resolved from the
# sentence itself, and dropping it would lose the condition.
_BACK_REFERENCE = re.compile(
    r"^[^,;]{0,40}?\b(?:this(?! (?:paper|work|study|article))|these|those|such|it|them|the latter|the former|"
    r"that (?:reason|end|purpose|case|setting))\b"
    r"[^,;]{0,40},",
    re.IGNORECASE,
)
# A method's name: a title that opens with one name before a colon ("CROP: ...", "MAD-X: ..."), or the
# abstract naming it ("a framework called Mixture of Entity Experts (MoEE)", "we propose CoLaDa, a ...").
_TITLE_NAME = re.compile(r"^([A-Za-z][\w\-]*[A-Z0-9][\w\-]*|[A-Z][\w\-]+)\s*:")
_CALLED = re.compile(
    r"\b(?:called|termed|named(?! entit)|dubbed|we call)\s+(?:the\s+)?([A-Z][\w\-]*[A-Z0-9][\w\-]*|[A-Z][\w\-]+)[,.;\s]"
)
_INTRODUCED = re.compile(
    r"\b(?:we (?:propose|present|introduce)|approach,|method,|framework,)\s+([A-Z][\w\-]*[A-Z][\w\-]*)\b"
)
_CALLED_ACRONYM = re.compile(r"\b(?:called|termed|named(?! entit)|dubbed|we call)\s+[^().;]{1,60}?\(([A-Z][\w\-]+)\)")
GENERIC_TITLE_WORDS = frozenset({"revisiting", "towards", "toward", "on", "beyond", "rethinking", "understanding"})


def author_label(paper: Paper) -> str:
    """'Politov et al. (2025)', 'Pires and Schlinger (2019)', 'Wu (2020)': the report's citation label."""
    return paper.label


def method_name(paper: Paper) -> str | None:
    """The name a paper gives its method or resource, or None when it gives none."""
    title = _TITLE_NAME.match(paper.title.strip())
    resource = re.search(r"\b(?:benchmark|dataset|corpus|evaluat\w*|testbed)\b", paper.title, re.IGNORECASE)
    if title and title.group(1).lower() not in GENERIC_TITLE_WORDS and not resource:
        return title.group(1)
    for pattern in (_CALLED_ACRONYM, _CALLED):
        called = pattern.search(paper.abstract)
        if called:
            return called.group(1)
    introduced = _INTRODUCED.search(paper.abstract)
    return introduced.group(1) if introduced else None


@dataclass(frozen=True)
class Standalone:
    text: str  # the attributed statement shown as the claim
    finding: str  # what is verified: no openers, frame or author label
    resolvable: bool  # False when the subject is a pronoun these rules cannot resolve


def _agree(verb: str, plural: bool) -> str:
    """A present-tense verb made to agree with the new subject (past tenses and modals agree already)."""
    low = verb.lower()
    if plural and low.endswith("ies") and len(low) > 4:
        return verb[:-3] + "y"
    if plural and re.search(r"(?:ss|sh|ch|x|z)es$", low):
        return verb[:-2]
    if plural and low.endswith("s") and not low.endswith("ss"):
        return verb[:-1]
    if not plural and not low.endswith(("s", "ed")) and low not in {"can", "could", "may", "might", "will", "would"}:
        return verb + ("es" if re.search(r"(?:s|sh|ch|x|z)$", low) else "s")
    return verb


def _strip_openers(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _OPENER.sub("", text, count=1)
    return text


def _capitalise(text: str) -> str:
    """The first letter upper-case, unless the first word is a name written with a lower-case one ("mBERT")."""
    if len(text) > 1 and text[0].islower() and text[1].isupper():
        return text
    return text[:1].upper() + text[1:] if text else text


def standalone(sentence: str, paper: Paper) -> Standalone:
    """Rewrite one sentence of `paper` to stand alone (see the module's rules)."""
    label = author_label(paper)
    plural = " et al." in label or " and " in label
    name = method_name(paper)
    core = _strip_openers(" ".join(sentence.split()))
    # "..., in this paper we demonstrate that ..." mid-sentence: the locative names the writers, drop it.
    core = re.sub(r"\b(?:in|through) (?:this|our|the present) (?:paper|work|study|article),? (we)\b", r"\1", core)
    frame = _FRAME.match(core)
    finding = core[frame.end() :] if frame else core
    if name:
        finding = _OUR_METHOD.sub(name, finding)
    finding = _capitalise(finding)

    body = core
    attributed = False
    if frame:
        verb = frame.group("verb")
        adverb = (frame.group("adv") or "").replace("well ", "")  # "experiments well demonstrate"
        body = f"{label} {adverb}{_agree(verb, plural)} that {core[frame.end() :]}"
        attributed = True
    else:
        subject = re.match(r"^(we|this (?:paper|work|study|article))\s+(\w+)", core, re.IGNORECASE)
        method = _OUR_METHOD.match(core)
        if subject:
            body = f"{label} {_agree(subject.group(2), plural)}{core[subject.end() :]}"
            attributed = True
        elif method:
            body = (name or f"The {method.group(1).lower()} of {label}") + core[method.end() :]
            attributed = name is None
    # Later self-references read from the subject already named: the first "we"/"our" still unresolved gets
    # the label, every one after it "they"/"their"/"them".
    if name:
        body = re.sub(r"^(.{0,80}\bthat )it\b", rf"\g<1>{name}", body, count=1)
    named = [attributed]

    def resolve(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        noun = match.group("noun")
        if noun:  # "our approach", "the proposed method"
            if name:
                return name
            if named[0]:
                return f"their {noun.lower()}"
            named[0] = True
            return f"the {noun.lower()} of {label}"
        if named[0]:
            return {"we": "they", "us": "them"}.get(word, "their" if word == "our" else "their work")
        named[0] = True
        return f"{label}'s" if word == "our" else label

    body = _SELF.sub(resolve, body)
    body = _capitalise(_main_clause_first(body))
    resolvable = (
        not _UNRESOLVED_START.match(body)
        and not re.match(r"^.{0,80}\bthat it\b", body)
        and not _BACK_REFERENCE.match(core)
        and not _CONCESSIVE.match(body)  # a concession that could not be moved after the main clause
    )
    return Standalone(body, finding, resolvable)


# Two findings joined cleanly: ", and" or ";" between two clauses that each have a finding verb, the second with
# its own subject ("MoEE outperforms X, and the performance of MoEE is close to Y"; "we create X, and we study Y").
_FINDING_VERB = re.compile(
    r"\b(?:outperform|improve|achieve|reduce|increase|decrease|yield|surpass|exceed|rival|match|beat|degrade|drop|"
    r"gain|benefit|require|remain|perform|lead|study|studie|create|propose|introduce|release|show|find|demonstrate|"
    r"observe|provide|enable|allow|help|hurt|fail|reach|obtain|set|establish|is|are|was|were|has|have|had|can|"
    r"could|may|might|will|would|does|do|did)(?:s|es|d|ed|ied)?\b|\b(?:led|found|shown|made|beats|outperforms)\b",
    re.IGNORECASE,
)
_SECOND_SUBJECT = re.compile(r"^(?:the|a|an|they|we|their|our|[A-Z][\w\-]*)\b")
_JOIN = re.compile(r"(?:,\s+and|;)\s+")
MIN_PART_WORDS = 6


def _clause(text: str, from_word: int = 0) -> bool:
    """Has a finding verb (after its first `from_word` words) and enough words to be a finding."""
    words = text.split()
    return len(words) >= MIN_PART_WORDS and bool(_FINDING_VERB.search(" ".join(words[from_word:9])))


_CONCESSIVE = re.compile(r"^(?:although|even though|though|while|whereas)\s+", re.IGNORECASE)


def _main_clause_first(text: str) -> str:
    """"Although X, Y." -> "Y, although X.": a claim opens with what it states, not with a connective. The
    subordinate clause ends at the first comma outside brackets, and the sentence is reordered only when a
    finding clause of at least `MIN_PART_WORDS` words follows it; every word is kept."""
    opener = _CONCESSIVE.match(text)
    if not opener:
        return text
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if char != "," or depth > 0 or i < opener.end():
            continue
        main = text[i + 1 :].strip()
        # Only the first comma: after it, a clause that does not start with its verb's subject ("due to X, Y
        # can ...") may belong to the main clause, and moving the concession past it would change what is said.
        if _clause(main.rstrip("."), from_word=0) and len(text[opener.end() : i].split()) >= 3:
            concession = text[:i].rstrip()
            return f"{_capitalise(main.rstrip('.'))}, {concession[0].lower()}{concession[1:]}."
        return text
    return text


def split_findings(sentence: str, paper: Paper) -> list[Standalone]:
    """The sentence as one standalone claim, or as two when it states two findings joined cleanly (see
    `_JOIN`): each part keeps the sentence's reporting frame ("we show that") and its own words, so nothing is
    cut mid-clause; "they/we" opening the second part is the writers again. The first part has no comma, so
    no condition stated before the join can be lost by the second."""
    whole = standalone(sentence, paper)
    core = _strip_openers(" ".join(sentence.split()))
    frame = _FRAME.match(core)
    start = frame.end() if frame else 0
    for join in _JOIN.finditer(core, start):
        left, right = core[start : join.start()], core[join.end() :]
        # A comma before the join may open a condition ("Evaluating on NER, ...") the second part would lose.
        if "," in left or _bracket_open(core[: join.start()]) or not _SECOND_SUBJECT.match(right):
            continue
        if not (_clause(left) and _clause(right, from_word=1)):
            continue
        prefix = core[:start]
        right = re.sub(r"^(?:they|we)\b", "we", right)
        first = standalone(prefix + left.rstrip(" ,;") + ".", paper)
        second = standalone(prefix + right, paper)
        if first.resolvable and second.resolvable:
            return [first, second]
    return [whole]


def _bracket_open(text: str) -> bool:
    return text.count("(") > text.count(")")
