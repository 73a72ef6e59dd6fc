//! Value syntaxes shared by the settings: durations, `SameSite`, and the
//! field list of a derived struct.

use std::fmt;
use std::time::Duration;

use carafe_wrappers::SameSite;
use serde::Serializer;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

/// Parses a duration: a number of seconds (`90`, `0.5`) or numbers with
/// units `ms`, `s`, `m`, `h`, `d`, `w` (`31d`, `1h30m`, `500ms`).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe::config::parse_duration;
///
/// assert_eq!(parse_duration("31d"), Some(Duration::from_secs(31 * 86_400)));
/// assert_eq!(parse_duration("1h 30m"), Some(Duration::from_secs(5_400)));
/// assert_eq!(parse_duration("2.5"), Some(Duration::from_millis(2_500)));
/// assert_eq!(parse_duration("soon"), None);
/// ```
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return seconds_to_duration(seconds);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3_600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            _ => return None,
        };
        rest = rest[unit_end..].trim_start();
        total = total.checked_add(seconds_to_duration(number * scale)?)?;
    }
    Some(total)
}

fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    if seconds.is_finite() && seconds >= 0.0 {
        Duration::try_from_secs_f64(seconds).ok()
    } else {
        None
    }
}

struct DurationVisitor;

const DURATION_EXPECTED: &str = "seconds or a duration such as 31d, 12h, 1h30m";

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DURATION_EXPECTED)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
        Ok(Duration::from_secs(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
        u64::try_from(v)
            .map(Duration::from_secs)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
        seconds_to_duration(v).ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        parse_duration(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// `deserialize_with` for a [`Duration`].
pub(crate) fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    deserializer.deserialize_any(DurationVisitor)
}

/// `deserialize_with` for an optional [`Duration`] (`null`: none).
pub(crate) fn optional_duration<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Duration>, D::Error> {
    struct Optional;

    impl<'de> Visitor<'de> for Optional {
        type Value = Option<Duration>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "null, {DURATION_EXPECTED}")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            duration(d).map(Some)
        }
    }

    deserializer.deserialize_option(Optional)
}

/// `deserialize_with` for `Option<SameSite>`: `Strict`, `Lax`, `None` (any
/// case); `null` for no attribute.
pub(crate) fn same_site<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SameSite>, D::Error> {
    struct Name;

    impl Visitor<'_> for Name {
        type Value = SameSite;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("Strict, Lax or None")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<SameSite, E> {
            match v.trim().to_ascii_lowercase().as_str() {
                "strict" => Ok(SameSite::Strict),
                "lax" => Ok(SameSite::Lax),
                "none" => Ok(SameSite::None),
                _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }

    struct Optional;

    impl<'de> Visitor<'de> for Optional {
        type Value = Option<SameSite>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("null, Strict, Lax or None")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(Name).map(Some)
        }
    }

    deserializer.deserialize_option(Optional)
}

/// `serialize_with` for a [`Duration`]: whole seconds when whole, else
/// fractional seconds.
pub(crate) fn serialize_duration<S: Serializer>(
    value: &Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if value.subsec_nanos() == 0 {
        serializer.serialize_u64(value.as_secs())
    } else {
        serializer.serialize_f64(value.as_secs_f64())
    }
}

/// `serialize_with` for an optional [`Duration`].
pub(crate) fn serialize_optional_duration<S: Serializer>(
    value: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serialize_duration(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// `serialize_with` for `Option<SameSite>`: `Strict`, `Lax`, `None`, or null.
pub(crate) fn serialize_same_site<S: Serializer>(
    value: &Option<SameSite>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(SameSite::Strict) => serializer.serialize_str("Strict"),
        Some(SameSite::Lax) => serializer.serialize_str("Lax"),
        Some(SameSite::None) => serializer.serialize_str("None"),
        None => serializer.serialize_none(),
    }
}

/// The field names of a struct that derives `Deserialize` (what it passes
/// to `deserialize_struct`); empty for anything else.
pub(crate) fn struct_fields<T: DeserializeOwned>() -> &'static [&'static str] {
    #[derive(Debug)]
    struct Fields(&'static [&'static str]);

    impl fmt::Display for Fields {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("field probe")
        }
    }

    impl std::error::Error for Fields {}

    impl de::Error for Fields {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Fields(&[])
        }
    }

    struct Probe;

    impl<'de> Deserializer<'de> for Probe {
        type Error = Fields;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Fields> {
            Err(Fields(&[]))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Fields> {
            Err(Fields(fields))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    match T::deserialize(Probe) {
        Err(Fields(fields)) => fields,
        Ok(_) => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2w"), Some(Duration::from_secs(1_209_600)));
        assert_eq!(parse_duration("1d12h"), Some(Duration::from_secs(129_600)));
        for bad in ["", "-1", "1x", "h", "1.2.3s", "nan", "inf", "1e400"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        // Huge values do not overflow into a panic.
        assert_eq!(parse_duration(&"9".repeat(400)), None);
        assert_eq!(parse_duration("99999999999999999999w"), None);
    }
}
