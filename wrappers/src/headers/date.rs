//! HTTP dates (RFC 9110 §5.6.7): `Date`, `Last-Modified`, `Expires`,
//! `If-Modified-Since`, `If-Unmodified-Since`, `If-Range`, `Retry-After`.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::HeaderError;

/// A point in time with one-second resolution, as HTTP headers carry it.
///
/// `Display` writes the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`).
/// `FromStr` reads the three forms of RFC 9110 (IMF-fixdate, RFC 850 and
/// asctime) as leniently as Werkzeug's `parse_date` (Python's
/// `email.utils`): surrounding whitespace, a missing comma, numeric zones
/// (`+0200`) and years 1–9999 are accepted; impossible dates (`33 Jan`) are an
/// error.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::HttpDate;
///
/// let date: HttpDate = "Sunday, 06-Nov-94 08:49:37 GMT".parse().unwrap();
/// assert_eq!(date.to_string(), "Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(date.unix_seconds(), 784_111_777);
/// assert!("Thu, 33 Jan 1970 00:00:00 GMT".parse::<HttpDate>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HttpDate {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    seconds: i64,
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const MIN_SECONDS: i64 = -62_135_596_800;
const MAX_SECONDS: i64 = 253_402_300_799;

impl HttpDate {
    /// The date `seconds` after (or before, when negative) the Unix epoch;
    /// `None` outside the years 1–9999.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// let epoch = HttpDate::from_unix_seconds(0).unwrap();
    /// assert_eq!(epoch.to_string(), "Thu, 01 Jan 1970 00:00:00 GMT");
    /// ```
    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        (MIN_SECONDS..=MAX_SECONDS)
            .contains(&seconds)
            .then_some(Self { seconds })
    }

    /// Seconds since the Unix epoch.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// let date: HttpDate = "Thu, 01 Jan 1970 00:01:00 GMT".parse().unwrap();
    /// assert_eq!(date.unix_seconds(), 60);
    /// ```
    pub fn unix_seconds(self) -> i64 {
        self.seconds
    }

    /// The current time, truncated to the second.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// assert!(HttpDate::now().unix_seconds() > 1_700_000_000);
    /// ```
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// The date as a `SystemTime`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// let date = HttpDate::from_unix_seconds(90).unwrap();
    /// assert_eq!(date.to_system_time(), UNIX_EPOCH + Duration::from_secs(90));
    /// ```
    pub fn to_system_time(self) -> SystemTime {
        if self.seconds >= 0 {
            UNIX_EPOCH + Duration::from_secs(self.seconds.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_secs(self.seconds.unsigned_abs())
        }
    }

    /// This date moved by `seconds` (saturating at the years 1 and 9999).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// let date = HttpDate::from_unix_seconds(0).unwrap().plus_seconds(3600);
    /// assert_eq!(date.to_string(), "Thu, 01 Jan 1970 01:00:00 GMT");
    /// ```
    #[must_use]
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self {
            seconds: self
                .seconds
                .saturating_add(seconds)
                .clamp(MIN_SECONDS, MAX_SECONDS),
        }
    }
}

impl From<SystemTime> for HttpDate {
    /// Truncates to the second; clamps to the years 1–9999.
    fn from(time: SystemTime) -> Self {
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                let before = before.duration();
                // Round toward the past so that a fraction before the epoch stays before it.
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                -whole - i64::from(before.subsec_nanos() > 0)
            }
        };
        Self {
            seconds: seconds.clamp(MIN_SECONDS, MAX_SECONDS),
        }
    }
}

impl From<HttpDate> for SystemTime {
    fn from(date: HttpDate) -> Self {
        date.to_system_time()
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `(year, month, day)` of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(86_400);
        let secs = self.seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        // 1970-01-01 was a Thursday (index 3 from Monday).
        let weekday = DAYS[(days + 3).rem_euclid(7) as usize];
        write!(
            f,
            "{weekday}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
            MONTHS[month as usize - 1],
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

impl FromStr for HttpDate {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        parse(value).ok_or_else(|| HeaderError::malformed("date", value))
    }
}

fn parse(value: &str) -> Option<HttpDate> {
    if value.len() > 64 {
        return None;
    }
    let mut tokens: Vec<&str> = value
        .split(|c: char| c.is_ascii_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    // An optional day name ("Sun", "Sunday"): it is not checked against the date.
    if tokens.first().is_some_and(|t| {
        t.len() >= 3 && t.chars().all(|c| c.is_ascii_alphabetic()) && month(t).is_none()
    }) {
        tokens.remove(0);
    }
    // RFC 850: "06-Nov-94".
    let dashed: Vec<&str>;
    if let Some(first) = tokens.first()
        && first.matches('-').count() == 2
    {
        dashed = first.split('-').collect();
        tokens.splice(0..1, dashed.iter().copied());
    }
    let (day, month, year, time, zone) = match tokens.as_slice() {
        // IMF-fixdate / RFC 850: 06 Nov 1994 08:49:37 [GMT]
        [day, mon, year, time, rest @ ..] if month(mon).is_some() => {
            (*day, month(mon)?, *year, *time, rest)
        }
        // asctime: Nov 6 08:49:37 1994 [GMT]
        [mon, day, time, year, rest @ ..] if month(mon).is_some() => {
            (*day, month(mon)?, *year, *time, rest)
        }
        _ => return None,
    };
    let offset = match zone {
        [] => 0,
        [zone] => zone_offset(zone)?,
        _ => return None,
    };
    let day = digits(day, 1, 2)?;
    let mut year_number = i64::from(digits(year, 2, 4)?);
    // RFC 850's two-digit years, read the way Python's email.utils reads them.
    if year.len() == 2 {
        year_number += if year_number > 68 { 1900 } else { 2000 };
    }
    let year = year_number;
    let (hour, minute, second) = clock(time)?;
    if year < 1 || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds =
        days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
            - offset;
    HttpDate::from_unix_seconds(seconds)
}

fn month(token: &str) -> Option<u32> {
    let prefix = token.get(..3)?;
    if token.len() != 3 && !is_long_month(token) {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(prefix))
        .map(|i| i as u32 + 1)
}

fn is_long_month(token: &str) -> bool {
    const LONG: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    LONG.iter().any(|m| m.eq_ignore_ascii_case(token))
}

fn digits(token: &str, min: usize, max: usize) -> Option<u32> {
    ((min..=max).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_digit()))
        .then(|| token.parse().ok())
        .flatten()
}

fn clock(time: &str) -> Option<(u32, u32, u32)> {
    let mut parts = time.split(':');
    let hour = digits(parts.next()?, 1, 2)?;
    let minute = digits(parts.next()?, 1, 2)?;
    let second = match parts.next() {
        Some(s) => digits(s, 1, 2)?,
        None => 0,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // A leap second is read as the last second of its minute.
    Some((hour, minute, second.min(59)))
}

/// The zone's offset east of UTC, in seconds.
fn zone_offset(zone: &str) -> Option<i64> {
    match zone.to_ascii_uppercase().as_str() {
        "GMT" | "UTC" | "UT" | "Z" => return Some(0),
        "EDT" => return Some(-4 * 3600),
        "EST" | "CDT" => return Some(-5 * 3600),
        "CST" | "MDT" => return Some(-6 * 3600),
        "MST" | "PDT" => return Some(-7 * 3600),
        "PST" => return Some(-8 * 3600),
        _ => {}
    }
    let (sign, rest) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let value = digits(rest, 4, 4)?;
    let (hours, minutes) = (value / 100, value % 100);
    (hours < 24 && minutes < 60).then(|| sign * i64::from(hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-719_162, -1, 0, 1, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
    }

    #[test]
    fn zones() {
        let utc: HttpDate = "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap();
        let east: HttpDate = "Sun, 06 Nov 1994 10:49:37 +0200".parse().unwrap();
        assert_eq!(utc, east);
        assert!(
            "Sun, 06 Nov 1994 08:49:37 +2400"
                .parse::<HttpDate>()
                .is_err()
        );
        assert!(
            "Sun, 06 Nov 1994 08:49:37 GMT extra"
                .parse::<HttpDate>()
                .is_err()
        );
    }

    #[test]
    fn out_of_range_seconds() {
        assert!(HttpDate::from_unix_seconds(MAX_SECONDS + 1).is_none());
        assert!(HttpDate::from_unix_seconds(MIN_SECONDS - 1).is_none());
        assert_eq!(
            HttpDate::from_unix_seconds(MAX_SECONDS)
                .unwrap()
                .to_string(),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
    }
}
