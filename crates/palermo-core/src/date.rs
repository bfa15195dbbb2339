//! Calendar dates (ISO 8601 `YYYY-MM-DD`) and timestamps as the records carry them.

use time::{Date, Month, OffsetDateTime};

pub use time::Date as CalendarDate;

/// Parses `YYYY-MM-DD`, refusing impossible dates such as 1980-02-30.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let bytes = text.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = bytes.get(range)?;
        part.iter().all(u8::is_ascii_digit).then(|| {
            part.iter()
                .fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0'))
        })
    };
    let shape_ok = bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-';
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(format!("{:?} is not a date of the form YYYY-MM-DD", text));
    };
    if !shape_ok {
        return Err(format!("{:?} is not a date of the form YYYY-MM-DD", text));
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| format!("{text:?} has no month {month}"))?;
    Date::from_calendar_date(year as i32, month, day as u8)
        .map_err(|_| format!("{text:?} does not exist in the calendar"))
}

pub fn format_date(date: Date) -> String {
    // By hand rather than with `format!`: bulk imports format two dates per row.
    let year = date.year().clamp(0, 9999) as u32;
    let (month, day) = (u32::from(u8::from(date.month())), u32::from(date.day()));
    let digit = |value: u32| char::from(b'0' + (value % 10) as u8);
    let mut text = String::with_capacity(10);
    text.extend([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        '-',
    ]);
    text.extend([
        digit(month / 10),
        digit(month),
        '-',
        digit(day / 10),
        digit(day),
    ]);
    text
}

/// Milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Timestamp {
        let now = OffsetDateTime::now_utc();
        Timestamp((now.unix_timestamp_nanos() / 1_000_000) as i64)
    }

    pub fn date(self) -> Date {
        self.datetime().date()
    }

    fn datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-28T22:52:44.123Z`.
    pub fn to_rfc3339(self) -> String {
        let t = self.datetime();
        format!(
            "{}T{:02}:{:02}:{:02}.{:03}Z",
            format_date(t.date()),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

/// Serialises a [`Date`] as `YYYY-MM-DD`.
pub mod serde_date {
    pub fn serialize<S: serde::Serializer>(date: &time::Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_date(*date))
    }

    pub mod option {
        pub fn serialize<S: serde::Serializer>(
            date: &Option<time::Date>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => s.serialize_str(&super::super::format_date(*date)),
                None => s.serialize_none(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_dates_only() {
        assert_eq!(format_date(parse_date("1980-02-29").unwrap()), "1980-02-29");
        for bad in [
            "1980-02-30",
            "1981-02-29",
            "1980-13-01",
            "1980-00-10",
            "80-01-01",
            "1980/01/01",
            "1980-1-01",
            "",
            "abcd-ef-gh",
            "1980-01-011",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_render_as_rfc3339() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(1_700_000_000_123).to_rfc3339(),
            "2023-11-14T22:13:20.123Z"
        );
    }
}
