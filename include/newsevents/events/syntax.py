"""Reading the dependency parse: parts of speech, lemmas and the phrases around a word.

Shared by the coder's units (``triggers``, ``modality``, ``actor_phrases``, ``targets``).
Lemmas are set on the tokens when a sentence is parsed (``nlp.Parser``): spaCy's own
lemmatizer is not loaded (see ``nlp``), and the coder compares lemmas only against its own
word lists, whose inflections are known.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from newsevents.events.words import CALENDAR_WORDS

TEXT_KEY = "newsevents.text"  # Doc.user_data: the sentence as the parser was given it
VERB_POS = {"VERB", "AUX"}
NOUN_POS = {"NOUN", "PROPN"}
OBJECT_DEPS = {"dobj", "nsubjpass", "dative", "attr", "oprd", "obj"}
FUTURE_AUX = {"will", "would", "shall", "'ll", "wo"}
MAX_UNKNOWN_NAME_WORDS = 4
# Nouns of "in support of X", "on behalf of X": X is whom the action is for.
BENEFICIARY_NOUNS = {"support", "favor", "favour", "solidarity", "behalf", "defence", "defense"}
# fmt: off
# Penn Treebank tag -> universal part of speech (the attribute ruler's mapping, simplified).
_POS = {"VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB", "VBP": "VERB", "VBZ": "VERB",
        "MD": "AUX", "NN": "NOUN", "NNS": "NOUN", "NNP": "PROPN", "NNPS": "PROPN", "PRP": "PRON",
        "PRP$": "PRON", "WP": "PRON", "WP$": "PRON", "EX": "PRON", "JJ": "ADJ", "JJR": "ADJ",
        "JJS": "ADJ", "CD": "NUM", "DT": "DET", "IN": "ADP", "RB": "ADV", "RP": "ADP"}
# fmt: on


def text_of(doc: Doc) -> str:
    """A parsed sentence's text, as ``nlp.Parser`` kept it (spaCy's ``Doc.text`` joins the
    tokens again on every call: about 2 % of the stage's time)."""
    text = doc.user_data.get(TEXT_KEY)
    return text if isinstance(text, str) else doc.text


def pos(tok: Token) -> str:
    """The coarse part of speech of a token ("VERB", "NOUN", "PROPN", "PRON", "ADJ", ...)."""
    return _POS.get(tok.tag_, "X")


def lemma(tok: Token) -> str:
    """The lemma of a word the coder knows (lower case), else the lower-case word."""
    return tok.lemma_ or tok.lower_


def objects(verb: Token) -> list[Token]:
    """A verb's objects: direct, passive subject, dative, and prepositional objects."""
    found = []
    for child in verb.children:
        if child.dep_ in OBJECT_DEPS:
            found.append(child)
        elif child.dep_ in ("prep", "prt"):
            found.extend(g for g in child.children if g.dep_ == "pobj")
    if not found:
        # verbs that share one object: "discovered and destroyed a cache of explosives"
        found.extend(
            o
            for conj in verb.children
            if conj.dep_ == "conj" and pos(conj) == "VERB"
            for o in conj.children
            if o.dep_ == "dobj"
        )
    if not found:
        found.extend(shared_passive_subject(verb))
    return [c for o in found for c in (o, *o.conjuncts)]


def shared_passive_subject(verb: Token) -> list[Token]:
    """The passive subject a coordinated passive shares with the verb before it ("two women
    were raped and killed": the women were killed too)."""
    if verb.dep_ != "conj" or verb.tag_ != "VBN":
        return []
    return [c for c in verb.head.children if c.dep_ == "nsubjpass"]


def unknown_name(tok: Token) -> bool:
    """A proper name that may be an actor the dictionaries lack: a short run of capitalised
    words (not a date, "on Monday", nor a headline or a product's description), or an
    acronym ("SADC", "UNDOF": the tagger often reads an acronym as a common noun)."""
    if acronym(tok) and pos(tok.head) not in NOUN_POS:
        return not any(c.dep_ in ("compound", "flat") for c in tok.children)
    names = [t for t in tok.subtree if t.dep_ in ("compound", "flat") and pos(t) == "PROPN"]
    return (
        pos(tok) == "PROPN"
        and pos(tok.head) != "PROPN"  # the head of the name, not a word inside it
        and tok.lower_ not in CALENDAR_WORDS
        and len(tok) > 1
        and len(names) < MAX_UNKNOWN_NAME_WORDS  # "candidate Alassane Ouattara"
        and all(t.is_title for t in (*names, tok))
    )


def acronym(tok: Token) -> bool:
    """A noun of 2 to 6 capital letters ("ELN", "DHS")."""
    return pos(tok) in NOUN_POS and tok.is_alpha and tok.is_upper and 2 <= len(tok) <= 6


def for_whom(prep: Token) -> bool:
    """ "in support of", "on behalf of", "in defence of": a phrase naming whom an action
    is for."""
    return prep.dep_ == "prep" and any(
        g.dep_ == "pobj" and g.lower_ in BENEFICIARY_NOUNS for g in prep.children
    )


def addressee(verb: Token) -> Token | None:
    """Whom a verb of saying is addressed to: "told Iraq", "issued a reminder to Iraq"."""
    for child in verb.children:
        if child.dep_ in ("dative", "prep") and child.lower_ == "to":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
        if child.dep_ == "dative":
            return child
    return None


def participants(event: Token) -> list[Token]:
    """Who takes part in an event a noun names: "a demonstration staged by students",
    "rallies by the Kifaya group", "the students' protest"."""
    found = []
    for child in event.children:
        if child.dep_ == "poss" and pos(child) != "PRON":
            found.append(child)
        elif child.dep_ == "prep" and child.lower_ == "by":
            found.extend(g for g in child.children if g.dep_ == "pobj")
        elif child.dep_ == "acl" and (doer := agent(child)) is not None:
            found.append(doer)
    return found


def phrase_lemmas(tok: Token) -> set[str]:
    """Lemmas of a noun and its modifiers, single and as "modifier noun" pairs, and of an
    "of" complement of a quantity ("tons of food")."""
    word = lemma(tok)
    words = {word, tok.lower_}
    for child in tok.children:
        if child.dep_ in ("compound", "amod", "nmod"):
            words |= {lemma(child), f"{lemma(child)} {word}"}
        elif child.dep_ == "prep" and child.lower_ == "of":
            for g in child.children:
                if g.dep_ == "pobj":
                    words |= {lemma(g)} | {
                        lemma(c) for c in g.children if c.dep_ in ("compound", "amod")
                    }
    return words


def verb_lemmas(tok: Token) -> set[str]:
    """The lemma and plausible base forms of a verb (the small model lemmatizes some
    verbs wrongly: "staged" → "stag")."""
    word = tok.lower_
    forms = {lemma(tok), word}
    for suffix, repl in (
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("s", ""),
        ("ies", "y"),
        ("ied", "y"),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) > 2:
            forms.add(word[: -len(suffix)] + repl)
    return forms


def is_quantity(noun: Token, quantities: frozenset[str]) -> bool:
    """ "10 days (of)", "a series (of)", "dozens (of)": a noun that measures another."""
    return pos(noun) in NOUN_POS and (
        lemma(noun) in quantities or any(c.dep_ == "nummod" for c in noun.children)
    )


def to_infinitive(verb: Token) -> bool:
    """ "to demand", "demanding": a clause stating the purpose or manner of another action."""
    return verb.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def within(tok: Token, clauses: set[int]) -> bool:
    """Whether a verb is one of the clauses or their complement or purpose ("must ensure
    security to allow supplies")."""
    while tok.i not in clauses and tok.dep_ in ("xcomp", "advcl", "ccomp") and tok.head != tok:
        tok = tok.head
    return tok.i in clauses


def depth(tok: Token) -> int:
    depth = 0
    while tok.head != tok:
        tok, depth = tok.head, depth + 1
    return depth


def agent(verb: Token) -> Token | None:
    """The "by" agent of a passive verb or an event noun ("attacked by militiamen"), or of
    the passive it is coordinated with ("were raped and killed by armed men": both)."""
    for holder in (verb, *(c for c in verb.conjuncts if verb.tag_ == c.tag_ == "VBN")):
        for child in holder.children:
            if child.dep_ == "agent" or (
                child.dep_ == "prep" and child.lower_ == "by" and pos(holder) in NOUN_POS
            ):
                return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def first_party(noun: Token) -> Token | None:
    """X of "fighting between X and Y" (on the noun, or on the verb it is the subject of:
    "fighting broke out between X and Y")."""
    for holder in (noun, noun.head) if noun.dep_ == "nsubj" else (noun,):
        for child in holder.children:
            if child.dep_ == "prep" and child.lower_ in ("between", "among"):
                return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def owned(tok: Token) -> bool:
    """ "its troops": an object that belongs to the subject is not the one acted upon."""
    return any(c.dep_ == "poss" and pos(c) == "PRON" for c in tok.children)


def negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def has_future_aux(verb: Token | None) -> bool:
    return verb is not None and any(
        c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in verb.children
    )


def phrase_text(tok: Token) -> str:
    words = [t for t in tok.subtree if t.dep_ in ("compound", "flat") or t == tok]
    return " ".join(t.text for t in words)


def in_context(tok: Token) -> str:
    """A name with the word before it, so the gazetteer sees its place cue ("in Jericho",
    "shelled Juba") and does not take it for a sentence opening."""
    start = min(t.i for t in tok.subtree if t.dep_ in ("compound", "flat") or t == tok)
    before = tok.doc[start - 1].text + " " if start > 0 else ""
    return before + phrase_text(tok)


def speaker(verb: Token, report_verbs: frozenset[str]) -> Token | None:
    """The subject of the reporting verb a clause hangs from ("Hijab said ...": Hijab)."""
    node = verb
    while node.head != node:
        node = node.head
        if lemma(node) in report_verbs:
            return next((c for c in node.children if c.dep_ == "nsubj"), None)
    return None
