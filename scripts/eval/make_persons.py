#!/usr/bin/env python3
"""Builds the labelled person-screening evaluation set with independent tools.

Names come from Faker's locales (native scripts); transliterations from cyrtranslit
(Cyrillic), transliterate (Greek, Armenian, Georgian) and unidecode (everything else), none of
which the engine uses. Writes, into OUT_DIR:
  persons.jsonl  - the database: one person per line, in `palermo import persons` format
  queries.jsonl  - one query per line: qid, name, birth_date, nationality, sex, plus
                   `kind` (the variation) and `expected` (the person's id, or null)
Usage: make_persons.py OUT_DIR [--persons 20000] [--queries 10000] [--seed 7]
"""
import argparse
import datetime
import json
import os
import random

import cyrtranslit
from faker import Faker
from transliterate import translit as tr_translit
from unidecode import unidecode

# (Faker locale, ISO 3166 alpha-3, script, how to romanise with an independent tool)
LOCALES = [
    ("ru_RU", "RUS", "Cyrl", "cyr:ru"), ("uk_UA", "UKR", "Cyrl", "cyr:ua"),
    ("bg_BG", "BGR", "Cyrl", "cyr:bg"), ("el_GR", "GRC", "Grek", "tr:el"),
    ("hy_AM", "ARM", "Armn", "tr:hy"), ("ka_GE", "GEO", "Geor", "tr:ka"),
    ("ar_AA", "EGY", "Arab", "uni"), ("fa_IR", "IRN", "Arab", "uni"),
    ("he_IL", "ISR", "Hebr", "uni"), ("zh_CN", "CHN", "Hani", "uni"),
    ("ja_JP", "JPN", "Jpan", "uni"), ("ko_KR", "KOR", "Hang", "uni"),
    ("th_TH", "THA", "Thai", "uni"), ("hi_IN", "IND", "Deva", "uni"),
    ("en_US", "USA", "Latn", None), ("de_DE", "DEU", "Latn", None),
    ("fr_FR", "FRA", "Latn", None), ("es_ES", "ESP", "Latn", None),
    ("pt_BR", "BRA", "Latn", None), ("it_IT", "ITA", "Latn", None),
    ("pl_PL", "POL", "Latn", None), ("tr_TR", "TUR", "Latn", None),
    ("cs_CZ", "CZE", "Latn", None), ("nl_NL", "NLD", "Latn", None),
    ("vi_VN", "VNM", "Latn", None), ("ro_RO", "ROU", "Latn", None),
]


def romanise(text, how):
    if how is None:
        return unidecode(text)
    kind, _, lang = how.partition(":")
    try:
        if kind == "cyr":
            return cyrtranslit.to_latin(text, lang)
        if kind == "tr":
            return tr_translit(text, lang, reversed=True)
    except Exception:  # an independent tool's gap: fall back to another independent tool
        pass
    return unidecode(text)


def typo(rng, name):
    parts = name.split()
    candidates = [i for i, p in enumerate(parts) if len(p) >= 4]
    if not candidates:
        return None
    i = rng.choice(candidates)
    p = list(parts[i])
    j = rng.randrange(1, len(p) - 1)
    op = rng.choice(["sub", "del", "ins", "swap"])
    letters = "abcdefghijklmnopqrstuvwxyz"
    if op == "sub":
        p[j] = rng.choice(letters)
    elif op == "del":
        del p[j]
    elif op == "ins":
        p.insert(j, rng.choice(letters))
    else:
        p[j], p[j + 1 if j + 1 < len(p) else j - 1] = p[j + 1 if j + 1 < len(p) else j - 1], p[j]
    parts[i] = "".join(p)
    return " ".join(parts)


def date_text(d, precision="day"):
    if precision == "year":
        return f"{d.year:04d}"
    return d.isoformat()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    fakers = {}
    for locale, *_ in LOCALES:
        f = Faker(locale)
        f.seed_instance(args.seed + len(fakers))
        fakers[locale] = f

    def new_person(i):
        locale, country, script, how = rng.choice(LOCALES)
        f = fakers[locale]
        sex = rng.choice("MF")
        given = f.first_name_male() if sex == "M" else f.first_name_female()
        family = f.last_name()
        native = f"{given} {family}" if locale not in ("zh_CN", "ja_JP", "ko_KR") else f"{family}{given}"
        latin = romanise(native, how)
        born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 65 * 365))
        return {
            "pid": f"P{i:07d}", "native": native, "latin": latin, "script": script,
            "country": country, "sex": sex, "born": born, "how": how,
            "given": given, "family": family, "locale": locale,
        }

    people = [new_person(i) for i in range(args.persons)]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "persons.jsonl"), "w", encoding="utf-8") as out:
        for p in people:
            names = []
            # Records hold the name as written at home, its romanisation, or both.
            style = rng.random()
            if p["script"] == "Latn" or style < 0.4:
                names.append({"full": p["latin"] if p["script"] != "Latn" else p["native"]})
            elif style < 0.7:
                names.append({"full": p["native"], "script": p["script"]})
            else:
                names.append({"full": p["native"], "script": p["script"]})
                names.append({"full": p["latin"], "kind": "alias"})
            out.write(json.dumps({
                "id": p["pid"], "names": names, "birth_date": p["born"].isoformat(),
                "nationality": p["country"], "sex": p["sex"], "reported_date": "2026-01-10",
            }, ensure_ascii=False) + "\n")

    kinds_positive = ["exact", "other_script", "typo", "swapped_order", "dropped_part",
                      "date_day_month_swapped", "date_year_off", "date_year_only"]
    kinds_negative = ["absent", "same_family_other_person", "same_name_other_birth"]
    with open(os.path.join(args.out, "queries.jsonl"), "w", encoding="utf-8") as out:
        q = 0
        while q < args.queries:
            positive = rng.random() < 0.6
            kind = rng.choice(kinds_positive if positive else kinds_negative)
            p = rng.choice(people)
            name = p["latin"] if p["script"] != "Latn" else p["native"]
            born, precision, expected = p["born"], "day", p["pid"]
            if kind == "other_script":
                if p["script"] == "Latn":
                    continue
                # The query in the other form than the record might hold.
                name = p["native"] if rng.random() < 0.5 else p["latin"]
            elif kind == "typo":
                name = typo(rng, unidecode(name))
                if name is None:
                    continue
            elif kind == "swapped_order":
                parts = name.split()
                if len(parts) < 2:
                    continue
                name = " ".join(parts[1:] + parts[:1])
            elif kind == "dropped_part":
                parts = name.split()
                if len(parts) < 3:
                    continue
                del parts[rng.randrange(1, len(parts) - 1)]
                name = " ".join(parts)
            elif kind == "date_day_month_swapped":
                if born.day > 12 or born.day == born.month:
                    continue
                born = datetime.date(born.year, born.day, born.month)
            elif kind == "date_year_off":
                try:
                    born = born.replace(year=born.year + rng.choice([-1, 1]))
                except ValueError:
                    continue
            elif kind == "date_year_only":
                precision = "year"
            elif kind == "absent":
                other = new_person(10_000_000 + q)
                name, born, expected = other["latin"], other["born"], None
                p = other
            elif kind == "same_family_other_person":
                other = new_person(20_000_000 + q)
                f = fakers[p["locale"]]
                given = f.first_name_male() if other["sex"] == "M" else f.first_name_female()
                if given == p["given"]:
                    continue
                native = f"{given} {p['family']}" if p["locale"] not in ("zh_CN", "ja_JP", "ko_KR") else f"{p['family']}{given}"
                name, born, expected = romanise(native, p["how"]), other["born"], None
            elif kind == "same_name_other_birth":
                shift = rng.choice([-1, 1]) * rng.randrange(6, 30)
                try:
                    born = born.replace(year=born.year + shift)
                except ValueError:
                    continue
                expected = None
            out.write(json.dumps({
                "qid": f"Q{q:06d}", "name": name, "birth_date": date_text(born, precision),
                "nationality": p["country"], "sex": p["sex"],
                "kind": kind, "expected": expected,
            }, ensure_ascii=False) + "\n")
            q += 1


if __name__ == "__main__":
    main()
