//! Typed values: what converters produce when matching and take when building.

mod from_value;
mod uuid;

pub use from_value::FromValue;
pub use uuid::{InvalidUuid, Uuid};

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
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
