"""CITATION.cff is a valid Citation File Format 1.2.0 file.

The checks follow the CFF 1.2.0 schema (citation-file-format/schema.json): the required keys,
no key outside the schema's top level, the types and formats of the keys this file uses, and
authors that are each a person (``family-names`` or ``given-names``) or an entity (``name``).
The version and licence must agree with pyproject.toml.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {"cff-version", "message", "title", "authors"}
#: Every top-level key the CFF 1.2.0 schema allows.
ALLOWED = REQUIRED | {
    "abstract",
    "commit",
    "contact",
    "date-released",
    "doi",
    "identifiers",
    "keywords",
    "license",
    "license-url",
    "preferred-citation",
    "references",
    "repository",
    "repository-artifact",
    "repository-code",
    "type",
    "url",
    "version",
}
PERSON_KEYS = {"family-names", "given-names"}


def _cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_has_the_required_keys_and_no_others() -> None:
    cff = _cff()
    assert cff.keys() >= REQUIRED, f"missing: {sorted(REQUIRED - cff.keys())}"
    assert cff.keys() <= ALLOWED, f"not in CFF 1.2.0: {sorted(cff.keys() - ALLOWED)}"
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "abstract"):
        assert isinstance(cff.get(key, "x"), str) and cff.get(key, "x").strip()
    assert cff.get("type", "software") in ("software", "dataset")
    assert isinstance(cff.get("date-released"), dt.date), "date-released: YYYY-MM-DD"
    assert all(isinstance(k, str) and k for k in cff.get("keywords", []))


def test_citation_authors_are_people_or_entities() -> None:
    authors = _cff()["authors"]
    assert isinstance(authors, list) and authors, "authors: a non-empty list"
    for a in authors:
        assert isinstance(a, dict)
        person = PERSON_KEYS & a.keys()
        entity = "name" in a
        assert person or entity, f"an author needs family-names/given-names or name: {a}"
        assert all(isinstance(v, str) and v.strip() for v in a.values()), a


def test_citation_agrees_with_the_package() -> None:
    cff = _cff()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == project["license"]["text"]
