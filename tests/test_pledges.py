"""Pledges: sentence in, pledge facts out (entities given by hand, see tests/eventkit.py)."""

from __future__ import annotations

import pytest

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract import pledges
from kg.extract.pledge_scan import first_words
from kg.extract.pledges import find_pledges
from kg.model import Pledge
from tests.eventkit import C, L, O, P, Spec, article, index_for

COALITION = O("coalition-of-the-willing", "Coalition of the Willing")
GAZ: dict[str, Spec] = {
    "Starmer": L("keir-starmer", "Keir Starmer", "GB"), "Healey": L("john-healey", "John Healey", "GB"),
    "Pistorius": L("boris-pistorius", "Boris Pistorius", "DE"), "Meloni": L("giorgia-meloni", "Giorgia Meloni", "IT"),
    "Carney": L("mark-carney", "Mark Carney", "CA"), "Stubb": L("alexander-stubb", "Alexander Stubb", "FI"),
    "Britain": C("GB", "United Kingdom"), "U.K.": C("GB", "United Kingdom", "alias"),
    "UK": C("GB", "United Kingdom", "alias"), "British": C("GB", "United Kingdom", "demonym"),
    "France": C("FR", "France"), "Italy": C("IT", "Italy"), "Germany": C("DE", "Germany"),
    "Sweden": C("SE", "Sweden"), "Finland": C("FI", "Finland"),
    "Ukraine": C("UA", "Ukraine"), "Israel": C("IL", "Israel"), "American": C("US", "United States", "demonym"),
    "U.S.": C("US", "United States", "alias"), "Finnish": C("FI", "Finland", "demonym"),
    "Kyiv": P("kyiv", "Kyiv", "UA"), "Washington": P("washington", "Washington", "US"), "coalition": COALITION,
    "European Union": O("european-union", "European Union"),
    "EU": O("european-union", "European Union"),
    "Norway": C("NO", "Norway"), "Brazil": C("BR", "Brazil"), "Indonesia": C("ID", "Indonesia"),
    "Spain": C("ES", "Spain"), "Portugal": C("PT", "Portugal"), "Kenya": C("KE", "Kenya"),
    "Kenyan": C("KE", "Kenya", "demonym"), "Haiti": C("HT", "Haiti"), "Chile": C("CL", "Chile"),
    "Jamaica": C("JM", "Jamaica"), "Mexico": C("MX", "Mexico"), "Mexican": C("MX", "Mexico", "demonym"),
    "Canada": C("CA", "Canada"), "Japan": C("JP", "Japan"), "Syria": C("SY", "Syria"), "Sudan": C("SD", "Sudan"),
    "Lithuania": C("LT", "Lithuania"), "Latvia": C("LV", "Latvia"), "Turkey": C("TR", "Türkiye"),
    "South Korea": C("KR", "South Korea"), "United States": C("US", "United States", "alias"),
    "Lebanon": C("LB", "Lebanon"), "Philippines": C("PH", "Philippines"), "Denmark": C("DK", "Denmark"),
    "NATO": O("nato", "NATO"), "Iran": C("IR", "Iran"), "Russia": C("RU", "Russia"),
    "Trump": L("donald-trump", "Donald Trump", "US"), "Sheinbaum": L("claudia-sheinbaum", "Claudia Sheinbaum", "MX"),
    "Macron": L("emmanuel-macron", "Emmanuel Macron", "FR"),
    "European Commission": O("european-commission", "European Commission"),
    "von der Leyen": L("ursula-von-der-leyen", "Ursula von der Leyen", org="european-commission"),
    "Danish": C("DK", "Denmark", "demonym"),
}


def run(*paragraphs: str, published: str | None = "2025-03-02", title: str = "") -> list[Pledge]:
    art = article(*paragraphs, title=title, published=published)
    return find_pledges(art, index_for(art, GAZ))



def keys(p: Pledge) -> tuple[str, ...]:
    return tuple(sorted(x.key for x in p.pledgers))


def facts(found: list[Pledge]) -> list[tuple[tuple[str, ...], str, str | None]]:
    """(pledgers, type, amount) of each pledge, in order."""
    return [(keys(p), p.pledge_type, p.amount) for p in found]


def test_ready_to_send_troops() -> None:
    (p,) = run("Starmer said on Sunday that Britain is ready to send British troops to Ukraine to help enforce "
               "a future peace agreement.", published="2025-02-17")
    assert (keys(p), p.pledge_type, p.amount, p.recipient and p.recipient.key) == (("GB",), "troops", None, "UA")
    assert p.date == "2025-02-16" and p.conditional
    assert p.evidence.sentence.startswith("Starmer said")


def test_a_leader_pledges_for_their_country_with_amount_verbatim() -> None:
    (p,) = run("Healey announced a £450 million ($580 million) British package that includes drones, radar "
               "systems and anti-tank mines.")
    assert (keys(p), p.pledge_type, p.amount) == (("GB",), "weapons", "£450 million")


def test_counted_systems_are_the_amount() -> None:
    (p,) = run("Pistorius said Germany would deliver four additional IRIS-T air defense systems to Ukraine, "
               "along with 300 missiles for them.")
    assert (keys(p), p.pledge_type, p.amount, p.recipient and p.recipient.key) == (
        ("DE",), "air_defense", "four additional IRIS-T air defense systems", "UA")


def test_two_pledgers_in_one_promise() -> None:
    (p,) = run("Several countries, including France and the U.K., which lead the coalition, have pledged to "
               "send troops on the ground to enforce a potential ceasefire.")
    assert keys(p) == ("FR", "GB") and p.pledge_type == "troops" and p.conditional


def test_one_sentence_two_pledges_of_different_types() -> None:
    found = run("The coalition is a group of countries that have pledged peacekeeping troops and other security "
                "guarantees for Ukraine.")
    assert [(keys(p), p.pledge_type) for p in found] == [
        (("coalition-of-the-willing",), "peacekeepers"), (("coalition-of-the-willing",), "security_guarantees")]
    assert all(p.recipient and p.recipient.key == "UA" for p in found)


def test_possessive_readiness() -> None:
    (p,) = run("At the same time, she confirmed Italy's readiness to contribute to security guarantees for Ukraine.")
    assert (keys(p), p.pledge_type) == (("IT",), "security_guarantees")


def test_passive_troops_take_their_nationality() -> None:
    (p,) = run("A U.S. official said around 200 American troops would be sent to Israel to staff a centre.")
    assert (keys(p), p.pledge_type, p.amount) == (("US",), "troops", "200 American troops")


def test_dative_recipient_and_running_total() -> None:
    (p,) = run("Stubb announced that Finland would send Ukraine a new military aid package worth about "
               "€200 million, bringing the total value of Finnish defense assistance to nearly €3 billion.")
    assert (keys(p), p.pledge_type, p.amount, p.recipient and p.recipient.key) == (
        ("FI",), "weapons", "€200 million", "UA")


def test_group_noun_pledges_through_the_organisation_named() -> None:
    (p,) = run("Twenty-six countries have formally committed to deploy troops to Ukraine once a ceasefire takes "
               "hold, Macron said after a summit of the coalition in Paris.")
    assert keys(p) == ("coalition-of-the-willing",) and p.pledge_type == "troops"


def test_repeated_promise_is_one_pledge() -> None:
    found = run("Britain is ready to send British troops to Ukraine.",
                "Starmer wrote that the U.K. was prepared to put its own soldiers on the ground.")
    assert len(found) == 1


# --- pledgers in lists: one pledge when they state it jointly, one each when each gives its own


def test_a_list_of_pledgers_sharing_one_verb_is_one_pledge() -> None:
    (p,) = run("France, Germany and Britain pledged to send more air defence systems to Ukraine on Tuesday.")
    assert (keys(p), p.pledge_type, p.recipient and p.recipient.key) == (("DE", "FR", "GB"), "air_defense", "UA")


def test_separate_amounts_are_separate_pledges() -> None:
    assert facts(run("Spain and Portugal pledged €100 million and €50 million respectively in humanitarian aid "
                     "for Syria.")) == [(("ES",), "aid", "€100 million"), (("PT",), "aid", "€50 million")]
    assert facts(run("Brazil and Indonesia have each committed $1 billion to the new rainforest fund.")) == [
        (("BR",), "funding", "$1 billion"), (("ID",), "funding", "$1 billion")]


def test_givers_listed_apart_from_the_verb_share_the_pledge() -> None:
    found = run("The European Union teamed up with other countries on a climate plan.",
                "Each of the governments said they would soon set new targets to cut emissions by 2035.",
                "Besides the EU, the coalition included Canada, Mexico and Norway.")
    assert facts(found) == [(("CA", "MX", "NO", "european-union"), "other", None)]


# --- organisations deciding together; spending and emissions targets are "other"


def test_alliance_leaders_agreeing_a_spending_target() -> None:
    (p,) = run("NATO leaders agreed to raise defence spending to 3.5% of GDP by 2032.")
    assert facts([p]) == [(("nato",), "other", "3.5% of GDP")]


def test_an_organisations_decision_is_its_pledge() -> None:
    (p,) = run("Critics questioned NATO's decision to lift military spending to 5% of GDP by 2035, "
               "citing the cost of investments in weapons.")
    assert facts([p]) == [(("nato",), "other", "5% of GDP")]


def test_countries_committing_to_emissions_targets() -> None:
    (p,) = run("The European Union, Canada and Norway committed to set new emissions targets for 2035.")
    assert facts([p]) == [(("CA", "NO", "european-union"), "other", None)]


# --- restoring or lifting a suspension of aid


def test_lifting_a_suspension_of_aid_is_a_pledge() -> None:
    (p,) = run("The United States lifted its suspension of military aid to Ukraine on Tuesday.")
    assert (keys(p), p.pledge_type, p.recipient and p.recipient.key) == (("US",), "weapons", "UA")


def test_resuming_aid_is_a_pledge() -> None:
    (p,) = run("Sweden will resume its humanitarian aid to Syria next month.")
    assert (keys(p), p.pledge_type, p.recipient and p.recipient.key) == (("SE",), "aid", "SY")


# --- police and security personnel for a mission are troops


def test_police_for_a_mission_are_troops() -> None:
    (p,) = run("Kenyan police will join the multinational peacekeeping force in Haiti within days.")
    assert (keys(p), p.pledge_type, p.recipient and p.recipient.key) == (("KE",), "troops", "HT")


def test_others_named_along_with_a_contingent_pledge_apart() -> None:
    found = run("About 1,000 Kenyan officers will join the mission in Haiti, along with officers from Chile "
                "and Jamaica.")
    assert facts(found) == [(("KE",), "troops", "1,000 Kenyan officers"), (("CL", "JM"), "troops", None)]
    assert all(p.recipient and p.recipient.key == "HT" for p in found)


# --- investment, climate finance and loans are funding


@pytest.mark.parametrize(("text", "amount"), [
    ("South Korea will invest $350 billion in the United States.", "$350 billion"),
    ("Japan pledged $1 billion in climate finance for Pacific island states.", "$1 billion"),
    ("Germany will provide a €500 million loan to Ukraine.", "€500 million"),
    ("Norway will devote $3 billion to a fund protecting tropical forests.", "$3 billion"),
    ("Japan will extend a $1 billion credit line to India.", "$1 billion"),
])
def test_investment_climate_finance_and_loans_are_funding(text: str, amount: str) -> None:
    (p,) = run(text)
    assert (p.pledge_type, p.amount) == ("funding", amount)


def test_the_same_sum_in_two_currencies_is_one_pledge() -> None:
    found = run("Norway will give $3 billion to the forest fund.",
                "The government in Norway confirmed it will contribute up to 30 billion crowns by 2035.")
    assert facts(found) == [(("NO",), "funding", "$3 billion")]


# --- other forms: passive with its giver, a sum with its giver, a noun with its givers, plans


def test_passive_with_the_giver_after_by() -> None:
    (p,) = run("About €250 million has been pledged by the EU for Sudan, where famine threatens millions.")
    assert (facts([p]), p.recipient and p.recipient.key) == ([(("european-union",), "aid", "€250 million")], "SD")


def test_sums_with_their_givers() -> None:
    found = run("Macron pledged €100 million in humanitarian aid for Lebanon.",
                "The pledges included €200 million from Germany and €80 million from Spain.")
    assert facts(found) == [(("FR",), "aid", "€100 million"), (("DE",), "aid", "€200 million"),
                            (("ES",), "aid", "€80 million")]


def test_pledges_from_named_backers_without_their_share() -> None:
    (p,) = run("The forest fund drew $5 billion in early pledges from backers including Norway and France.")
    assert facts([p]) == [(("FR", "NO"), "funding", None)]


def test_present_tense_plans_name_what_they_give() -> None:
    found = run("Each country presented its plan to support Ukraine.",
                "Lithuania is working on strengthening Ukraine's air defence, investing in its defence industry "
                "and contributing to the joint training initiative.",
                "Latvia is focused on equipping Ukrainian units and supplying shells.",
                "Denmark is considering additional investments in Ukraine's defence industry.")
    assert facts(found) == [(("LT",), "air_defense", None), (("LT",), "funding", None), (("LT",), "other", None),
                            (("LV",), "weapons", None)]
    assert all(p.recipient and p.recipient.key == "UA" for p in found)


def test_a_possessive_pledge_of_a_sum() -> None:
    (p,) = run("Germany's new pledge of €500 million for Sudan was welcomed by agencies fighting famine.")
    assert (facts([p]), p.recipient and p.recipient.key) == ([(("DE",), "aid", "€500 million")], "SD")


def test_a_sum_pledged_by_a_giver_without_an_auxiliary() -> None:
    (p,) = run("About €900 million pledged by the EU will go to refugees from Sudan.")
    assert facts([p]) == [(("european-union",), "aid", "€900 million")]


def test_is_to_send_is_a_promise() -> None:
    (p,) = run("Germany is to send 500 troops to Ukraine.")
    assert facts([p]) == [(("DE",), "troops", "500 troops")]


def test_a_loan_agreement_between_two_countries_is_the_first_ones() -> None:
    (p,) = run("The leaders witnessed the signing of a £2 billion loan agreement between the UK and Ukraine.")
    assert (facts([p]), p.recipient and p.recipient.key) == ([(("GB",), "funding", "£2 billion")], "UA")


def test_reaffirming_a_defence_treaty_is_a_security_guarantee() -> None:
    (p,) = run("The United States reaffirmed its commitment to the mutual defence treaty with the Philippines.")
    assert (facts([p]), p.recipient and p.recipient.key) == ([(("US",), "security_guarantees", None)], "PH")


def test_givers_with_the_verb_left_out() -> None:
    found = run("Germany will give another €300 million in humanitarian aid for Sudan, Britain £150 million and "
                "France €100 million.")
    assert facts(found) == [(("DE",), "aid", "€300 million"), (("GB",), "aid", "£150 million"),
                            (("FR",), "aid", "€100 million")]


def test_a_capital_standing_for_its_government() -> None:
    (p,) = run("Washington restored military aid to Kyiv after a week-long pause.")
    assert (keys(p), p.pledge_type, p.recipient and p.recipient.key) == (("US",), "weapons", "UA")
    assert run("In Kyiv, Macron met Starmer.", "Kyiv allies pledge more support.") == []


def test_we_in_a_quote_is_the_speakers_country() -> None:
    (p,) = run("“We will provide €100 million in humanitarian aid for Syria,” Macron said on Monday.")
    assert (facts([p]), p.recipient and p.recipient.key) == ([(("FR",), "aid", "€100 million")], "SY")


def test_a_pronoun_promises_for_the_leader_it_stands_for() -> None:
    (p,) = run("Trump said he had a call with Sheinbaum, in which she agreed to immediately deploy 10,000 "
               "Mexican soldiers to the border.")
    assert facts([p]) == [(("MX",), "troops", "10,000 Mexican soldiers")]


def test_a_promise_to_act_against_smuggling_is_other() -> None:
    (p,) = run("Trump pledged to stem the smuggling of weapons into Mexico.")
    assert (keys(p), p.pledge_type, p.recipient and p.recipient.key) == (("US",), "other", "MX")


def test_the_commission_pledges_for_the_union() -> None:
    (p,) = run("von der Leyen announced that the European Commission will raise its aid commitment to almost "
               "€2.5 billion for Syria.")
    assert facts([p]) == [(("european-union",), "aid", "€2.5 billion")]


def test_a_vague_word_takes_the_articles_subject() -> None:
    (p,) = run("Defence ministers met at the Ukraine Defense Contact Group to coordinate military support.",
               "Pistorius said the Bundestag had cleared the way for EUR 3 billion this year and EUR 8 billion "
               "until 2029, i.e. an additional EUR 11 billion in aid to Ukraine.",
               "Ammunition and air defence remain the priorities of the army.")
    assert facts([p]) == [(("DE",), "weapons", "EUR 11 billion")]


# --- not pledges


@pytest.mark.parametrize("text", [
    "Italy will not deploy soldiers to Ukraine, Meloni's office said.",
    "Germany is considering sending more Patriot systems to Ukraine.",
    "Japan is mulling loans worth $2 billion for Indonesia.",
    "Canada is expected to announce new military aid for Ukraine next week.",
    "France is preparing to send instructors to Ukraine.",
    "Türkiye expressed willingness to contribute troops to a mission in Ukraine, according to people familiar "
    "with the matter.",
    "Rich countries have pledged to mobilise $300 billion a year in climate finance.",
    "Total aid from the EU to Ukraine has reached €50 billion since 2022.",
    "Britain deployed 900 troops to Estonia in 2017 as part of a NATO battlegroup.",
    "Turkey supports the sovereignty and territorial integrity of Ukraine and seeks security guarantees.",
    "EU leaders vowed to step up support for Ukraine.",
    "Rwanda and Congo signed a deal, with the two countries pledging to pull back support for rebels.",
    "The total of pledges reached €5.8 billion, given the lack of contributions from the United States.",
    "Germany announced that it had shot down drones over its territory.",
    "Iran supplies drones to Russia, Western intelligence officials said.",
    "Russia is sending more troops to the front line, Ukrainian officials said.",
    "Israel announced a humanitarian pause in the north.",
    "Iran is preparing missile strikes on Israel.",
    "Sweden could contribute to a peacekeeping force once a peace had been negotiated.",
    "British media have reported that the U.K. could send as many as 10,000 troops.",
    "Starmer declined to commit to sending troops.",
    "Polish officials said Warsaw has no plans to send Polish soldiers to Ukraine.",
    "International donors pledged a combined €5.8 billion in grants and loans for Syria.",
    "Italy was open to considering a contribution to a peacekeeping force.",
    "Canada also announced new sanctions on Russian individuals.",
])
def test_not_pledges(text: str) -> None:
    assert run(text) == []


def test_a_headline_promise_the_body_calls_a_consideration_is_none() -> None:
    assert run("Turkey is considering the possibility of providing troops for a peacekeeping mission in Ukraine.",
               title="Report: Turkey is ready to provide troops for a peacekeeping mission in Ukraine") == []


def test_bad_type_in_data_file_names_the_file(tmp_path, monkeypatch) -> None:
    (tmp_path / "pledge_triggers.toml").write_text('[types]\nbananas = ["banana"]\n')
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path))
    read_toml.cache_clear()
    pledges.rules.cache_clear()
    try:
        with pytest.raises(KgError, match=r"pledge_triggers\.toml.*'bananas' is not a pledge type"):
            pledges.rules()
    finally:
        monkeypatch.delenv("KG_DATA_DIR")
        read_toml.cache_clear()
        pledges.rules.cache_clear()


# --- the trigger scanner finds what the whole regex finds, faster


@pytest.mark.parametrize(("phrase", "words", "prefixes"), [
    ("will", {"will"}, set()),
    ("(?:is|are) (?:also |now )?(?:working on|sending)", {"is", "are"}, set()),
    ("(?:also )?(?:supports|invests in)", {"also", "supports", "invests"}, set()),
    ("troops?", set(), {"troop"}),
    ("(?:pledged|provided)(?= by)", {"pledged", "provided"}, set()),
    ("(?:pledge|commit)(?:s|ted)", set(), {"pledge", "commit"}),
])
def test_first_words_of_a_trigger_phrase(phrase: str, words: set[str], prefixes: set[str]) -> None:
    assert first_words(phrase) == (words, prefixes)


def test_the_scanner_finds_what_the_regex_finds() -> None:
    r = pledges.rules()
    for text in ["France will send troops, and Germany pledged €100 million, while Norway is allocating funds.",
                 "The pledges from Brussels had been pledged by the EU; Japan's plans to invest were approved.",
                 "Nothing here at all, only talks."]:
        assert [(m.span(), m.group()) for m in r.scan.finditer(text)] == [
            (m.span(), m.group()) for m in r.trigger.finditer(text)]


@pytest.mark.parametrize(("text", "amount"), [
    ("pledged 300 million Swedish crowns", "300 million Swedish crowns"),  # a capitalised word before the currency
    ("will send 200 more soldiers won over by the plan", "200 more soldiers"),  # "won" after lower-case words: no sum
    ("will give 2 billion in new rand", None),
])
def test_a_currency_written_out_takes_only_capitalised_words_before_it(text: str, amount: str | None) -> None:
    from kg.extract.pledge_kinds import find_amount

    assert find_amount(text) == amount


# --- what is given decides the type; more ways of giving


@pytest.mark.parametrize(("text", "expected"), [
    # money for soldiers' pay or for officers is money given, not soldiers sent
    ("Japan will provide $60 million to pay the salaries of Lebanese soldiers.", (("JP",), "funding", "$60 million")),
    ("Britain will provide £400 million over three years to France for more officers.",
     (("GB",), "funding", "£400 million")),
    # what is counted is what is given: scholarships for officers are no troops
    ("Japan will fund 300 scholarships for Philippine officers.", (("JP",), "other", "300 scholarships")),
    ("Canada will deploy 300 police officers to Haiti.", (("CA",), "troops", "300 police officers")),
    # food and vaccines are aid, their quantity the amount
    ("Sweden will send 5,000 tonnes of wheat to Sudan.", (("SE",), "aid", "5,000 tonnes of wheat")),
    ("Chile would send 20,000 doses of vaccine to Haiti.", (("CL",), "aid", "20,000 doses")),
    # a financing package is funding, not arms
    ("Norway is ready to provide a $200 million financing package for the power grid.",
     (("NO",), "funding", "$200 million")),
    # more verbs of giving
    ("Canada put 450 million Canadian dollars on the table.", (("CA",), "funding", "450 million Canadian dollars")),
    ("Germany matched that with $100 million.", (("DE",), "funding", "$100 million")),
    ("The European Commission said it would add €50 million to its humanitarian aid for Syria.",
     (("european-union",), "aid", "€50 million")),  # the Commission pledges for the EU
    ("Denmark became the first ally to pay into the scheme, committing €500 million for weapons for Ukraine.",
     (("DK",), "weapons", "€500 million")),
    ("Japan has agreed to place $3 billion in deposits with the central bank of Kenya.",
     (("JP",), "funding", "$3 billion")),
])
def test_what_is_given_and_how(text: str, expected: tuple) -> None:
    assert facts(run(text)) == [expected]


def test_a_country_opening_the_next_clause_is_no_recipient() -> None:
    (p,) = run("France announced up to €1.5 billion, and the Danish government will lift its own share.")
    assert (keys(p), p.recipient) == (("FR",), None)
