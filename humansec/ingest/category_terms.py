"""Category values as real files write them, in seven languages, mapped onto humansec's categories.

A WHO facility list in Burkina Faso says 'CSPS' or 'Centre Médical', a Ukrainian register
'лікарня', a Syrian one 'مستشفى'. ``category_for`` finds the category a value names by its words:
values are compared after ``normalise_term`` (case folded, accents dropped, Arabic letter
variants and the article unified), a term matches whole words in order, and a term ending in
``*`` matches any word that starts with it (a stem: 'лікарн*' finds 'лікарня' and 'лікарні').
The longest matching term wins, so 'Centre hospitalier' is a hospital before it is a centre.

The tables hold words only (facts of the languages), in English (en), French (fr), Spanish
(es), Portuguese (pt), Ukrainian (uk), Russian (ru) and Arabic (ar). A value that names no
category is left to the caller (stored as ``other`` with the original kept).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache

__all__ = ["CATEGORY_TERMS", "category_for", "normalise_term"]

CATEGORY_TERMS: Mapping[str, tuple[str, ...]] = {
    # humanitarian sites
    "hospital": (
        "hospital", "hospitals", "hopital", "centre hospitalier", "hospitalier", "chu", "chr",
        "hospitalar", "nosocomio",
        "лікарн*", "шпитал*", "госпітал*", "больниц*", "госпитал*",
        "مستشفى", "مشفى",
    ),
    "clinic": (
        "clinic", "health centre", "health center", "health post", "polyclinic", "phc",
        "medical point", "dispensary", "maternity",
        "centre de sante", "centre medical", "csps", "cscom", "csi", "dispensaire",
        "maternite", "poste de sante", "clinique", "case de sante",
        "centro de salud", "clinica", "puesto de salud", "consultorio", "centro medico",
        "centro de saude", "posto de saude", "unidade basica de saude", "ubs",
        "амбулатор*", "поліклінік*", "фап", "фельдшерськ*", "клінік*", "медпункт*",
        "поликлиник*", "амбулатори*", "фельдшерск*", "клиник*", "медичн* пункт*",
        "مركز صحي", "عياده", "مستوصف", "مركز طبي",
    ),
    "school": (
        "school", "kindergarten",
        "ecole", "college", "lycee", "ecole primaire", "jardin d enfants",
        "escuela", "colegio", "centro educativo", "liceo",
        "escola", "creche",
        "школ*", "ліце*", "гімназі*", "дитячий садок", "садоч*",
        "лице*", "гимнази*", "детский сад",
        "مدرسه", "روضه",
    ),
    "idp_site": (
        "idp camp", "idp site", "collective centre", "collective center", "transit centre",
        "site de deplaces", "camp de deplaces", "site pdi", "pdi", "centre collectif",
        "campamento de desplazados", "albergue", "centro colectivo",
        "abrigo", "campo de deslocados",
        "прихист*", "пункт тимчасового*", "місце компактного проживання",
        "пункт временного размещения", "пвр",
        "مخيم نازحين", "نازحين", "مركز ايواء",
    ),
    "refugee_site": (
        "refugee camp", "refugee site",
        "camp de refugies", "site de refugies",
        "campamento de refugiados", "campo de refugiados",
        "табір біженц*", "лагерь беженц*",
        "مخيم لاجئين", "لاجئين",
    ),
    "warehouse": (
        "warehouse", "storage", "entrepot", "magasin", "almacen", "bodega", "armazem",
        "склад*", "مستودع", "مخزن",
    ),
    "office": ("office", "bureau", "oficina", "escritorio", "офіс*", "офис*", "مكتب"),
    "water_point": (
        "water point", "well", "borehole",
        "point d eau", "forage", "puits", "borne fontaine",
        "punto de agua", "pozo", "ponto de agua", "poco", "chafariz",
        "свердловин*", "криниц*", "колодяз*", "скважин*", "колодец", "колодц*",
        "بئر", "نقطه مياه",
    ),
    "distribution_point": (
        "distribution point", "distribution site", "distribution centre",
        "point de distribution", "site de distribution",
        "punto de distribucion", "ponto de distribuicao",
        "пункт видачі", "пункт розподілу", "пункт выдачи", "пункт раздачи",
        "نقطه توزيع", "مركز توزيع",
    ),
    # cultural property
    "monument": (
        "monument", "memorial", "historic building", "monumento", "пам ятк*", "пам ятник*",
        "памятник*", "نصب",
    ),
    "archaeological_site": (
        "archaeological site", "ruins", "site archeologique", "sitio arqueologico",
        "yacimiento", "археологічн*", "городищ*", "курган*", "археологическ*", "موقع اثري",
        "اثري",
    ),
    "museum": ("museum", "musee", "museo", "museu", "музе*", "متحف"),
    "library_archive": (
        "library", "archive", "archives", "bibliotheque", "biblioteca", "arquivo", "archivo",
        "бібліотек*", "архів*", "библиотек*", "архив*", "مكتبه", "ارشيف",
    ),
    "place_of_worship": (
        "church", "mosque", "cathedral", "synagogue", "temple", "monastery", "chapel", "shrine",
        "eglise", "cathedrale", "mosquee", "chapelle", "monastere",
        "iglesia", "catedral", "mezquita", "capilla", "monasterio", "sinagoga",
        "igreja", "mesquita", "capela", "mosteiro",
        "церкв*", "собор*", "храм*", "монастир*", "каплиц*", "мечет*", "синагог*",
        "церковь", "монастыр*", "часовн*",
        "مسجد", "جامع", "كنيسه", "كاتدرائيه", "دير",
    ),
    "centre_containing_monuments": (
        "historic centre", "historic center", "old town", "centre historique", "vieille ville",
        "centro historico", "casco antiguo", "старе місто", "історичний центр",
        "старый город", "исторический центр", "المدينه القديمه",
    ),
    # infrastructure
    "dam": ("dam", "barrage", "presa", "represa", "barragem", "гребл*", "плотин*", "سد"),
    "dyke": ("dyke", "dike", "levee", "digue", "dique", "дамб*", "dijk"),
    "nuclear_plant": (
        "nuclear power plant", "npp", "centrale nucleaire", "central nuclear", "usina nuclear",
        "аес", "аэс", "атомна електростанці*", "атомная электростанци*", "محطه نوويه",
    ),
    "water": (
        "water supply", "water treatment", "pumping station", "station de pompage",
        "station d epuration", "chateau d eau", "planta de tratamiento", "estacion de bombeo",
        "estacao de tratamento", "водоканал*", "насосн* станці*", "очисн* споруд*",
        "водозабор*", "насосн* станци*", "очистн* сооружени*", "محطه مياه", "محطه ضخ",
    ),
    "power": (
        "power plant", "power station", "substation", "electricity",
        "centrale electrique", "poste electrique", "poste source",
        "central electrica", "subestacion", "subestacao",
        "електростанці*", "підстанці*", "тец", "тэц", "электростанци*", "подстанци*",
        "محطه كهرباء", "محطه توليد",
    ),
    "food": (
        "grain storage", "silo", "bakery", "boulangerie", "minoterie", "panaderia", "padaria",
        "пекарн*", "хлібозавод*", "елеватор*", "хлебозавод*", "элеватор*", "مخبز", "صومعه",
    ),
}  # fmt: skip

_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_ARABIC_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")  # tatweel and harakat
_ARABIC_ARTICLE = re.compile(r"^(?:وال|بال|ال)(?=\w{3})")  # 'the', 'and the', 'in the'


def normalise_term(value: object) -> str:
    """Lower-case words of ``value`` in any script, one space apart, accents dropped.

    >>> normalise_term("Centre Médical  de l'Est"), normalise_term("ЛІКАРНЯ №2")
    ('centre medical de l est', 'лікарня no2')
    >>> normalise_term("المستشفى الوطني")
    'مستشفي وطني'
    """
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    words = re.findall(r"\w+", text.replace("_", " "))
    return " ".join(_ARABIC_ARTICLE.sub("", word) for word in words)


def category_for(value: object, allowed: Iterable[str]) -> str | None:
    """The category among ``allowed`` that ``value`` names, or None.

    >>> clinics = ("hospital", "clinic", "school")
    >>> [category_for(v, clinics) for v in ("Centre Hospitalier Régional", "CSPS de Kaya",
    ...  "Maternité", "лікарня", "школа №5", "مستشفى الأمل", "Bureau")]
    ['hospital', 'clinic', 'clinic', 'hospital', 'school', 'hospital', None]
    """
    words = normalise_term(value).split()
    if not words:
        return None
    found = [
        (len(term), category)
        for category, term, pattern in _compiled(tuple(allowed))
        if _matches(words, pattern)
    ]
    return max(found)[1] if found else None


@cache
def _compiled(allowed: tuple[str, ...]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple(
        (category, term, tuple(normalise_term(w) + ("*" if w.endswith("*") else "") for w in words))
        for category in allowed
        for term in CATEGORY_TERMS.get(category, ())
        if (words := term.replace("'", " ").split())
    )


def _matches(words: list[str], pattern: tuple[str, ...]) -> bool:
    n = len(pattern)
    return any(
        all(_word_matches(words[i + j], pattern[j]) for j in range(n))
        for i in range(len(words) - n + 1)
    )


def _word_matches(word: str, wanted: str) -> bool:
    if wanted.endswith("*"):
        return word.startswith(wanted[:-1])
    return word == wanted
