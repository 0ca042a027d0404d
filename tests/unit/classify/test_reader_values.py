"""The reader's confidence values and the paths that decide them: a sentence that names the
authority, the article's own context, a group named earlier, an earlier year, the headline's
place behind the body, and whose step it is when another country is named. Sentences of our
own, about a made-up group."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.classify.rules import Hit, read
from tracker.domain.designations import Article, Designation

GROUP = ("Northern Front",)
RUSSIA = ("Russia", "Russian", "Moscow", "Kremlin")
D = Designation("a", "A", GROUP, RUSSIA, change="listing", decided_by="court")
PUBLISHED = datetime(2026, 5, 1, tzinfo=UTC)

NAMED_COURT = "A Russian court designated the Northern Front a terrorist organisation on Monday."
UNNAMED_COURT = "A court designated the Northern Front a terrorist organisation on Monday."


def reading(body: str, title: str = "Court news") -> tuple | None:
    hit = read(Article(title=title, content=body, published=PUBLISHED), D)
    return None if hit is None else (hit.stage, hit.confidence, hit.basis)


@pytest.mark.parametrize(("body", "expected"), [
    (NAMED_COURT, ("court-approved", 0.9, "body")),
    # No jurisdiction in the sentence nor at the article's start: one step less sure.
    (UNNAMED_COURT, ("court-approved", 0.8, "body")),
    ("Moscow prosecutors filed a lawsuit asking the court to ban the Northern Front as a "
     "terrorist group.", ("proposed", 0.85, "body")),
    ("Russian officials are now considering whether to ban the Northern Front.",
     ("considered", 0.8, "body")),
    ("A Moscow court refused to ban the Northern Front as a terrorist organisation.",
     ("reversed", 0.85, "body")),
    # An earlier year named after the deciding words: told now, a little less sure.
    ("Russian lawmakers proposed a bill to ban the Northern Front in 2019.",
     ("proposed", 0.8, "body")),
])
def test_each_stage_has_its_confidence(body: str, expected: tuple) -> None:
    assert reading(body) == expected


def test_the_authority_at_the_articles_start_makes_an_unnamed_sentence_its_own() -> None:
    assert reading(UNNAMED_COURT, title="Moscow") == ("court-approved", 0.9, "body")


def test_another_country_at_the_articles_start_makes_an_unnamed_sentence_not_ours() -> None:
    assert reading(UNNAMED_COURT, title="Kazakhstan news") is None
    assert reading("In Kazakhstan, " + UNNAMED_COURT[0].lower() + UNNAMED_COURT[1:]) is None


def test_a_group_named_earlier_is_read_in_the_next_sentence_with_less_confidence() -> None:
    later = "Officials said the group was banned as terrorist by a Moscow court on Monday."
    assert reading(later) is None  # "the group" alone names no one
    assert reading("The Northern Front was in the news. " + later) == \
        ("court-approved", 0.8, "body")
    assert reading(later, title="Northern Front under scrutiny") == \
        ("court-approved", 0.8, "body")


def test_a_step_of_an_earlier_year_is_background_and_keeps_the_headline_out() -> None:
    background = "In 2019 Russian lawmakers proposed a bill to ban the Northern Front."
    assert reading(background) is None
    assert reading(background, title="Russian court bans the Northern Front") is None
    hit = read(Article(title="Court news", content=background, published=PUBLISHED), D)
    assert hit is None


def test_a_step_told_now_outranks_a_higher_one_placed_in_an_earlier_year() -> None:
    assert reading("Russian lawmakers proposed a bill to ban the Northern Front as a terrorist "
                   "group in 2019. Russian officials are now considering whether to ban the "
                   "Northern Front.") == ("considered", 0.8, "body")


def test_the_body_outranks_the_headline_which_decides_only_when_the_body_is_silent() -> None:
    title = "Russian court bans the Northern Front as terrorist"
    assert reading("Russian lawmakers proposed a bill to ban the Northern Front as a terrorist "
                   "group.", title) == ("proposed", 0.85, "body")
    assert reading("The weather was fine.", title) == ("court-approved", 0.9, "headline")
    assert reading("", title) == ("court-approved", 0.9, "headline")


@pytest.mark.parametrize(("body", "expected"), [
    # Ours among several, named first or joined to the other: the step is ours.
    ("Russia and Kazakhstan have designated the Northern Front a terrorist organisation.",
     ("court-approved", 0.9, "body")),
    ("Kazakhstan and Russia have designated the Northern Front a terrorist organisation.",
     ("court-approved", 0.9, "body")),
    ("Russia, as well as Kazakhstan, has designated the Northern Front a terrorist "
     "organisation.", ("court-approved", 0.9, "body")),
    # Ours before the words, another after them: still ours.
    ("A court in Moscow designated the Northern Front a terrorist organisation, and "
     "Kazakhstan followed.", ("court-approved", 0.9, "body")),
    # Another named before the words, ours only as the one who says so: not ours.
    ("Kazakhstan has designated the Northern Front a terrorist organisation, Russia said.", None),
    # Another as the agent or the place of the step: not ours.
    ("The Northern Front was designated a terrorist organisation by Kazakhstan.", None),
    ("The Northern Front was designated a terrorist organisation in Kazakhstan.", None),
    # Another's ban done, ours only weighed: ours is the lower step.
    ("Kazakhstan banned the Northern Front as a terrorist group, and Russia is considering "
     "a ban.", ("considered", 0.8, "body")),
])
def test_whose_step_it_is_when_another_country_is_named(body: str, expected: tuple | None
                                                        ) -> None:
    assert reading(body) == expected


@pytest.mark.parametrize(("body", "expected"), [
    # The authority at the article's start; another named as the step's agent or place.
    ("The Northern Front was designated a terrorist organisation by Kazakhstan.", None),
    ("The Northern Front was designated a terrorist organisation in Kazakhstan.", None),
    # Another named only as the one who says so: the step is the article's own.
    ("The Northern Front was designated a terrorist organisation, Kazakhstan said.",
     ("court-approved", 0.9, "body")),
    # Both after the words: the first named is the agent.
    ("The Northern Front was designated a terrorist organisation by Kazakhstan, not by "
     "Russia.", None),
    ("The Northern Front was designated a terrorist organisation by Russia, not by "
     "Kazakhstan.", ("court-approved", 0.9, "body")),
])
def test_in_an_article_about_the_authority_another_country_can_still_take_the_step(
        body: str, expected: tuple | None) -> None:
    assert reading(body, title="Russian news") == expected


def test_a_hit_keeps_the_sentence_that_decided() -> None:
    hit = read(Article(title="Court news", content="The weather was fine. " + NAMED_COURT,
                       published=PUBLISHED), D)
    assert hit == Hit("court-approved", 0.9, NAMED_COURT, "body")


def test_a_headline_alone_is_read_with_the_articles_year_and_context() -> None:
    # An earlier year in the headline: a little less sure.
    assert reading("", "Russian court banned the Northern Front as terrorist in 2019") == \
        ("court-approved", 0.85, "headline")
    # The authority named only in the body's opening still makes the headline its own.
    assert reading("Moscow was quiet on Monday.", "Court bans the Northern Front as terrorist") \
        == ("court-approved", 0.9, "headline")
    assert reading("The weather was fine.", "Court bans the Northern Front as terrorist") \
        == ("court-approved", 0.8, "headline")


def test_the_articles_start_is_its_title_and_first_five_sentences() -> None:
    filler = "The weather was fine. " * 5
    assert reading(filler + "Moscow was quiet. " + UNNAMED_COURT) == \
        ("court-approved", 0.8, "body")
    assert reading("The weather was fine. " * 4 + "Moscow was quiet. " + UNNAMED_COURT) == \
        ("court-approved", 0.9, "body")


def test_the_summary_and_the_text_are_read_as_separate_sentences() -> None:
    hit = read(Article(title="Court news", summary=NAMED_COURT, content="The weather was fine.",
                       published=PUBLISHED), D)
    assert hit == Hit("court-approved", 0.9, NAMED_COURT, "body")


def test_of_two_sentences_saying_the_same_the_first_is_quoted() -> None:
    again = "A Russian court designated the Northern Front a terrorist organisation again."
    hit = read(Article(title="Court news", content=f"{NAMED_COURT} {again}",
                       published=PUBLISHED), D)
    assert hit == Hit("court-approved", 0.9, NAMED_COURT, "body")


def test_a_step_of_an_earlier_year_does_not_stop_the_reading_of_the_next() -> None:
    assert reading("In 2019 Russian lawmakers proposed a bill to ban the Northern Front. "
                   + NAMED_COURT) == ("court-approved", 0.9, "body")


SEVERAL = Designation("s", "S", ("Solar Brotherhood network", "international Solar Brotherhood "
                                 "network"), RUSSIA, change="listing", decided_by="court")


def named(sentence: str, designation: Designation = SEVERAL) -> bool:
    return read(Article(title="Court news", content=sentence, published=PUBLISHED),
                designation) is not None


def test_a_capitalised_word_every_name_shares_names_the_group() -> None:
    assert named("A Russian court designated the Brotherhood a terrorist organisation.")
    # A shared word in lower case, or a single name's own words, name no one.
    assert not named("A Russian court designated the network a terrorist organisation.")
    assert not named("A Russian court designated the Front a terrorist organisation.", D)
    short = Designation("t", "T", ("Al Sun", "Al Sun network"), RUSSIA, change="listing",
                        decided_by="court")
    assert named("A Russian court designated Sun a terrorist organisation.", short)
    assert not named("A Russian court designated Al a terrorist organisation.", short)
