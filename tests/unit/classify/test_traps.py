"""The classifier's traps, each family with sentences of its own, stage and quote checked."""

from __future__ import annotations

import pytest

from tracker.classify import classify
from tracker.domain.designations import Article, Designation

TALIBAN = Designation("taliban-designation", "Taliban on Russia's list",
                      ("Taliban", "Taleban", "Islamic Emirate of Afghanistan"),
                      ("Russia", "Russian", "Moscow", "Kremlin"))


def read(title: str, text: str = "") -> tuple[str | None, str | None]:
    reading = classify(Article(title=title, content=text), TALIBAN)
    return reading.stage, reading.quote


CASES = {
    "jurisdiction": [
        ("Astana takes Taliban off its list", "Kazakhstan's government took the Taliban off its "
         "list of banned groups on Friday.", None),
        ("Bishkek follows Astana on Taliban", "Kyrgyzstan has removed the Taliban from its "
         "register of terrorist organisations, the Kyrgyz foreign ministry said.", None),
        ("Security Council eases Taliban travel ban", "The UN Security Council has removed two "
         "Taliban ministers from its sanctions list, diplomats said.", None),
        ("Moscow welcomes Kazakh decision", "Russia welcomed Kazakhstan's decision to remove the "
         "Taliban from its list of terrorist organisations.", None),
        ("Canada keeps Taliban listed", "Canada said the Taliban would remain on its list of "
         "terrorist entities, rejecting calls from business groups.", None),
    ],
    "tense and modality": [
        ("Russia poised to delist Taliban", "", "considered"),
        ("Kremlin hints it might lift the Taliban ban", "", "considered"),
        ("Moscow intends to take the Taliban off its terror list", "", "considered"),
        ("Russian officials say the Taliban could be delisted by summer", "", "considered"),
        ("Prosecutors ask Russia's top court to suspend Taliban ban", "", "proposed"),
        ("Russia formally asks court to end Taliban's terrorist designation", "", "proposed"),
    ],
    "history in passing": [
        ("Taliban envoys in Moscow", "Envoys of the Taliban, a group Russia's Supreme Court "
         "banned in 2003, held talks in Moscow on energy supplies.", None),
        ("Kabul's rulers court Russian business", "The Taliban, listed as a terrorist "
         "organisation in Russia since 2003, invited Russian firms to invest in mining.", None),
        ("Russia and the Taliban: a timeline", "The Russian Supreme Court designated the Taliban "
         "a terrorist organisation in February 2003.", None),
    ],
    "negation and refusal": [
        ("Kremlin denies plan to lift Taliban ban", "The Kremlin denied media reports that Russia "
         "was preparing to remove the Taliban from its terrorist list.", None),
        ("Russia not considering Taliban delisting, says ministry", "", None),
        ("Moscow says it will not remove the Taliban from its list", "", None),
        ("Russia's Supreme Court throws out Taliban petition", "Russia's Supreme Court threw out "
         "the prosecutor general's petition to remove the Taliban from the banned list.",
         "reversed"),
        ("Proposal to delist Taliban shelved in Moscow", "Russia's government has shelved its "
         "proposal to remove the Taliban from the list of terrorist organisations.", "reversed"),
    ],
    "stage words alone": [
        ("Taliban supreme court issues new ruling on dress", "The Taliban's supreme court "
         "ordered new rules for shopkeepers in Kabul.", None),
        ("Russia lists new extremist groups", "Russia's Justice Ministry added three groups to "
         "its list of extremist organisations, none of them linked to the Taliban.", None),
        ("Taliban and Russia sign fuel deal", "Russian companies signed a deal to supply fuel "
         "to the Taliban administration, the ministry of commerce in Kabul said.", None),
    ],
}


@pytest.mark.parametrize(("title", "text", "stage"),
                         [c for cases in CASES.values() for c in cases],
                         ids=[f"{family}-{i}" for family, cases in CASES.items()
                              for i in range(len(cases))])
def test_trap(title: str, text: str, stage: str | None) -> None:
    got, quote = read(title, text)
    assert got == stage, quote
    if stage is not None:
        assert quote in (title, text) or quote in text


def test_several_stages_the_highest_step_wins_and_is_quoted() -> None:
    text = ("Russia first said in 2024 that it was considering the move. Its ministries then "
            "recommended removal to the president. On Thursday, the Supreme Court lifted the ban "
            "on the Taliban, removing the group from the list of terrorist organisations. "
            "Officials in Kabul welcomed the ruling.")
    stage, quote = read("How Russia's decision came about", text)
    assert stage == "court-approved"
    assert quote.startswith("On Thursday, the Supreme Court lifted the ban")


def test_a_headline_alone_is_read() -> None:
    assert read("Russia removes Taliban from list of terrorist organisations")[0] == \
        "court-approved"


def test_a_long_article_is_read_in_time_and_by_its_sentence() -> None:
    filler = "Trade talks covered grain, fuel and fertiliser prices in some detail. " * 400
    text = filler + ("Moscow's prosecutors have filed a request with the Supreme Court to lift "
                     "the ban on the Taliban. ") + filler
    stage, quote = read("Trade and security", text)
    assert stage == "proposed"
    assert quote == ("Moscow's prosecutors have filed a request with the Supreme Court to lift "
                     "the ban on the Taliban.")


def test_a_new_designation_needs_only_its_names() -> None:
    hamas = Designation("hamas-russia", "Hamas", ("Hamas",), ("Russia", "Moscow"))
    article = Article(title="Russia considers lifting its ban on Hamas")
    assert classify(article, hamas).stage == "considered"
    assert classify(article, TALIBAN).stage is None
