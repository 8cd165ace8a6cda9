"""dedupe: exact and near duplicates, within a run and against earlier runs' signatures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from newsevents.dedupe import NEAR_THRESHOLD, dedupe, normalise_text, window_dates
from newsevents.schema import Article, Document, Signature, from_table, stable_id, to_table

DAY = dt.datetime(2016, 1, 12, 9, 0, tzinfo=dt.timezone.utc)

# Another agency's report of the seed's event, written for this test: same place, actors
# and sources, different words. It must not be taken for a copy.
OTHER_REPORT = """\
Syrian troops backed by Russian warplanes captured Salma on Tuesday, a hilltop town in \
Latakia province that rebels had held since 2012, a monitoring group and state media said.
The Syrian Observatory for Human Rights said the army and allied militias entered the town \
after weeks of fighting and heavy bombardment.
Salma overlooks the coastal heartland of President Bashar al-Assad's community, and rebels \
had used it to shell government-held villages below.
A commander of an insurgent group in the area said fighters had withdrawn to nearby hills \
after the town was hit by hundreds of air strikes.
The loss is one of the biggest setbacks for rebels in the northwest since Russia began its \
air campaign at the end of September.
Opposition officials said they would raise it at the peace talks planned in Geneva later \
this month."""

RELATED = """\
Related stories
Russian strikes kill dozens in Idlib, monitor says
Assad meets Iranian interior minister in Damascus
Geneva talks on Syria set for later this month"""


def art(article_id: str, text: str, url: str | None = None,
        published: dt.datetime | None = DAY, **fields) -> Article:
    return Article(article_id=article_id, source=f"{article_id}.txt", text=text, url=url,
                   canonical_url=url, published=published, **fields)


def by_id(articles: list[Article]) -> dict[str, Article]:
    return {a.article_id: a for a in articles}


@pytest.fixture
def seed_text(seed_path) -> str:
    """The seed as clean leaves it: its body, which the page repeats, only once."""
    return "\n".join(dict.fromkeys(seed_path.read_text(encoding="utf-8").splitlines()))


@pytest.fixture
def seed(seed_text) -> Article:
    return art("seed", seed_text,
               "https://www.dailystar.com.lb/News/Middle-East/2016/Jan-12/331587")


def syndicated(seed: Article) -> Article:
    """A reprint: new headline on top, a "Related stories" block below, on another site."""
    return art("copy", "Syrian army retakes rebel bastion of Salma\n" + seed.text + "\n" + RELATED,
               "https://syriadaily.example/2016/01/13/salma", DAY + dt.timedelta(hours=20),
               title="Syrian army retakes rebel bastion of Salma")


def test_the_seed_page_with_its_body_twice_is_a_near_duplicate_of_its_clean_text(seed_path, seed):
    raw = art("raw", seed_path.read_text(encoding="utf-8"), "https://mirror.example/salma",
              DAY + dt.timedelta(hours=3))

    marked = by_id(dedupe([raw, seed]).articles)

    assert marked["raw"].dup_of == "seed"
    assert marked["raw"].dup_kind == "near"
    assert marked["raw"].dup_similarity > 0.9


def test_clean_collapses_the_seeds_repeated_body_before_dedupe(seed_path, seed):
    clean = pytest.importorskip("newsevents.clean").clean
    doc = Document(doc_id=stable_id(str(seed_path)), source=str(seed_path), fmt="text",
                   body=seed_path.read_bytes())

    cleaned = clean(doc)

    assert isinstance(cleaned, Article)
    assert cleaned.repeated_paragraphs_removed >= 10
    assert cleaned.text.count("In a breaking news flash") == 1
    marked = dedupe([cleaned, syndicated(cleaned)]).articles
    assert len({a.dup_of or a.article_id for a in marked}) == 1  # one story


def test_a_reprint_with_a_new_headline_and_related_stories_is_a_near_duplicate(seed):
    result = dedupe([syndicated(seed), seed])
    marked = by_id(result.articles)

    assert marked["copy"].dup_of == "seed"
    assert marked["copy"].dup_kind == "near"
    assert NEAR_THRESHOLD <= marked["copy"].dup_similarity < 1.0
    assert marked["seed"].dup_of is None
    assert (marked["seed"].n_copies, marked["seed"].n_sites) == (2, 2)
    assert [s.article_id for s in result.signatures] == ["seed"]


def test_two_reports_of_the_same_event_are_not_duplicates(seed):
    other = art("other", OTHER_REPORT, "https://wire.example/salma", DAY + dt.timedelta(hours=2))

    marked = by_id(dedupe([seed, other]).articles)

    assert marked["other"].dup_of is None
    assert marked["seed"].n_copies == marked["other"].n_copies == 1
    assert marked["seed"].text_hash != marked["other"].text_hash


def test_exact_duplicates_by_url_and_by_normalised_text(seed):
    recrawl = art("recrawl", seed.text + "\nComments (2)", seed.url, DAY + dt.timedelta(days=1))
    # the same text with straight quotes, other spacing and case, full-width digits
    variant = (seed.text.replace("“", '"').replace("”", '"').replace("’", "'")
               .replace(" ", "  ").replace("Salma", "SALMA").replace("2012", "２０１２"))
    mirror = art("mirror", variant, "https://dailystar.com.lb/mirror/331587",
                 DAY + dt.timedelta(hours=5))

    marked = by_id(dedupe([mirror, recrawl, seed]).articles)

    assert (marked["recrawl"].dup_of, marked["recrawl"].dup_kind) == ("seed", "exact_url")
    assert (marked["mirror"].dup_of, marked["mirror"].dup_kind) == ("seed", "exact_text")
    assert marked["mirror"].dup_similarity == 1.0
    assert marked["mirror"].text_hash == marked["seed"].text_hash
    # www.dailystar.com.lb and dailystar.com.lb are one site
    assert (marked["seed"].n_copies, marked["seed"].n_sites) == (3, 1)


def test_normalise_text_folds_unicode_quotes_spacing_and_case():
    text = "  The “Army”\u00a0TOOK\n\nSal\u00adma ２０１６ "
    assert normalise_text(text) == 'the "army" took salma 2016'


def test_the_canonical_article_is_the_earliest_then_smallest_id_in_any_input_order(seed):
    undated = dataclasses.replace(seed, url=None, canonical_url=None, published=None)
    copies = [
        dataclasses.replace(undated, article_id="undated"),
        dataclasses.replace(undated, article_id="later", published=DAY + dt.timedelta(hours=1)),
        dataclasses.replace(undated, article_id="b-first", published=DAY.replace(tzinfo=None)),
        dataclasses.replace(undated, article_id="a-first", published=DAY),
    ]  # b-first's naive date is taken as UTC, so it ties with a-first

    results = [dedupe(list(order)) for order in itertools.permutations(copies)]

    marked = by_id(results[0].articles)
    assert marked["a-first"].dup_of is None
    assert marked["a-first"].n_copies == 4
    assert {marked[i].dup_of for i in ("undated", "later", "b-first")} == {"a-first"}
    assert all(by_id(r.articles) == marked and r.signatures == results[0].signatures
               for r in results)


def test_clusters_are_transitive_and_report_similarity_to_the_canonical_article():
    words = [f"word{i}" for i in range(160)]
    a = art("a", " ".join(words[0:100]), published=DAY)
    b = art("b", " ".join(words[30:130]), published=DAY + dt.timedelta(hours=1))
    c = art("c", " ".join(words[60:160]), published=DAY + dt.timedelta(hours=2))

    marked = by_id(dedupe([c, b, a]).articles)

    assert marked["b"].dup_of == marked["c"].dup_of == "a"
    assert marked["c"].dup_similarity < NEAR_THRESHOLD <= marked["b"].dup_similarity
    assert marked["a"].n_copies == 3


def test_texts_without_spaces_between_words_are_compared_by_characters():
    report = ("叙利亚国家电视台报道，叙利亚政府军及其盟友周二从反对派武装手中完全夺取了拉塔基亚省北部战略城镇"
              "萨勒马的控制权。报道说，在亲政府民兵的支持下，军队还占领了该镇周围的山头。政府军正在清除"
              "恐怖组织在该镇建筑物、街道和广场中留下的地雷和爆炸装置。据叙利亚人权观察组织称，俄罗斯在"
              "四十八小时内进行了一百二十多次空袭，支持政府军的进攻。")
    copy = report.replace("一百二十多次", "一百二十余次") + "更多新闻请关注本网站。"
    other = ("联合国安理会十二月十八日通过的决议为和平谈判制定了为期两年的路线图，但没有涉及阿萨德的"
             "前途问题。美国、俄罗斯和联合国的高级外交官将于周三在日内瓦会晤，为本月晚些时候举行的会议做准备。")

    marked = by_id(dedupe([art("zh", report), art("zh-copy", copy, published=DAY + dt.timedelta(1)),
                           art("zh-other", other)]).articles)

    assert marked["zh-copy"].dup_of == "zh"
    assert marked["zh-other"].dup_of is None


def test_a_copy_in_a_later_run_is_found_through_the_earlier_runs_signatures(seed):
    day1 = dedupe([seed])
    stored = from_table(to_table(day1.signatures, Signature), Signature)  # as the lake keeps them
    # the copy claims an earlier date, but an earlier run's article stays canonical
    copy = dataclasses.replace(syndicated(seed), published=DAY - dt.timedelta(days=1))
    other = art("other", OTHER_REPORT, "https://wire.example/salma")

    day2 = dedupe([copy, other], prior=(s for s in stored))
    marked = by_id(day2.articles)

    assert (marked["copy"].dup_of, marked["copy"].dup_kind) == ("seed", "near")
    assert marked["copy"].dup_similarity >= NEAR_THRESHOLD
    assert marked["other"].dup_of is None
    assert [s.article_id for s in day2.signatures] == ["other"]


def test_a_later_run_finds_the_same_url_and_the_same_text_without_the_old_text(seed):
    stored = dedupe([seed]).signatures
    recrawl = art("recrawl", seed.text + "\nComments (5)", seed.url, DAY + dt.timedelta(days=2))
    mirror = art("mirror", seed.text.upper(), "https://mirror.example/1",
                 DAY + dt.timedelta(days=2))

    marked = by_id(dedupe([recrawl, mirror], prior=iter(stored)).articles)

    assert (marked["recrawl"].dup_of, marked["recrawl"].dup_kind) == ("seed", "exact_url")
    assert marked["recrawl"].dup_similarity > 0.9
    assert (marked["mirror"].dup_of, marked["mirror"].dup_kind) == ("seed", "exact_text")


def test_rerunning_a_date_gives_the_same_result(seed):
    stored = dedupe([seed]).signatures
    day2 = [syndicated(seed), art("other", OTHER_REPORT, "https://wire.example/salma"),
            art("other-copy", OTHER_REPORT + "\n(Agencies)", "https://news.example/2")]

    first = dedupe(day2, prior=iter(stored))
    again = dedupe(list(reversed(day2)), prior=iter(stored))

    assert by_id(first.articles) == by_id(again.articles)
    assert first.signatures == again.signatures
    assert [a.dup_of for a in first.articles] == ["seed", None, "other"]


def test_repeated_article_ids_are_refused(seed):
    with pytest.raises(ValueError, match="seed"):
        dedupe([seed, seed])


def test_window_dates_are_the_days_before_oldest_first():
    assert window_dates(dt.date(2016, 1, 12), 3) == [
        dt.date(2016, 1, 9), dt.date(2016, 1, 10), dt.date(2016, 1, 11)]
    assert len(window_dates(dt.date(2016, 1, 12))) == 7
