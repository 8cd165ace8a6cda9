"""Language identification: fastText's lid.176 where it is sure, py3langid where not."""

from __future__ import annotations

import pytest

from newsevents.clean import language_id as lid

# Our own sentences. lid.176 has no Zulu: it is unsure and would say "en".
ZULU = (
    "Abantu abaningi bahlangene edolobheni ukuze babonise ukungagculiseki kwabo ngenxa "
    "yokuntuleka kwamanzi nogesi."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Russian jets struck rebel positions near the town on Tuesday, a monitor said.", "en"),
        ("Die Regierung hat am Dienstag neue Maßnahmen gegen die Inflation beschlossen.", "de"),
        ("Le gouvernement a présenté mercredi un projet de loi sur les retraites.", "fr"),
        ("قالت الحكومة إن المحادثات ستستأنف الأسبوع المقبل في جنيف.", "ar"),
    ],
)
def test_fasttext_answers_where_it_is_sure(text: str, code: str) -> None:
    labels, probs = lid._FastText.get().predict(text, k=1)
    assert probs[0] >= lid.SURE and labels[0] == f"__label__{code}"
    assert lid.language(text) == code


def test_a_language_fasttext_lacks_goes_to_py3langid() -> None:
    labels, probs = lid._FastText.get().predict(ZULU, k=1)
    assert probs[0] < lid.SURE  # unsure, and wrong: lid.176 knows no Zulu
    assert lid.language(ZULU) == "zu"


def test_lines_and_empty_text() -> None:
    assert lid.language("A strike hit the port.\nTwelve people were killed.\n") == "en"
    assert lid.language(" \n\t ") is None
    assert lid.language("") is None


def test_a_changed_model_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lid._FastText, "model", None)
    monkeypatch.setattr(lid, "MODEL_SHA256", "0" * 64)
    with pytest.raises(lid.LanguageModelError, match="sha256"):
        lid.language("Some text")
