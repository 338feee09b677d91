"""Canonical keys: one key per entity however it is written, and checked gazetteers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import link
from kg.datafiles import read_tsv
from kg.errors import KgError
from kg.link import canonical_leader_label, country_ref, leader_key, org_ref, place_ref, slug


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jean-Noël Barrot", "jean-noel-barrot"),
        ("Ursula von der Leyen", "ursula-von-der-leyen"),
        ("  Abdel Fattah  al-Sisi ", "abdel-fattah-al-sisi"),
        ("Coalition of the Willing", "coalition-of-the-willing"),
        ("Straße", "strasse"),
    ],
)
def test_slug_is_ascii_lowercase_hyphenated(name: str, expected: str) -> None:
    assert slug(name) == expected


@pytest.mark.parametrize("name", ["", "   ", "東京", "!!!", "Владимир"])
def test_slug_is_never_empty_and_always_iri_safe(name: str) -> None:
    out = slug(name)
    assert out and re.fullmatch(r"[a-z0-9-]+", out)
    assert slug(name) == out  # stable


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("U.K.", "GB"),
        ("UK", "GB"),
        ("Britain", "GB"),
        ("British", "GB"),
        ("United Kingdom", "GB"),
        ("the United Kingdom", "GB"),
        ("U.S.", "US"),
        ("American", "US"),
        ("the United States", "US"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("South Korea", "KR"),
        ("South Korean", "KR"),
        ("North Korea", "KP"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("the Netherlands", "NL"),
        ("Dutch", "NL"),
        ("Czech Republic", "CZ"),
        ("Palestinian", "PS"),
        ("Kosovo", "XK"),
        ("Holy See", "VA"),
        ("Emirati", "AE"),
        ("Filipino", "PH"),
        ("Philippine", "PH"),
        ("New Zealand", "NZ"),
        ("gb", "GB"),
    ],
)
def test_country_ref_from_names_aliases_and_demonyms(text: str, iso: str) -> None:
    ref = country_ref(text)
    assert ref is not None and ref.kind == "country" and ref.key == iso


def test_country_labels_are_short_english_names() -> None:
    assert country_ref("British") == country_ref("GB")
    assert country_ref("GB").label == "United Kingdom"  # type: ignore[union-attr]
    assert country_ref("Russian").label == "Russia"  # type: ignore[union-attr]
    assert country_ref("Korean") is None  # North or South? not guessed
    assert country_ref("Atlantis") is None


def test_demonyms_cover_the_countries_in_the_news() -> None:
    rows = read_tsv("demonyms.tsv")
    assert len(rows) >= 120
    for row in rows:
        ref = country_ref(row["demonym"])
        assert ref is not None and ref.key == row["iso"], row


@pytest.mark.parametrize(
    ("text", "key", "label"),
    [
        ("EU", "european-union", "European Union"),
        ("the European Union", "european-union", "European Union"),
        ("G7", "group-of-seven", "Group of Seven"),
        ("G-7", "group-of-seven", "Group of Seven"),
        ("coalition of the willing", "coalition-of-the-willing", "Coalition of the Willing"),
        ("North Atlantic Treaty Organization", "nato", "NATO"),
        ("U.N.", "united-nations", "United Nations"),
        ("JEF", "joint-expeditionary-force", "Joint Expeditionary Force"),
        ("Hamas", "hamas", "Hamas"),
        ("Ukraine Defence Contact Group", "ukraine-defense-contact-group", "Ukraine Defense Contact Group"),
        # labels as the gold names them, abbreviations as aliases; blocs and banks of every region
        ("IMF", "imf", "International Monetary Fund"),
        ("OSCE", "osce", "Organisation for Security and Co-operation in Europe"),
        ("G20", "group-of-20", "Group of Twenty"),
        ("MERCOSUR", "mercosur", "Mercosur"),
        ("Caribbean Community", "caricom", "CARICOM"),
        ("EAC", "east-african-community", "East African Community"),
        ("Southern African Development Community", "sadc", "SADC"),
        ("AfDB", "african-development-bank", "African Development Bank"),
        ("AU Commission", "african-union-commission", "African Union Commission"),
        ("Nordic and Baltic states", "nordic-baltic-eight", "Nordic-Baltic Eight"),
    ],
)
def test_org_ref(text: str, key: str, label: str) -> None:
    ref = org_ref(text)
    assert ref is not None and (ref.kind, ref.key, ref.label) == ("org", key, label)


def test_org_ref_unknown() -> None:
    assert org_ref("Society of Friends") is None


def test_place_ref_maps_landmarks_to_their_city() -> None:
    assert place_ref("Downing Street").key == "london"  # type: ignore[union-attr]
    assert place_ref("Elysee Palace").key == "paris"  # type: ignore[union-attr]
    assert place_ref("Great Hall of the People").key == "beijing"  # type: ignore[union-attr]
    for landmark, city in [("Buckingham Palace", "london"), ("Union Buildings", "pretoria"), ("Aso Rock", "abuja"),
                           ("La Moneda", "santiago"), ("Prague Castle", "prague"), ("Rosenbad", "stockholm"),
                           ("Schloss Elmau", "elmau"), ("Évian-les-Bains", "evian"), ("Banff", "banff")]:
        assert place_ref(landmark).key == city  # type: ignore[union-attr]
    assert place_ref("Atlantis") is None


@pytest.mark.parametrize(
    ("name", "iso"),
    [("Kazan", "RU"), ("Addis Ababa", "ET"), ("Bogotá", "CO"), ("Astana", "KZ"), ("Port Moresby", "PG"),
     ("Luanda", "AO"), ("Tianjin", "CN"), ("Belém", "BR"), ("Valletta", "MT"), ("Kigali", "RW")],
)
def test_places_cover_capitals_and_major_cities_of_every_region(name: str, iso: str) -> None:
    ref = place_ref(name)
    assert ref is not None and link.gazetteer().places[ref.key].iso == iso
    assert len(link.gazetteer().places) >= 300


def test_titles_say_whose_officials_speak_for_a_country() -> None:
    titles = link.gazetteer().titles
    assert titles["envoy"].acts and titles["vice president"].acts and titles["deputy prime minister"].acts
    assert titles["deputy prime minister"].role == "minister"  # vice premiers are cabinet-rank leaders
    assert titles["vice president"].role == link.NOT_A_LEADER
    assert not titles["general"].acts
    assert titles["counterpart"].role == link.PEER_ROLE


@pytest.mark.parametrize(
    "name", ["Zelensky", "Zelenskyy", "Zelenskiy", "Volodymyr Zelenskyy", "President Zelenskiy", "Zelensky's"]
)
def test_leader_key_maps_spelling_variants_to_one_key(name: str) -> None:
    assert leader_key(name) == "volodymyr-zelensky"


def test_leader_key_knows_leaders_and_officials_of_every_region() -> None:
    assert leader_key("Pashinian") == leader_key("Nikol Pashinyan")
    assert leader_key("Joao Lourenco") == leader_key("João Lourenço")
    assert leader_key("López Obrador") == "andres-manuel-lopez-obrador"
    assert link.known_leader("Moussa Faki").org == "african-union-commission"  # type: ignore[union-attr]
    assert link.known_leader("Ajit Doval").role == link.NOT_A_LEADER  # type: ignore[union-attr]


def test_leader_key_variants_of_arabic_names() -> None:
    assert leader_key("Abdel Fattah al-Sisi") == leader_key("Abdel Fattah el-Sisi") == leader_key("el-Sisi")
    assert leader_key("Sheikh Mohammed bin Abdulrahman Al Thani") == "mohammed-bin-abdulrahman-al-thani"


def test_leader_key_strips_honorifics_and_falls_back_to_slug() -> None:
    assert leader_key("Sir Keir Starmer KCB KC MP") == "keir-starmer"
    assert leader_key("Aino Virtanen") == "aino-virtanen"


def test_canonical_leader_label() -> None:
    assert canonical_leader_label(leader_key("Zelenskiy")) == "Volodymyr Zelensky"
    assert canonical_leader_label("jean-noel-barrot") == "Jean-Noël Barrot"
    assert canonical_leader_label("nobody-known") is None


def test_every_known_leader_role_is_a_vocabulary_notation() -> None:
    from kg.vocab import LEADER_ROLES

    g = link.gazetteer()
    assert len(g.leaders) >= 100
    assert all(e.role in LEADER_ROLES or e.role == link.NOT_A_LEADER for e in g.leaders.values())


# ---------------------------------------------------------------- user data files and their errors


@pytest.fixture
def user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path))
    link.reload()
    yield tmp_path
    monkeypatch.delenv("KG_DATA_DIR")
    link.reload()


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_user_files_extend_the_gazetteers(user_data: Path) -> None:
    _write(user_data, "demonyms.tsv", "demonym\tiso\nKiwi\tNZ\n")
    _write(
        user_data,
        "leaders.tsv",
        "key\tlabel\tcountry\torg\trole\taliases\tqid\n"
        "aino-virtanen\tAino Virtanen\tFI\t\tprime_minister\tVirtanen\t\n",
    )
    assert country_ref("Kiwi").key == "NZ"  # type: ignore[union-attr]
    assert country_ref("Polish").key == "PL"  # type: ignore[union-attr]  # shipped entries still there
    assert canonical_leader_label(leader_key("Virtanen")) == "Aino Virtanen"


def test_user_titles_and_former_cues_need_no_new_columns(user_data: Path) -> None:
    from kg.extract.titles import former_cue

    _write(user_data, "titles.tsv", "title\trole\thead\nHetman\tpresident\t\n")
    _write(user_data, "former_cues.tsv", "cue\ndisgraced\n")
    title = link.gazetteer().titles["hetman"]
    assert (title.role, title.acts) == ("president", False)
    assert former_cue(1).search("the disgraced ")


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            "demonyms.tsv",
            "demonym\tiso\n# c\nMartian\tMX\nPlutonian\tZZ\n",
            "demonyms.tsv:4: unknown country code 'ZZ'",
        ),
        ("titles.tsv", "title\trole\thead\nWarlord\tboss\t\n", "titles.tsv:2: unknown role 'boss'"),
        ("titles.tsv", "title\trole\thead\tacts\nWarlord\tboss\t\tyes\n", "titles.tsv:2: unknown role 'boss'"),
        (
            "leaders.tsv",
            "key\tlabel\tcountry\torg\trole\taliases\tqid\nx-y\tX Y\t\tnope\tpresident\t\t\n",
            "leaders.tsv:2: unknown organisation 'nope'",
        ),
        (
            "leaders.tsv",
            "key\tlabel\tcountry\torg\trole\taliases\tqid\nx-y\tX Y\tFR\t\tpresident\t\t42\n",
            "leaders.tsv:2: bad Wikidata id '42'",
        ),
        (
            "leaders.tsv",
            "key\tlabel\tcountry\torg\trole\taliases\tqid\nX Y\tX Y\tFR\t\tpresident\t\t\n",
            "leaders.tsv:2: key 'X Y' is not a slug",
        ),
        (
            "organizations.tsv",
            "key\tlabel\taliases\tkind\tanaphors\thead_role\nabc\tABC\t\tbody\t\tking\n",
            "organizations.tsv:2: unknown head_role 'king'",
        ),
        (
            "places.tsv",
            "key\tlabel\tiso\taliases\tcontext\natlantis\tAtlantis\tQQ\t\t\n",
            "places.tsv:2: unknown country code 'QQ'",
        ),
        ("honorifics.tsv", "word\tposition\nSir\tmiddle\n", "honorifics.tsv:2: bad position 'middle'"),
        ("country_aliases.tsv", "alias\tiso\nFoo\tFR\n", "country_aliases.tsv:1: missing column 'context'"),
        ("demonyms.tsv", "demonym\tiso\nMartian\tMX\textra\n", "wrong number of columns"),
    ],
)
def test_bad_gazetteer_rows_give_one_line_errors_naming_file_and_line(
    user_data: Path, file: str, text: str, message: str
) -> None:
    _write(user_data, file, text)
    with pytest.raises(KgError) as err:
        link.gazetteer()
    assert message in err.value.message
    assert str(user_data) in err.value.message
    assert "\n" not in err.value.message


def test_british_style_nato_is_nato() -> None:
    from kg.link import org_ref

    ref = org_ref("Nato")
    assert ref is not None and ref.key == "nato"
