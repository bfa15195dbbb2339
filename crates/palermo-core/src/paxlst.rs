//! Passenger manifests: the UN/EDIFACT PAXLST messages airlines send as Advance Passenger
//! Information (WCO/IATA/ICAO API guidelines, directories D.02B and D.05B).
//!
//! [`parse`] reads an interchange: the service string advice (`UNA`) and release character,
//! the envelopes (`UNB`/`UNG`/`UNH`) and their trailers (`UNT`/`UNE`/`UNZ`) with their counts
//! and references, the flight (`TDT`, `LOC` 125/87/92, `DTM` 189/232), each traveller (`NAD`
//! FL/FM and what follows it: `ATT`, `DTM` 329, `LOC` 178/179/174, `NAT`, `RFF`, `DOC`,
//! `DTM` 36, `LOC` 91) and `CNT`. A message that breaks the syntax or its envelopes is refused
//! with every error's segment number, tag, element and position; a traveller's doubtful data (a
//! date that is no date, an unknown country) is kept as a problem of that traveller, so that
//! one bad field never stops the screening of the others.

use serde::Serialize;
use time::Date;

use crate::CountryCode;

/// Most documents read for one traveller (a passport, visas, a residence permit …).
pub const DOCUMENTS_PER_TRAVELLER_MAX: usize = 10;

/// Most segments read from one interchange: 1,000 travellers of some 20 segments each.
pub const SEGMENTS_MAX: usize = 40_000;

/// A problem, where it is: the segment's number in the interchange (from 1, the `UNA` advice
/// not counted), its tag, the element and component (from 1) when one is at fault, and the
/// line and column of the segment's start in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EdiProblem {
    pub segment: usize,
    pub tag: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<usize>,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The flight the manifest is for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Flight {
    /// `TDT` element 2: the carrier's code and flight number (`UA123`).
    pub number: Option<String>,
    /// `TDT` element 5: the carrier.
    pub carrier: Option<String>,
    /// `LOC+125`: the last airport before the destination (IATA code).
    pub departure_airport: Option<String>,
    /// `DTM+189`: `YYYY-MM-DDTHH:MM`, local time of the airport.
    pub departure_time: Option<String>,
    /// `LOC+87`: the arrival airport (IATA code).
    pub arrival_airport: Option<String>,
    /// `DTM+232`.
    pub arrival_time: Option<String>,
    /// `LOC+92`: airports on the way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routing: Vec<String>,
}

/// A travel document a traveller declared (`DOC` and its `DTM+36`, `LOC+91`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TravelDocument {
    /// The document's code (`P` passport, `I`/`A`/`C` identity cards, `V` visa …).
    pub code: String,
    pub number: String,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<String>,
    /// ISO 3166-1 alpha-3 or ICAO 9303 code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
}

/// One traveller of the manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaxTraveller {
    /// The number of the traveller's `NAD` segment in the interchange.
    pub segment: usize,
    /// `passenger` (`NAD+FL`) or `crew` (`NAD+FM`).
    pub role: &'static str,
    pub surname: String,
    pub given_names: String,
    /// `M`, `F`, `X` or `U` (unknown), from `ATT+2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// `YYYY-MM-DD`, from `DTM+329`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// From `NAT+2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// `LOC+174`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residence: Option<String>,
    /// `LOC+178`: where the traveller boarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embarkation: Option<String>,
    /// `LOC+179`: where the traveller leaves the aircraft.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debarkation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<TravelDocument>,
    /// `RFF` references, `qualifier:value` (`AVF:ABC123`, the booking reference).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// What in this traveller's data is doubtful (the traveller is screened with the rest).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<EdiProblem>,
}

impl PaxTraveller {
    /// Given names, then surname.
    pub fn name(&self) -> String {
        match (self.given_names.is_empty(), self.surname.is_empty()) {
            (true, _) => self.surname.clone(),
            (false, true) => self.given_names.clone(),
            (false, false) => format!("{} {}", self.given_names, self.surname),
        }
    }
}

/// A manifest as read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Manifest {
    /// `UNB` element 2: the sender (the airline or its service provider).
    pub sender: String,
    /// `UNB` element 3.
    pub recipient: String,
    /// `UNB` element 5.
    pub interchange_reference: String,
    /// How many `UNH` messages the interchange held (a long manifest is sent in parts).
    pub messages: usize,
    pub flight: Flight,
    pub travellers: Vec<PaxTraveller>,
    /// `CNT+42` (passengers) and `CNT+41` (crew) as declared; their sums over the messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_passengers: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_crew: Option<u32>,
    /// Doubtful data outside any traveller (a count that disagrees with the travellers …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<EdiProblem>,
}

/// The service characters of an interchange.
#[derive(Clone, Copy)]
struct Syntax {
    component: u8,
    element: u8,
    release: u8,
    terminator: u8,
}

const DEFAULT_SYNTAX: Syntax = Syntax {
    component: b':',
    element: b'+',
    release: b'?',
    terminator: b'\'',
};

/// A segment split into elements and components, release characters resolved.
struct Segment {
    number: usize,
    tag: String,
    elements: Vec<Vec<String>>,
    line: usize,
    column: usize,
}

impl Segment {
    /// Component `c` of element `e` (both from 1; the tag is element 0), empty if absent.
    fn get(&self, e: usize, c: usize) -> &str {
        self.elements
            .get(e - 1)
            .and_then(|element| element.get(c - 1))
            .map_or("", String::as_str)
    }

    fn problem(
        &self,
        element: Option<usize>,
        component: Option<usize>,
        message: String,
    ) -> EdiProblem {
        EdiProblem {
            segment: self.number,
            tag: self.tag.clone(),
            element,
            component,
            line: self.line,
            column: self.column,
            message,
        }
    }
}

/// Splits the interchange into segments. Errors: an unterminated segment, a dangling release
/// character, a tag that is not three letters or digits, too many segments.
fn segments(input: &[u8]) -> Result<Vec<Segment>, Vec<EdiProblem>> {
    let mut syntax = DEFAULT_SYNTAX;
    let mut at = 0;
    // Leading whitespace and a byte-order mark are skipped.
    if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
        at = 3;
    }
    while at < input.len() && input[at].is_ascii_whitespace() {
        at += 1;
    }
    // Line and column of an offset, counted on from the last one asked (offsets only grow):
    // one pass over the input, however many segments.
    let mut cursor = (0usize, 1usize, 0usize); // offset, line, the line's first offset
    let mut position = |offset: usize| -> (usize, usize) {
        while cursor.0 < offset {
            if input[cursor.0] == b'\n' {
                cursor.1 += 1;
                cursor.2 = cursor.0 + 1;
            }
            cursor.0 += 1;
        }
        (cursor.1, offset - cursor.2 + 1)
    };
    if input[at..].starts_with(b"UNA") {
        let advice = &input[at + 3..input.len().min(at + 9)];
        if advice.len() < 6 {
            let (line, column) = position(at);
            return Err(vec![EdiProblem {
                segment: 0,
                tag: "UNA".into(),
                element: None,
                component: None,
                line,
                column,
                message: "the service string advice is cut short: UNA takes six characters".into(),
            }]);
        }
        syntax = Syntax {
            component: advice[0],
            element: advice[1],
            release: advice[3],
            terminator: advice[5],
        };
        let distinct = [syntax.component, syntax.element, syntax.terminator];
        if distinct[0] == distinct[1] || distinct[1] == distinct[2] || distinct[0] == distinct[2] {
            let (line, column) = position(at);
            return Err(vec![EdiProblem {
                segment: 0,
                tag: "UNA".into(),
                element: None,
                component: None,
                line,
                column,
                message: "the service string advice gives one character two roles".into(),
            }]);
        }
        at += 9;
    }
    // The character set the interchange declares (UNB's syntax identifier) decides how its
    // bytes are read: UNOC is ISO 8859-1; UNOA, UNOB, UNOW and UNOY are read as UTF-8 (ASCII is
    // both); the other ISO 8859 parts are refused rather than read wrong.
    let encoding = match syntax_identifier(&input[at..], syntax).as_deref() {
        Some("UNOC") => Encoding::Latin1,
        Some(other @ ("UNOD" | "UNOE" | "UNOF" | "UNOG" | "UNOH" | "UNOI" | "UNOJ" | "UNOK")) => {
            let (line, column) = position(at);
            return Err(vec![EdiProblem {
                segment: 1,
                tag: "UNB".into(),
                element: Some(1),
                component: Some(1),
                line,
                column,
                message: format!(
                    "the character set {other} is not read: send UNOA, UNOB, UNOC (ISO 8859-1) or UNOY (UTF-8)"
                ),
            }]);
        }
        _ => Encoding::Utf8,
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    while at < input.len() {
        while at < input.len() && matches!(input[at], b'\r' | b'\n' | b' ' | b'\t') {
            at += 1;
        }
        if at >= input.len() {
            break;
        }
        let start = at;
        let number = out.len() + 1;
        let (line, column) = position(start);
        if number > SEGMENTS_MAX {
            problems.push(EdiProblem {
                segment: number,
                tag: String::new(),
                element: None,
                component: None,
                line,
                column,
                message: format!("the interchange holds more than {SEGMENTS_MAX} segments"),
            });
            return Err(problems);
        }
        let mut elements: Vec<Vec<String>> = Vec::new();
        let mut element: Vec<String> = Vec::new();
        let mut value: Vec<u8> = Vec::new();
        let mut terminated = false;
        let mut undecodable = false;
        while at < input.len() {
            let byte = input[at];
            if byte == syntax.release {
                if at + 1 >= input.len() {
                    break;
                }
                value.push(input[at + 1]);
                at += 2;
                continue;
            }
            at += 1;
            if byte == syntax.terminator {
                terminated = true;
                break;
            } else if byte == syntax.element {
                element.push(encoding.decode(&value, &mut undecodable));
                value.clear();
                elements.push(std::mem::take(&mut element));
            } else if byte == syntax.component {
                element.push(encoding.decode(&value, &mut undecodable));
                value.clear();
            } else if byte == b'\r' || byte == b'\n' {
                // Line breaks inside a segment are a transport's, not the data's.
            } else {
                value.push(byte);
            }
        }
        element.push(encoding.decode(&value, &mut undecodable));
        elements.push(element);
        let tag = elements.remove(0).join(":");
        if !terminated {
            problems.push(EdiProblem {
                segment: number,
                tag: tag.chars().take(3).collect(),
                element: None,
                component: None,
                line,
                column,
                message: format!(
                    "the segment is not terminated by {:?} (the input ends inside it)",
                    char::from(syntax.terminator)
                ),
            });
            break;
        }
        if undecodable {
            problems.push(EdiProblem {
                segment: number,
                tag: tag.chars().take(3).collect(),
                element: None,
                component: None,
                line,
                column,
                message: "the segment holds bytes that are not UTF-8: declare UNOC in UNB if the interchange is ISO 8859-1".into(),
            });
        }
        if tag.len() != 3
            || !tag
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            problems.push(EdiProblem {
                segment: number,
                tag: tag.chars().take(12).collect(),
                element: None,
                component: None,
                line,
                column,
                message: format!(
                    "{:?} is not a segment tag (three capital letters)",
                    tag.chars().take(12).collect::<String>()
                ),
            });
        }
        out.push(Segment {
            number,
            tag,
            elements,
            line,
            column,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// How an interchange's bytes become text.
#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    Latin1,
}

impl Encoding {
    /// The text of a value; bytes that are no text under the encoding set `undecodable`.
    fn decode(self, bytes: &[u8], undecodable: &mut bool) -> String {
        match self {
            Encoding::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            Encoding::Utf8 => match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => {
                    *undecodable = true;
                    String::from_utf8_lossy(bytes).into_owned()
                }
            },
        }
    }
}

/// The syntax identifier of the `UNB` at the start of `input` (`UNOA`, `UNOC` …).
fn syntax_identifier(input: &[u8], syntax: Syntax) -> Option<String> {
    let start = input.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = input[start..]
        .strip_prefix(b"UNB")?
        .strip_prefix(&[syntax.element])?;
    let end = rest
        .iter()
        .position(|&b| b == syntax.component || b == syntax.element || b == syntax.terminator)?;
    std::str::from_utf8(&rest[..end]).ok().map(str::to_owned)
}

/// Two-digit years: a birth year is the latest not after today, any other of this century
/// unless more than 50 years ahead.
fn year_of(yy: i32, month: u8, day: u8, birth: bool, today: Date) -> i32 {
    let this = today.year() / 100 * 100 + yy;
    if birth {
        let later = (this, month, day) > (today.year(), u8::from(today.month()), today.day());
        if later { this - 100 } else { this }
    } else if this > today.year() + 50 {
        this - 100
    } else {
        this
    }
}

/// A `DTM` value: `YYMMDD`, `CCYYMMDD`, `YYMMDDHHMM`, `CCYYMMDDHHMM`, by the format code given
/// (101, 102, 201, 203) or by its length.
fn dtm(text: &str, format: &str, birth: bool, today: Date) -> Result<String, String> {
    let digits = text.bytes().all(|b| b.is_ascii_digit());
    let expected = match format {
        "101" => Some(6),
        "102" => Some(8),
        "201" => Some(10),
        "203" => Some(12),
        "" => None,
        other => {
            return Err(format!(
                "date format {other:?} is not one of 101, 102, 201, 203"
            ));
        }
    };
    if !digits
        || expected.is_some_and(|len| len != text.len())
        || ![6, 8, 10, 12].contains(&text.len())
    {
        return Err(format!(
            "{text:?} is not a date of the form the format code gives (YYMMDD, CCYYMMDD, YYMMDDHHMM or CCYYMMDDHHMM)"
        ));
    }
    let n = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let long = matches!(text.len(), 8 | 12);
    let (year, rest) = if long {
        (n(0..4) as i32, 4)
    } else {
        (n(0..2) as i32, 2)
    };
    let (month, day) = (n(rest..rest + 2) as u8, n(rest + 2..rest + 4) as u8);
    let year = if long {
        year
    } else {
        year_of(year, month, day, birth, today)
    };
    let month_of =
        time::Month::try_from(month).map_err(|_| format!("{text:?} has no month {month}"))?;
    let date = Date::from_calendar_date(year, month_of, day)
        .map_err(|_| format!("{text:?}: {year}-{month:02} has no day {day}"))?;
    let mut out = crate::date::format_date(date);
    if text.len() > rest + 4 {
        let (hour, minute) = (n(rest + 4..rest + 6), n(rest + 6..rest + 8));
        if hour > 23 || minute > 59 {
            return Err(format!("{text:?} has no time {hour:02}:{minute:02}"));
        }
        out.push_str(&format!("T{hour:02}:{minute:02}"));
    }
    Ok(out)
}

/// A country element: known, or kept as given with a problem.
fn country(
    segment: &Segment,
    element: usize,
    component: usize,
    problems: &mut Vec<EdiProblem>,
) -> Option<String> {
    let text = segment.get(element, component).trim();
    if text.is_empty() {
        return None;
    }
    let code = if text.len() == 2 {
        CountryCode::from_alpha2(text)
    } else {
        CountryCode::parse(text)
    };
    match code {
        Some(code) => Some(code.as_str().to_owned()),
        None => {
            problems.push(segment.problem(
                Some(element),
                Some(component),
                format!("{text:?} is not an ISO 3166-1 or ICAO 9303 country code"),
            ));
            Some(text.to_owned())
        }
    }
}

/// Reads an interchange of PAXLST messages. `today` resolves two-digit years.
pub fn parse(input: &[u8], today: Date) -> Result<Manifest, Vec<EdiProblem>> {
    let segments = segments(input)?;
    let mut errors = Vec::new();
    let mut manifest = Manifest::default();
    let fail = |errors: &mut Vec<EdiProblem>,
                segment: &Segment,
                element: Option<usize>,
                message: String| {
        errors.push(segment.problem(element, None, message));
    };
    let Some(first) = segments.first() else {
        return Err(vec![EdiProblem {
            segment: 1,
            tag: String::new(),
            element: None,
            component: None,
            line: 1,
            column: 1,
            message: "the interchange is empty: it begins with UNB".into(),
        }]);
    };
    if first.tag != "UNB" {
        fail(
            &mut errors,
            first,
            None,
            format!("the interchange begins with {}, not UNB", first.tag),
        );
        return Err(errors);
    }
    manifest.sender = first.get(2, 1).to_owned();
    manifest.recipient = first.get(3, 1).to_owned();
    manifest.interchange_reference = first.get(5, 1).to_owned();
    if manifest.interchange_reference.is_empty() {
        fail(
            &mut errors,
            first,
            Some(5),
            "the interchange control reference is missing".into(),
        );
    }
    // Where we are in the envelopes.
    let mut group: Option<(String, usize)> = None; // (reference, messages in it)
    let mut groups = 0;
    let mut message: Option<(String, usize, usize)> = None; // (reference, first segment, index)
    let mut messages = 0;
    let mut closed = false;
    let mut traveller: Option<PaxTraveller> = None;
    // Whether the traveller's documents beyond the most read are being passed over (their
    // DTM+36 and LOC+91 with them).
    let mut skipping_documents = false;
    let mut passengers: Option<u32> = None;
    let mut crew: Option<u32> = None;
    let mut in_flight_group = false;
    let finish = |traveller: &mut Option<PaxTraveller>, manifest: &mut Manifest| {
        if let Some(done) = traveller.take() {
            manifest.travellers.push(done);
        }
    };
    for (index, segment) in segments.iter().enumerate().skip(1) {
        if closed {
            fail(
                &mut errors,
                segment,
                None,
                "a segment after UNZ: the interchange has ended".into(),
            );
            break;
        }
        let in_message = message.is_some();
        match segment.tag.as_str() {
            "UNB" => fail(
                &mut errors,
                segment,
                None,
                "a second UNB inside the interchange".into(),
            ),
            "UNG" => {
                if in_message || group.is_some() {
                    fail(
                        &mut errors,
                        segment,
                        None,
                        "UNG inside an open group or message".into(),
                    );
                }
                group = Some((segment.get(5, 1).to_owned(), 0));
                groups += 1;
            }
            "UNE" => {
                match group.take() {
                    None => fail(&mut errors, segment, None, "UNE without its UNG".into()),
                    Some((reference, count)) => {
                        let trailer = Trailer {
                            count,
                            counted: "messages",
                            container: "group",
                            reference: &reference,
                            opener: "UNG",
                        };
                        trailer.check(segment, &mut errors);
                    }
                }
                if in_message {
                    fail(
                        &mut errors,
                        segment,
                        None,
                        "UNE inside a message: UNT is missing".into(),
                    );
                }
            }
            "UNH" => {
                if in_message {
                    fail(
                        &mut errors,
                        segment,
                        None,
                        "UNH inside a message: the previous UNT is missing".into(),
                    );
                }
                let kind = segment.get(2, 1);
                if kind != "PAXLST" {
                    fail(
                        &mut errors,
                        segment,
                        Some(2),
                        format!("the message is {kind:?}, not PAXLST"),
                    );
                }
                let version = (segment.get(2, 2), segment.get(2, 3));
                if !matches!(
                    version,
                    ("D", "02B")
                        | ("D", "05B")
                        | ("D", "03B")
                        | ("D", "12B")
                        | ("D", "15B")
                        | ("D", "20B")
                ) && !version.0.is_empty()
                {
                    fail(
                        &mut errors,
                        segment,
                        Some(2),
                        format!(
                            "directory {}:{} is not one this reader knows (D:02B, D:05B and later B releases)",
                            version.0, version.1
                        ),
                    );
                }
                if segment.get(1, 1).is_empty() {
                    fail(
                        &mut errors,
                        segment,
                        Some(1),
                        "the message reference is missing".into(),
                    );
                }
                message = Some((segment.get(1, 1).to_owned(), segment.number, index));
                messages += 1;
                if let Some((_, count)) = group.as_mut() {
                    *count += 1;
                }
                in_flight_group = false;
            }
            "UNT" => {
                finish(&mut traveller, &mut manifest);
                match message.take() {
                    None => fail(&mut errors, segment, None, "UNT without its UNH".into()),
                    Some((reference, first_number, _)) => {
                        let trailer = Trailer {
                            count: segment.number - first_number + 1,
                            counted: "segments",
                            container: "message (UNH to UNT)",
                            reference: &reference,
                            opener: "UNH",
                        };
                        trailer.check(segment, &mut errors);
                    }
                }
            }
            "UNZ" => {
                finish(&mut traveller, &mut manifest);
                if in_message {
                    fail(
                        &mut errors,
                        segment,
                        None,
                        "UNZ inside a message: UNT is missing".into(),
                    );
                }
                if group.is_some() {
                    fail(
                        &mut errors,
                        segment,
                        None,
                        "UNZ inside a group: UNE is missing".into(),
                    );
                }
                let trailer = Trailer {
                    count: if groups > 0 { groups } else { messages },
                    counted: if groups > 0 { "groups" } else { "messages" },
                    container: "interchange",
                    reference: &manifest.interchange_reference,
                    opener: "UNB",
                };
                trailer.check(segment, &mut errors);
                closed = true;
            }
            _ if !in_message => {
                fail(
                    &mut errors,
                    segment,
                    None,
                    format!("{} outside a message (between UNH and UNT)", segment.tag),
                );
            }
            "TDT" => {
                finish(&mut traveller, &mut manifest);
                in_flight_group = true;
                let number = segment.get(2, 1).trim();
                if number.is_empty() {
                    fail(
                        &mut errors,
                        segment,
                        Some(2),
                        "the flight's identification is missing".into(),
                    );
                }
                set_once(
                    &mut manifest.flight.number,
                    number,
                    segment,
                    &mut manifest.problems,
                );
                let carrier = segment.get(5, 1).trim();
                if !carrier.is_empty() {
                    set_once(
                        &mut manifest.flight.carrier,
                        carrier,
                        segment,
                        &mut manifest.problems,
                    );
                }
            }
            "NAD" => {
                finish(&mut traveller, &mut manifest);
                skipping_documents = false;
                in_flight_group = false;
                let role = match segment.get(1, 1) {
                    "FL" => Some("passenger"),
                    "FM" => Some("crew"),
                    // The reporting party and other parties: not travellers.
                    _ => None,
                };
                if let Some(role) = role {
                    let surname = segment.get(4, 1).trim().to_owned();
                    let given = [segment.get(4, 2), segment.get(4, 3)]
                        .iter()
                        .map(|g| g.trim())
                        .filter(|g| !g.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let mut problems = Vec::new();
                    if surname.is_empty() {
                        problems.push(segment.problem(
                            Some(4),
                            Some(1),
                            "the traveller's family name is missing".into(),
                        ));
                    }
                    traveller = Some(PaxTraveller {
                        segment: segment.number,
                        role,
                        surname,
                        given_names: given,
                        problems,
                        ..PaxTraveller::default()
                    });
                }
            }
            "LOC" => {
                let qualifier = segment.get(1, 1);
                let place = segment.get(2, 1).trim().to_owned();
                match (qualifier, traveller.as_mut()) {
                    ("125", None) if in_flight_group => set_once(
                        &mut manifest.flight.departure_airport,
                        &place,
                        segment,
                        &mut manifest.problems,
                    ),
                    ("87", None) if in_flight_group => set_once(
                        &mut manifest.flight.arrival_airport,
                        &place,
                        segment,
                        &mut manifest.problems,
                    ),
                    // Every part of a manifest repeats its flight: an airport once.
                    ("92", None)
                        if in_flight_group && !manifest.flight.routing.contains(&place) =>
                    {
                        manifest.flight.routing.push(place)
                    }
                    ("178", Some(t)) => t.embarkation = Some(place),
                    ("179", Some(t)) => t.debarkation = Some(place),
                    ("174", Some(t)) => t.residence = country(segment, 2, 1, &mut t.problems),
                    ("91", Some(_)) if skipping_documents => {}
                    ("91", Some(t)) => {
                        let issuing = country(segment, 2, 1, &mut t.problems);
                        match t.documents.last_mut() {
                            Some(document) => document.issuing_country = issuing,
                            None => t.problems.push(segment.problem(
                                Some(1),
                                None,
                                "LOC+91 (the document's issuing country) before any DOC".into(),
                            )),
                        }
                    }
                    _ => {}
                }
            }
            "DTM" => {
                let qualifier = segment.get(1, 1);
                let text = segment.get(1, 2).trim();
                let format = segment.get(1, 3).trim();
                match (qualifier, traveller.as_mut()) {
                    ("189" | "232", None) if in_flight_group => {
                        match dtm(text, format, false, today) {
                            Ok(when) => {
                                let slot = if qualifier == "189" {
                                    &mut manifest.flight.departure_time
                                } else {
                                    &mut manifest.flight.arrival_time
                                };
                                set_once(slot, &when, segment, &mut manifest.problems);
                            }
                            Err(message) => manifest.problems.push(segment.problem(
                                Some(1),
                                Some(2),
                                format!("the flight's time: {message}"),
                            )),
                        }
                    }
                    ("329", Some(t)) => match dtm(text, format, true, today) {
                        Ok(date) => t.birth_date = Some(date),
                        Err(message) => t.problems.push(segment.problem(
                            Some(1),
                            Some(2),
                            format!("the birth date: {message}"),
                        )),
                    },
                    ("36", Some(_)) if skipping_documents => {}
                    ("36", Some(t)) => {
                        let expiry = dtm(text, format, false, today);
                        match (t.documents.last_mut(), expiry) {
                            (Some(document), Ok(date)) => document.expiry = Some(date),
                            (None, _) => t.problems.push(segment.problem(
                                Some(1),
                                None,
                                "DTM+36 (a document's expiry) before any DOC".into(),
                            )),
                            (_, Err(message)) => t.problems.push(segment.problem(
                                Some(1),
                                Some(2),
                                format!("the document's expiry: {message}"),
                            )),
                        }
                    }
                    _ => {}
                }
            }
            "ATT" => {
                if let Some(t) = traveller.as_mut()
                    && segment.get(1, 1) == "2"
                {
                    let sex = segment.get(3, 1).trim().to_ascii_uppercase();
                    match sex.as_str() {
                        "M" | "F" | "X" | "U" => t.sex = Some(sex),
                        other => t.problems.push(segment.problem(
                            Some(3),
                            Some(1),
                            format!("{other:?} is not a sex of the message (M, F, X, U)"),
                        )),
                    }
                }
            }
            "NAT" => {
                if let Some(t) = traveller.as_mut() {
                    t.nationality = country(segment, 2, 1, &mut t.problems);
                }
            }
            "RFF" => {
                if let Some(t) = traveller.as_mut() {
                    t.references
                        .push(format!("{}:{}", segment.get(1, 1), segment.get(1, 2)));
                }
            }
            "DOC" => match traveller.as_mut() {
                Some(t) if t.documents.len() >= DOCUMENTS_PER_TRAVELLER_MAX => {
                    if !skipping_documents {
                        // Said once; the traveller's later documents are not read.
                        t.problems.push(segment.problem(
                            None,
                            None,
                            format!(
                                "more than {DOCUMENTS_PER_TRAVELLER_MAX} documents: the rest are not read"
                            ),
                        ));
                    }
                    skipping_documents = true;
                }
                Some(t) => {
                    let code = segment.get(1, 1).trim().to_owned();
                    let number = segment.get(2, 1).trim().to_owned();
                    if number.is_empty() {
                        t.problems.push(segment.problem(
                            Some(2),
                            Some(1),
                            "the document number is missing".into(),
                        ));
                    }
                    t.documents.push(TravelDocument {
                        code,
                        number,
                        ..TravelDocument::default()
                    });
                }
                None => fail(
                    &mut errors,
                    segment,
                    None,
                    "DOC before any traveller (NAD+FL or NAD+FM)".into(),
                ),
            },
            "CNT" => {
                finish(&mut traveller, &mut manifest);
                let count = segment.get(1, 2).trim();
                match count.parse::<u32>() {
                    Ok(n) => match segment.get(1, 1) {
                        "42" => passengers = Some(passengers.unwrap_or(0) + n),
                        "41" => crew = Some(crew.unwrap_or(0) + n),
                        _ => {}
                    },
                    Err(_) => fail(
                        &mut errors,
                        segment,
                        Some(1),
                        format!("{count:?} is not a count"),
                    ),
                }
            }
            _ => {}
        }
    }
    if !closed && errors.is_empty() {
        let last = segments.last().expect("not empty");
        fail(
            &mut errors,
            last,
            None,
            "the interchange ends without UNZ".into(),
        );
    }
    if messages == 0 && errors.is_empty() {
        fail(
            &mut errors,
            first,
            None,
            "the interchange holds no message (UNH … UNT)".into(),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    manifest.messages = messages;
    manifest.declared_passengers = passengers;
    manifest.declared_crew = crew;
    let count = |role: &str| {
        manifest
            .travellers
            .iter()
            .filter(|t| t.role == role)
            .count() as u32
    };
    for (declared, role, qualifier) in [(passengers, "passenger", "42"), (crew, "crew", "41")] {
        if let Some(declared) = declared
            && declared != count(role)
        {
            let segment = segments
                .iter()
                .rev()
                .find(|s| s.tag == "CNT" && s.get(1, 1) == qualifier)
                .expect("a count was read");
            let message = format!(
                "CNT+{qualifier} declares {declared} {role}s; the manifest lists {}",
                count(role)
            );
            manifest
                .problems
                .push(segment.problem(Some(1), Some(2), message));
        }
    }
    Ok(manifest)
}

/// What a trailer (`UNT`, `UNE`, `UNZ`) must say of its envelope: how many of what it holds
/// (element 1), and the reference its opening segment gave (element 2).
struct Trailer<'a> {
    count: usize,
    counted: &'static str,
    container: &'static str,
    reference: &'a str,
    opener: &'static str,
}

impl Trailer<'_> {
    fn check(&self, segment: &Segment, errors: &mut Vec<EdiProblem>) {
        let said = segment.get(1, 1);
        if said != self.count.to_string() {
            let message = format!(
                "{} counts {said:?} {}; the {} holds {}",
                segment.tag, self.counted, self.container, self.count
            );
            errors.push(segment.problem(Some(1), None, message));
        }
        let given = segment.get(2, 1);
        if given != self.reference {
            let message = format!(
                "{}'s reference {given:?} is not its {}'s {:?}",
                segment.tag, self.opener, self.reference
            );
            errors.push(segment.problem(Some(2), None, message));
        }
    }
}

/// Sets a flight's field; a later message of the interchange giving another value is a problem.
fn set_once(
    slot: &mut Option<String>,
    value: &str,
    segment: &Segment,
    problems: &mut Vec<EdiProblem>,
) {
    match slot {
        None => *slot = Some(value.to_owned()),
        Some(before) if before != value => problems.push(segment.problem(
            Some(2),
            None,
            format!("{value:?} differs from the {before:?} an earlier segment gave"),
        )),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_calendar_date(2026, time::Month::December, 3).unwrap()
    }

    /// The example of the WCO/IATA/ICAO API guidelines' PAXLST implementation guide, with a
    /// second traveller and the release character at work.
    pub const EXAMPLE: &str = "UNA:+.? '\n\
UNB+UNOA:4+AIRLINE1:ZZ+NZCS:ZZ+260429:0900+000000001++PAXLST'\n\
UNG+PAXLST+AIRLINE1:ZZ+NZCS:ZZ+260429:0900+1+UN+D:05B'\n\
UNH+PAX001+PAXLST:D:05B:UN:IATA+API01+01:F'\n\
BGM+745'\n\
NAD+MS+++ARMAND ADAMS'\n\
COM+703 555 1212:TE+703 555 4545:FX'\n\
TDT+20+UA123+++UA'\n\
LOC+125+YVR'\n\
DTM+189:2604291230:201'\n\
LOC+87+AKL'\n\
DTM+232:2604301600:201'\n\
NAD+FL+++DOE:JOHN:WAYNE+20 MAIN STREET+ANYCITY+VA+10053+USA'\n\
ATT+2++M'\n\
DTM+329:720907'\n\
LOC+178+YVR'\n\
LOC+179+AKL'\n\
NAT+2+CAN'\n\
RFF+AVF:ABC123'\n\
DOC+P:110:111+MB140241'\n\
DTM+36:301021'\n\
LOC+91+CAN'\n\
NAD+FL+++O?'BRIEN:MARY+++++'\n\
ATT+2++F'\n\
DTM+329:19850203:102'\n\
NAT+2+IE'\n\
DOC+P+PA1234567'\n\
DTM+36:290101'\n\
LOC+91+IRL'\n\
CNT+42:2'\n\
UNT+28+PAX001'\n\
UNE+1+1'\n\
UNZ+1+000000001'\n";

    #[test]
    fn reads_the_example() {
        let manifest = parse(EXAMPLE.as_bytes(), today()).unwrap();
        assert_eq!(manifest.sender, "AIRLINE1");
        assert_eq!(manifest.messages, 1);
        assert_eq!(manifest.flight.number.as_deref(), Some("UA123"));
        assert_eq!(manifest.flight.carrier.as_deref(), Some("UA"));
        assert_eq!(manifest.flight.departure_airport.as_deref(), Some("YVR"));
        assert_eq!(manifest.flight.arrival_airport.as_deref(), Some("AKL"));
        assert_eq!(
            manifest.flight.departure_time.as_deref(),
            Some("2026-04-29T12:30")
        );
        assert_eq!(manifest.travellers.len(), 2);
        let john = &manifest.travellers[0];
        assert_eq!(
            (john.surname.as_str(), john.given_names.as_str()),
            ("DOE", "JOHN WAYNE")
        );
        assert_eq!(john.birth_date.as_deref(), Some("1972-09-07"));
        assert_eq!(john.nationality.as_deref(), Some("CAN"));
        assert_eq!(john.sex.as_deref(), Some("M"));
        assert_eq!(john.references, vec!["AVF:ABC123"]);
        assert_eq!(
            john.documents,
            vec![TravelDocument {
                code: "P".into(),
                number: "MB140241".into(),
                expiry: Some("2030-10-21".into()),
                issuing_country: Some("CAN".into()),
            }]
        );
        let mary = &manifest.travellers[1];
        assert_eq!(mary.surname, "O'BRIEN");
        assert_eq!(mary.nationality.as_deref(), Some("IRL"));
        assert_eq!(mary.birth_date.as_deref(), Some("1985-02-03"));
        assert!(manifest.problems.is_empty(), "{:?}", manifest.problems);
        assert!(mary.problems.is_empty() && john.problems.is_empty());
    }

    #[test]
    fn other_service_characters() {
        let text: String = EXAMPLE
            .chars()
            .map(|c| match c {
                ':' => '|',
                '+' => '*',
                '?' => '#',
                '\'' => '~',
                other => other,
            })
            .collect();
        let manifest = parse(text.as_bytes(), today()).unwrap();
        assert_eq!(manifest.travellers[1].surname, "O~BRIEN");
        assert_eq!(manifest.travellers[0].given_names, "JOHN WAYNE");
    }

    fn errors(text: &str) -> Vec<(usize, String, Option<usize>)> {
        parse(text.as_bytes(), today())
            .unwrap_err()
            .into_iter()
            .map(|p| (p.segment, p.tag, p.element))
            .collect()
    }

    #[test]
    fn envelope_errors_name_their_segment() {
        assert_eq!(
            errors(&EXAMPLE.replace("UNT+28+", "UNT+27+")),
            vec![(30, "UNT".into(), Some(1))]
        );
        assert_eq!(
            errors(&EXAMPLE.replace("UNT+28+PAX001", "UNT+28+PAX002")),
            vec![(30, "UNT".into(), Some(2))]
        );
        assert_eq!(
            errors(&EXAMPLE.replace("UNZ+1+000000001", "UNZ+2+000000001")),
            vec![(32, "UNZ".into(), Some(1))]
        );
        assert_eq!(
            errors(&EXAMPLE.replace("UNZ+1+000000001", "UNZ+1+9")),
            vec![(32, "UNZ".into(), Some(2))]
        );
        assert_eq!(
            errors(&EXAMPLE.replace("UNE+1+1'\n", "")),
            vec![(31, "UNZ".into(), None)]
        );
        let cut = &EXAMPLE[..EXAMPLE.find("UNT").unwrap() + 5];
        let found = parse(cut.as_bytes(), today()).unwrap_err();
        assert_eq!(
            (found[0].segment, found[0].tag.as_str(), found[0].line),
            (30, "UNT", 31)
        );
        assert!(
            found[0].message.contains("not terminated"),
            "{}",
            found[0].message
        );
        assert_eq!(
            errors(&EXAMPLE.replace("PAXLST:D:05B", "CUSRES:D:05B")),
            vec![(3, "UNH".into(), Some(2))]
        );
        assert_eq!(errors("UNH+1+PAXLST:D:02B'"), vec![(1, "UNH".into(), None)]);
        assert_eq!(
            errors(&EXAMPLE.replace("BGM+745'", "bgm+745'")),
            vec![(4, "bgm".into(), None)]
        );
        assert!(parse(b"", today()).is_err());
        assert!(parse(b"UNA:+", today()).is_err());
    }

    #[test]
    fn a_travellers_doubtful_data_stays_with_the_traveller() {
        let text = EXAMPLE
            .replace("DTM+329:720907'", "DTM+329:721307'")
            .replace("NAT+2+CAN'", "NAT+2+QQQ'")
            .replace("CNT+42:2'", "CNT+42:3'");
        let manifest = parse(text.as_bytes(), today()).unwrap();
        let john = &manifest.travellers[0];
        assert_eq!(john.birth_date, None);
        assert_eq!(john.problems.len(), 2, "{:?}", john.problems);
        assert_eq!(
            (john.problems[0].segment, john.problems[0].element),
            (14, Some(1))
        );
        assert_eq!(john.nationality.as_deref(), Some("QQQ"));
        assert_eq!(manifest.problems.len(), 1);
        assert!(
            manifest.problems[0]
                .message
                .contains("declares 3 passengers")
        );
    }

    #[test]
    fn the_declared_character_set_is_read() {
        let latin1: Vec<u8> = EXAMPLE
            .replace("UNOA:4", "UNOC:3")
            .replace("DOE:JOHN", "M\u{DC}LLER:J\u{D6}RG")
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
            .collect();
        let manifest = parse(&latin1, today()).unwrap();
        assert_eq!(manifest.travellers[0].surname, "MÜLLER");
        assert_eq!(manifest.travellers[0].given_names, "JÖRG WAYNE");
        // The same bytes declared as UNOA are no UTF-8: refused, not read as U+FFFD.
        let wrong: Vec<u8> = String::from_utf8_lossy(&latin1)
            .replace("UNOC:3", "UNOA:4")
            .chars()
            .map(|c| if c == '\u{FFFD}' { 0xDC } else { c as u8 })
            .collect();
        let errors = parse(&wrong, today()).unwrap_err();
        assert_eq!(
            (errors[0].segment, errors[0].tag.as_str()),
            (12, "NAD"),
            "{errors:?}"
        );
        let utf8 = EXAMPLE
            .replace("UNOA:4", "UNOY:4")
            .replace("DOE:JOHN", "МЮЛЛЕР:ЙОРГ");
        assert_eq!(
            parse(utf8.as_bytes(), today()).unwrap().travellers[0].surname,
            "МЮЛЛЕР"
        );
        let errors = parse(EXAMPLE.replace("UNOA:4", "UNOE:3").as_bytes(), today()).unwrap_err();
        assert_eq!((errors[0].segment, errors[0].element), (1, Some(1)));
    }

    #[test]
    fn a_flight_repeated_in_every_part_is_one_flight() {
        let part = |reference: &str| {
            format!(
                "UNH+{reference}+PAXLST:D:05B:UN:IATA'TDT+20+UA123+++UA'LOC+125+YVR'LOC+92+HNL'LOC+87+AKL'NAD+FL+++DOE:JOHN'UNT+7+{reference}'"
            )
        };
        let text = format!(
            "UNB+UNOA:4+A+B+260101:0000+R'{}{}UNZ+2+R'",
            part("1"),
            part("2")
        );
        let manifest = parse(text.as_bytes(), today()).unwrap();
        assert_eq!(manifest.flight.routing, ["HNL"]);
        assert_eq!(manifest.messages, 2);
        assert_eq!(manifest.travellers.len(), 2);
    }

    #[test]
    fn a_traveller_s_documents_are_bounded() {
        let many: String = (0..15)
            .map(|i| format!("DOC+P+N{i:07}'\nDTM+36:3{}0101'\n", i % 10))
            .collect();
        let text = EXAMPLE
            .replace("DOC+P:110:111+MB140241'\nDTM+36:301021'\n", &many)
            .replace("UNT+28+", &format!("UNT+{}+", 28 - 2 + 30));
        let manifest = parse(text.as_bytes(), today()).unwrap();
        let john = &manifest.travellers[0];
        assert_eq!(john.documents.len(), DOCUMENTS_PER_TRAVELLER_MAX);
        assert_eq!(john.documents[9].expiry.as_deref(), Some("2039-01-01"));
        assert_eq!(
            john.documents[9].issuing_country, None,
            "LOC+91 came after a skipped one"
        );
        assert_eq!(john.problems.len(), 1, "{:?}", john.problems);
    }

    #[test]
    fn never_panics_on_any_input() {
        use proptest::prelude::*;
        let config = ProptestConfig::with_cases(3000);
        proptest!(config, |(cut in 0usize..EXAMPLE.len(), byte in any::<u8>(), at in 0usize..EXAMPLE.len())| {
            let mut bytes = EXAMPLE.as_bytes()[..cut].to_vec();
            if at < bytes.len() {
                bytes[at] = byte;
            }
            let _ = parse(&bytes, today());
            let mut whole = EXAMPLE.as_bytes().to_vec();
            whole[at] = byte;
            let _ = parse(&whole, today());
        });
    }
}
