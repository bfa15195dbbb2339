"""Holds `palermo mrz parse` against the `mrz` package from PyPI (Arg0s1080's, GPL-3.0).

About 3,000 machine-readable zones, 600 of each format (TD1, TD2, TD3, MRV-A, MRV-B), are made
by the package's own code generators from a fixed seed: varied names (multi-word, hyphenated,
with accents the generator transliterates, some without given names), document numbers of
nine (some fewer) letters and digits, calendar dates, sexes M, F and <, real ICAO codes (FRA,
D, GBR, XXA, UNO …) and optional data. Each zone is sent as made, and once more with one
character changed somewhere a check digit covers (the check digits themselves included). The
package's checkers give their verdict on every zone; all zones go to one `palermo mrz parse`
process, and the two are compared:

  * per check digit: the package's `report` of each hash against our problem on that check
    digit (ours does not verify a date's own check digit once the date holds a letter, having
    reported the letter: that check digit is left out of the comparison, the verdict holds it);
  * per date: the package's `check.date` against our problems on the date;
  * the verdict: valid as to check digits and dates on both sides, or not. Our problems of
    kind `code` (state codes), names, sex, document code are not part of it, nor are the
    package's country, name and document-type checks, nor its expiry-after-birth rule;
  * for zones as made, every field: format, document code, issuing state, surname, given
    names, document number, nationality, dates as written, sex, optional data; and both
    sides must find the zone wholly valid.

The package's generators refuse document numbers of more than nine characters, so 100 TD1 and
100 TD2 zones are also put in ICAO's long-number form here (see `long_number_check`), each as
made and mutated; for that form only, the document number's verdict is computed here with the
package's `hash_string`, since its checkers know the nine-character form alone.

The ICAO 9303 specimens are fixed cases, with their fields as the standard prints them. NOTES
are zones on a point the package cannot speak to, judged by ICAO's text.

Usage: python check.py PALERMO_BINARY REPO_ROOT. Prints counts per format and variation and up
to 10 disagreements in full; exits non-zero if any disagreement remains.
"""

import json
import random
import subprocess
import sys
from collections import Counter, defaultdict

import mrz
import mrz.base.string_checkers as lib_check
from mrz.base.errors import LengthError
from mrz.base.functions import hash_string
from mrz.checker.mrva import MRVACodeChecker
from mrz.checker.mrvb import MRVBCodeChecker
from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td2 import TD2CodeChecker
from mrz.checker.td3 import TD3CodeChecker
from mrz.generator.mrva import MRVACodeGenerator
from mrz.generator.mrvb import MRVBCodeGenerator
from mrz.generator.td1 import TD1CodeGenerator
from mrz.generator.td2 import TD2CodeGenerator
from mrz.generator.td3 import TD3CodeGenerator

SEED = 9303
PER_FORMAT = 600
TODAY = "2025-06-01"
SHOWN = 10
LONG_PER_FORMAT = 100

SURNAMES = [
    "Eriksson", "Müller", "García Márquez", "de la Cruz", "van der Berg", "O'Brien",
    "Smith-Jones", "Nguyen", "Li", "Ng", "Okonkwo", "Adeyemi", "Shevchenko", "Kovalenko",
    "Srisai", "Charoenkul", "Björk", "Østergaard", "Dupont", "Lefèvre", "Zhang", "Al Rashid",
    "Ben David", "MacDonald", "Abdul Rahman bin Ismail", "Löwenthal-Schmidt", "Papadopoulos",
    "Nowak", "Dvořák", "Yılmaz", "Ferreira da Silva", "Wongsawat", "Oyelaran-Adeyemi", "Kim",
    "Schröder", "Ó Súilleabháin", "Hernández", "Żółkiewski", "Bondarenko", "Chukwu",
]
GIVEN_NAMES = [
    "Anna Maria", "Jean-Pierre", "José Luis", "María del Carmen", "Oluwaseun", "Taras",
    "Oksana", "Somchai", "Peter John", "Élodie", "Jürgen", "Mohammed Ali", "Ngoc Anh",
    "Chukwuemeka", "Wilhelmina Johanna Theodora", "Søren", "Zoë", "Ali", "Mei", "Kwame",
    "Anne-Sophie Marie", "Nkechi Adaeze", "Thanawat", "Yaroslava", "Francesca", "Ivo", "",
]
# Real codes of ICAO 9303 Part 3: ISO 3166-1 alpha-3, Germany's D, the British and the
# organisations' and nationality codes.
CODES = [
    "FRA", "D", "GBR", "NGA", "UKR", "THA", "USA", "NLD", "ESP", "ITA", "POL", "JPN", "CHN",
    "IND", "BRA", "MEX", "CAN", "AUS", "ZAF", "EGY", "TUR", "SWE", "CHE", "AUT", "BEL", "PRT",
    "GRC", "IRL", "ISR", "KOR", "VNM", "PHL", "IDN", "ARG", "KEN", "GHA", "MAR", "XXA", "UNO",
    "EUE", "GBD", "GBN",
]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# Our format name: (generator, checker, document codes, optional-data widths).
FORMATS = {
    "TD1": (TD1CodeGenerator, TD1CodeChecker, ["I", "ID", "IR", "A", "C"], (15, 11)),
    "TD2": (TD2CodeGenerator, TD2CodeChecker, ["I", "ID", "A", "C"], (7,)),
    "TD3": (TD3CodeGenerator, TD3CodeChecker, ["P", "PD", "PO"], (14,)),
    "MRV-A": (MRVACodeGenerator, MRVACodeChecker, ["V", "VS"], (16,)),
    "MRV-B": (MRVBCodeGenerator, MRVBCodeChecker, ["V", "VS"], (8,)),
}

# The positions a check digit covers, check digits included: (line, first, end).
COVERED = {
    "TD1": [(0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 30)],
    "TD2": [(1, 0, 10), (1, 13, 20), (1, 21, 36)],
    "TD3": [(1, 0, 10), (1, 13, 20), (1, 21, 44)],
    "MRV-A": [(1, 0, 10), (1, 13, 20), (1, 21, 28)],
    "MRV-B": [(1, 0, 10), (1, 13, 20), (1, 21, 28)],
}
# Where the dates are: (line, first) of birth and expiry.
DATES = {
    "TD1": {"birth_date": (1, 0), "expiry_date": (1, 8)},
    **{f: {"birth_date": (1, 13), "expiry_date": (1, 21)} for f in ("TD2", "TD3", "MRV-A", "MRV-B")},
}
# The package's report entries for the hashes, by our problem field.
HASHES = {
    "document number hash": "document_number_check",
    "birth date hash": "birth_date_check",
    "expiry date hash": "expiry_date_check",
    "optional data hash": "optional_data_check",
    "final hash": "composite_check",
}
CHECK_KINDS = {"check_digit", "composite_check_digit", "ocr_confusion", "character"}
VERDICT_KINDS = CHECK_KINDS | {"date"}
DATE_FIELDS = {"birth_date", "expiry_date"}

# ICAO 9303 specimens, with their fields as the standard prints them. The TD1 of a 12-character
# document number is the long-number form (Part 5, the document-number note): a filler for the
# check digit, the rest of the number and its check digit at the start of the optional data.
SPECIMENS = [
    ("TD3", ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
             "L898902C36UTO7408122F1204159ZE184226B<<<<<10"],
     dict(surname="ERIKSSON", given_names="ANNA MARIA", document_number="L898902C3",
          nationality="UTO", birth="740812", expiry="120415", sex="F", optional_data="ZE184226B")),
    ("TD1", ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
             "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"],
     dict(surname="ERIKSSON", given_names="ANNA MARIA", document_number="D23145890",
          nationality="UTO", birth="740812", expiry="120415", sex="F", optional_data="",
          optional_data_2="")),
    ("TD1", ["I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2",
             "STEVENSON<<PETER<JOHN<<<<<<<<<"],
     dict(surname="STEVENSON", given_names="PETER JOHN", document_number="D23145890734",
          nationality="UTO", birth="340712", expiry="950712", sex="M", optional_data="",
          optional_data_2="")),
    ("TD2", ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"],
     dict(surname="ERIKSSON", given_names="ANNA MARIA", document_number="D23145890",
          nationality="UTO", birth="740812", expiry="120415", sex="F", optional_data="")),
    ("MRV-A", ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
               "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"],
     dict(surname="ERIKSSON", given_names="ANNA MARIA", document_number="L8988901C",
          nationality="XXX", birth="400907", expiry="961210", sex="F",
          optional_data="6ZE184226B")),
    ("MRV-B", ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"],
     dict(surname="ERIKSSON", given_names="ANNA MARIA", document_number="L8988901C",
          nationality="XXX", birth="400907", expiry="961210", sex="F", optional_data="")),
]


def _long_form_without_rest():
    first = "I<UTOD23145890<" + hash_string("D23145890") + "<" * 14
    second = "7408122F1204159UTO<<<<<<<<<<<"
    composite = hash_string(first[5:30] + second[0:7] + second[8:15] + second[18:29])
    return [first, second + composite, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]


# Zones on a point the package cannot speak to (it knows no long-number form), judged by
# ICAO's text: a disagreement if ours does not report them on document_number_check.
NOTES = [
    (_long_form_without_rest(),
     "a filler for the check digit, then only a check digit (of the nine characters) and a "
     "filler: ICAO's long-number form is for numbers of more than nine characters (Part 5, the "
     "document-number note), so the zone claims a longer number and gives none; it must be "
     "reported on document_number_check"),
]


def random_date(rng, first_year, last_year):
    while True:
        year, month, day = rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 31)
        text = f"{year % 100:02d}{month:02d}{day:02d}"
        try:
            lib_check.date(text)
        except ValueError:
            continue
        return year, text


def random_optional(rng, width):
    if rng.random() < 0.4:
        return ""
    length = rng.randint(1, width)
    chars = [rng.choice(ALNUM) if rng.random() > 0.12 else "<" for _ in range(length)]
    if chars[-1] == "<":
        chars[-1] = rng.choice(ALNUM)
    if rng.random() < 0.1:
        chars[0] = "<"  # a leading filler: a data position left empty
    return "".join(chars)


def generate(rng, fmt):
    """A zone of `fmt` made by the package's generator; None when the names do not fit."""
    generator, _, codes, widths = FORMATS[fmt]
    document_type = rng.choice(codes)
    country, nationality = rng.choice(CODES), rng.choice(CODES)
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN_NAMES)
    number = "".join(rng.choice(ALNUM) for _ in range(9 if rng.random() < 0.85 else rng.randint(5, 8)))
    birth_year, birth = random_date(rng, 1930, 2023)
    _, expiry = random_date(rng, max(birth_year + 1, 2000), 2040)
    sex = rng.choice("MF<")
    optional = [random_optional(rng, w) for w in widths]
    try:
        if fmt == "TD1":
            made = generator(document_type, country, number, birth, sex, expiry, nationality,
                             surname, given, optional[0], optional[1])
        else:
            made = generator(document_type, country, surname, given, number, nationality,
                             birth, sex, expiry, optional[0])
        return str(made).split("\n")
    except LengthError:
        return None


def mutate(rng, fmt, lines):
    line, first, end = rng.choice([span for span in COVERED[fmt] for _ in range(span[2] - span[1])])
    position = rng.randrange(first, end)
    original = lines[line][position]
    pick = rng.random()
    pool = "0123456789" if pick < 0.5 else ("<" if pick > 0.9 else "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    replacement = rng.choice([c for c in pool if c != original] or "0123456789")
    changed = list(lines)
    changed[line] = lines[line][:position] + replacement + lines[line][position + 1:]
    return changed, (line + 1, position + 1, original, replacement)


def lengthen(rng, fmt, lines):
    """The zone with its nine-character document number made longer, in ICAO's long-number form
    (see `long_number_check`), the composite check digit recomputed with the package's
    `hash_string`. The package's generators refuse numbers of more than nine characters, so
    this is the only form made here; the zone is otherwise the generator's. Returns the lines,
    the whole number and the optional data that follows the number's filler."""
    width = 15 if fmt == "TD1" else 7
    rest = "".join(rng.choice(ALNUM) for _ in range(rng.randint(1, width - 2)))
    number = (lines[0][5:14] if fmt == "TD1" else lines[1][0:9]) + rest
    left = width - len(rest) - 2
    optional = random_optional(rng, left).lstrip("<") if left else ""
    field = (rest + hash_string(number) + "<" + optional).ljust(width, "<")
    if fmt == "TD1":
        first = lines[0][:14] + "<" + field
        second = lines[1][:29]
        composite = first[5:30] + second[0:7] + second[8:15] + second[18:29]
        changed = [first, second + hash_string(composite), lines[2]]
    else:
        second = lines[1][:9] + "<" + lines[1][10:28] + field
        composite = second[0:10] + second[13:20] + second[21:35]
        changed = [lines[0], second + hash_string(composite)]
    return changed, number, optional


def long_number_check(fmt, lines):
    """ICAO 9303 Part 5 (TD1) and Part 6 (TD2), the note on document numbers of more than nine
    characters: the nine principal characters, a filler for the check digit, then at the start
    of the optional data the rest of the number, its check digit and a filler. The package knows
    only the nine-character form (it computes the hash of the nine characters against the
    filler, always false), so for this form the verdict is computed here, with the package's
    `hash_string`. None when the zone is not of this form."""
    if fmt == "TD1":
        number, check, extra = lines[0][5:14], lines[0][14], lines[0][15:30]
    elif fmt == "TD2":
        number, check, extra = lines[1][0:9], lines[1][9], lines[1][28:35]
    else:
        return None
    if check != "<" or number.endswith("<"):
        return None
    end = extra.find("<")
    end = len(extra) if end < 0 else end
    if end == 0:
        return False
    digit = extra[end - 1]
    return digit.isdigit() and hash_string(number + extra[:end - 1]) == digit


def library_view(fmt, lines):
    """The package's verdict: per hash, per date, and over all (check digits and dates)."""
    checker_class = FORMATS[fmt][1]
    checker = checker_class("\n".join(lines), check_expiry=False, compute_warnings=False)
    hashes = {HASHES[name]: ok for name, ok in checker.report.fields if name in HASHES}
    long_form = long_number_check(fmt, lines)
    if long_form is not None:
        hashes["document_number_check"] = long_form
    dates = {}
    for field, (line, first) in DATES[fmt].items():
        try:
            lib_check.date(lines[line][first:first + 6])
            dates[field] = True
        except ValueError:
            dates[field] = False
    return {
        "checker": checker,
        "hashes": hashes,
        "dates": dates,
        "valid": all(hashes.values()) and all(dates.values()),
        "long_form": long_form is not None,
    }


def our_view(fmt, lines, ours):
    problems = [p for p in ours.get("problems", [])]
    failing = {p["field"] for p in problems if p["kind"] in CHECK_KINDS and p["field"].endswith("_check")}
    date_bad = {p["field"] for p in problems if p["field"] in DATE_FIELDS and p["kind"] in VERDICT_KINDS}
    # A date's own check digit is verified only when the date is digits and fillers.
    unchecked = set()
    for field, (line, first) in DATES[fmt].items():
        if not all(c.isdigit() or c == "<" for c in lines[line][first:first + 6]):
            unchecked.add(field + "_check")
    return {
        "failing": failing,
        "unchecked": unchecked,
        "dates": {f: f not in date_bad for f in DATES[fmt]},
        "valid": not any(p["kind"] in VERDICT_KINDS for p in problems),
    }


def compare_fields(fmt, ours, expected):
    """Field differences between our output and `expected` (the package's fields or the
    standard's), as a list of (field, ours, expected)."""
    sex = {"X": "<"}.get(ours.get("sex"), ours.get("sex"))
    got = {
        "format": ours.get("format"),
        "surname": ours.get("surname"),
        "given_names": ours.get("given_names"),
        "document_number": ours.get("document_number"),
        "nationality": ours.get("nationality"),
        "birth": (ours.get("birth_date") or {}).get("raw"),
        "expiry": (ours.get("expiry_date") or {}).get("raw"),
        "sex": sex,
        "optional_data": ours.get("optional_data"),
    }
    if fmt == "TD1":
        got["optional_data_2"] = ours.get("optional_data_2")
    differences = []
    for field, value in expected.items():
        mine = got.get(field, ours.get(field))
        if field.startswith("optional_data") and isinstance(mine, str):
            # The package strips fillers from both ends of optional data (`anset`: strip("<")),
            # ours only the trailing ones (a leading filler is a data position left empty).
            # Ours must end in no filler; compared without leading fillers.
            if mine.endswith("<"):
                differences.append((field, mine, value + " (no trailing filler)"))
                continue
            mine = mine.lstrip("<")
        if mine != value:
            differences.append((field, mine, value))
    # The dates as resolved must be the dates as written.
    for key in ("birth_date", "expiry_date"):
        date = (ours.get(key) or {}).get("date")
        raw = (ours.get(key) or {}).get("raw")
        if date and len(date) == 10 and date[2:4] + date[5:7] + date[8:10] != raw:
            differences.append((key + ".date", date, raw))
    return differences


def library_fields(fmt, checker):
    fields = checker.fields()
    expected = {
        "format": fmt,
        "document_code": fields.document_type,
        "issuing_state": fields.country,
        "surname": fields.surname,
        "given_names": fields.name,
        "document_number": fields.document_number,
        "nationality": fields.nationality,
        "birth": fields.birth_date,
        "expiry": fields.expiry_date,
        "sex": fields.sex,
        "optional_data": fields.optional_data,
    }
    if fmt == "TD1":
        expected["optional_data_2"] = fields.optional_data_2
    return expected


def judge(case, ours):
    """Disagreements of one zone: a list of strings, empty when both sides agree."""
    fmt, lines, variation = case["format"], case["lines"], case["variation"]
    found = []
    if ours.get("format") != fmt:
        return [f"format: ours {ours.get('format')!r}, expected {fmt!r}"]
    try:
        lib = library_view(fmt, lines)
    except Exception as error:  # the package refusing a zone is a finding too
        return [f"the package's checker raised {type(error).__name__}: {error}"]
    case["library"] = lib
    mine = our_view(fmt, lines, ours)
    for check, ok in sorted(lib["hashes"].items()):
        if check in mine["unchecked"]:
            continue
        if ok == (check in mine["failing"]):
            found.append(f"{check}: package {'valid' if ok else 'invalid'}, ours {'invalid' if ok else 'valid'}")
    for check in sorted(mine["failing"] - set(lib["hashes"])):
        found.append(f"{check}: ours invalid, the package has no such check digit")
    for field, ok in lib["dates"].items():
        if ok != mine["dates"][field]:
            found.append(f"{field}: package {'valid' if ok else 'invalid'}, ours {'valid' if mine['dates'][field] else 'invalid'}")
    if lib["valid"] != mine["valid"] and not found:
        found.append(f"verdict: package {'valid' if lib['valid'] else 'invalid'}, ours {'valid' if mine['valid'] else 'invalid'}")
    if variation == "clean":
        if not ours.get("valid"):
            found.append("a zone as made is invalid for us")
        if not bool(lib["checker"]):
            found.append(f"a zone as made is invalid for the package: {lib['checker'].report.errors}")
    if variation == "long":
        if not ours.get("valid"):
            found.append("a long-number zone is invalid for us")
        # The package's only objection must be the hash of the nine characters (see
        # `long_number_check`).
        falses = [name for name, ok in lib["checker"].report.fields if not ok]
        if falses != ["document number hash"]:
            found.append(f"a long-number zone is invalid for the package beyond the number: {falses}")
    if variation == "long" and (ours.get("optional_data") or "").startswith("<"):
        case.setdefault("notes", []).append(
            f"optional_data {ours.get('optional_data')!r}: it begins with the filler that ends "
            "the long number (\"followed by a check digit and a filler character\"), which is "
            "not a data position")
    if variation in ("clean", "specimen", "long"):
        # The specimens against the standard's fields (the package reads the long-number
        # specimen's number as its nine first characters), the zones as made against the
        # package's.
        expected = case.get("expected") or library_fields(fmt, lib["checker"])
        for field, got, want in compare_fields(fmt, ours, expected):
            found.append(f"{field}: ours {got!r}, expected {want!r}")
    return found


def main():
    binary = sys.argv[1]
    rng = random.Random(SEED)
    cases = []
    for lines, note in NOTES:
        cases.append({"format": "TD1", "lines": lines, "variation": "note", "note": note})
    for fmt, lines, expected in SPECIMENS:
        cases.append({"format": fmt, "lines": lines, "variation": "specimen", "expected": expected})
    skipped = Counter()
    for fmt in FORMATS:
        made = 0
        while made < PER_FORMAT:
            lines = generate(rng, fmt)
            if lines is None:
                skipped[fmt] += 1
                continue
            made += 1
            cases.append({"format": fmt, "lines": lines, "variation": "clean"})
            changed, where = mutate(rng, fmt, lines)
            cases.append({"format": fmt, "lines": changed, "variation": "mutated", "where": where})

    for fmt in ("TD1", "TD2"):
        made = 0
        while made < LONG_PER_FORMAT:
            lines = generate(rng, fmt)
            if lines is None or (lines[0][13] if fmt == "TD1" else lines[1][8]) == "<":
                continue
            made += 1
            expected = library_fields(fmt, library_view(fmt, lines)["checker"])
            changed, number, optional = lengthen(rng, fmt, lines)
            expected.update(document_number=number, optional_data=optional)
            cases.append({"format": fmt, "lines": changed, "variation": "long", "expected": expected})
            mutated, where = mutate(rng, fmt, changed)
            cases.append({"format": fmt, "lines": mutated, "variation": "long, mutated", "where": where})

    stdin = "".join(json.dumps({"lines": case["lines"]}) + "\n" for case in cases)
    done = subprocess.run([binary, "mrz", "parse", "--today", TODAY], input=stdin,
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"palermo mrz parse failed ({done.returncode}):\n{done.stderr}")
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    if len(outputs) != len(cases):
        sys.exit(f"palermo mrz parse answered {len(outputs)} lines for {len(cases)} zones")

    counts = defaultdict(Counter)
    disagreements = []
    notes = []
    for case, ours in zip(cases, outputs):
        fmt = case["format"]
        if case["variation"] == "note":
            checks = [p for p in ours.get("problems", []) if p["field"] == "document_number_check"]
            if not checks:
                counts[fmt]["disagreement"] += 1
                disagreements.append((case, ours, [f"{case['note']}; ours: document_number "
                                                   f"{ours.get('document_number')!r}, no problem"]))
            continue
        found = judge(case, ours)
        if case["variation"] == "specimen":
            # The specimens' UTO is ICAO's imaginary state: our `code` problems on it are
            # expected, every other problem is not.
            others = [p for p in ours.get("problems", []) if p["kind"] != "code"]
            if others:
                found.append(f"problems other than UTO's code: {others}")
        for note in case.get("notes", []):
            counts[fmt]["note (see below)"] += 1
            if len(notes) < 2:
                notes.append(f"{' / '.join(case['lines'])}: {note}")
        if found:
            kind = "disagreement"
            disagreements.append((case, ours, found))
        elif case["variation"] in ("clean", "specimen", "long"):
            kind = {"long": "long number, as made"}.get(case["variation"], case["variation"])
        elif case["library"]["valid"]:
            kind = "mutated, undetected by both"
        else:
            kind = "mutated, detected by both"
        counts[fmt][kind] += 1
        if case["variation"] == "long, mutated":
            counts[fmt]["(of the mutated: long number)"] += 1

    kinds = ["specimen", "clean", "long number, as made", "mutated, detected by both",
             "mutated, undetected by both", "(of the mutated: long number)", "disagreement",
             "note (see below)"]
    print(f"mrz {mrz.__version__} against {binary} (today {TODAY}, seed {SEED}): "
          f"{len(cases)} zones in one process")
    width = max(len(k) for k in kinds)
    print(f"{'':{width}}  " + "  ".join(f"{fmt:>6}" for fmt in FORMATS) + "   total")
    for kind in kinds:
        row = [counts[fmt][kind] for fmt in FORMATS]
        print(f"{kind:{width}}  " + "  ".join(f"{n:>6}" for n in row) + f"  {sum(row):>6}")
    if skipped:
        print("generator refusals (names too long for the format, drawn again): "
              + ", ".join(f"{fmt} {n}" for fmt, n in skipped.items()))
    for note in notes:
        print(f"NOTE {note}")
    if sum(counts[fmt]["note (see below)"] for fmt in FORMATS) > 2:
        print("NOTE … and the other long-number zones whose optional data follows the filler")
    for case, ours, found in disagreements[:SHOWN]:
        print(f"\n--- {case['format']} {case['variation']}"
              + (f", line {case['where'][0]} column {case['where'][1]}: {case['where'][2]!r} -> {case['where'][3]!r}"
                 if "where" in case else ""))
        for line in case["lines"]:
            print(f"    {line}")
        for item in found:
            print(f"  {item}")
        if "library" in case:
            checker = case["library"]["checker"]
            print(f"  package: hashes {case['library']['hashes']}, dates {case['library']['dates']}, "
                  f"errors {checker.report.errors}")
        print(f"  ours: {json.dumps({k: v for k, v in ours.items() if k != 'lines'})}")
    if disagreements:
        sys.exit(f"\n{len(disagreements)} disagreement(s)")
    print("no disagreement")


if __name__ == "__main__":
    main()
