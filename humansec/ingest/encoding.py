"""Which text encoding a file's bytes are in, when the file does not say.

Shapefiles without a ``.cpg`` and CSVs carry no encoding. Strict UTF-8 is tried first (most
files are UTF-8 or plain ASCII, and random bytes of another encoding almost never decode as
UTF-8). Otherwise ``charset-normalizer`` proposes the legacy encodings of a short list that
decode the bytes, and each proposal is re-ranked by how plausible its text looks as words of
one script: on a few oblast names the library alone cannot tell cp1251 from KOI8-R or a
Korean code page, but ``Київська`` read as KOI8-R is ``йЙЇЧУШЛБ`` (case flipping inside a
word, box-drawing characters) and read as cp1252 is ``Êè¿âñüêà`` (a run of accented letters
no Latin language writes).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

from humansec.errors import IngestError
from humansec.ingest.types import Finding

# Legacy encodings an upload in this field plausibly uses, most likely first (ties go to the
# first): Western and Central European, Cyrillic, Japanese, Arabic. Adding an encoding here
# makes every guess a little less sure, so only add what real uploads need.
CANDIDATES: tuple[str, ...] = (
    "cp1252",
    "cp1251",
    "shift_jis",
    "cp932",
    "cp1250",
    "koi8_r",
    "koi8_u",
    "cp1256",
    "latin_1",
)

# Non-ASCII punctuation and symbols that real text uses; other symbols count as suspicious.
_COMMON_SYMBOLS = frozenset("«»–—‘’‚“”„…·•°№€§©®×½¼¾′″、。「」・ー（）：，　")
_WORD_WITH_NON_ASCII = re.compile(r"[^\W\d_]*[^\x00-\x7f][^\s,;|\"']*")
_SCORED_WORDS = 4000  # enough words to judge; keeps a huge DBF quick
_CONFIDENT_MARGIN = 0.5  # per word
_CONFIDENT_PENALTY = 0.2
_MIN_NON_ASCII = 3


@dataclass(frozen=True)
class _Scored:
    encoding: str
    text_sample: str
    penalty: float  # suspicious things per word with non-ASCII text; 0 is plausible text


def guess_encoding(raw: bytes) -> tuple[str, bool]:
    """Return a Python codec name for ``raw`` and whether the guess is confident.

    A BOM decides (``utf-8-sig``, ``utf-16``); then strict UTF-8 (ASCII is UTF-8); then the
    most plausible of ``CANDIDATES``. A guess is confident when its text reads as words of one
    script and no other candidate comes close; short or ambiguous samples are not.

    >>> guess_encoding("Київська".encode("cp1251"))
    ('cp1251', True)
    >>> guess_encoding(b"plain ascii")
    ('utf-8', True)
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", True
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", True
    scored = _rank(raw)
    if not scored:
        # latin_1 decodes any bytes, so this only happens if CANDIDATES is edited.
        return "latin_1", False
    best = scored[0]
    different = [s for s in scored[1:] if s.text_sample != best.text_sample]
    margin = (different[0].penalty - best.penalty) if different else float("inf")
    non_ascii = sum(1 for ch in best.text_sample if ord(ch) > 0x7F)
    confident = (
        non_ascii >= _MIN_NON_ASCII
        and best.penalty <= _CONFIDENT_PENALTY
        and margin >= _CONFIDENT_MARGIN
    )
    return best.encoding, confident


def decode_text_file(data: bytes, *, encoding: str | None) -> tuple[str, str, Finding | None]:
    """Decode a text file (CSV): return its text, the codec used and a warning if guessed.

    ``encoding`` given by the analyst is used as it is (a UTF-8 BOM is dropped either way);
    bytes that do not decode with it are refused with an IngestError. Without it the encoding
    is guessed (``guess_encoding``); a guess other than UTF-8 comes with a warning Finding
    that says how to choose another.

    >>> decode_text_file(b"\\xef\\xbb\\xbfa,b", encoding=None)[:2]
    ('a,b', 'utf-8-sig')
    """
    if encoding is not None:
        codec = _codec_name(encoding)
        if codec == "utf_8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        try:
            return data.decode(codec), codec, None
        except UnicodeDecodeError as error:
            msg = (
                f"The file is not valid {encoding} text (byte {error.start} cannot be decoded). "
                "Choose the encoding it was saved in (CLI: --encoding cp1251, shift_jis, ...) "
                "or leave the encoding empty to have it detected."
            )
            raise IngestError(msg) from None
    guessed, confident = guess_encoding(data)
    text = data.decode(guessed)
    if guessed in {"utf-8", "utf-8-sig", "utf-16"}:
        return text, guessed, None
    sample = _sample_words(text, limit=3)
    shown = f" (e.g. {', '.join(sample)})" if sample else ""
    if confident:
        message = (
            f"The file does not say its text encoding; it was read as {guessed}{shown}. "
            "If names look wrong, choose the encoding (CLI: --encoding ENC) or save the "
            "file as UTF-8."
        )
    else:
        message = (
            f"The text encoding could not be detected with confidence; it was read as "
            f"{guessed}{shown}. Check the names in the preview; if they look wrong, choose "
            "the encoding (CLI: --encoding ENC) or save the file as UTF-8."
        )
    return text, guessed, Finding("encoding_guessed", "warning", message)


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name.replace("-", "_")
    except LookupError:
        msg = (
            f"Unknown text encoding {encoding!r}. Give a Python codec name such as "
            "'utf-8', 'cp1251', 'cp1252', 'shift_jis' or 'koi8_r'."
        )
        raise IngestError(msg) from None


def _rank(raw: bytes) -> list[_Scored]:
    """Candidates that decode ``raw``, most plausible first.

    Plausibility decides; between equally plausible but different readings the order of
    charset-normalizer's proposals decides (it judges by byte statistics, which helps on
    longer samples), then the order of ``CANDIDATES``. Of several codecs that give the same
    text, the first in ``CANDIDATES`` is named.
    """
    proposed = _proposed_by_library(raw)
    scored: list[_Scored] = []
    for encoding in CANDIDATES:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = " ".join(_sample_words(text, limit=_SCORED_WORDS))
        scored.append(_Scored(encoding, sample, _penalty(sample)))
    order = {name: i for i, name in enumerate(CANDIDATES)}
    library = {name: i for i, name in enumerate(proposed)}
    scored.sort(
        key=lambda s: (round(s.penalty, 6), library.get(s.encoding, len(order)), order[s.encoding])
    )
    if scored:
        same_text = [s for s in scored if s.text_sample == scored[0].text_sample]
        first = min(same_text, key=lambda s: order[s.encoding])
        scored.remove(first)
        scored.insert(0, first)
    return scored


def _proposed_by_library(raw: bytes) -> list[str]:
    """The candidates charset-normalizer finds plausible, its best first."""
    matches = charset_normalizer.from_bytes(raw, cp_isolation=list(CANDIDATES))
    return [m.encoding for m in matches]


def _sample_words(text: str, *, limit: int) -> list[str]:
    """The first ``limit`` words of ``text`` that hold a non-ASCII character."""
    words: list[str] = []
    for match in _WORD_WITH_NON_ASCII.finditer(text):
        words.append(match.group())
        if len(words) >= limit:
            break
    return words


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith(("HIRAGANA", "KATAKANA", "CJK")):
        return "CJK"
    return name.split(" ", 1)[0]


def _penalty(sample: str) -> float:
    """Suspicious things per word of ``sample`` (words holding non-ASCII text, space-joined)."""
    words = sample.split(" ")
    penalty = 0.0
    for word in words:
        scripts: set[str] = set()
        previous_lower = False
        latin_run = 0
        for ch in word:
            code = ord(ch)
            if code <= 0x7F:
                previous_lower = ch.islower()
                latin_run = 0
                if ch.isalpha():
                    scripts.add("LATIN")
                continue
            category = unicodedata.category(ch)
            if category[0] in "LM":
                script = _script(ch)
                scripts.add(script)
                if ch.isupper() and previous_lower:
                    penalty += 1.0  # case flips inside a word: KOI8 read as cp1251 and back
                previous_lower = ch.islower()
                latin_run = latin_run + 1 if script == "LATIN" else 0
                if latin_run >= 3:
                    penalty += 1.0  # Êè¿âñüêà: Cyrillic read as a Latin code page
                if script == "HALFWIDTH":
                    penalty += 1.0  # half-width katakana: single bytes read as Shift-JIS
                elif script == "CJK" and category == "Lo" and _rare_in_shift_jis(ch):
                    penalty += 0.5  # JIS level-2 kanji: bytes of another code page
            elif category[0] == "C":
                penalty += 3.0  # control or private-use character
            elif ch not in _COMMON_SYMBOLS:
                penalty += 1.0
                previous_lower = False
                latin_run = 0
        if len(scripts) > 1:
            penalty += 2.0  # letters of two scripts in one word: Cфte, Гdaсsk
    return penalty / max(len(words), 1)


def _rare_in_shift_jis(ch: str) -> bool:
    """True for kanji outside JIS level 1 (lead byte 0xE0 or above in Shift-JIS)."""
    try:
        encoded = ch.encode("cp932")
    except UnicodeEncodeError:
        return True
    return len(encoded) == 2 and encoded[0] >= 0xE0
