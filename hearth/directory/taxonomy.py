"""The Open Eligibility taxonomy, Hearth's default way to say what a service is for.

The terms ship with Hearth (`data/open_eligibility.json`, CC BY-SA 3.0; credit in
`data/OPEN-ELIGIBILITY-LICENSE.md`) and are stored as HSDS `taxonomy_term` records whose `code`
is the Open Eligibility id. Every id is a UUID derived from that code, so every install, the
demo and the synthetic data agree on them and an export from one Hearth imports into another."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db import transaction

from hearth.core import audit

from .models import Taxonomy, TaxonomyTerm

DATA_FILE = Path(__file__).resolve().parent / "data" / "open_eligibility.json"

# The upstream commit the shipped copy was taken from; the taxonomy's version is its short hash.
SOURCE_COMMIT = "a5417863b8b2aa55d833939c19e80f13c5f02008"
TAXONOMY_NAME = "Open Eligibility"
TAXONOMY_URI = "http://openeligibility.org/"
TAXONOMY_DESCRIPTION = (
    "The Open Eligibility human services taxonomy: an open way to say what a service offers "
    "(emergency, food, housing, goods, transit, health, money, care, education, work, legal). "
    "By the Open Eligibility Project, licensed under CC BY-SA 3.0."
)

# Never change: the ids of the taxonomy and of every term are derived from it.
NAMESPACE = uuid.UUID("0c7b7a52-3f0e-5d4c-9a51-6f1e0b8d2a77")
TAXONOMY_ID = uuid.uuid5(NAMESPACE, "taxonomy:open-eligibility")

# Codes Hearth's own data leans on (the demo, the synthetic directory, tests).
HELP_ESCAPE_VIOLENCE = "1124"
SAFE_HOUSING = "1125"

# Spanish names of the top-level and most used terms. Not stored: a term has one `name` and one
# `language`, and how a second language should live in the directory (a field, or a parallel
# Spanish term per HSDS) is still to be decided. Pages may use `term_name()` meanwhile.
SPANISH_NAMES = {
    "1101": "Emergencia",
    "1102": "Alimentos",
    "1103": "Vivienda",
    "1104": "Artículos",
    "1105": "Transporte",
    "1106": "Salud",
    "1107": "Dinero",
    "1108": "Cuidado",
    "1109": "Educación",
    "1110": "Trabajo",
    "1111": "Asuntos legales",
    "1121": "Refugio de emergencia",
    "1123": "Seguridad inmediata",
    "1124": "Ayuda para escapar de la violencia",
    "1125": "Vivienda segura",
    "1127": "Huertos comunitarios",
    "1130": "Despensa de alimentos",
    "1131": "Comidas gratuitas",
    "1136": "Ayuda para encontrar vivienda",
    "1137": "Ayuda para pagar la vivienda",
    "1158": "Ropa",
    "1178": "Adicción y recuperación",
    "1206": "Atención médica",
    "1220": "Consejería",
    "1227": "Vacunas",
    "1279": "Cuidado después de la escuela",
    "1305": "Líneas de ayuda",
    "1310": "Apoyo entre pares",
    "1312": "Grupos de apoyo",
    "1357": "Ayuda para encontrar trabajo",
    "1375": "Defensa y asistencia legal",
    "1381": "Ciudadanía e inmigración",
    "1387": "Mediación",
    "1390": "Traducción e interpretación",
}


def term_id(code: str) -> uuid.UUID:
    """The fixed id of the Open Eligibility term with this code, on every install."""
    return uuid.uuid5(NAMESPACE, f"term:{code}")


def term_name(term: TaxonomyTerm, language: str = "en") -> str:
    """The term's name in `language` where Hearth has one, otherwise its stored name."""
    if language.startswith("es") and term.taxonomy_id == TAXONOMY_ID:
        return SPANISH_NAMES.get(term.code, term.name)
    return term.name


@dataclass(frozen=True)
class SourceTerm:
    code: str
    name: str
    parent_code: str | None


@lru_cache(maxsize=1)
def source_terms() -> tuple[SourceTerm, ...]:
    """The shipped terms in file order (each parent appears before its children)."""
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(
        SourceTerm(
            code=str(row["id"]),
            name=row["name"].strip(),
            parent_code=None if str(row["parent_id"]) in {"", "0"} else str(row["parent_id"]),
        )
        for row in rows
    )


def _paths() -> dict[str, str]:
    by_code = {term.code: term for term in source_terms()}
    paths: dict[str, str] = {}

    def path(code: str) -> str:
        if code not in paths:
            term = by_code[code]
            prefix = f"{path(term.parent_code)} > " if term.parent_code else ""
            paths[code] = prefix + term.name
        return paths[code]

    for code in by_code:
        path(code)
    return paths


@dataclass(frozen=True)
class TaxonomyLoad:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


_TERM_FIELDS = ("code", "name", "description", "parent_id", "taxonomy_id", "taxonomy_name")


@transaction.atomic
def load_taxonomy(*, actor=None) -> TaxonomyLoad:
    """Create or bring up to date the Open Eligibility taxonomy and all its terms.

    Idempotent: a second run changes nothing and records nothing. Terms that have disappeared
    from the shipped file are kept, because directory records may still point at them."""
    version = SOURCE_COMMIT[:7]
    taxonomy, created_taxonomy = Taxonomy.objects.get_or_create(
        id=TAXONOMY_ID,
        defaults={
            "name": TAXONOMY_NAME,
            "description": TAXONOMY_DESCRIPTION,
            "uri": TAXONOMY_URI,
            "version": version,
        },
    )
    updated_taxonomy = False
    if not created_taxonomy and (
        (taxonomy.name, taxonomy.description, taxonomy.uri, taxonomy.version)
        != (TAXONOMY_NAME, TAXONOMY_DESCRIPTION, TAXONOMY_URI, version)
    ):
        taxonomy.name, taxonomy.description = TAXONOMY_NAME, TAXONOMY_DESCRIPTION
        taxonomy.uri, taxonomy.version = TAXONOMY_URI, version
        taxonomy.save()
        updated_taxonomy = True

    paths = _paths()
    wanted = [
        TaxonomyTerm(
            id=term_id(term.code),
            code=term.code,
            name=term.name,
            description=paths[term.code],
            parent_id=term_id(term.parent_code) if term.parent_code else None,
            taxonomy_id=TAXONOMY_ID,
            taxonomy_name=TAXONOMY_NAME,
            language="en",
        )
        for term in source_terms()
    ]
    existing = TaxonomyTerm.objects.in_bulk([term.id for term in wanted])
    to_create = [term for term in wanted if term.id not in existing]
    to_update = []
    for term in wanted:
        current = existing.get(term.id)
        if current is None:
            continue
        values = [getattr(term, field) for field in _TERM_FIELDS]
        if [getattr(current, field) for field in _TERM_FIELDS] != values:
            for field, value in zip(_TERM_FIELDS, values, strict=True):
                setattr(current, field, value)
            to_update.append(current)
    # Parents come first in the file, and foreign keys are checked at commit in any case.
    TaxonomyTerm.objects.bulk_create(to_create)
    TaxonomyTerm.objects.bulk_update(
        to_update, ["code", "name", "description", "parent", "taxonomy", "taxonomy_name"]
    )
    result = TaxonomyLoad(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(wanted) - len(to_create) - len(to_update),
    )
    if created_taxonomy or updated_taxonomy or to_create or to_update:
        audit.record(
            actor=actor,
            action="hearth.directory.taxonomy.loaded",
            target=taxonomy,
            detail={
                "taxonomy": TAXONOMY_NAME,
                "version": version,
                "terms_created": result.created,
                "terms_updated": result.updated,
                "terms_unchanged": result.unchanged,
            },
        )
    return result


def ensure_default_taxonomy() -> Taxonomy:
    """The Open Eligibility taxonomy, loading it first if it is missing or incomplete."""
    taxonomy = Taxonomy.objects.filter(id=TAXONOMY_ID).first()
    if (
        taxonomy is None
        or TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID).count() < len(source_terms())
        or taxonomy.version != SOURCE_COMMIT[:7]
    ):
        load_taxonomy()
        taxonomy = Taxonomy.objects.get(id=TAXONOMY_ID)
    return taxonomy
