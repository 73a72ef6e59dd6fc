//! FromValue: how a handler parameter receives a matched value.

use super::{Uuid, Value, ValueError, ValueKind};

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
