"""Code lists the directory's forms and services validate against: days of the week (HSDS
schedules, RFC 5545), languages (ISO 639), currencies (ISO 4217) and UTC offsets."""

import re

from django.utils.translation import gettext_lazy as _

# RFC 5545 BYDAY codes, in the order of the week that `search.week_slots` uses.
WEEK_DAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
DAY_CODES = [code for code, _label in WEEK_DAYS]

# Languages offered first when a listing's languages are changed: (ISO 639-1 code, the name
# stored in the directory, which is English as in the rest of the data, and the label shown).
COMMON_LANGUAGES = [
    ("en", "English", _("English")),
    ("es", "Spanish", _("Spanish")),
    ("zh", "Chinese", _("Chinese")),
    ("vi", "Vietnamese", _("Vietnamese")),
    ("tl", "Tagalog", _("Tagalog")),
    ("ar", "Arabic", _("Arabic")),
    ("fr", "French", _("French")),
    ("ko", "Korean", _("Korean")),
    ("ru", "Russian", _("Russian")),
    ("pt", "Portuguese", _("Portuguese")),
    ("ht", "Haitian Creole", _("Haitian Creole")),
    ("so", "Somali", _("Somali")),
    ("am", "Amharic", _("Amharic")),
    ("fa", "Persian", _("Persian")),
    ("uk", "Ukrainian", _("Ukrainian")),
    ("hi", "Hindi", _("Hindi")),
    ("pa", "Punjabi", _("Punjabi")),
    ("ur", "Urdu", _("Urdu")),
    ("pl", "Polish", _("Polish")),
    ("de", "German", _("German")),
    ("ja", "Japanese", _("Japanese")),
    ("sw", "Swahili", _("Swahili")),
    ("ase", "American Sign Language", _("American Sign Language")),
    ("bfi", "British Sign Language", _("British Sign Language")),
]
COMMON_LANGUAGE_NAMES = {code: name for code, name, _label in COMMON_LANGUAGES}

# An ISO 639-1 (two letters) or ISO 639-3 (three letters) code, optionally with a script
# (ISO 15924) and a region (ISO 3166-1 or UN M.49), as in BCP 47: "so", "prs", "zh-Hant",
# "pt-BR", "es-419".
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")


def normalize_language_code(text: str) -> str:
    """ "PT_br" → "pt-BR", "zh-hant" → "zh-Hant": the case BCP 47 recommends."""
    parts = [part for part in re.split(r"[-_\s]+", text.strip()) if part]
    if not parts:
        return ""
    normalized = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            normalized.append(part.title())
        else:
            normalized.append(part.upper())
    return "-".join(normalized)


def is_language_code(code: str) -> bool:
    return bool(LANGUAGE_CODE.fullmatch(code))


# ISO 4217 codes of currencies in use (funds, precious metals and testing codes left out).
CURRENCY_CODES = frozenset(
    re.findall(
        "[A-Z]{3}",
        """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
    TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
    """,
    )
)

# UTC offsets in use, in hours (HSDS 3.0 gives a schedule's time zone as one of these).
# Every half hour from UTC-12 to UTC+14, and the three offsets a quarter past (Nepal, Eucla,
# Chatham Islands).
UTC_OFFSETS = sorted({n / 2 for n in range(-24, 29)} | {5.75, 8.75, 12.75})


def offset_label(hours: float) -> str:
    sign = "+" if hours >= 0 else "\u2212"  # a minus sign, as typeset
    minutes = round(abs(hours) * 60)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
