"""The clean stage: article text without furniture, trustworthy metadata, rejects with reasons."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import FIXTURES, SEED

from newsevents.clean import MAX_BYTES, clean, clean_text
from newsevents.schema import Article, Document, Reject

PAGES = FIXTURES / "clean"
FETCHED = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)

FLOOD_PARAGRAPHS = [
    "Heavy rain over the weekend pushed the Elm River past its banks on Sunday",
    "Emergency crews used boats to reach families stranded",
    '"We have not seen levels like this since 1998," said fire chief Daniel Okafor',
    "The regional government opened three shelters in school buildings",
]


def doc(body: bytes, fmt: str = "html", **fields) -> Document:
    fields.setdefault("fetched_at", FETCHED)
    return Document(doc_id="d1", source="test://page", fmt=fmt, body=body, **fields)


def page(name: str, **fields) -> Document:
    return doc(
        (PAGES / name).read_bytes(), url="https://news.example/story?id=7&utm_source=rss", **fields
    )


def article(document: Document) -> Article:
    result = clean(document)
    assert isinstance(result, Article), result
    return result


def rejected(document: Document) -> Reject:
    result = clean(document)
    assert isinstance(result, Reject), result
    assert result.stage == "clean" and result.detail
    return result


# -- comment sections -----------------------------------------------------------------------


def test_wordpress_comment_list_and_reply_form_are_removed():
    result = article(page("wordpress_comments.html"))
    for paragraph in FLOOD_PARAGRAPHS:
        assert paragraph in result.text
    for furniture in (
        "Kettle Bridge and the council",
        "absolute heroes",
        "Leave a Reply",
        "will not be published",
        "Post Comment",
        "thoughts on",
    ):
        assert furniture not in result.text


def test_a_plain_comment_section_inside_the_article_is_removed():
    result = article(page("comment_section.html"))
    assert result.text.count("\n") == 2  # the three paragraphs (the headline is the title)
    assert "third day on Monday" in result.text
    assert "diverted to two smaller terminals" in result.text
    assert "Comments About This Article" not in result.text
    assert "Please fill the fields below" not in result.text
    assert "Your comment" not in result.text


def test_a_reader_form_with_name_email_comment_submit_leaves_no_trace():
    result = article(page("comment_form.html"))
    assert "narrow vote of 151 to 146" in result.text
    assert "constitutional court" in result.text
    lines = set(result.text.split("\n"))
    assert not lines & {"Name", "Email", "Comment", "Submit"}


# -- the plain-text pass ----------------------------------------------------------------------


def test_seed_article_keeps_every_paragraph_once_in_order_without_the_comment_stub():
    raw = SEED.read_text("utf-8")
    distinct = list(dict.fromkeys(line.strip() for line in raw.splitlines() if line.strip()))
    body = distinct[: distinct.index("Comments About This Article")]

    result = article(doc(SEED.read_bytes(), fmt="text"))

    assert result.text.split("\n") == body
    assert result.repeated_paragraphs_removed == 15
    assert result.boilerplate_chars_removed == len("Comments About This Article") + len(
        "Please fill the fields below."
    )
    assert result.extraction_method == "text" and result.language == "en"


def test_text_pass_drops_furniture_lines_but_keeps_paragraphs_that_mention_the_words():
    text = "\n".join(
        [
            "The council voted on Tuesday to close two libraries, citing a budget gap of 1.2m.",
            "Share this article",
            "Lesen Sie auch: Stadtrat streitet über Bibliotheken",
            "ALSO READ: Brace for bad weather in the city this weekend",
            "Residents who subscribe to the library newsletter were told of the plan a week ago.",
            "Photo: Reuters/Jane Doe",
            "Sign up for our daily newsletter",
            "Comments are closed for this story.",
            "By Jane Doe",
            "Opponents said they would share their own figures with the council next month.",
        ]
    )
    cleaned = clean_text(text, authors=["Jane Doe"])
    assert cleaned.paragraphs == [
        "The council voted on Tuesday to close two libraries, citing a budget gap of 1.2m.",
        "Residents who subscribe to the library newsletter were told of the plan a week ago.",
        "Opponents said they would share their own figures with the council next month.",
    ]


def test_text_pass_cuts_a_reader_comment_section_at_the_end():
    article_lines = [
        f"Paragraph {n} of the story reports what the minister said on the record."
        for n in range(4)
    ]
    text = "\n".join(
        [*article_lines, "Leave a Reply", "Name *", "Email *", "I disagree with the minister!"]
    )
    assert clean_text(text).paragraphs == article_lines


def test_hard_wrapped_text_is_joined_into_paragraphs():
    text = (
        "The mayor announced on Monday that the city would hire two hundred new\n"
        "teachers before the autumn term, paid for by a one-off grant from the\n"
        "national government.\n\n"
        "Unions welcomed the move but said it would not make up for years of cuts.\n"
    )
    assert clean_text(text).paragraphs == [
        "The mayor announced on Monday that the city would hire two hundred new teachers before "
        "the autumn term, paid for by a one-off grant from the national government.",
        "Unions welcomed the move but said it would not make up for years of cuts.",
    ]


# -- robustness: every input gives an Article or a Reject with a reason ----------------------


def test_malformed_html_still_gives_its_paragraphs():
    result = article(page("malformed.html"))
    assert "reopened to traffic on Friday" in result.text
    assert "3.4 million euros" in result.text


def test_a_20_mb_page_is_rejected_by_size_before_parsing():
    paragraph = b"<p>" + b"Filler text of a very long page. " * 30 + b"</p>\n"
    body = b"<html><body>" + paragraph * (20_000_000 // len(paragraph)) + b"</body></html>"
    assert len(body) > MAX_BYTES
    assert rejected(doc(body)).reason == "too_large"


def test_a_large_page_under_a_raised_limit_is_cleaned():
    story = (PAGES / "comment_section.html").read_bytes()
    padding = b"<!-- " + b"x" * 3_000_000 + b" -->"
    result = clean(doc(story.replace(b"</body>", padding + b"</body>")), max_bytes=5_000_000)
    assert isinstance(result, Article) and "third day on Monday" in result.text


def test_arabic_windows_1256_page_without_any_charset_decodes():
    body = (PAGES / "arabic_cp1256.html").read_bytes()
    assert b"charset" not in body
    result = article(doc(body))
    assert result.title == "الحكومة تعلن خطة جديدة لدعم المزارعين"
    assert "وقال وزير الزراعة في مؤتمر صحفي" in result.text
    assert result.language == "ar"


def test_the_transport_charset_is_honoured():
    body = "<html><body><article><p>{}</p></article></body></html>".format(
        "Le gouvernement a présenté mercredi un projet de loi réformant l'assurance chômage, "
        "critiqué par les syndicats qui dénoncent une réduction des droits."
    ).encode("latin-1")
    result = article(doc(body, charset="ISO-8859-1"))
    assert "présenté mercredi" in result.text and result.language == "fr"


@pytest.mark.parametrize("fmt", ["html", "text"])
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "binary"),
        (bytes(range(1, 32)) * 50, "binary"),
    ],
)
def test_empty_and_binary_bodies_are_rejected(fmt, body, reason):
    assert rejected(doc(body, fmt=fmt)).reason == reason


def test_invalid_utf8_in_a_text_document_is_rejected():
    body = (
        b"Die Regierung hat am Montag"
        + b" \xff\xfe "
        + "neue Maßnahmen beschlossen.".encode()
    )
    assert rejected(doc(body, fmt="text")).reason == "invalid_utf8"


def test_pages_without_article_text_are_rejected():
    assert rejected(page("index_page.html")).reason == "no_article_text"
    error_page = b"<html><head><title>404</title></head><body><h1>Page not found</h1></body></html>"
    assert rejected(doc(error_page)).reason == "no_article_text"


def test_an_unknown_format_is_rejected():
    assert rejected(doc(b"%PDF-1.7", fmt="pdf")).reason == "unsupported_format"


# -- metadata -----------------------------------------------------------------------------


def test_metadata_of_a_news_page():
    result = article(page("wordpress_comments.html"))
    assert (
        result.title == "Flooding forces thousands from homes in river valley"
    )  # no " | The Valley Courier"
    assert result.site_name == "The Valley Courier"
    assert result.authors == ["Maria Jensen"]
    assert result.published == dt.datetime(2024, 3, 4, tzinfo=dt.UTC)
    # the canonical link, without its tracking parameters
    assert result.canonical_url == "https://valleycourier.example/news/2024/03/04/flooding-valley/"
    assert result.url == "https://news.example/story?id=7&utm_source=rss"
    assert result.language == "en"
    assert result.title not in result.text  # the headline is the title, not the body
    assert result.extraction_method == "trafilatura" and result.text_hash is None


def test_canonical_url_falls_back_to_the_document_url_normalised():
    assert article(page("comment_section.html")).canonical_url == "https://news.example/story?id=7"


def test_the_original_publication_date_wins_over_the_update():
    result = article(page("updated_date.html"))
    assert result.published.date() == dt.date(2024, 2, 12)
    assert "Lesen Sie auch" not in result.text
    assert "Aktualisiert" not in result.text


def test_a_publication_date_is_never_after_the_fetch():
    body = (PAGES / "updated_date.html").read_bytes()
    # fetched before the page claims to be published: the claim cannot be right
    assert (
        article(doc(body, fetched_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))).published
        is None
    )
    # a local date one day ahead of UTC is the fetch day in UTC
    ahead = article(doc(body, fetched_at=dt.datetime(2024, 2, 11, 23, 0, tzinfo=dt.UTC)))
    assert ahead.published.date() == dt.date(2024, 2, 11)


def test_title_and_date_given_by_the_document_win():
    given = dt.datetime(2024, 2, 10, 8, 0, tzinfo=dt.UTC)
    result = article(
        page("updated_date.html", title="  Schulgesetz:\xa0Landtag stimmt zu ", published=given)
    )
    assert result.title == "Schulgesetz: Landtag stimmt zu"
    assert result.published == given


def test_a_paywall_teaser_is_flagged_and_its_prompt_removed():
    result = article(page("paywall_teaser.html"))
    assert result.is_paywalled
    assert "central bank are preparing to debate a cut" in result.text
    assert not re.search(r"(?i)subscribe|subscriber", result.text)
    assert result.boilerplate_chars_removed > 0


def test_a_full_article_is_not_flagged_as_paywalled():
    assert not article(page("wordpress_comments.html")).is_paywalled


def test_the_standfirst_shown_above_the_body_is_part_of_the_text():
    result = article(page("standfirst.html"))
    lines = result.text.split("\n")
    assert result.title == "Mine collapse traps dozens of workers"
    assert lines[:1] == [
        "Rescue teams are drilling towards a chamber where 37 miners are believed to be "
        "sheltering after a tunnel roof gave way on Wednesday.",
    ]
    assert lines[1].startswith("The collapse happened shortly after the morning shift")


def test_a_site_slogan_is_not_taken_for_a_standfirst():
    body = (
        (PAGES / "standfirst.html")
        .read_bytes()
        .replace(
            b"Rescue teams are drilling towards a chamber where 37 miners are believed to be "
            b"sheltering after a tunnel roof gave way on Wednesday.",
            b"Independent news from the highlands since 1921",
        )
    )
    assert "Independent news" not in article(doc(body)).text


def test_plain_text_labelled_html_is_cleaned_as_text():
    body = (
        b"The army said on Monday it had retaken the town after three days of fighting.\n"
        b"Share this article\n"
        b"Civilians who fled last week began returning on Tuesday, local officials said.\n"
    )
    result = article(doc(body, fmt="html"))
    assert result.extraction_method == "text"
    assert result.text.split("\n") == [
        "The army said on Monday it had retaken the town after three days of fighting.",
        "Civilians who fled last week began returning on Tuesday, local officials said.",
    ]


# -- what the text is: the body, with its sub-headings and lists ------------------------------

STORY = [
    "The city council approved a plan on Tuesday to rebuild the old harbour wall before winter.",
    "Work will start in October and is expected to take eighteen months, officials said.",
    "Residents near the harbour have complained for years about flooding during storms.",
]


def story_page(extra: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    return (
        "<html><head><title>Council backs harbour wall plan | Port Gazette</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
        f"<h1>Council backs harbour wall plan</h1>{paragraphs}{extra}</article>"
        "<footer>© Port Gazette</footer></body></html>"
    ).encode()


def test_sub_headings_and_short_list_items_are_kept():
    extra = (
        "<h2>What happens next</h2>"
        "<p>The council will publish the tender documents next month, a spokesperson said.</p>"
        "<ul><li>Sea wall</li><li>New pier lights</li><li>Two slipways</li></ul>"
    )
    result = article(doc(story_page(extra)))
    lines = result.text.split("\n")
    assert lines[: len(STORY)] == STORY  # no headline: it is the title
    assert result.title == "Council backs harbour wall plan"
    for kept in ("What happens next", "Sea wall", "New pier lights", "Two slipways"):
        assert kept in lines


def test_a_list_of_related_story_links_is_removed():
    links = "".join(
        f"<li><a href='/news/{n}'>Another story about the port number {n} this week</a></li>"
        for n in range(5)
    )
    result = article(doc(story_page(f"<h3>Related</h3><ul>{links}</ul>")))
    assert result.text.split("\n") == STORY


def test_a_list_of_sentences_that_link_a_few_words_is_kept():
    # A changelog or a list of sources: most of the list's text is link text, but most items
    # are sentences that link a few words. A related-stories list is links and little else.
    items = (
        "<li><a href='/bug/1'>Ana fixed an issue with the tide gauge readings on the harbour "
        "website that had shown the wrong heights all summer</a></li>"
        "<li>Ben rewrote <a href='/bug/2'>the mooring permit form</a> for phones and tablets</li>"
        "<li>Cleo moved <a href='/bug/3'>the ferry timetable</a> to a new server</li>"
    )
    more = "".join(
        f"<p>The volunteers who keep the harbour website running were thanked {when}.</p>"
        for when in ("at the meeting", "in the minutes", "by the mayor in a letter to residents")
    )
    result = article(doc(story_page(f"{more}<h3>Who helped</h3><ul>{items}</ul>")))
    lines = result.text.split("\n")
    assert "Ben rewrote the mooring permit form for phones and tablets" in lines
    assert "Cleo moved the ferry timetable to a new server" in lines


def test_a_text_document_does_not_repeat_its_title_in_the_text():
    body = "\n".join(["Council backs harbour wall plan", *STORY]).encode()
    result = article(doc(body, fmt="text", title="Council backs harbour wall plan"))
    assert result.title == "Council backs harbour wall plan"
    assert result.text.split("\n") == STORY


def test_a_passage_shown_twice_goes_but_a_refrain_stays():
    refrain = (
        "We will rebuild the harbour, and we will rebuild it better and stronger than it ever "
        "was before, the mayor told the crowd."
    )
    closing = "The mayor said the first stones would be laid before the end of the year."
    first, *passage = STORY
    paragraphs = [first, refrain, *passage, refrain, closing]
    cleaned = clean_text("\n".join([*paragraphs, *passage]))  # the passage again, at the end
    assert cleaned.paragraphs == paragraphs
    assert cleaned.repeated_paragraphs_removed == 2


def test_short_lines_of_a_paragraph_split_at_line_breaks_are_not_taken_for_repeats():
    # a poem's refrain: a short line that comes back in another <br>-split verse
    verses = ("<p>The tide comes in<br>the boats go out<br>and the harbour waits</p>"
              "<p>The wind comes up<br>the boats go out<br>and the harbour sleeps</p>")
    result = article(doc(story_page(verses)))
    assert result.text.split("\n").count("the boats go out") == 2


def test_text_between_the_body_elements_is_kept():
    # trafilatura leaves a paragraph without its own element as the tail of a heading
    extra = ("<h2>Where the money comes from</h2>The port authority pays half, the region the rest."
             "<p>A public hearing on the plan is set for the first week of September.</p>")
    result = article(doc(story_page(extra)))
    assert result.text.split("\n")[len(STORY):] == [
        "Where the money comes from", "The port authority pays half, the region the rest.",
        "A public hearing on the plan is set for the first week of September."]


def test_a_short_page_is_kept_unless_it_is_an_error_page():
    short = b"<html><head><title>Lorem Ipsum</title></head><body><main><div>Lorem ipsum dolor."
    assert article(doc(short + b"</div></main></body></html>")).text == "Lorem ipsum dolor."
    for title, line in (("404", "Sorry, we could not find it."),
                        ("News", "Page not found"), ("Just a moment...", "Checking your browser")):
        error = f"<html><head><title>{title}</title></head><body><p>{line}</p></body></html>"
        assert rejected(doc(error.encode())).reason == "no_article_text"
