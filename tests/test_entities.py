"""find_entities: sentences in, the leaders, countries, organisations and places they name out.

Most people here are invented, so the title patterns are tested, not the gazetteer.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from kg.extract.entities import find_entities
from kg.model import Article, EntityIndex

DATA = Path(__file__).parent / "data" / "entities"


def index(*paragraphs: str, title: str = "") -> EntityIndex:
    return find_entities(
        Article(source="t.txt", title=title, paragraphs=paragraphs, published=datetime(2025, 3, 1))
    )


def mentions(idx: EntityIndex) -> list[tuple[str, str, str, str]]:
    return [(m.text, m.ref.kind, m.ref.key, m.via) for m in idx.mentions]


def leaders(idx: EntityIndex) -> dict[str, tuple[str, str | None, str | None, str | None]]:
    return {k: (v.name, v.role, v.country, v.organization) for k, v in idx.leaders.items()}


# ---------------------------------------------------------------- leaders from titles


@pytest.mark.parametrize(
    ("sentence", "key", "expected"),
    [
        (
            "Finnish President Aino Virtanen arrived.",
            "aino-virtanen",
            ("Aino Virtanen", "president", "FI", None),
        ),
        (
            "Poland's Prime Minister Jan Kowalczyk spoke.",
            "jan-kowalczyk",
            ("Jan Kowalczyk", "prime_minister", "PL", None),
        ),
        (
            "U.K. Prime Minister Tom Example said so.",
            "tom-example",
            ("Tom Example", "prime_minister", "GB", None),
        ),
        (
            "Japan's new Prime Minister Aiko Sato met him.",
            "aiko-sato",
            ("Aiko Sato", "prime_minister", "JP", None),
        ),
        (
            "President Ana Pereira of Portugal visited.",
            "ana-pereira",
            ("Ana Pereira", "president", "PT", None),
        ),
        (
            "Lena Berg, Sweden's foreign minister, said no.",
            "lena-berg",
            ("Lena Berg", "foreign_minister", "SE", None),
        ),
        (
            "He met the Prime Minister of India, Ravi Kumar.",
            "ravi-kumar",
            ("Ravi Kumar", "prime_minister", "IN", None),
        ),
        (
            "Prime Minister of India Ravi Kumar accepted.",
            "ravi-kumar",
            ("Ravi Kumar", "prime_minister", "IN", None),
        ),
        (
            "NATO Secretary General Erik Solberg warned.",
            "erik-solberg",
            ("Erik Solberg", "secretary_general", None, "nato"),
        ),
        (
            "European Commission President Ursula von der Leyen spoke.",
            "ursula-von-der-leyen",
            ("Ursula von der Leyen", "commission_president", None, "european-commission"),
        ),
        (
            "U.S. Secretary of State Jo Rivera flew in.",
            "jo-rivera",
            ("Jo Rivera", "foreign_minister", "US", None),
        ),
        (
            "German Defence Minister Karl Brandt agreed.",
            "karl-brandt",
            ("Karl Brandt", "defence_minister", "DE", None),
        ),
        (
            "Egyptian President Abdel Fattah al-Sisi called.",
            "abdel-fattah-al-sisi",
            ("Abdel Fattah al-Sisi", "president", "EG", None),
        ),
        (
            "Philippine President Ferdinand Marcos Jr. said.",
            "ferdinand-marcos-jr",
            ("Ferdinand Marcos Jr.", "president", "PH", None),
        ),
        (
            "U.S. President Donald J. Trump spoke.",
            "donald-trump",
            ("Donald J. Trump", "president", "US", None),
        ),
        (
            "EU foreign policy chief Kaja Kallas opened it.",
            "kaja-kallas",
            ("Kaja Kallas", "head_of_organization", None, "european-union"),
        ),
    ],
)
def test_title_patterns_make_leaders(sentence: str, key: str, expected: tuple) -> None:
    assert leaders(index(sentence)) == {key: expected}


def test_leader_phrase_is_one_mention_and_its_demonym_no_country_mention() -> None:
    idx = index("French President Emmanuel Macron met Polish Prime Minister Jan Kowalczyk's team.")
    assert mentions(idx) == [
        ("French President Emmanuel Macron", "leader", "emmanuel-macron", "name"),
        ("Polish Prime Minister Jan Kowalczyk", "leader", "jan-kowalczyk", "name"),
    ]


def test_spelling_variants_are_one_leader_with_the_fullest_name() -> None:
    idx = index("Zelenskiy arrived.", "President Volodymyr Zelenskyy then met Zelensky's aides.")
    assert list(idx.leaders) == ["volodymyr-zelensky"]
    assert idx.leaders["volodymyr-zelensky"].name == "Volodymyr Zelenskyy"
    assert idx.leaders["volodymyr-zelensky"].country == "UA"
    assert [m.ref.key for m in idx.mentions] == ["volodymyr-zelensky"] * 3


def test_al_and_el_spellings_are_one_leader() -> None:
    idx = index("Egyptian President Abdel Fattah el-Sisi spoke.", "Later al-Sisi left.")
    assert list(idx.leaders) == ["abdel-fattah-al-sisi"]


def test_surname_after_full_name_is_the_same_leader() -> None:
    idx = index("Polish Prime Minister Jan Kowalczyk arrived.", "Kowalczyk said Poland was ready.")
    assert ("Kowalczyk", "leader", "jan-kowalczyk", "surname") in mentions(idx)


def test_honorific_first_name_refers_back() -> None:
    idx = index(
        "Qatari Prime Minister Sheikh Mohammed bin Abdulrahman Al Thani said so.",
        "Sheikh Mohammed, who also serves as foreign minister, added more.",
    )
    keys = [m.ref.key for m in idx.mentions if m.ref.kind == "leader"]
    assert keys == ["mohammed-bin-abdulrahman-al-thani"] * 2
    assert idx.leaders["mohammed-bin-abdulrahman-al-thani"].name == "Mohammed bin Abdulrahman Al Thani"


@pytest.mark.parametrize(
    "ref", ["The British prime minister", "The Prime Minister", "Britain's prime minister"]
)
def test_title_only_reference_resolves_to_the_leader(ref: str) -> None:
    idx = index("U.K. Prime Minister Tom Example met Finnish President Aino Virtanen.", f"{ref} said so.")
    last = idx.mentions[-1]
    assert (last.text, last.ref.key, last.via) == (ref, "tom-example", "title")


def test_title_only_reference_takes_the_most_recent_matching_leader() -> None:
    idx = index("Prime Minister Jan Kowalczyk met Prime Minister Tom Example.", "The Prime Minister said so.")
    assert idx.mentions[-1].ref.key == "tom-example"


def test_unresolvable_title_reference_is_not_a_leader() -> None:
    idx = index("The French president is expected to travel.")
    assert idx.leaders == {}
    assert mentions(idx) == [("French", "country", "FR", "demonym")]


@pytest.mark.parametrize(
    "sentence",
    [
        "U.S. envoy Steve Witkoff joined.",
        "Special Envoy Jane Doe joined.",
        "Vice President Sam Lee joined.",
        "Former President Joe Biden spoke.",
        "A spokesperson for the ministry said.",
        "General Ivan Petrov said.",
        "EU Commissioner Marta Kos said.",
        "Deputy Foreign Minister Olga Stefanyshyna said.",
        "Iran's Deputy Legal and International Affairs Minister Reza Karimi said.",
        "His Indian counterpart Lt Gen Arjun Rao joined.",
        "Summit President Ali Guliyev closed the talks.",
    ],
)
def test_non_leaders_are_not_leaders(sentence: str) -> None:
    assert index(sentence).leaders == {}


def test_former_leader_stays_out_even_when_named_again() -> None:
    assert index("Former President Joe Biden spoke.", "Biden said more.").leaders == {}


def test_envoy_keeps_the_country_mention() -> None:
    assert ("U.S.", "country", "US", "alias") in mentions(index("U.S. envoy Steve Witkoff joined."))


# ---------------------------------------------------------------- leaders in real news


@pytest.mark.parametrize(
    ("sentence", "key", "expected"),
    [
        (  # vice premiers and deputy prime ministers are cabinet-rank leaders
            "Russia's Deputy Prime Minister Ivan Petrov received him.",
            "ivan-petrov",
            ("Ivan Petrov", "minister", "RU", None),
        ),
        (
            "He was met by Deputy Prime Minister of Russia Ivan Petrov.",
            "ivan-petrov",
            ("Ivan Petrov", "minister", "RU", None),
        ),
        (  # "EAM" for India's External Affairs Minister
            "India's EAM Ravi Menon flew in.",
            "ravi-menon",
            ("Ravi Menon", "foreign_minister", "IN", None),
        ),
        (  # portfolio words between the demonym and the title
            "Canadian Industry Minister Claire Dubois travelled too.",
            "claire-dubois",
            ("Claire Dubois", "minister", "CA", None),
        ),
        (  # "Deputy PM and Foreign Minister": the second office is a leader's
            "Pakistan's Deputy PM and Foreign Minister Omar Qadir arrived.",
            "omar-qadir",
            ("Omar Qadir", "foreign_minister", "PK", None),
        ),
        (  # heads of development banks and of the AU Commission: no country
            "African Development Bank President Amara Diallo spoke.",
            "amara-diallo",
            ("Amara Diallo", "head_of_organization", None, "african-development-bank"),
        ),
        (
            "African Union Commission (AUC) Chairperson Idriss Kone opened it.",
            "idriss-kone",
            ("Idriss Kone", "head_of_organization", None, "african-union-commission"),
        ),
        (  # a counterpart with a country is a minister-level leader; the name may follow a comma
            "His Congolese counterpart, Marie Kabeya, signed too.",
            "marie-kabeya",
            ("Marie Kabeya", "minister", "CD", None),
        ),
        (  # the country in brackets after the name
            "President Sidi Ould Baba (Mauritania) spoke first.",
            "sidi-ould-baba",
            ("Sidi Ould Baba", "president", "MR", None),
        ),
        (  # the Holy See's foreign minister, with a church honorific
            "The Vatican's Secretary for Relations with States, Archbishop Luca Moretti, joined.",
            "luca-moretti",
            ("Luca Moretti", "foreign_minister", "VA", None),
        ),
    ],
)
def test_real_news_titles_make_leaders(sentence: str, key: str, expected: tuple) -> None:
    assert leaders(index(sentence)) == {key: expected}


def test_family_name_first_short_form_is_the_same_leader() -> None:
    idx = index(
        "South Korean President Park Min-jun arrived in Tokyo.", "Park and his host talked. President Park left."
    )
    assert list(idx.leaders) == ["park-min-jun"]
    assert [m.text for m in idx.mentions if m.ref.kind == "leader"] == [
        "South Korean President Park Min-jun", "Park", "President Park"
    ]


@pytest.mark.parametrize(
    ("paragraphs", "key"),
    [
        (("Colombian President Mateo Rojas flew in.", "The President of Colombia, Mateo Rojas Urrego, met him."),
         "mateo-rojas-urrego"),
        (("Chinese President Wen Jianguo spoke.", "Wen Jiangguo later met the envoy."), "wen-jianguo"),
        (("Prime Minister Rahim Khanzada arrived.", "PM Rahim then met the host."), "rahim-khanzada"),
        (("Philippine President Ferdinand R. Marcos Jr. arrived.",), "ferdinand-marcos-jr"),
    ],
)
def test_spellings_of_one_name_in_one_article_are_one_leader(paragraphs: tuple[str, ...], key: str) -> None:
    assert list(index(*paragraphs).leaders) == [key]


@pytest.mark.parametrize(
    "sentence",
    [
        "Talks were held at the King Faisal Center for Research.",  # named after a king, not the king
        "He thanked the Crown Prince of Abu Dhabi Sheikh Khaled bin Mohamed bin Zayed Al Nahyan.",  # the son
        "They recalled the impeachment of conservative President Han Seo-jun last year.",
        "The donors met after the removal of President Omar Hadi in December.",
        "Germany pledged more, according to German Foreign Minister Ann",  # cut off by the excerpt's end
        "The PM India-Pakistan ceasefire held.",
    ],
)
def test_real_news_non_leaders(sentence: str) -> None:
    assert index(sentence).leaders == {}


def test_a_listed_leader_not_yet_in_office_is_no_leader() -> None:
    idx = index("Tusk called Friedrich Merz, the politician expected to replace the chancellor.", "Merz agreed.")
    assert list(idx.leaders) == ["donald-tusk"]


@pytest.mark.parametrize(
    ("title", "body", "names"),
    [
        (  # a Title Case headline: a capitalised verb after a listed name is no surname
            "President Trump Pulls Chair For PM Modi At White House",
            "The two leaders met on Thursday.",
            {"Trump", "Modi"},
        ),
        (  # a dateline in capitals between two names
            "Modi heads east",
            "He will meet President Lena Marsh ISTANBUL Indian Prime Minister Narendra Modi left on Thursday.",
            {"Lena Marsh", "Narendra Modi"},
        ),
    ],
)
def test_headline_verbs_and_datelines_are_not_part_of_names(title: str, body: str, names: set[str]) -> None:
    assert {v.name for v in index(body, title=title).leaders.values()} == names


# ---------------------------------------------------------------- countries, organisations, places


def test_country_names_aliases_and_demonyms() -> None:
    idx = index(
        "Britain and the Netherlands sent British troops; the U.S. and Türkiye watched Polish officials."
    )
    assert [(t, k, v) for t, _, k, v in mentions(idx)] == [
        ("Britain", "GB", "alias"),
        ("the Netherlands", "NL", "alias"),
        ("British", "GB", "demonym"),
        ("U.S.", "US", "alias"),
        ("Türkiye", "TR", "alias"),
        ("Polish", "PL", "demonym"),
    ]
    assert {c.iso: c.name for c in idx.countries.values()} == {
        "GB": "United Kingdom",
        "NL": "Netherlands",
        "US": "United States",
        "TR": "Türkiye",
        "PL": "Poland",
    }


def test_ambiguous_country_names_need_context() -> None:
    assert mentions(index("Michael Jordan and Jordan Peterson met.")) == []
    assert mentions(index("Jordan said it would help.")) == [("Jordan", "country", "JO", "alias")]


def test_organisations_and_anaphors() -> None:
    idx = index(
        "The coalition met.",
        "Leaders of the coalition of the willing, the EU and the G7 met.",
        "The coalition will meet again; the bloc agreed.",
    )
    assert [(t, k) for t, kind, k, _ in mentions(idx) if kind == "org"] == [
        ("coalition of the willing", "coalition-of-the-willing"),
        ("EU", "european-union"),
        ("G7", "group-of-seven"),
        ("The coalition", "coalition-of-the-willing"),
        ("the bloc", "european-union"),
    ]
    assert idx.organizations["coalition-of-the-willing"].name == "Coalition of the Willing"


def test_places_have_their_country() -> None:
    idx = index("They met at the Elysee Palace and then in Riyadh.")
    assert [(m.text, m.ref.key) for m in idx.mentions] == [("Elysee Palace", "paris"), ("Riyadh", "riyadh")]
    assert idx.places["riyadh"].country == "SA" and "SA" in idx.countries


# ---------------------------------------------------------------- acting countries


@pytest.mark.parametrize(
    ("sentence", "acting"),
    [
        ("Polish officials said Warsaw has no plans to send soldiers.", {"PL"}),
        ("Italy will not deploy its own soldiers.", {"IT"}),
        ("Sweden could contribute to a force.", {"SE"}),
        ("Hungary said it would not sign.", {"HU"}),
        ("The German government declined to comment.", {"DE"}),
        ("Mediators from Egypt, Qatar and Turkey worked on it.", {"EG", "QA", "TR"}),
        ("Russia launched missiles at Ukraine overnight.", set()),
        ("The war in Ukraine continued as Russian forces advanced.", set()),
        ("Europe must deter Russia from attacking Ukraine again.", set()),
        # every country of a list acts with it
        ("France and Poland are fiercely opposed to the deal.", {"FR", "PL"}),
        ("Several countries, including Chile, Peru and Canada, voiced concerns.", {"CL", "PE", "CA"}),
        ("Qatari and Egyptian mediators passed the message.", {"QA", "EG"}),
        ("Government chiefs from Iraq and Pakistan attended.", {"IQ", "PK"}),
        ("Russian forces hit Ukraine, and Lithuanian officials said the jets were welcome.", {"LT"}),
        # givers
        ("Around $300 million was provided by the United States.", {"US"}),
        ("It included about €300 million from Germany and €192 million from Britain.", {"DE", "GB"}),
        ("The deal was brokered by Qatar and the African Union.", {"QA"}),
        # officials without a name, or who are no leaders
        ("Putin told him about his calls with the president of Iran and the prime minister of Israel.", {"IR", "IL"}),
        ("The U.S. envoy and the Iranian deputy foreign minister met.", {"US", "IR"}),
        ("He thanked the Crown Prince of Abu Dhabi for hosting.", {"AE"}),
        ("According to the White House, the two sides agreed.", {"US"}),
        # where a meeting takes place
        ("It followed a meeting on economic and trade affairs in Geneva.", {"CH"}),
        ("He landed after wrapping up a two-day visit to Japan.", {"JP"}),
        ("He will leave for Vienna later in the evening.", {"AT"}),
        ("The Armenian readout of the Abu Dhabi talks said little.", {"AE"}),
        ("They agreed at a meeting in the Russian city of Kazan.", {"RU"}),
        ("They held talks on the war in Ukraine.", set()),
        ("Troops left in Ukraine were resupplied.", set()),
        # a list's first item must start a clause: an object before "and" does not act
        ("Russia attacked Ukraine and Poland said it would help.", {"PL"}),
        ("It will use $5 billion from Russia's frozen assets.", set()),
        ("There was a lack of contributions from Brazil.", set()),
        # a government that frees or releases prisoners decides
        ("Under the deal, Israel freed about 1,900 detainees.", {"IL"}),
        ("Belarus released 14 prisoners after the talks.", {"BY"}),
    ],
)
def test_acting_countries(sentence: str, acting: set[str]) -> None:
    assert index(sentence).acting == acting


# ---------------------------------------------------------------- invariants, speed, golden articles


def test_mentions_are_ordered_non_overlapping_and_registered(articles_dir: Path) -> None:
    from kg.read import read_article

    for path in sorted(articles_dir.iterdir()):
        idx = find_entities(read_article(path))
        text = read_article(path).text
        ends = 0
        for m in idx.mentions:
            assert m.span.start >= ends and text[m.span.start : m.span.end] == m.text, (path.name, m)
            ends = m.span.end
            keys: dict[str, set[str]] = {
                "leader": set(idx.leaders),
                "country": set(idx.countries),
                "org": set(idx.organizations),
                "place": set(idx.places),
            }
            assert m.ref.key in keys[m.ref.kind], (path.name, m)
        assert idx.acting <= set(idx.countries)


@pytest.mark.parametrize("case", sorted(p.name for p in DATA.iterdir()) if DATA.is_dir() else [])
def test_golden_articles(case: str) -> None:
    folder = DATA / case
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    blocks = (folder / "article.txt").read_text(encoding="utf-8").strip().split("\n\n")
    idx = find_entities(Article(source=f"{case}.txt", title=blocks[0], paragraphs=tuple(blocks[1:])))
    got = {
        "leaders": {
            k: {"name": v.name, "role": v.role, "country": v.country, "organization": v.organization}
            for k, v in sorted(idx.leaders.items())
        },
        "acting": sorted(idx.acting),
        "organizations": sorted(idx.organizations),
    }
    assert got == expected, json.dumps(got, indent=1, ensure_ascii=False)


# ---------------------------------------------------------------- countries of ministers listed together


def test_a_minister_listed_with_one_of_known_country_serves_the_same_government() -> None:
    idx = index("Foreign Minister Ishaq Dar and Finance Minister Muhammad Aurangzeb are accompanying the premier.")
    assert idx.leaders["muhammad-aurangzeb"].country == "PK"
    idx = index("Finance Minister Muhammad Aurangzeb met reporters.")
    assert idx.leaders["muhammad-aurangzeb"].country is None  # nothing says which government


# ---------------------------------------------------------------- cities the place gazetteer does not list


@pytest.mark.parametrize(("sentence", "place"), [
    ("Albanese and Luxon met in Queenstown on Saturday.", "queenstown"),
    ("Macron and Merz will meet in Toulon next month.", "toulon"),
    ("Lula travelled to Santa Marta for the summit.", "santa-marta"),
])
def test_a_city_after_a_locative_word_is_a_place(sentence: str, place: str) -> None:
    assert [m.ref.key for m in index(sentence).mentions if m.ref.kind == "place"] == [place]


@pytest.mark.parametrize("sentence", [
    "Putin was greeted at Kim Il Sung Square on Wednesday.",  # a longer name that starts like a city
    "Putin visited Kim in Pyongyang.",  # a person visited, not a place (Pyongyang is listed)
    "The talks were held in March.",
    "Zelensky travelled to Sandringham in Norfolk.",  # the English county, not Norfolk, Virginia
])
def test_no_world_city_where_the_name_is_something_else(sentence: str) -> None:
    keys = [m.ref.key for m in index(sentence).mentions if m.ref.kind == "place"]
    assert keys in ([], ["pyongyang"], ["sandringham"])


def test_a_city_name_several_countries_share_is_placed_in_the_one_the_article_names() -> None:
    idx = index("Leaders of Australia and New Zealand met in Queenstown.")
    assert idx.places["queenstown"].country is None  # GeoNames' Queenstowns are in South Africa and Britain
    idx = index("South African President Cyril Ramaphosa spoke in Queenstown.")
    assert idx.places["queenstown-za"].country == "ZA"


def test_countries_that_mediate_block_or_abstain_act() -> None:
    idx = index("Egypt, Qatar and the United States have been mediating between Israel and Hamas. "
                "Germany backed a new proposal, while Hungary blocked it and Austria abstained.")
    assert {"EG", "QA", "US", "DE", "HU", "AT"} <= idx.acting
    assert not {"IL"} & idx.acting  # the sides mediated between only appear


@pytest.mark.parametrize(("sentence", "key", "expected"), [
    ("Kenya's Foreign Affairs Cabinet Secretary Musalia Mudavadi met reporters.", "musalia-mudavadi",
     ("Musalia Mudavadi", "foreign_minister", "KE", None)),
    ("Burkina Faso's junta leader Captain Ibrahim Traoré arrived on Monday.", "ibrahim-traore",
     ("Ibrahim Traoré", "president", "BF", None)),
])
def test_offices_named_in_other_words(sentence: str, key: str, expected: tuple) -> None:
    assert leaders(index(sentence))[key] == expected


@pytest.mark.parametrize("sentence", [
    "Ontario Premier Doug Ford met reporters in Toronto.",  # a province's premier
    "Cambodian Senate President Hun Sen met reporters.",  # a chamber's president
    "Scottish First Minister John Swinney met reporters.",
])
def test_heads_of_provinces_and_chambers_are_no_leaders(sentence: str) -> None:
    assert leaders(index(sentence)) == {}


def test_a_listed_minister_styled_prince_is_still_the_minister() -> None:
    idx = index("Iran's foreign minister met Saudi Crown Prince Mohammed bin Salman in Jeddah on Tuesday, a day "
                "after holding talks with his Saudi counterpart Prince Faisal bin Farhan.")
    assert "faisal-bin-farhan" in idx.leaders
    assert leaders(index("Prince William met reporters in London.")) == {}


# ---------------------------------------------------------------- leaders listed after a plural title


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The summit drew nine heads of state, among them Senegal's Amadou Diallo and Ghana's Kofi Mensah.",
     {"amadou-diallo": ("Amadou Diallo", "president", "SN", None),
      "kofi-mensah": ("Kofi Mensah", "president", "GH", None)}),
    ("It brought together the presidents of the bloc's members: Ana Quispe, Tomas Rivera of Chile and "
     "Marta Sol of Bolivia.",
     {"ana-quispe": ("Ana Quispe", "president", None, None),  # two holders of one office: no shared country
      "tomas-rivera": ("Tomas Rivera", "president", "CL", None),
      "marta-sol": ("Marta Sol", "president", "BO", None)}),
    ("Prime Ministers Lena Holm (Sweden) and Jonas Berg (Norway) signed the accord.",
     {"lena-holm": ("Lena Holm", "prime_minister", "SE", None),
      "jonas-berg": ("Jonas Berg", "prime_minister", "NO", None)}),
])
def test_names_listed_after_a_plural_title_are_leaders(sentence: str, expected: dict) -> None:
    assert leaders(index(sentence)) == expected


@pytest.mark.parametrize("sentence", [
    "The presidents met in Lima.",  # no names
    "Presidents of the clubs, Ana Quispe and Tomas Rivera, spoke.",  # no item says whose office it is
])
def test_a_plural_title_without_a_list_of_countries_names_no_one(sentence: str) -> None:
    assert index(sentence).leaders == {}


@pytest.mark.parametrize(("sentence", "expected"), [
    ("President Dr. Ama Kwarteng opened the session.", ("Ama Kwarteng", "president", None, None)),
    ("The Minister for Finance, Dr. Kojo Boateng, attended.", ("Kojo Boateng", "finance_minister", None, None)),
    ("He received the Minister of Foreign Affairs of The Bahamas, Mr. Fred Lyle, on Monday.",
     ("Fred Lyle", "foreign_minister", "BS", None)),
])
def test_an_honorific_between_title_and_name_is_skipped(sentence: str, expected: tuple) -> None:
    assert list(leaders(index(sentence)).values()) == [expected]


def test_a_headline_in_capitals_names_no_one_but_the_body_does() -> None:
    idx = index("President Ama Kwarteng spoke with Prime Minister Yaw Boadu of Togo.",
                title="PRESIDENT KWARTENG, TOGO'S PRIME MINISTER BOADU HOLD TELEPHONE TALKS")
    assert {v.name for v in idx.leaders.values()} == {"Ama Kwarteng", "Yaw Boadu"}


def test_a_name_before_an_apposition_stops_at_the_sentence_end() -> None:
    idx = index("Talks were led by Togo's President Yaw Boadu. Lina Moss, chairperson of the African Union Commission, "
                "attended as a guest.")
    assert {v.name for v in idx.leaders.values()} == {"Yaw Boadu", "Lina Moss"}


def test_a_family_name_in_capitals_first_is_one_leader_with_its_short_form() -> None:
    # Japan's foreign ministry writes "Mr. TANAKA Hiroshi"; the story then says "Minister Tanaka"
    idx = index("Mr. TANAKA Hiroshi, Minister for Foreign Affairs of Japan, met the delegation.",
                "Foreign Minister Tanaka said the talks were useful.")
    assert [(v.name, v.country) for v in idx.leaders.values()] == [("TANAKA Hiroshi", "JP")]
    idx = index("Mr. KISHIDA Fumio, Prime Minister of Japan, visited Kyiv.", "Prime Minister Kishida left.")
    assert list(idx.leaders) == ["fumio-kishida"]
