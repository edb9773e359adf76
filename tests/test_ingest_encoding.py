"""Encoding guesses on short real-looking samples, and CSV decoding with and without one."""

from __future__ import annotations

import pytest

from humansec.errors import IngestError
from humansec.ingest.encoding import decode_text_file, guess_encoding

OBLASTS_UK = "Київська, Львівська, Одеська, Харківська"
OBLASTS_RU = "Николаевская область; Севастополь"
PREFECTURES_JA = "東京都 大阪府 北海道"


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (OBLASTS_UK, "cp1251", "cp1251"),
        ("Київська", "cp1251", "cp1251"),
        ("Суми", "cp1251", "cp1251"),
        (OBLASTS_RU, "cp1251", "cp1251"),
        (OBLASTS_RU, "koi8_r", "koi8_r"),
        (PREFECTURES_JA, "shift_jis", "shift_jis"),
        ("キーウ州 リヴィウ州", "shift_jis", "shift_jis"),
        ("Łódź, Gdańsk, Świętokrzyskie", "cp1250", "cp1250"),
        ("Côte d'Ivoire, Réunion, Zürich", "cp1252", "cp1252"),
        ("بغداد الموصل البصرة", "cp1256", "cp1256"),
    ],
)
def test_short_samples_are_guessed_right(text: str, codec: str, expected: str) -> None:
    guessed, confident = guess_encoding(text.encode(codec))
    assert guessed == expected
    assert confident
    assert text.encode(codec).decode(guessed) == text


def test_utf8_ascii_and_boms() -> None:
    assert guess_encoding(b"id,name\n1,Kyiv\n") == ("utf-8", True)
    assert guess_encoding(OBLASTS_UK.encode()) == ("utf-8", True)
    assert guess_encoding(b"\xef\xbb\xbfa") == ("utf-8-sig", True)
    assert guess_encoding("a,b".encode("utf-16")) == ("utf-16", True)


def test_all_caps_cyrillic_is_read_but_not_confident() -> None:
    # Upper-case cp1251 is lower-case KOI8-R: no case pattern tells them apart.
    guessed, confident = guess_encoding("МОСКВА".encode("cp1251"))
    assert guessed == "cp1251"
    assert not confident


def test_dbf_like_bytes_passed_through_latin1() -> None:
    # The shapefile reader reads DBF text as latin1 and hands back .encode("latin1").
    raw = "UA01      Автономна Республіка Крим      UA05      Вінницька   ".encode("cp1251")
    as_read = raw.decode("latin1").encode("latin1")
    assert guess_encoding(as_read)[0] == "cp1251"


def test_decode_guessed_file_warns_with_example() -> None:
    data = "id;name\n1;Київська область\n".encode("cp1251")
    text, used, finding = decode_text_file(data, encoding=None)
    assert used == "cp1251"
    assert "Київська" in text
    assert finding is not None
    assert finding.severity == "warning"
    assert "cp1251" in finding.message
    assert "--encoding" in finding.message


def test_decode_utf8_has_no_finding_and_drops_bom() -> None:
    text, used, finding = decode_text_file(b"\xef\xbb\xbfid,name\n1,x\n", encoding=None)
    assert text.startswith("id,")
    assert used == "utf-8-sig"
    assert finding is None
    text, used, _ = decode_text_file(b"\xef\xbb\xbfid\n", encoding="UTF-8")
    assert text == "id\n"


def test_decode_with_given_encoding() -> None:
    data = PREFECTURES_JA.encode("shift_jis")
    assert decode_text_file(data, encoding="shift_jis")[:2] == (PREFECTURES_JA, "shift_jis")


def test_decode_refuses_wrong_or_unknown_encoding() -> None:
    with pytest.raises(IngestError, match="not valid utf-8"):
        decode_text_file("Київ".encode("cp1251"), encoding="utf-8")
    with pytest.raises(IngestError, match="Unknown text encoding"):
        decode_text_file(b"a", encoding="klingon")
