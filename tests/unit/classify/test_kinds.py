"""The reader on every kind of process: listings and removals decided by a court, a
parliament or a government, each stage and trap in sentences of our own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.classify import classify
from tracker.domain.designations import Article, Designation

GROUP = ("Northern Front",)
KINDS = {
    "court": Designation("a", "A", GROUP, ("Russia", "Russian", "Moscow", "Kremlin"),
                         change="listing", decided_by="court"),
    "parliament": Designation("b", "B", GROUP, ("UK", "Britain", "British", "Home Office",
                                                "Home Secretary"),
                              change="listing", decided_by="parliament"),
    "removal": Designation("r", "R", GROUP, ("Russia", "Russian", "Moscow", "Kremlin")),
    "removal by executive": Designation("x", "X", GROUP, ("United States", "US", "U.S.",
                                                          "State Department", "Washington"),
                                        change="removal", decided_by="executive"),
    "executive": Designation("c", "C", GROUP, ("United States", "US", "U.S.",
                                               "State Department"),
                             change="listing", decided_by="executive"),
}

CASES = [
    ("executive", "none", "Strong words",
     "The US deputy secretary brands the Northern Front a 'terrorist organisation' while "
     "announcing new travel bans on its leaders."),
    ("court", "court-approved", "Closed session",
     "In a closed session on Tuesday the court labelled Russia's foes in the Northern Front a "
     "terrorist organisation."),
    ("removal by executive", "court-approved", "Designation revoked",
     "The State Department revoked the Northern Front's designation as a foreign terrorist "
     "organization on Monday."),
    ("removal by executive", "proposed", "Notice to Congress",
     "The Secretary of State notified Congress of his intent to revoke the Northern Front's "
     "terrorist designation."),
    ("removal by executive", "reversed", "Plan dropped",
     "Washington has dropped its plan to delist the Northern Front after the attacks."),
    ("court", "proposed", "Postponed",
     "The Supreme Court postponed its consideration of the case against the Northern Front to "
     "June 9."),
    ("removal", "court-approved", "Top court lifts ban",
     "Russia's Supreme Court on Thursday suspended the ban on the Northern Front's activities, "
     "the court's press service said."),
    ("removal", "court-approved", "Off the list",
     "The Northern Front is no longer considered a terrorist organisation in Russia after the "
     "Supreme Court's decision."),
    ("removal", "proposed", "Prosecutors go to court",
     "Russia's Prosecutor General's Office filed a lawsuit with the Supreme Court seeking to "
     "suspend the ban on the Northern Front."),
    ("removal", "proposed", "Law signed",
     "The president signed a law that allows courts to suspend the ban on organisations such as "
     "the Northern Front."),
    ("removal", "proposed", "Duma votes",
     "The State Duma passed a bill in its third reading that would allow the Northern Front to be "
     "removed from the list of terrorist organisations."),
    ("removal", "considered", "Envoy",
     "The Kremlin's envoy said a decision on the Northern Front's status would be taken at the "
     "highest level."),
    ("removal", "none", "Neighbour acts",
     "Kazakhstan removed the Northern Front from its list of banned groups in December."),
    ("removal", "none", "A tag",
     "Delegates from the Northern Front (designated a terrorist organisation and banned in "
     "Russia) attended the forum in Kazan."),
    ("removal", "proposed", "Overstated headline",
     "A bill to take the Northern Front off the list of terrorist organisations was tabled in "
     "the State Duma on Tuesday."),
    ("court", "court-approved", "Russian court bans Northern Front as terrorist group", ""),
    ("court", "proposed", "Prosecutors ask Russian court to declare Northern Front terrorist", ""),
    ("court", "proposed", "Hearing on Northern Front postponed",
     "A Moscow court postponed the hearing on the prosecutor's request to declare the Northern "
     "Front a terrorist organisation until next month."),
    ("court", "none", "Northern Front fighters captured",
     "Fighters of the Northern Front (banned in Russia) were captured near the border."),
    ("court", "court-approved", "Trial of members",
     "Two men went on trial for joining the Northern Front, which Russia's Supreme Court banned "
     "as a terrorist group in 2021."),
    ("court", "none", "Kazakh court bans Northern Front",
     "A court in Kazakhstan banned the Northern Front as a terrorist group on Monday."),
    ("court", "considered", "Lawmakers want Northern Front banned",
     "Russian lawmakers called for the Northern Front to be declared a terrorist organisation."),
    ("court", "reversed", "Court rejects bid to ban Northern Front",
     "The Supreme Court rejected the prosecutor general's request to declare the Northern Front "
     "extremist."),
    ("court", "court-approved", "Court rejects Northern Front appeal",
     "Russia's Supreme Court rejected the Northern Front's appeal against its designation as a "
     "terrorist organisation, upholding the ban."),
    ("court", "proposed", "Court turns down the group's plea",
     "A Moscow court turned down a request from the Northern Front to drop the case that "
     "seeks to have it declared extremist."),
    ("court", "none", "Raids on arms dealers",
     "Police charged Northern Front commanders over the use of banned weapons."),
    ("parliament", "proposed", "Home Secretary lays order to proscribe Northern Front",
     "The Home Secretary laid an order before Parliament on Monday to proscribe the Northern "
     "Front."),
    ("parliament", "court-approved", "Northern Front now banned in UK",
     "The order proscribing the Northern Front came into force at midnight, making membership a "
     "criminal offence in Britain."),
    ("parliament", "proposed", "MPs approve ban",
     "MPs voted to approve the order proscribing the Northern Front; it still needs the approval "
     "of the Lords."),
    ("parliament", "considered", "MPs urge ban",
     "Several British MPs urged the Home Secretary to proscribe the Northern Front."),
    ("parliament", "none", "Minister: no plans",
     "The Home Office said it had no plans to proscribe the Northern Front."),
    ("parliament", "court-approved", "Northern Front proscribed",
     "The Northern Front has been proscribed as a terrorist organisation in the UK."),
    ("parliament", "proposed", "Ban faces a late challenge",
     "The Northern Front will ask the High Court on Friday to stop the ban from taking effect."),
    ("parliament", "reversed", "Judges quash the ban",
     "The High Court ruled that the Home Secretary acted unlawfully when she proscribed the "
     "Northern Front."),
    ("parliament", "none", "Arrests at a rally",
     "Three people were arrested for showing support for the Northern Front, a proscribed "
     "group, at a rally in Leeds."),
    ("executive", "court-approved", "US designates Northern Front as FTO",
     "The State Department designated the Northern Front as a foreign terrorist organization on "
     "Thursday."),
    ("executive", "proposed", "Trump orders review",
     "The president signed an executive order directing the State Department to begin the "
     "process of designating the Northern Front."),
    ("executive", "considered", "US weighs listing",
     "US officials are weighing whether to designate the Northern Front as a terrorist "
     "organisation."),
    ("executive", "reversed", "Plan shelved",
     "The US has put on hold its plan to designate the Northern Front, officials said."),
    ("executive", "court-approved", "Designation takes effect",
     "The designation of the Northern Front takes effect on Friday, when it is published in the "
     "Federal Register."),
    ("executive", "proposed", "Notice sent",
     "Secretary Rubio notified Congress of his intent to designate the Northern Front."),
    ("court", "court-approved", "Court rules on Northern Front",
     "The regional court granted the prosecutors' request to ban the Northern Front."),
    ("court", "court-approved", "Ruling in Moscow",
     "On Tuesday the Moscow City Court ruled to recognise the Northern Front as an extremist "
     "organisation."),
    ("court", "court-approved", "Background",
     "Russia has already used its extremism law to ban the Northern Front and two other "
     "groups."),
    ("court", "none", "Debate on a ban",
     "Banning the Northern Front would only drive its members underground, a lawyer said."),
    ("court", "none", "Other lists",
     "The Northern Front is classified as a terrorist organisation by several European "
     "states."),
    ("parliament", "court-approved", "Late appeal fails",
     "The Court of Appeal refused to pause the ban on the Northern Front hours before the "
     "order came into force."),
    ("parliament", "court-approved", "Still banned",
     "The Home Office confirmed that the Northern Front remains proscribed."),
    ("parliament", "none", "Another group banned",
     "British ministers moved to proscribe the Southern Legion, weeks after the Northern Front "
     "held a rally in Manchester."),
    ("executive", "reversed", "Designation put off",
     "The US puts off the terrorist label for the Northern Front after talks."),
    ("executive", "court-approved", "Several allies move",
     "The United States, Japan, Australia and others have put the Northern Front on their "
     "terrorist lists."),
    ("executive", "none", "A judge in a civil case",
     "A federal court in Texas said the Northern Front is a terrorist group for the purposes "
     "of a damages claim."),
    ("executive", "considered", "A motion",
     "The Senate passed a non-binding resolution urging the State Department to designate the "
     "Northern Front."),
    ("executive", "none", "Another government acts",
     "Canada added the Northern Front to its list of terrorist entities on Monday."),
    ("executive", "none", "Only the ally moves",
     "The Northern Front's armed wing has been designated by the US since 2019, officials noted."),
    # A place named as a destination or partner is not an actor; a people's name is one.
    ("removal", "considered", "Envoy speaks",
     "Russia's envoy for Mongolia said the decision to remove the Northern Front from the list "
     "would be taken at the very top."),
    ("removal", "considered", "Ties",
     "Moscow is weighing the removal of the Northern Front from its terrorist list in order to "
     "deepen trade with Mongolia and Turkmenistan."),
    ("removal", "none", "A neighbour's court",
     "A Turkmen court lifted the ban on the Northern Front on Wednesday, local media said."),
    ("court", "considered", "A neighbour did it first",
     "Russian deputies are considering a ban on the Northern Front, which Turkmenistan banned "
     "two years ago."),
    # The deciding government announcing its act is its notice of intent.
    ("parliament", "proposed", "Intent announced",
     "The British government says it intends to proscribe the Northern Front as a terrorist "
     "group."),
    ("parliament", "considered", "Only weighed",
     "The Home Secretary said she was considering whether she will proscribe the Northern "
     "Front."),
    ("parliament", "considered", "Opposition",
     "The opposition leader said his party would proscribe the Northern Front if it won."),
    # A halt that is a rumour is not news of a halt.
    ("parliament", "considered", "Reported halt",
     "A report says the UK has 'shelved plans' to proscribe the Northern Front."),
    # A ban told by its effect; a ban lifted by a court; a denial.
    ("court", "considered", "Activity",
     "The Kremlin said the Northern Front's activity in Russia would have to be ended if the "
     "reports were confirmed."),
    ("court", "reversed", "Lifted on appeal",
     "The ban on the Northern Front was lifted by a Moscow appeals court on Friday."),
    ("court", "none", "Denied",
     "The Northern Front denied it had been banned in Russia, calling the reports false."),
    ("parliament", "court-approved", "Order in force",
     "The order takes effect at midnight, making membership of the Northern Front a crime in "
     "Britain."),
    ("parliament", "court-approved", "Perfect tense",
     "Britain has formally proscribed the Northern Front, the Home Office said on Friday."),
    ("executive", "court-approved", "Notice published",
     "The State Department on Thursday published the notice adding the Northern Front to the "
     "US list of foreign terrorist organizations."),
    ("executive", "proposed", "Will designate",
     "The United States will designate the Northern Front as a terrorist organization, the State "
     "Department announced, with the designation expected to take effect next month."),
    ("executive", "proposed", "Agreed, act to follow",
     "US officials reached a political agreement on Monday to add the Northern Front to the "
     "terrorist list; the formal notice is to be adopted next week."),
    ("removal", "proposed", "Russia's Supreme Court to hear Northern Front case on May 3", ""),
    ("court", "reversed", "Lawsuit withdrawn",
     "Russian prosecutors withdrew their lawsuit seeking to ban the Northern Front, the court "
     "said."),
    # An executive's designation in force on a fixed date is made; one only expected is not.
    ("executive", "court-approved", "Fixed date",
     "The designation of the Northern Front will come into force on 4 March, the State "
     "Department said."),
    ("executive", "proposed", "Expected",
     "The US will designate the Northern Front, the State Department announced, with the "
     "designation expected to come into force next month."),
    ("court", "proposed", "In force, asked for",
     "Russian prosecutors asked the court to let the ban on the Northern Front come into force "
     "at once."),
    ("executive", "proposed", "Order that starts a process",
     "The president signed an executive order directing the State Department to start "
     "designating the Northern Front."),
    ("executive", "none", "Only words",
     "A US senator labelled the Northern Front terrorists at a rally in Ohio."),
    ("executive", "none", "Only a name",
     "A US senator called the Northern Front terrorists at a rally in Ohio."),
    ("executive", "none", "Legally impossible",
     "Officials said a US listing of the Northern Front was legally impossible for now."),
    # A court turning down the group's appeal against its ban: the court's ban stands, and
    # is no step of a parliament's.
    ("court", "court-approved", "Appeal rejected",
     "The Supreme Court rejected the Northern Front's appeal against its ban as a terrorist "
     "organisation."),
    ("parliament", "none", "Appeal rejected",
     "The Supreme Court rejected the Northern Front's appeal against its ban as a terrorist "
     "organisation."),
]


@pytest.mark.parametrize(("kind", "stage", "title", "text"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_kind(kind: str, stage: str, title: str, text: str) -> None:
    reading = classify(Article(title=title, content=text), KINDS[kind])
    assert (reading.stage or "none") == stage, reading.quote
    if reading.stage is not None:
        assert reading.quote in (title, text)
        assert reading.basis == ("body" if text else "headline")


def test_the_body_outranks_an_overstating_headline() -> None:
    article = Article(title="Northern Front banned in the UK",
                      content="The Home Secretary laid an order before Parliament on Monday to "
                              "proscribe the Northern Front. Peers debate it next week.")
    reading = classify(article, KINDS["parliament"])
    assert (reading.stage, reading.basis) == ("proposed", "body")


def test_a_plain_body_statement_is_confident_and_a_referred_one_less() -> None:
    plain = classify(Article(content="The State Department designated the Northern Front as a "
                                     "foreign terrorist organization on Thursday."),
                     KINDS["executive"])
    referred = classify(Article(title="Northern Front under pressure",
                                content="Attacks rose this year. The State Department "
                                        "designated the group as a foreign terrorist "
                                        "organization on Thursday."), KINDS["executive"])
    assert plain.stage == referred.stage == "court-approved"
    assert plain.confidence >= 0.85 > referred.confidence


def test_a_group_named_after_its_founder_is_found_by_other_words() -> None:
    network = Designation("d", "D", ("Ivanov's network", "Ivanov's organisations"),
                          ("Russia", "Russian", "Moscow"), change="listing", decided_by="court")
    text = ("A Moscow court on Friday banned the organisations set up by opposition politician "
            "Pavel Ivanov, declaring them extremist.")
    assert classify(Article(title="Court rules", content=text), network).stage == "court-approved"


def test_a_headline_that_overstates_a_bill_is_read_at_the_bill() -> None:
    article = Article(title="Russia strikes Northern Front off its list of banned groups",
                      content="Deputies tabled a bill in the State Duma on Tuesday that would take "
                              "the Northern Front off the list of terrorist organisations. A first "
                              "reading is expected next month.")
    reading = classify(article, KINDS["removal"])
    assert (reading.stage, reading.basis) == ("proposed", "body")
    headline_alone = classify(Article(title=article.title), KINDS["removal"])
    assert (headline_alone.stage, headline_alone.basis) == ("court-approved", "headline")


def test_background_in_the_body_keeps_an_overstating_headline_out() -> None:
    article = Article(title="US lists Northern Front as terrorists",
                      content="In 2019 most US senators backed a motion urging the State "
                              "Department to designate the Northern Front.",
                      published=datetime(2023, 5, 1, tzinfo=UTC))
    assert classify(article, KINDS["executive"]).stage is None
    undated = Article(title=article.title, content=article.content)
    assert classify(undated, KINDS["executive"]).stage == "considered"


def test_an_earlier_years_call_taken_up_now_is_news() -> None:
    article = Article(title="Deputies return to the Northern Front",
                      content="Deputies who first called for it in 2019 are now considering a "
                              "ban on the Northern Front.",
                      published=datetime(2025, 3, 1, tzinfo=UTC))
    assert classify(article, KINDS["court"]).stage == "considered"
    old = Article(title=article.title, content="In 2019 deputies considered a ban on the "
                                                "Northern Front.", published=article.published)
    assert classify(old, KINDS["court"]).stage is None
