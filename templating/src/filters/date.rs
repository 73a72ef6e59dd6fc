//! `date`: formats a timestamp or an ISO 8601 date with `strftime` directives, as
//! Python's `datetime.strftime` does in the C locale (Jinja2 templates call
//! `value.strftime(...)`; Tera has no methods, so it is a filter).

use std::fmt::Write as _;

use tera::value::ValueKind;
use tera::{Kwargs, State, TeraResult, Value};

use super::Bounded;

/// A civil date and time with an optional UTC offset (seconds east of UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    micros: u32,
    offset: Option<i32>,
}

/// `{{ when | date }}` (`%Y-%m-%d`), `{{ when | date(format="%d %B %Y, %H:%M") }}`.
/// `when` is a Unix timestamp in seconds (UTC) or an ISO 8601 string
/// (`2024-03-01`, `2024-03-01T12:30:00`, `2024-03-01 12:30:00.25+02:00`, `...Z`).
pub(crate) fn date(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<String> {
    let format = kwargs.get::<&str>("format")?.unwrap_or("%Y-%m-%d");
    let when = match value.kind() {
        ValueKind::String => {
            let text = value.as_str().unwrap_or_default();
            parse_iso(text).ok_or_else(|| {
                tera::Error::message(format!(
                    "date: `{text}` is not an ISO 8601 date or date-time"
                ))
            })?
        }
        _ => match value.as_number() {
            Some(tera::Number::Integer(seconds)) => {
                let seconds = i64::try_from(seconds)
                    .map_err(|_| tera::Error::message("date: timestamp out of range"))?;
                from_timestamp(seconds, 0)?
            }
            Some(tera::Number::Float(seconds)) if seconds.is_finite() => {
                let whole = seconds.floor();
                let micros = ((seconds - whole) * 1e6).round() as u32;
                let (whole, micros) = if micros >= 1_000_000 {
                    (whole + 1.0, 0)
                } else {
                    (whole, micros)
                };
                if whole.abs() > 1e15 {
                    return Err(tera::Error::message("date: timestamp out of range"));
                }
                from_timestamp(whole as i64, micros)?
            }
            _ => {
                return Err(tera::Error::message(format!(
                    "date expects a timestamp or an ISO 8601 string, got {}",
                    value.name()
                )));
            }
        },
    };
    strftime(&when, format)
}

fn from_timestamp(seconds: i64, micros: u32) -> TeraResult<DateTime> {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    if !(1..=9999).contains(&year) {
        return Err(tera::Error::message(
            "date: timestamp out of range (years 1 to 9999)",
        ));
    }
    Ok(DateTime {
        year,
        month,
        day,
        hour: rest / 3600,
        minute: rest / 60 % 60,
        second: rest % 60,
        micros,
        offset: Some(0),
    })
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A proleptic Gregorian date to days since 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH:MM|±HHMM]`.
pub(crate) fn parse_iso(text: &str) -> Option<DateTime> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = i64::from(number(0..4)?);
    let month = number(5..7)?;
    let day = number(8..10)?;
    if year < 1 || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut when = DateTime {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        micros: 0,
        offset: None,
    };
    let mut rest = &text[10..];
    if rest.is_empty() {
        return Some(when);
    }
    rest = rest.strip_prefix(['T', 't', ' '])?;
    let time_len = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(time_len);
    let (clock, fraction) = match time.split_once(['.', ',']) {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (time, None),
    };
    let mut parts = clock.split(':');
    let field = |part: Option<&str>, max: u32| -> Option<u32> {
        let part = part?;
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())?
            .filter(|v| *v <= max)
    };
    when.hour = field(parts.next(), 23)?;
    when.minute = field(parts.next(), 59)?;
    if let Some(second) = parts.next() {
        when.second = field(Some(second), 59)?;
    }
    if parts.next().is_some() {
        return None;
    }
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut digits: String = fraction.chars().take(6).collect();
        while digits.len() < 6 {
            digits.push('0');
        }
        when.micros = digits.parse().ok()?;
    }
    when.offset = match zone {
        "" => None,
        "Z" | "z" => Some(0),
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let digits = zone[1..].replace(':', "");
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours: i32 = digits[..2].parse().ok()?;
            let minutes: i32 = digits[2..].parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            Some(sign * (hours * 3600 + minutes * 60))
        }
    };
    Some(when)
}

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Formats with the C-locale `strftime` directives Python supports on Linux; an
/// unknown directive is kept as written (glibc does the same).
pub(crate) fn strftime(when: &DateTime, format: &str) -> TeraResult<String> {
    let mut out = Bounded::new();
    let days = days_from_civil(when.year, when.month, when.day);
    let weekday = (days + 4).rem_euclid(7) as usize; // 0 = Sunday; 1970-01-01 was a Thursday
    let year_day = (days - days_from_civil(when.year, 1, 1)) as u32; // 0-based
    let hour12 = match when.hour % 12 {
        0 => 12,
        h => h,
    };
    let mut chars = format.chars();
    let mut piece = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            piece.push(c);
            continue;
        }
        let Some(directive) = chars.next() else {
            piece.push('%');
            break;
        };
        let w = &mut piece;
        let _ = match directive {
            'a' => write!(w, "{}", &DAYS[weekday][..3]),
            'A' => write!(w, "{}", DAYS[weekday]),
            'b' | 'h' => write!(w, "{}", &MONTHS[when.month as usize - 1][..3]),
            'B' => write!(w, "{}", MONTHS[when.month as usize - 1]),
            'c' => write!(
                w,
                "{} {} {:>2} {:02}:{:02}:{:02} {}",
                &DAYS[weekday][..3],
                &MONTHS[when.month as usize - 1][..3],
                when.day,
                when.hour,
                when.minute,
                when.second,
                when.year
            ),
            'C' => write!(w, "{:02}", when.year / 100),
            'd' => write!(w, "{:02}", when.day),
            'D' | 'x' => write!(
                w,
                "{:02}/{:02}/{:02}",
                when.month,
                when.day,
                when.year % 100
            ),
            'e' => write!(w, "{:>2}", when.day),
            'f' => write!(w, "{:06}", when.micros),
            'F' => write!(w, "{:04}-{:02}-{:02}", when.year, when.month, when.day),
            'G' => write!(w, "{}", iso_week(when.year, year_day, weekday).0),
            'H' => write!(w, "{:02}", when.hour),
            'I' => write!(w, "{hour12:02}"),
            'j' => write!(w, "{:03}", year_day + 1),
            'm' => write!(w, "{:02}", when.month),
            'M' => write!(w, "{:02}", when.minute),
            'n' => writeln!(w),
            'p' => write!(w, "{}", if when.hour < 12 { "AM" } else { "PM" }),
            'r' => write!(
                w,
                "{hour12:02}:{:02}:{:02} {}",
                when.minute,
                when.second,
                if when.hour < 12 { "AM" } else { "PM" }
            ),
            'R' => write!(w, "{:02}:{:02}", when.hour, when.minute),
            'S' => write!(w, "{:02}", when.second),
            't' => write!(w, "\t"),
            'T' | 'X' => write!(w, "{:02}:{:02}:{:02}", when.hour, when.minute, when.second),
            'u' => write!(w, "{}", if weekday == 0 { 7 } else { weekday }),
            'U' => write!(w, "{:02}", (year_day + 7 - weekday as u32) / 7),
            'V' => write!(w, "{:02}", iso_week(when.year, year_day, weekday).1),
            'w' => write!(w, "{weekday}"),
            'W' => write!(w, "{:02}", (year_day + 7 - ((weekday as u32 + 6) % 7)) / 7),
            'y' => write!(w, "{:02}", when.year % 100),
            'Y' => write!(w, "{}", when.year),
            'z' => match when.offset {
                Some(offset) => {
                    let sign = if offset < 0 { '-' } else { '+' };
                    let offset = offset.abs();
                    write!(w, "{sign}{:02}{:02}", offset / 3600, offset / 60 % 60)
                }
                None => Ok(()),
            },
            'Z' => match when.offset {
                Some(0) => write!(w, "UTC"),
                Some(offset) => {
                    let sign = if offset < 0 { '-' } else { '+' };
                    let offset = offset.abs();
                    write!(w, "UTC{sign}{:02}:{:02}", offset / 3600, offset / 60 % 60)
                }
                None => Ok(()),
            },
            '%' => write!(w, "%"),
            other => write!(w, "%{other}"),
        };
        if piece.len() >= 1024 {
            out.push_str(&piece)?;
            piece.clear();
        }
    }
    out.push_str(&piece)?;
    Ok(out.into_string())
}

/// The ISO 8601 week-based year and week number.
fn iso_week(year: i64, year_day: u32, weekday: usize) -> (i64, u32) {
    let iso_weekday = if weekday == 0 { 7 } else { weekday as i64 }; // Monday = 1
    let week = (i64::from(year_day) + 1 - iso_weekday + 10) / 7;
    let weeks_in = |y: i64| {
        let jan1 = (days_from_civil(y, 1, 1) + 4).rem_euclid(7); // 0 = Sunday
        if jan1 == 4 || (jan1 == 3 && is_leap(y)) {
            53
        } else {
            52
        }
    };
    if week < 1 {
        (year - 1, weeks_in(year - 1))
    } else if week > i64::from(weeks_in(year)) {
        (year + 1, 1)
    } else {
        (year, week as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_across_eras() {
        for days in [-719_468, -1, 0, 1, 11_016, 19_783, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_783), (2024, 3, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn parses_the_iso_forms_and_refuses_nonsense() {
        let when = parse_iso("2024-02-29T23:59:58.5+05:30").unwrap();
        assert_eq!(
            (when.year, when.month, when.day, when.hour, when.second),
            (2024, 2, 29, 23, 58)
        );
        assert_eq!((when.micros, when.offset), (500_000, Some(19_800)));
        assert_eq!(parse_iso("2024-03-01 08:00Z").unwrap().offset, Some(0));
        assert_eq!(parse_iso("2024-03-01").unwrap().offset, None);
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "2024-01-01T25:00",
            "2024-01-01T10",
            "2024-01-01X10:00",
            "2024-01-01T10:00+5",
            "",
        ] {
            assert!(parse_iso(bad).is_none(), "{bad}");
        }
    }
}
