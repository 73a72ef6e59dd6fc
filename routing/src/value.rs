//! Typed values: what converters produce when matching and take when building.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// A converted URL value: what a converter produced from a path segment, a
/// rule default, or a value given to URL building.
///
/// Strings borrow from the request path when no percent-decoding was needed.
///
/// # Examples
///
/// ```
/// use carafe_routing::{FromValue, Value};
///
/// let v = Value::from(7);
/// assert_eq!(v, Value::Int(7));
/// assert_eq!(i64::from_value(&v).unwrap(), 7);
/// assert_eq!(u8::from_value(&v).unwrap(), 7u8);
/// assert_eq!(v.to_string(), "7");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Value<'a> {
    /// Text (`string`, `path`, `any`, the default converter).
    Str(Cow<'a, str>),
    /// An integer (`int`).
    Int(i64),
    /// A float (`float`).
    Float(f64),
    /// A boolean (only from rule defaults or values given to building).
    Bool(bool),
    /// A UUID (`uuid`).
    Uuid(Uuid),
    /// Several values (custom converters; building with repeated query keys).
    /// Boxed so a `Value` stays three words.
    List(Box<[Value<'a>]>),
    /// Anything else a custom converter produces; compared by identity.
    Custom(Arc<dyn Any + Send + Sync>),
}

/// The kind of a [`Value`], without the data: what a converter produces.
///
/// `carafe-macros` uses it to check a handler parameter's type against the
/// rule's converter (see [`FromValue::ACCEPTS`] and [`builtin_converter_kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueKind {
    /// [`Value::Str`].
    Str,
    /// [`Value::Int`].
    Int,
    /// [`Value::Float`].
    Float,
    /// [`Value::Bool`].
    Bool,
    /// [`Value::Uuid`].
    Uuid,
    /// [`Value::List`].
    List,
    /// [`Value::Custom`].
    Custom,
}

impl ValueKind {
    /// A lowercase name for messages: `"string"`, `"int"`, ...
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::ValueKind::Int.name(), "int");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            ValueKind::Str => "string",
            ValueKind::Int => "int",
            ValueKind::Float => "float",
            ValueKind::Bool => "bool",
            ValueKind::Uuid => "uuid",
            ValueKind::List => "list",
            ValueKind::Custom => "custom",
        }
    }

    /// Whether `kinds` contains `self`; usable in `const` assertions.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{FromValue, ValueKind};
    /// const OK: bool = ValueKind::Int.is_in(<u32 as FromValue>::ACCEPTS);
    /// const NOT: bool = ValueKind::Str.is_in(<u32 as FromValue>::ACCEPTS);
    /// assert!(OK && !NOT);
    /// ```
    pub const fn is_in(self, kinds: &[ValueKind]) -> bool {
        let mut i = 0;
        while i < kinds.len() {
            if kinds[i] as u8 == self as u8 {
                return true;
            }
            i += 1;
        }
        false
    }
}

/// The kind of value a built-in converter produces, by converter name
/// (`None` for names that are not built in).
///
/// # Examples
///
/// ```
/// use carafe_routing::{builtin_converter_kind, ValueKind};
/// assert_eq!(builtin_converter_kind("int"), Some(ValueKind::Int));
/// assert_eq!(builtin_converter_kind("default"), Some(ValueKind::Str));
/// assert_eq!(builtin_converter_kind("regex"), None);
/// ```
pub fn builtin_converter_kind(converter: &str) -> Option<ValueKind> {
    Some(match converter {
        "default" | "string" | "path" | "any" => ValueKind::Str,
        "int" => ValueKind::Int,
        "float" => ValueKind::Float,
        "uuid" => ValueKind::Uuid,
        _ => return None,
    })
}

impl<'a> Value<'a> {
    /// The kind of this value.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Value, ValueKind};
    /// assert_eq!(Value::from("x").kind(), ValueKind::Str);
    /// ```
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Str(_) => ValueKind::Str,
            Value::Int(_) => ValueKind::Int,
            Value::Float(_) => ValueKind::Float,
            Value::Bool(_) => ValueKind::Bool,
            Value::Uuid(_) => ValueKind::Uuid,
            Value::List(_) => ValueKind::List,
            Value::Custom(_) => ValueKind::Custom,
        }
    }

    /// The text of a [`Value::Str`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::Value;
    /// assert_eq!(Value::from("a").as_str(), Some("a"));
    /// assert_eq!(Value::from(1).as_str(), None);
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer of a [`Value::Int`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::Value;
    /// assert_eq!(Value::from(3).as_int(), Some(3));
    /// ```
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The custom value, if it is a [`Value::Custom`] holding a `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::Value;
    /// use std::sync::Arc;
    /// let v = Value::Custom(Arc::new((1u8, 2u8)));
    /// assert_eq!(v.downcast_ref::<(u8, u8)>(), Some(&(1, 2)));
    /// ```
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        match self {
            Value::Custom(c) => c.downcast_ref::<T>(),
            _ => None,
        }
    }

    /// Whether dropping the value frees nothing (borrowed text, numbers).
    #[inline]
    pub(crate) fn holds_nothing_to_free(&self) -> bool {
        matches!(
            self,
            Value::Str(Cow::Borrowed(_))
                | Value::Int(_)
                | Value::Float(_)
                | Value::Bool(_)
                | Value::Uuid(_)
        )
    }

    /// Copies borrowed text so the value no longer borrows the request.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::Value;
    /// let owned: Value<'static> = Value::from(String::from("a").as_str()).into_owned();
    /// assert_eq!(owned, Value::from("a"));
    /// ```
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Int(i) => Value::Int(i),
            Value::Float(x) => Value::Float(x),
            Value::Bool(b) => Value::Bool(b),
            Value::Uuid(u) => Value::Uuid(u),
            Value::List(l) => {
                Value::List(l.into_vec().into_iter().map(Value::into_owned).collect())
            }
            Value::Custom(c) => Value::Custom(c),
        }
    }

    /// A borrowed copy (text is borrowed from `self`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::Value;
    /// let v = Value::from(String::from("a"));
    /// assert_eq!(v.borrowed(), v);
    /// ```
    pub fn borrowed(&self) -> Value<'_> {
        match self {
            Value::Str(s) => Value::Str(Cow::Borrowed(s)),
            Value::Int(i) => Value::Int(*i),
            Value::Float(x) => Value::Float(*x),
            Value::Bool(b) => Value::Bool(*b),
            Value::Uuid(u) => Value::Uuid(*u),
            Value::List(l) => Value::List(l.iter().map(Value::borrowed).collect()),
            Value::Custom(c) => Value::Custom(c.clone()),
        }
    }
}

impl PartialEq for Value<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                (*a as f64) == *b
            }
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Uuid(a), Value::Uuid(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Custom(a), Value::Custom(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "Str({s:?})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Float(x) => write!(f, "Float({x:?})"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Uuid(u) => write!(f, "Uuid({u})"),
            Value::List(l) => f.debug_tuple("List").field(l).finish(),
            Value::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

/// Formats like Python's `str()` for the scalar kinds: floats always show a
/// decimal point (`2.0`) and never an exponent.
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&format_float(*x)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Uuid(u) => write!(f, "{u}"),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Custom(_) => f.write_str("<custom>"),
        }
    }
}

/// Decimal text of a float, without exponent, always with a `.` when finite.
pub(crate) fn format_float(x: f64) -> String {
    let mut s = format!("{x}");
    if x.is_finite() && !s.contains('.') {
        s.push_str(".0");
    }
    s
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s))
    }
}
impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::Str(Cow::Owned(s))
    }
}
impl<'a> From<Cow<'a, str>> for Value<'a> {
    fn from(s: Cow<'a, str>) -> Self {
        Value::Str(s)
    }
}
impl<'a> From<&'a String> for Value<'a> {
    fn from(s: &'a String) -> Self {
        Value::Str(Cow::Borrowed(s))
    }
}
macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value<'_> {
            fn from(i: $t) -> Self { Value::Int(i64::from(i)) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);
macro_rules! from_wide_int {
    ($($t:ty),*) => {$(
        /// Values beyond `i64` become their decimal text.
        impl From<$t> for Value<'_> {
            fn from(i: $t) -> Self {
                match i64::try_from(i) {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::Str(Cow::Owned(i.to_string())),
                }
            }
        }
    )*};
}
from_wide_int!(u64, usize, isize, i128, u128);
impl From<f64> for Value<'_> {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
impl From<f32> for Value<'_> {
    fn from(x: f32) -> Self {
        Value::Float(f64::from(x))
    }
}
impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Uuid> for Value<'_> {
    fn from(u: Uuid) -> Self {
        Value::Uuid(u)
    }
}
impl<'a, T: Into<Value<'a>>> From<Vec<T>> for Value<'a> {
    fn from(v: Vec<T>) -> Self {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

/// A value that cannot become the requested Rust type, or is missing.
///
/// # Examples
///
/// ```
/// use carafe_routing::{FromValue, Value};
/// let err = u8::from_value(&Value::Int(300)).unwrap_err();
/// assert_eq!(err.to_string(), "cannot convert int 300 to u8");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueError {
    /// The value has another kind or is out of range for the type.
    Mismatch {
        /// The Rust type asked for.
        expected: &'static str,
        /// The kind of the value found.
        found: ValueKind,
        /// The value, as text.
        value: String,
    },
    /// No value with that name.
    Missing {
        /// The name asked for.
        name: String,
    },
}

impl ValueError {
    fn mismatch(expected: &'static str, value: &Value<'_>) -> Self {
        let mut text = value.to_string();
        if text.len() > 64 {
            let mut cut = 64;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str("...");
        }
        ValueError::Mismatch {
            expected,
            found: value.kind(),
            value: text,
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::Mismatch {
                expected,
                found,
                value,
            } => write!(f, "cannot convert {} {value} to {expected}", found.name()),
            ValueError::Missing { name } => write!(f, "no value named '{name}'"),
        }
    }
}

impl std::error::Error for ValueError {}

/// Conversion from a [`Value`] to a Rust type: how a handler parameter
/// `id: u32` receives the value of `<int:id>`.
///
/// Built in: `String`, all integer types (range-checked), `f64`/`f32`
/// (integers widen), `bool`, [`Uuid`], `Value<'static>`, `Vec<T>` (from a
/// list, or one value) and `Option<T>`. `String` accepts every scalar kind
/// (its text); the other types accept only their kind.
///
/// # Examples
///
/// ```
/// use carafe_routing::{FromValue, Value, ValueKind};
///
/// struct Slug(String);
/// impl FromValue for Slug {
///     const ACCEPTS: &'static [ValueKind] = &[ValueKind::Str];
///     fn from_value(value: &Value<'_>) -> Result<Self, carafe_routing::ValueError> {
///         String::from_value(value).map(Slug)
///     }
/// }
/// assert_eq!(Slug::from_value(&Value::from("a-b")).unwrap().0, "a-b");
/// ```
pub trait FromValue: Sized {
    /// The value kinds this type can be converted from; `carafe-macros`
    /// checks a handler parameter's type against its converter with it.
    const ACCEPTS: &'static [ValueKind];

    /// Converts a borrowed value.
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError>;

    /// Converts an owned value (avoids a copy for `String`).
    fn from_owned_value(value: Value<'_>) -> Result<Self, ValueError> {
        Self::from_value(&value)
    }
}

impl FromValue for String {
    const ACCEPTS: &'static [ValueKind] = &[
        ValueKind::Str,
        ValueKind::Int,
        ValueKind::Float,
        ValueKind::Bool,
        ValueKind::Uuid,
    ];
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
        match value {
            Value::Str(s) => Ok(s.to_string()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Uuid(_) => {
                Ok(value.to_string())
            }
            _ => Err(ValueError::mismatch("String", value)),
        }
    }
    fn from_owned_value(value: Value<'_>) -> Result<Self, ValueError> {
        match value {
            Value::Str(s) => Ok(s.into_owned()),
            other => Self::from_value(&other),
        }
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            const ACCEPTS: &'static [ValueKind] = &[ValueKind::Int];
            fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
                match value {
                    Value::Int(i) => <$t>::try_from(*i)
                        .map_err(|_| ValueError::mismatch(stringify!($t), value)),
                    _ => Err(ValueError::mismatch(stringify!($t), value)),
                }
            }
        }
    )*};
}
int_from_value!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl FromValue for f64 {
    const ACCEPTS: &'static [ValueKind] = &[ValueKind::Float, ValueKind::Int];
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
        match value {
            Value::Float(x) => Ok(*x),
            Value::Int(i) => Ok(*i as f64),
            _ => Err(ValueError::mismatch("f64", value)),
        }
    }
}

impl FromValue for f32 {
    const ACCEPTS: &'static [ValueKind] = &[ValueKind::Float, ValueKind::Int];
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
        f64::from_value(value)
            .map(|x| x as f32)
            .map_err(|_| ValueError::mismatch("f32", value))
    }
}

impl FromValue for bool {
    const ACCEPTS: &'static [ValueKind] = &[ValueKind::Bool];
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
        match value {
            Value::Bool(b) => Ok(*b),
            _ => Err(ValueError::mismatch("bool", value)),
        }
    }
}

impl FromValue for Uuid {
    const ACCEPTS: &'static [ValueKind] = &[ValueKind::Uuid];
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
        match value {
            Value::Uuid(u) => Ok(*u),
            _ => Err(ValueError::mismatch("Uuid", value)),
        }
    }
}

impl FromValue for Value<'static> {
    const ACCEPTS: &'static [ValueKind] = &[
        ValueKind::Str,
        ValueKind::Int,
        ValueKind::Float,
        ValueKind::Bool,
        ValueKind::Uuid,
        ValueKind::List,
        ValueKind::Custom,
    ];
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
        Ok(value.clone().into_owned())
    }
    fn from_owned_value(value: Value<'_>) -> Result<Self, ValueError> {
        Ok(value.into_owned())
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    const ACCEPTS: &'static [ValueKind] = &[
        ValueKind::List,
        ValueKind::Str,
        ValueKind::Int,
        ValueKind::Float,
        ValueKind::Bool,
        ValueKind::Uuid,
    ];
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
        match value {
            Value::List(items) => items.iter().map(T::from_value).collect(),
            single => Ok(vec![T::from_value(single)?]),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const ACCEPTS: &'static [ValueKind] = T::ACCEPTS;
    fn from_value(value: &Value<'_>) -> Result<Self, ValueError> {
        T::from_value(value).map(Some)
    }
}

/// A UUID, as the `uuid` converter produces it (16 bytes; displayed in the
/// lowercase hyphenated form).
///
/// # Examples
///
/// ```
/// use carafe_routing::Uuid;
/// let u: Uuid = "A8098C1A-F86E-11DA-BD1A-00112444BE1E".parse().unwrap();
/// assert_eq!(u.to_string(), "a8098c1a-f86e-11da-bd1a-00112444be1e");
/// assert_eq!(u.as_bytes()[0], 0xa8);
/// assert!("a8098c1a".parse::<Uuid>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid([u8; 16]);

impl Uuid {
    /// A UUID from its 16 bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let u = carafe_routing::Uuid::from_bytes([0; 16]);
    /// assert_eq!(u.to_string(), "00000000-0000-0000-0000-000000000000");
    /// ```
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Uuid(bytes)
    }

    /// The 16 bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Uuid::from_bytes([1; 16]).as_bytes(), &[1; 16]);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses the hyphenated form `8-4-4-4-12` (hex digits, either case),
    /// which is what the `uuid` converter matches.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::Uuid;
    /// assert!(Uuid::parse_hyphenated("2b5b0911-fdcf-4dd2-921b-28ace88db8a0").is_some());
    /// assert!(Uuid::parse_hyphenated("2b5b0911fdcf4dd2921b28ace88db8a0").is_none());
    /// ```
    pub fn parse_hyphenated(s: &str) -> Option<Uuid> {
        let b = s.as_bytes();
        if b.len() != 36 {
            return None;
        }
        let mut out = [0u8; 16];
        let mut n = 0;
        let mut i = 0;
        while i < 36 {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b[i] != b'-' {
                    return None;
                }
                i += 1;
                continue;
            }
            let hi = hex_val(b[i])?;
            let lo = hex_val(b[i + 1])?;
            out[n] = (hi << 4) | lo;
            n += 1;
            i += 2;
        }
        Some(Uuid(out))
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The text is not a hyphenated UUID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidUuid;

impl fmt::Display for InvalidUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid uuid: expected 8-4-4-4-12 hex digits")
    }
}

impl std::error::Error for InvalidUuid {}

impl FromStr for Uuid {
    type Err = InvalidUuid;
    fn from_str(s: &str) -> Result<Self, InvalidUuid> {
        Uuid::parse_hyphenated(s).ok_or(InvalidUuid)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_display_like_python() {
        assert_eq!(format_float(2.0), "2.0");
        assert_eq!(format_float(0.815), "0.815");
        assert_eq!(format_float(0.00001), "0.00001");
        assert_eq!(format_float(-0.185), "-0.185");
        assert!(!format_float(1e21).contains('e'));
    }

    #[test]
    fn int_conversions_are_range_checked() {
        assert_eq!(i32::from_value(&Value::Int(-5)), Ok(-5));
        assert!(u32::from_value(&Value::Int(-5)).is_err());
        assert!(i64::from_value(&Value::from("5")).is_err());
        assert_eq!(f64::from_value(&Value::Int(2)), Ok(2.0));
        assert_eq!(String::from_value(&Value::Int(2)).unwrap(), "2");
    }

    #[test]
    fn wide_ints_keep_their_text() {
        assert_eq!(Value::from(u64::MAX), Value::from(u64::MAX.to_string()));
        assert_eq!(Value::from(5usize), Value::Int(5));
    }

    #[test]
    fn equality_crosses_numbers_only() {
        assert_eq!(Value::Int(1), Value::Float(1.0));
        assert_ne!(Value::Int(1), Value::Bool(true));
        assert_ne!(Value::from("1"), Value::Int(1));
    }

    #[test]
    fn uuid_roundtrip() {
        let text = "2b5b0911-fdcf-4dd2-921b-28ace88db8a0";
        let u: Uuid = text.parse().unwrap();
        assert_eq!(u.to_string(), text);
        assert!(
            "2b5b0911-fdcf-4dd2-921b-28ace88db8ag"
                .parse::<Uuid>()
                .is_err()
        );
        assert!(
            "2b5b0911_fdcf-4dd2-921b-28ace88db8a0"
                .parse::<Uuid>()
                .is_err()
        );
    }
}
