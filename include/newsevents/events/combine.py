"""The learned classifier and the parse together: the classifier says which PLOVER type a
sentence reports, the parse says who, to whom, where, when, how many and with what
modality.

Hand-written trigger rules tuned on a few hundred sentences do not generalise to news they
have not seen (issue 11: 0.70 accuracy against 0.84 for a fine-tuned encoder), but the
parse is what finds the actors, places, dates, tolls and modality. The classifier decides
where it is sure, the rules elsewhere. Per candidate sentence:

* the classifier gives "none" a probability of at least ``VETO`` (0.75): no event (the
  sentence reports no political event, whatever trigger words it has);
* drafts of the parse whose PLOVER type the classifier does not rule out (probability at
  least ``PLAUSIBLE``, 0.05) keep their trigger's CAMEO code: the trigger agrees with the
  type (a sentence may report several events: "after meeting Fazli, Assad said ...");
* a refusal the parse read ("will not meet" is REJECT) stays a refusal when the
  classifier says the cooperation refused;
* otherwise, if the classifier is sure of a type (probability at least ``SURE``, 0.5), the
  best draft (main clause first) takes the type's root CAMEO code (``plover_types.tsv``)
  and keeps its actors and modality; with no draft, the sentence's main verb (not a verb
  of saying) stands as the trigger of that code, if the parse finds who acts and the rules
  did not set the sentence aside ("declined to comment", "to fight off terrorism");
* else the classifier is unsure and the drafts stay as the rules coded them.

A negated, hypothetical or future action keeps its modality whatever its type: it is never
coded as having happened."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from newsevents.events.codebook import Codebook
from newsevents.events.coder import Draft

NO_EVENT = "none"
VETO = 0.75  # a "none" verdict discards the parse's evidence: it must be surer
PLAUSIBLE = 0.05
SURE = 0.5


class Scores(Protocol):
    """One sentence's classifier output (``classifier.TypeScores``)."""

    @property
    def label(self) -> str | None: ...
    @property
    def score(self) -> float: ...
    @property
    def probs(self) -> Mapping[str, float]: ...


class TypeClassifier(Protocol):
    """What the stage needs of the classifier (``classifier.EventTypeClassifier``)."""

    def predict(self, sentences: Sequence[str], batch_size: int = 32) -> Sequence[Scores]: ...


@dataclass(frozen=True)
class Combiner:
    """Drafts of the parse and the classifier's type of the sentence -> the drafts coded."""

    book: Codebook

    def combine(
        self,
        drafts: list[Draft],
        scores: Scores,
        from_root: Callable[[str], Draft | None],
    ) -> list[Draft]:
        """``from_root(cameo)`` drafts the sentence's main verb as a trigger of ``cameo``."""
        probs = scores.probs
        if not self.may_report_event(scores):
            return []
        unknown = 0.0 if probs else 1.0  # without probabilities, only the label speaks
        plausible = [d for d in drafts if probs.get(self.type_of(d), unknown) >= PLAUSIBLE]
        if plausible:
            return plausible
        label = scores.label
        refused = [d for d in drafts if self.type_of(d) == "REJECT"]
        if refused and label and self.book.quad_class(label) <= 2:
            return refused  # "will not meet": the parse read the negation of cooperation
        if label is None or label == NO_EVENT or scores.score < SURE:
            return drafts
        root = self.book.root_code(label)
        if drafts:
            best = min(drafts, key=lambda d: (not d.main_clause, d.offset))
            return [replace(best, cameo=root, plover_type=None, mode=None)]
        draft = from_root(root)
        return [draft] if draft is not None else []

    @staticmethod
    def may_report_event(scores: Scores) -> bool:
        """Whether the classifier leaves room for an event (not "none" at ``VETO``)."""
        if not scores.probs:
            return scores.label not in (None, NO_EVENT)
        return scores.probs.get(NO_EVENT, 0.0) < VETO

    def type_of(self, draft: Draft) -> str:
        return self.book.coding(draft.cameo, draft.plover_type, draft.mode).plover_type
