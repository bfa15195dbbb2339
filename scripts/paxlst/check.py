"""Holds `palermo paxlst parse` against the `pydifact` package's EDIFACT objects and parser.

Some 300 PAXLST interchanges are generated from a fixed seed: random flights (TDT, LOC 125/87
and 92, DTM 189/232), 1-60 travellers each, passengers (NAD+FL) and crew (NAD+FM), with names
that need the release character (O'BRIEN, plus signs, colons, question marks and whatever the
service characters of that interchange are), multi-part given names, sexes, birth dates as
YYMMDD and CCYYMMDD:102, documents (P/I/V/A/C, some travellers with two, expiry and issuing
country), nationalities and residences as alpha-3, alpha-2 and ICAO 9303 codes, references;
sometimes several UNH messages, sometimes in one or two UNG groups, under various UNA service
characters (or none), on one line or a line a segment, in UNOA/UNOB (ASCII), UNOY (sent as
UTF-8) or UNOC (ISO 8859-1, as ISO 9735's code list 0001 has it). pydifact builds and
serializes every interchange (its Segment, Message, Interchange and Serializer: the
release-character escaping and the UNA are its own); the group trailers and, with groups, the
UNZ count are computed here (see GroupedInterchange).

pydifact 0.2.3's quirks, each worked around narrowly where it is met: its UNZ counts messages
even inside groups (GroupedInterchange); its get_messages() refuses grouped interchanges
(parse_back); it never releases the repetition separator of a UNA (`*` in `:+,?*'`), which our
reader reads as data like any other character, so no field can tell.

Then (a) our reader reads each and every field is compared to what was generated; (b) pydifact
parses each back and must find the same segments; (c) about 100 interchanges are broken one way
each (wrong UNT count or reference, wrong UNE count or reference, wrong UNZ count or reference,
no UNZ, a segment cut short, a tag in lower case, a UNH of another message type) and our reader
must refuse each (exit 1) with one error naming the segment (its number from 1, UNA not
counted), its tag, the element at fault, and the line and column (in bytes) where it starts.

Usage: python check.py PALERMO_BINARY. Prints counts per kind of variation and up to ten
disagreements in full; the inputs of all disagreements are kept in a directory it names.
Exits 1 on any disagreement.
"""

import datetime
import json
import random
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

from pydifact.control import Characters
from pydifact.exceptions import MissingImplementationWarning
from pydifact.parser import Parser
from pydifact.segmentcollection import Interchange, Message
from pydifact.segments import Segment
from pydifact.serializer import Serializer

# pydifact 0.2.3's wheel ships no service-segment directories; it warns on every UNB/UNH/UNT/
# UNZ it parses that it skips their validation.
warnings.simplefilter("ignore", MissingImplementationWarning)

SEED = 9735
TODAY = datetime.date(2026, 12, 3)
GOOD = 300
BAD = 100
SHOWN = 10

# (label, the six characters of the UNA advice; None: no UNA, ISO 9735's defaults).
SERVICE = [
    ("no UNA (defaults)", None),
    ("UNA:+.? '", ":+.? '"),
    ("UNA|*.# ~", "|*.# ~"),
    ("UNA:+,?*' (v4 repetition separator)", ":+,?*'"),
    ("UNA!^.\\ ;", "!^.\\ ;"),
    ("UNA of control characters", "\x1f\x1d.\x19 \x1c"),
]
# Every service character of every set above, so that each set's own turn up in the data.
SPECIALS = "'+:?|*#~!^\\;"

SURNAMES = [
    "DOE", "SMITH", "GARCIA", "NGUYEN", "MUELLER", "ROSSI", "KOWALSKI", "TANAKA", "OKAFOR",
    "HANSEN", "DUBOIS", "SILVA", "COHEN", "IVANOV", "MURPHY", "KIM", "PATEL", "JOHANSSON",
    "NOVAK", "VAN DER BERG", "AL-FARSI", "DE LA CRUZ", "ST. JOHN",
]
RELEASED_SURNAMES = [
    "O'BRIEN", "D'ARCY", "O'NEILL", "N'DIAYE", "SMITH+JONES", "KIM:LEE", "WHO?", "A|B",
    "STAR*", "NO#1", "TIL~DE", "BANG!", "CAR^ET", "BACK\\SLASH", "SEMI;COLON", "??", "'",
    "+:'?", "O''HARA", "Q?:+'",
]
GIVEN = [
    "JOHN", "MARY", "ANNA", "JEAN-LUC", "MARIA", "WEI", "FATIMA", "OLUWASEUN", "SOFIA", "LUCA",
    "AHMED", "YUKI", "PIERRE", "ELENA", "JAMES", "MARY ANN", "D'ARTAGNAN", "JO+JO", "Q?",
    "A:B", "JOSE MARIA",
]
# For UNOY (UTF-8) and UNOC (ISO 8859-1) interchanges: all of them in ISO 8859-1.
ACCENTED = ["MÜLLER", "GARCÍA", "ØSTERGÅRD", "FRANÇOIS", "JOSÉ", "SÖREN", "ÅSA", "NÚÑEZ"]

AIRPORTS = [
    "YVR", "AKL", "LHR", "CDG", "FRA", "JFK", "LAX", "NRT", "SIN", "DXB", "SYD", "GRU", "JNB",
    "ORD", "AMS", "MAD", "FCO", "IST", "DEL", "HKG", "HNL", "NAN", "PPT", "ICN",
]
CARRIERS = ["UA", "NZ", "AC", "BA", "AF", "LH", "QF", "SQ", "EK", "KL", "IB", "TK", "JL"]
# ISO 3166-1 alpha-2 to alpha-3, written out here (independent of the reader's table).
ALPHA2 = {
    "AT": "AUT", "AU": "AUS", "BE": "BEL", "BR": "BRA", "CA": "CAN", "CH": "CHE", "CN": "CHN",
    "CZ": "CZE", "DE": "DEU", "DK": "DNK", "EG": "EGY", "ES": "ESP", "FI": "FIN", "FR": "FRA",
    "GB": "GBR", "GR": "GRC", "IE": "IRL", "IN": "IND", "IT": "ITA", "JP": "JPN", "KR": "KOR",
    "MX": "MEX", "NL": "NLD", "NO": "NOR", "NZ": "NZL", "PL": "POL", "PT": "PRT", "RU": "RUS",
    "SE": "SWE", "TR": "TUR", "UA": "UKR", "US": "USA", "ZA": "ZAF", "AR": "ARG", "CL": "CHL",
    "NG": "NGA", "MA": "MAR", "PH": "PHL", "SG": "SGP", "TH": "THA", "VN": "VNM", "IL": "ISR",
    "SA": "SAU", "AE": "ARE", "FJ": "FJI", "WS": "WSM", "TO": "TON",
}
ALPHA3 = sorted(set(ALPHA2.values()) | {"CHE", "LUX", "ISL", "KEN", "PER", "COL", "EST"})
# ICAO Doc 9303 codes that are no ISO 3166-1 alpha-3 code: kept as given.
ICAO = ["D", "GBD", "GBN", "RKS", "UNO", "XXA", "XXB", "XXX"]
ENCODINGS = {"UNOA": "ascii", "UNOB": "ascii", "UNOY": "utf-8", "UNOC": "latin-1"}
OTHER_MESSAGES = ["CUSRES", "IFTMIN", "BAPLIE", "CUSDEC", "INVOIC", "PNRGOV"]


class GroupedInterchange(Interchange):
    """pydifact 0.2.3 knows no functional groups: its UNZ counts the UNH segments even when
    the messages stand in UNG groups (its own FIXME). ISO 9735 (UNZ 0036) counts the groups
    then, and so does this; without groups pydifact's own count is kept."""

    def get_footer_segment(self):
        groups = sum(1 for segment in self.segments if segment.tag == "UNG")
        if groups:
            return Segment(self.FOOTER_TAG, str(groups), self.control_reference)
        return super().get_footer_segment()


def days(rng, first, last):
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def word(rng, alphabet, low, high):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"


class Labels(list):
    """The kinds of variation something shows, each once, in the order met."""

    def vary(self, label):
        if label not in self:
            self.append(label)


class Case:
    """One generated interchange: what pydifact serialized and what our reader must read."""

    def __init__(self, number):
        self.number = number
        self.variations = Labels()  # the interchange's
        self.traveller_labels = []  # each traveller's
        self.envelope = []  # the indices of the segments outside any traveller
        self.una = None
        self.segments = []  # every segment, UNB to UNZ, as pydifact objects
        self.pieces = []  # each one serialized, as pydifact's serializer wrote it
        self.prefix = ""  # the UNA advice (and its line break)
        self.encoding = "ascii"
        self.expected = {}
        self.characters = None
        self.break_lines = False
        self.groups = 0
        self.messages = 0

    def vary(self, label):
        self.variations.vary(label)

    @property
    def text(self):
        return self.prefix + "".join(self.pieces)

    def data(self, pieces=None):
        return (self.prefix + "".join(self.pieces if pieces is None else pieces)).encode(
            self.encoding
        )

    def start_of(self, index, pieces=None):
        """Line and column (from 1, in bytes) where segment `index` (from 0) starts."""
        pieces = self.pieces if pieces is None else pieces
        before = (self.prefix + "".join(pieces[:index])).encode(self.encoding)
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return line, column


def country(rng, labels, what):
    """An element value for a country and what our reader must make of it."""
    roll = rng.random()
    if roll < 0.7:
        code = rng.choice(ALPHA3)
        return code, code
    if roll < 0.9:
        code = rng.choice(sorted(ALPHA2))
        labels.vary(f"{what} as alpha-2")
        return code, ALPHA2[code]
    code = rng.choice(ICAO)
    labels.vary(f"{what} as an ICAO 9303 code")
    return code, code


def a_surname(rng, labels, accented):
    roll = rng.random()
    if accented and roll < 0.3:
        labels.vary("names beyond ASCII")
        return rng.choice(ACCENTED)
    if roll < 0.55:
        return rng.choice(SURNAMES)
    labels.vary("names needing the release character")
    if roll < 0.8:
        return rng.choice(RELEASED_SURNAMES)
    base = rng.choice(SURNAMES)
    at = rng.randint(1, len(base) - 1)
    return base[:at] + rng.choice(SPECIALS) + base[at:]


def a_given(rng, labels, accented):
    names = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        if accented and rng.random() < 0.3:
            labels.vary("names beyond ASCII")
            names.append(rng.choice(ACCENTED))
        else:
            names.append(rng.choice(GIVEN))
    return " ".join(names)


def birth(rng, labels):
    """DTM+329 composite and the date our reader must give (today 2026-12-03)."""
    form = rng.choices(["YYMMDD", "YYMMDD:101", "CCYYMMDD:102", "CCYYMMDD"], [45, 10, 40, 5])[0]
    labels.vary(f"birth date {form}")
    if form.startswith("YYMMDD"):
        # A two-digit birth year is the latest not after today: 1926-12-04 … 2026-12-03.
        edge = rng.random()
        if edge < 0.03:
            date = TODAY
        elif edge < 0.06:
            date = datetime.date(1926, 12, 4)
        else:
            date = days(rng, datetime.date(1926, 12, 4), TODAY)
        text = f"{date:%y%m%d}"
    else:
        date = days(rng, datetime.date(1900, 1, 1), TODAY)
        text = f"{date:%Y%m%d}"
    components = ["329", text] + (["101"] if form.endswith("101") else [])
    components += ["102"] if form.endswith("102") else []
    return components, date.isoformat()


def expiry(rng, labels):
    if rng.random() < 0.6:
        # Two digits: this century unless more than 50 years ahead (1977 … 2076).
        date = days(rng, datetime.date(2015, 1, 1), datetime.date(2045, 12, 31))
        if rng.random() < 0.05:
            date = days(rng, datetime.date(1977, 1, 1), datetime.date(2076, 12, 31))
        labels.vary("expiry YYMMDD")
        return ["36", f"{date:%y%m%d}"], date.isoformat()
    date = days(rng, datetime.date(1990, 1, 1), datetime.date(2090, 12, 31))
    labels.vary("expiry CCYYMMDD:102")
    return ["36", f"{date:%Y%m%d}", "102"], date.isoformat()


def flight_time(rng, qualifier, when):
    if rng.random() < 0.6:
        return [qualifier, f"{when:%y%m%d%H%M}", "201"]
    return [qualifier, f"{when:%Y%m%d%H%M}", "203"]


def traveller_segments(rng, role, accented):
    """The segments of one traveller, the object our reader must make of them and the
    variations it shows."""
    labels = Labels()
    surname = a_surname(rng, labels, accented)
    roll = rng.random()
    if roll < 0.05:
        given = []
        labels.vary("no given name")
    elif roll < 0.6:
        given = [a_given(rng, labels, accented)]
    elif roll < 0.95:
        given = [a_given(rng, labels, accented), a_given(rng, labels, accented)]
        labels.vary("given names in two components")
    else:
        given = ["", a_given(rng, labels, accented)]
        labels.vary("first given name component empty")
    expected = {
        "role": role,
        "surname": surname,
        "given_names": " ".join(g for g in given if g),
    }
    nad = ["FL" if role == "passenger" else "FM", "", "", [surname, *given]]
    if rng.random() < 0.15:
        # The address (C059 street, city, sub-entity, postcode, country): not read.
        nad += [f"{rng.randint(1, 999)} MAIN ST{rng.choice(SPECIALS)}", "ANYCITY", "VA", "10053",
                "USA"]
        labels.vary("traveller with an address")
    head = Segment("NAD", *nad)
    segments = [head]
    if rng.random() < 0.85:
        sex = rng.choice("MFXU")
        segments.append(Segment("ATT", "2", "", sex))
        expected["sex"] = sex
    if rng.random() < 0.9:
        components, date = birth(rng, labels)
        segments.append(Segment("DTM", components))
        expected["birth_date"] = date
    if rng.random() < 0.1:
        segments.append(Segment("GEI", "4", "173"))
    if rng.random() < 0.7:
        place = rng.choice(AIRPORTS)
        segments.append(Segment("LOC", "178", place))
        expected["embarkation"] = place
    if rng.random() < 0.7:
        place = rng.choice(AIRPORTS)
        segments.append(Segment("LOC", "179", place))
        expected["debarkation"] = place
    if rng.random() < 0.3:
        code, read = country(rng, labels, "residence")
        segments.append(Segment("LOC", "174", code))
        expected["residence"] = read
    if role == "crew" and rng.random() < 0.5:
        segments.append(Segment("EMP", "1", ["CR1", "110", "111"]))
    if rng.random() < 0.85:
        code, read = country(rng, labels, "nationality")
        segments.append(Segment("NAT", "2", code))
        expected["nationality"] = read
    references = []
    for qualifier in ("AVF", "SEA", "AEA"):
        if rng.random() < (0.5 if qualifier == "AVF" else 0.12):
            value = word(rng, UPPER + DIGITS, 3, 8)
            if rng.random() < 0.15:
                value += rng.choice(SPECIALS)
                labels.vary("references needing the release character")
            segments.append(Segment("RFF", [qualifier, value]))
            references.append(f"{qualifier}:{value}")
    if references:
        expected["references"] = references
    documents = []
    for _ in range(rng.choices([0, 1, 2], [10, 70, 20])[0]):
        code = rng.choices("PIVAC", [60, 15, 15, 5, 5])[0]
        number = word(rng, UPPER + DIGITS, 6, 12)
        if rng.random() < 0.05:
            number = number[:3] + rng.choice(SPECIALS) + number[3:]
            labels.vary("document numbers needing the release character")
        first = [code, "110", "111"] if rng.random() < 0.5 else code
        segments.append(Segment("DOC", first, number))
        document = {"code": code, "number": number}
        if rng.random() < 0.8:
            components, date = expiry(rng, labels)
            segments.append(Segment("DTM", components))
            document["expiry"] = date
        if rng.random() < 0.7:
            code, read = country(rng, labels, "issuing country")
            segments.append(Segment("LOC", "91", code))
            document["issuing_country"] = read
        documents.append(document)
    if len(documents) == 2:
        labels.vary("traveller with two documents")
    if documents:
        expected["documents"] = documents
    return head, segments, expected, labels


def generate(rng, number):
    case = Case(number)
    label, una = rng.choice(SERVICE)
    case.vary(label)
    case.una = una
    characters = Characters.from_str("UNA" + (una or ":+.? '"))
    syntax = rng.choices(["UNOA", "UNOB", "UNOY", "UNOC"], [45, 25, 22, 8])[0]
    case.encoding = ENCODINGS[syntax]
    accented = syntax in ("UNOY", "UNOC")
    case.vary(f"syntax {syntax}")
    carrier = rng.choice(CARRIERS)
    sender = rng.choice(["AIRLINE1", f"{carrier}API", "SITA", f"{carrier}+DCS"])
    recipient = rng.choice(["NZCS", "USCBP", "APIPNR", "CBSA:APP"])
    reference = word(rng, DIGITS, 1, 14)
    prepared = datetime.datetime(2026, rng.randint(1, 11), rng.randint(1, 28),
                                 rng.randint(0, 23), rng.randint(0, 59))
    interchange = GroupedInterchange(
        sender=[sender, "ZZ"],
        recipient=[recipient, "ZZ"],
        control_reference=reference,
        syntax_identifier=(syntax, rng.choice([3, 4]) if syntax != "UNOY" else 4),
        timestamp=prepared,
        characters=characters,
        extra_header_elements=["", "PAXLST"],
    )
    interchange.has_una_segment = una is not None
    case.characters = characters

    # The flight, repeated in every message.
    flight_number = f"{carrier}{rng.randint(1, 9999)}"
    departure, arrival = rng.sample(AIRPORTS, 2)
    leaves = datetime.datetime(rng.choice([2026, 2027]), rng.randint(1, 12), rng.randint(1, 28),
                               rng.randint(0, 23), rng.randint(0, 59))
    lands = leaves + datetime.timedelta(minutes=rng.randint(45, 20 * 60))
    routing = rng.sample([a for a in AIRPORTS if a not in (departure, arrival)],
                         rng.choice([1, 2])) if rng.random() < 0.2 else []
    flight_segments = [
        Segment("TDT", "20", flight_number, "", "", carrier),
        Segment("LOC", "125", departure),
        Segment("DTM", flight_time(rng, "189", leaves)),
        *[Segment("LOC", "92", place) for place in routing],
        Segment("LOC", "87", arrival),
        Segment("DTM", flight_time(rng, "232", lands)),
    ]
    flight = {
        "number": flight_number,
        "carrier": carrier,
        "departure_airport": departure,
        "departure_time": leaves.strftime("%Y-%m-%dT%H:%M"),
        "arrival_airport": arrival,
        "arrival_time": lands.strftime("%Y-%m-%dT%H:%M"),
    }
    if routing:
        flight["routing"] = routing
        case.vary("routing (LOC+92)")

    travellers = rng.randint(1, 60)
    roles = ["crew" if rng.random() < 0.2 else "passenger" for _ in range(travellers)]
    if rng.random() < 0.35 and travellers >= 2:
        messages = rng.randint(2, min(4, travellers))
        cuts = sorted(rng.sample(range(1, travellers), messages - 1))
    else:
        messages, cuts = 1, []
    bounds = list(zip([0, *cuts], [*cuts, travellers]))
    case.messages = messages
    case.vary("one message" if messages == 1 else "several messages")
    if messages > 1 and routing:
        case.vary("routing (LOC+92) in several messages")
    groups = 0
    if rng.random() < 0.3:
        groups = 2 if messages >= 2 and rng.random() < 0.4 else 1
        case.vary("one UNG group" if groups == 1 else "two UNG groups")
    case.groups = groups
    group_of = [0] * messages
    if groups == 2:
        split = rng.randint(1, messages - 1)
        group_of = [0 if m < split else 1 for m in range(messages)]
    counted = rng.random() < 0.9
    if not counted:
        case.vary("no CNT")

    heads = []  # (NAD segment, expected traveller)
    traveller_ids = set()
    references = set()
    declared = {"passenger": 0, "crew": 0}
    group_refs = [word(rng, DIGITS, 1, 6) + "G" + str(g) for g in range(groups)]
    for m, (low, high) in enumerate(bounds):
        if groups and (m == 0 or group_of[m] != group_of[m - 1]):
            g = group_of[m]
            interchange.add_segment(Segment(
                "UNG", "PAXLST", [sender, "ZZ"], [recipient, "ZZ"],
                [f"{prepared:%y%m%d}", f"{prepared:%H%M}"], group_refs[g], "UN", ["D", "05B"],
            ))
        while True:
            ref = rng.choice(["PAX", "API", "M"]) + word(rng, DIGITS, 1, 6)
            if ref not in references:
                references.add(ref)
                break
        mine = roles[low:high]
        status = "F" if m == messages - 1 else "C"
        message = Message(
            ref,
            ["PAXLST", "D", rng.choice(["02B", "05B", "12B", "15B"]), "UN", "IATA"],
            extra_header_elements=["API01", [f"{m + 1:02d}", status]],
        )
        message.add_segment(Segment("BGM", "745" if "passenger" in mine else "250"))
        if rng.random() < 0.3:
            message.add_segment(Segment("RFF", ["TN", word(rng, UPPER + DIGITS, 4, 10)]))
        if rng.random() < 0.7:
            contact = a_surname(rng, Labels(), accented)
            message.add_segment(Segment("NAD", "MS", "", "", contact))
            message.add_segment(Segment("COM", ["703 555 1212", "TE"], ["703 555 4545", "FX"]))
        for segment in flight_segments:
            message.add_segment(Segment(segment.tag, *segment.elements))
        for role in mine:
            head, segments, expected, labels = traveller_segments(rng, role, accented)
            for segment in segments:
                message.add_segment(segment)
                traveller_ids.add(id(segment))
            heads.append((head, expected))
            case.traveller_labels.append(labels)
        if counted:
            for role, qualifier in (("passenger", "42"), ("crew", "41")):
                n = mine.count(role)
                if n:
                    message.add_segment(Segment("CNT", [qualifier, str(n)]))
                    declared[role] += n
        interchange.add_message(message)
        if groups and (m == messages - 1 or group_of[m + 1] != group_of[m]):
            g = group_of[m]
            interchange.add_segment(Segment("UNE", str(group_of.count(g)), group_refs[g]))
    if set(roles) == {"passenger", "crew"}:
        case.vary("passengers and crew")

    case.segments = (
        [interchange.get_header_segment()]
        + interchange.segments
        + [interchange.get_footer_segment()]
    )
    number_of = {id(segment): i + 1 for i, segment in enumerate(case.segments)}
    case.envelope = [i for i, s in enumerate(case.segments) if id(s) not in traveller_ids]
    case.break_lines = rng.random() < 0.5
    case.vary("a line a segment" if case.break_lines else "one line")
    text = interchange.serialize(break_lines=case.break_lines)
    serializer = Serializer(characters)
    case.pieces = [
        serializer.serialize([segment], with_una_header=False, break_lines=case.break_lines)
        for segment in case.segments
    ]
    if una is not None:
        case.prefix = characters.service_string_advice + ("\n" if case.break_lines else "")
    assert case.text == text, "the pieces do not make up pydifact's serialization"

    expected_travellers = []
    for head, expected in heads:
        expected_travellers.append({"segment": number_of[id(head)], **expected})
    case.expected = {
        "sender": sender,
        "recipient": recipient,
        "interchange_reference": reference,
        "messages": messages,
        "flight": flight,
        "travellers": expected_travellers,
    }
    if counted and declared["passenger"]:
        case.expected["declared_passengers"] = declared["passenger"]
    if counted and declared["crew"]:
        case.expected["declared_crew"] = declared["crew"]
    return case


def run(binary, data):
    done = subprocess.run(
        [binary, "paxlst", "parse", "-", "--today", TODAY.isoformat()],
        input=data, capture_output=True, timeout=60,
    )
    try:
        output = json.loads(done.stdout)
    except json.JSONDecodeError:
        output = None
    return done.returncode, output, done.stderr.decode(errors="replace")


def compare(expected, got):
    """Every field that differs, as (path, expected, got)."""
    out = []
    if not isinstance(got, dict):
        return [("(output)", "a JSON object", got)]
    for key in sorted(set(expected) | set(got)):
        if key == "travellers":
            continue
        if expected.get(key) != got.get(key):
            out.append((key, expected.get(key), got.get(key)))
    mine, theirs = expected["travellers"], got.get("travellers") or []
    if len(mine) != len(theirs):
        out.append(("travellers (how many)", len(mine), len(theirs)))
    for i, (a, b) in enumerate(zip(mine, theirs)):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                out.append((f"travellers[{i}].{key}", a.get(key), b.get(key)))
    return out


def normal(elements):
    """Elements as pydifact's parser hands them back: an element of one component is a
    string, trailing empty components are dropped (its serializer never writes them)."""
    out = []
    for element in elements:
        if isinstance(element, list):
            element = list(element)
            while element and element[-1] == "":
                element.pop()
            element = element[0] if len(element) == 1 else ("" if not element else element)
        out.append(element)
    return out


def parse_back(case):
    """pydifact's own reading of what its serializer wrote: the same segments."""
    problems = []
    text = case.data().decode(case.encoding)
    try:
        everything = list(Parser().parse(text))
        interchange = Interchange.from_segments(iter(everything))
    except Exception as error:  # pydifact's EDISyntaxError, ValidationError and the like
        return [("pydifact refuses it", "its own serialization read back", repr(error))]
    parsed = everything
    if case.una is not None:
        if not parsed or parsed[0].tag != "UNA" or parsed[0].elements != [case.una]:
            problems.append(("UNA", case.una, parsed[0].elements if parsed else None))
        parsed = parsed[1:]
    if len(parsed) != len(case.segments):
        problems.append(("segments (how many)", len(case.segments), len(parsed)))
    for i, (mine, theirs) in enumerate(zip(case.segments, parsed)):
        a = (mine.tag, normal(mine.elements))
        b = (theirs.tag, normal(theirs.elements))
        if a != b:
            problems.append((f"segment {i + 1}", a, b))
    if interchange.control_reference != case.expected["interchange_reference"]:
        problems.append(("UNB reference", case.expected["interchange_reference"],
                         interchange.control_reference))
    # pydifact's get_messages() knows no groups: after a UNE it finds the interchange "not
    # closed with a UNT". Its message count is checked on interchanges without groups only.
    if not case.groups:
        found = len(list(interchange.get_messages()))
        if found != case.messages:
            problems.append(("messages", case.messages, found))
    return problems


KINDS = [
    "wrong UNT segment count", "wrong UNT reference", "wrong UNZ count",
    "wrong UNZ reference", "missing UNZ", "truncated inside a segment",
    "a segment tag in lower case", "UNH of another message type",
    "wrong UNE count", "wrong UNE reference",
]


def wrong_count(rng, right):
    wrong = int(right) + rng.choice([-2, -1, 1, 2, 10])
    return str(wrong if wrong >= 0 and wrong != int(right) else int(right) + 1)


def break_one(rng, case, kind):
    """A broken copy of the case's pieces and the error our reader must give first:
    (pieces, (segment number, tag, element, line, column))."""
    pieces = list(case.pieces)
    serializer = Serializer(case.characters)

    def rewrite(index, *elements):
        old = case.segments[index]
        pieces[index] = serializer.serialize(
            [Segment(old.tag, *elements)], with_una_header=False, break_lines=case.break_lines
        )

    def pick(tag):
        return rng.choice([i for i, s in enumerate(case.segments) if s.tag == tag])

    element = None
    if kind in ("wrong UNT segment count", "wrong UNT reference", "wrong UNE count",
                "wrong UNE reference", "wrong UNZ count", "wrong UNZ reference"):
        index = pick(kind.split()[1])
        count, reference = case.segments[index].elements[:2]
        if kind.endswith("count"):
            rewrite(index, wrong_count(rng, count), reference)
            element = 1
        else:
            rewrite(index, count, reference + rng.choice(["1", "X", "0"]))
            element = 2
    elif kind == "UNH of another message type":
        index = pick("UNH")
        elements = list(case.segments[index].elements)
        elements[1] = [rng.choice(OTHER_MESSAGES), *elements[1][1:]]
        rewrite(index, *elements)
        element = 2
    elif kind == "missing UNZ":
        pieces.pop()
        index = len(pieces) - 1  # the interchange ends with the segment before
    elif kind == "truncated inside a segment":
        index = rng.randrange(len(pieces))
        body = pieces[index].rstrip("\n")
        cut = rng.randint(1, len(body) - 1)  # at least one character, never the terminator
        pieces[index] = body[:cut]
        pieces = pieces[: index + 1]
        return pieces, (index + 1, body[: min(cut, 3)], None, *case.start_of(index, pieces))
    elif kind == "a segment tag in lower case":
        index = rng.randrange(len(pieces))
        pieces[index] = pieces[index][:3].lower() + pieces[index][3:]
        tag = case.segments[index].tag.lower()
        return pieces, (index + 1, tag, None, *case.start_of(index, pieces))
    else:
        raise ValueError(kind)
    tag = case.segments[index].tag
    return pieces, (index + 1, tag, element, *case.start_of(index, pieces))


def traveller_of(path):
    if path.startswith("travellers[") and "]" in path:
        return int(path[len("travellers["):path.index("]")])
    return None


def excerpt(case, paths):
    """The segments a disagreement is about: the travellers' (the first three) and, for any
    other field, those outside every traveller (envelopes, flight, counts)."""
    out = []
    travellers = case.expected["travellers"]
    involved = sorted({traveller_of(p) for p in paths} - {None})
    for i in involved[:3]:
        if i < len(travellers):
            start = travellers[i]["segment"] - 1
            end = travellers[i + 1]["segment"] - 1 if i + 1 < len(travellers) else start + 14
            end = min([end] + [j for j in case.envelope if j > start])
            out.append("".join(case.pieces[start:end]))
    if any(traveller_of(p) is None for p in paths):
        envelope = "".join(case.pieces[i] for i in case.envelope)
        out.append(envelope if len(envelope) < 3000 else envelope[:3000] + " …")
    return "\n    … ".join(out)


def visible(text):
    """Control characters (one UNA set uses them) written as escapes, line breaks kept."""
    return "".join(c if c == "\n" or c >= " " else f"\\x{ord(c):02x}" for c in text)


def signature(d):
    """What kind of disagreement: the check and the fields, traveller numbers left out."""
    names = sorted({p.split("].", 1)[-1] if traveller_of(p) is not None else p
                    for p, _, _ in d["fields"]})
    return (d["check"], tuple(names))


def main():
    binary = sys.argv[1]
    rng = random.Random(SEED)
    started = time.monotonic()
    cases = [generate(rng, n) for n in range(1, GOOD + 1)]
    disagreements = []
    per_variation, failing_variation = Counter(), Counter()
    per_traveller, failing_traveller = Counter(), Counter()
    travellers = fields = 0
    for case in cases:
        code, output, stderr = run(binary, case.data())
        if code == 0:
            found = compare(case.expected, output)
        else:
            found = [("exit status", 0, code), ("output", "a manifest", output or stderr)]
        if found:
            disagreements.append({
                "case": case.number, "check": "our reader", "variations": case.variations,
                "fields": found, "input": excerpt(case, [p for p, _, _ in found]),
                "data": case.data(),
            })
        pydifact = parse_back(case)
        if pydifact:
            disagreements.append({
                "case": case.number, "check": "pydifact parse-back",
                "variations": case.variations, "fields": pydifact,
                "input": case.text[:3000], "data": case.data(),
            })
        for label in case.variations:
            per_variation[label] += 1
            failing_variation[label] += bool(found)
        wrong = {traveller_of(p) for p, _, _ in found}
        for i, labels in enumerate(case.traveller_labels):
            for label in labels:
                per_traveller[label] += 1
                failing_traveller[label] += i in wrong or code != 0
        travellers += len(case.expected["travellers"])
        fields += sum(len(t) - 1 for t in case.expected["travellers"]) + len(case.expected) - 1
        fields += sum(len(d) for t in case.expected["travellers"] for d in t.get("documents", []))
        fields += len(case.expected["flight"]) - 1

    per_kind, failing_kind = Counter(), Counter()
    grouped = [c for c in cases if c.groups]
    for n in range(BAD):
        kind = KINDS[n % len(KINDS)]
        case = rng.choice(grouped if "UNE" in kind else cases)
        pieces, want = break_one(rng, case, kind)
        data = case.data(pieces)
        code, output, stderr = run(binary, data)
        per_kind[kind] += 1
        errors = output.get("errors") if isinstance(output, dict) else None
        problem = None
        if code != 1 or not errors:
            problem = f"exit {code}, not refused"
        else:
            first = errors[0]
            got = (first.get("segment"), first.get("tag"), first.get("element"),
                   first.get("line"), first.get("column"))
            if got != want:
                problem = "the first error names another place"
            elif len(errors) != 1:
                problem = f"{len(errors)} errors for one fault"
        if problem:
            failing_kind[kind] += 1
            disagreements.append({
                "case": case.number, "check": f"refusal: {kind}", "variations": case.variations,
                "fields": [(problem,
                            dict(zip(("segment", "tag", "element", "line", "column"), want)),
                            output if output is not None else stderr)],
                "input": "… " + (case.prefix + "".join(pieces))[-1500:], "data": data,
            })

    elapsed = time.monotonic() - started
    print(f"{GOOD} interchanges built by pydifact: {sum(c.messages for c in cases)} messages, "
          f"{travellers} travellers, {fields} fields compared; {BAD} broken ones; "
          f"{elapsed:.1f} s")
    print("Interchanges (how many; on how many our reader disagreed):")
    for label in sorted(per_variation):
        print(f"  {label}: {per_variation[label]}; {failing_variation[label]}")
    print("Travellers (how many; on how many our reader disagreed):")
    for label in sorted(per_traveller):
        print(f"  {label}: {per_traveller[label]}; {failing_traveller[label]}")
    print("Broken interchanges (how many; how many not refused as they should be):")
    for kind in KINDS:
        print(f"  {kind}: {per_kind[kind]}; {failing_kind[kind]}")
    checks = Counter(d["check"].split(":")[0] for d in disagreements)
    kinds = Counter(signature(d) for d in disagreements)
    print(f"Disagreements: {len(disagreements)} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(checks.items())) or 'none'})")
    for (check, names), count in kinds.most_common():
        print(f"  {count} × {check}: {', '.join(names)}")
    if not disagreements:
        print("every interchange read as generated and by pydifact, every broken one refused "
              "at its segment")
        return
    keep = Path(tempfile.mkdtemp(prefix="palermo-paxlst-"))
    for i, d in enumerate(disagreements, 1):
        name = d["check"].split(":")[-1].strip().replace(" ", "-")
        (keep / f"{i:04d}-case{d['case']}-{name}.edi").write_bytes(d["data"])
    # One of each kind first, then the rest in order.
    shown, seen = [], set()
    for d in disagreements:
        if signature(d) not in seen and len(shown) < SHOWN:
            seen.add(signature(d))
            shown.append(d)
    shown += [d for d in disagreements if d not in shown][: SHOWN - len(shown)]
    for d in shown:
        print("-" * 72)
        print(f"case {d['case']} ({d['check']}); interchange: {', '.join(d['variations'])}")
        for path, want, got in d["fields"]:
            print(f"  {path}")
            print(f"    expected: {json.dumps(want, ensure_ascii=False, default=str)}")
            print(f"    ours:     {json.dumps(got, ensure_ascii=False, default=str)}")
        print(f"  input: {visible(d['input'])}")
    print("-" * 72)
    print(f"the inputs of all {len(disagreements)} disagreements are in {keep}")
    sys.exit(1)


if __name__ == "__main__":
    main()
