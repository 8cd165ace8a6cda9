"""The learned classifier and the parse together: the classifier says which PLOVER type a
sentence reports, the parse says who, to whom, where, when, how many and with what
modality.

Hand-written trigger rules tuned on a few hundred sentences do not generalise to news
they have not seen (issue 11: 0.70 accuracy against 0.84 for a fine-tuned encoder), but
the parse is what finds the actors, places, dates, tolls and modality. So, per candidate
sentence:

* the classifier says "none": no event (the sentence reports no political event);
* drafts of the parse whose PLOVER type is the classifier's keep their trigger's CAMEO
  code (it agrees with the type);
* a refusal the parse read ("will not meet" is REJECT) stays a refusal when the
  classifier says the cooperation refused;
* if no draft agrees, the best draft (main clause first) takes the type's root CAMEO code
  (``plover_types.tsv``) and keeps its actors and modality;
* if the parse found no trigger, the sentence's main verb stands as the trigger of the
  type's root code, with the actors the parse gives it.

A negated, hypothetical or future action keeps its modality whatever its type: it is
never coded as having happened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from newsevents.events.codebook import Codebook
from newsevents.events.coder import Draft

NO_EVENT = "none"


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
        label = scores.label
        if label is None or label == NO_EVENT:
            return []
        agreeing = [d for d in drafts if self.type_of(d) == label]
        if agreeing:
            return agreeing
        refused = [d for d in drafts if self.type_of(d) == "REJECT"]
        if refused and self.book.quad_class(label) <= 2:
            return refused  # "will not meet": the parse read the negation of cooperation
        root = self.book.root_code(label)
        if drafts:
            best = min(drafts, key=lambda d: (not d.main_clause, d.offset))
            return [replace(best, cameo=root, plover_type=None, mode=None)]
        draft = from_root(root)
        return [draft] if draft is not None else []

    def type_of(self, draft: Draft) -> str:
        return self.book.coding(draft.cameo, draft.plover_type, draft.mode).plover_type
