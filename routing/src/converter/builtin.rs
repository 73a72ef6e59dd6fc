//! The built-in converters: default/string, int, float, path, uuid, any.

use std::borrow::Cow;
use std::sync::Arc;

use super::{ConvertError, Converter};
use crate::parse::{ArgValue, ConverterArgs};
use crate::value::{Uuid, Value, ValueKind, format_float};

/// Constructs one of the built-in converters (`default`, `string`, `int`,
/// `float`, `path`, `uuid`, `any`) from its arguments; `None` if the name is
/// not built in. Pure, so `carafe-macros` can check rules at compile time.
///
/// # Examples
///
/// ```
/// use carafe_routing::{builtin_converter, parse_converter_args};
///
/// let args = parse_converter_args("fixed_digits=3").unwrap();
/// let int = builtin_converter("int", &args).unwrap().unwrap();
/// assert_eq!(int.weight(), 50);
/// let err = builtin_converter("int", &parse_converter_args("digits=3").unwrap());
/// assert_eq!(err.unwrap().unwrap_err(), "unknown argument 'digits' (known: fixed_digits, min, max, signed)");
/// assert!(builtin_converter("regex", &args).is_none());
/// ```
pub fn builtin_converter(
    name: &str,
    args: &ConverterArgs,
) -> Option<Result<Arc<dyn Converter>, String>> {
    let made: Result<Arc<dyn Converter>, String> = match name {
        "default" | "string" => StringConverter::from_args(args).map(|c| Arc::new(c) as _),
        "int" => IntConverter::from_args(args).map(|c| Arc::new(c) as _),
        "float" => FloatConverter::from_args(args).map(|c| Arc::new(c) as _),
        "path" => bind_args(args, &[]).map(|_| Arc::new(PathConverter) as _),
        "uuid" => bind_args(args, &[]).map(|_| Arc::new(UuidConverter) as _),
        "any" => AnyConverter::from_args(args).map(|c| Arc::new(c) as _),
        _ => return None,
    };
    Some(made)
}

/// The names of the built-in converters.
pub(crate) const BUILTIN_NAMES: &[&str] =
    &["default", "string", "int", "float", "path", "uuid", "any"];

/// Matches positional and keyword arguments against a signature.
fn bind_args<'a>(
    args: &'a ConverterArgs,
    names: &[&str],
) -> Result<Vec<Option<&'a ArgValue>>, String> {
    let mut out: Vec<Option<&ArgValue>> = vec![None; names.len()];
    if args.positional().len() > names.len() {
        return Err(if names.is_empty() {
            "takes no arguments".to_owned()
        } else {
            format!(
                "takes at most {} arguments ({})",
                names.len(),
                names.join(", ")
            )
        });
    }
    for (i, v) in args.positional().iter().enumerate() {
        out[i] = Some(v);
    }
    for (k, v) in args.keywords() {
        let Some(i) = names.iter().position(|n| n == k) else {
            return Err(if names.is_empty() {
                "takes no arguments".to_owned()
            } else {
                format!("unknown argument '{k}' (known: {})", names.join(", "))
            });
        };
        if out[i].is_some() {
            return Err(format!("argument '{k}' given twice"));
        }
        out[i] = Some(v);
    }
    // `None` means "not given", like Python's default of None.
    Ok(out
        .into_iter()
        .map(|v| v.filter(|v| **v != ArgValue::None))
        .collect())
}

fn arg_usize(v: Option<&ArgValue>, name: &str) -> Result<Option<usize>, String> {
    match v {
        None => Ok(None),
        Some(ArgValue::Int(i)) if *i >= 0 => Ok(Some(*i as usize)),
        Some(other) => Err(format!(
            "argument '{name}' must be a non-negative integer, got {other}"
        )),
    }
}

fn arg_i64(v: Option<&ArgValue>, name: &str) -> Result<Option<i64>, String> {
    match v {
        None => Ok(None),
        Some(ArgValue::Int(i)) => Ok(Some(*i)),
        Some(other) => Err(format!("argument '{name}' must be an integer, got {other}")),
    }
}

fn arg_f64(v: Option<&ArgValue>, name: &str) -> Result<Option<f64>, String> {
    match v {
        None => Ok(None),
        Some(v) => v
            .as_float()
            .map(Some)
            .ok_or_else(|| format!("argument '{name}' must be a number, got {v}")),
    }
}

fn arg_bool(v: Option<&ArgValue>, name: &str) -> Result<bool, String> {
    match v {
        None => Ok(false),
        Some(ArgValue::Bool(b)) => Ok(*b),
        Some(other) => Err(format!(
            "argument '{name}' must be true or false, got {other}"
        )),
    }
}

/// `string` (the default): one path segment; `minlength` (default 1),
/// `maxlength`, `length` count characters.
#[derive(Debug, Clone)]
struct StringConverter {
    minlength: usize,
    maxlength: Option<usize>,
    length: Option<usize>,
}

impl StringConverter {
    fn from_args(args: &ConverterArgs) -> Result<Self, String> {
        let a = bind_args(args, &["minlength", "maxlength", "length"])?;
        Ok(StringConverter {
            minlength: arg_usize(a[0], "minlength")?.unwrap_or(1),
            maxlength: arg_usize(a[1], "maxlength")?,
            length: arg_usize(a[2], "length")?,
        })
    }
}

impl Converter for StringConverter {
    #[inline]
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        if self.minlength > 1 || self.maxlength.is_some() || self.length.is_some() {
            let n = text.chars().count();
            if let Some(len) = self.length {
                if n != len {
                    return None;
                }
            } else if n < self.minlength || self.maxlength.is_some_and(|m| n > m) {
                return None;
            }
        }
        Some(Value::Str(text))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        scalar_text(value)
    }
    fn kind(&self) -> Option<ValueKind> {
        Some(ValueKind::Str)
    }
}

fn scalar_text<'v>(value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
    match value {
        Value::Str(s) => Ok(Cow::Borrowed(s)),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Uuid(_) => {
            Ok(Cow::Owned(value.to_string()))
        }
        other => Err(ConvertError::new(format!(
            "expected a single value, got {} {other}",
            other.kind().name()
        ))),
    }
}

/// `path`: like `string` but spans `/`; weight 200; lazy.
#[derive(Debug, Clone)]
struct PathConverter;

impl Converter for PathConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        if text.starts_with('/') {
            return None;
        }
        Some(Value::Str(text))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        scalar_text(value)
    }
    fn weight(&self) -> u32 {
        200
    }
    fn matches_slash(&self) -> bool {
        true
    }
    fn kind(&self) -> Option<ValueKind> {
        Some(ValueKind::Str)
    }
}

/// `int`: ASCII digits (with `-` if `signed`); `fixed_digits`, `min`, `max`.
#[derive(Debug, Clone)]
struct IntConverter {
    fixed_digits: usize,
    min: Option<i64>,
    max: Option<i64>,
    signed: bool,
}

impl IntConverter {
    fn from_args(args: &ConverterArgs) -> Result<Self, String> {
        let a = bind_args(args, &["fixed_digits", "min", "max", "signed"])?;
        Ok(IntConverter {
            fixed_digits: arg_usize(a[0], "fixed_digits")?.unwrap_or(0),
            min: arg_i64(a[1], "min")?,
            max: arg_i64(a[2], "max")?,
            signed: arg_bool(a[3], "signed")?,
        })
    }
}

/// Checks `-?\d+` (sign only if allowed).
fn digits_ok(text: &str, signed: bool) -> bool {
    let digits = match text.strip_prefix('-') {
        Some(rest) if signed => rest,
        _ => text,
    };
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

impl Converter for IntConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        if !digits_ok(&text, self.signed) {
            return None;
        }
        if self.fixed_digits != 0 && text.len() != self.fixed_digits {
            return None;
        }
        let n: i64 = text.parse().ok()?;
        if self.min.is_some_and(|m| n < m) || self.max.is_some_and(|m| n > m) {
            return None;
        }
        Some(Value::Int(n))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        let n = match value {
            Value::Int(i) => *i,
            Value::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => *x as i64,
            Value::Str(s) => s
                .trim()
                .parse::<i64>()
                .map_err(|_| ConvertError::new(format!("'{s}' is not an integer")))?,
            other => {
                return Err(ConvertError::new(format!(
                    "expected an integer, got {} {other}",
                    other.kind().name()
                )));
            }
        };
        let mut s = n.unsigned_abs().to_string();
        let width = self.fixed_digits.saturating_sub(usize::from(n < 0));
        if s.len() < width {
            s = format!("{}{s}", "0".repeat(width - s.len()));
        }
        if n < 0 {
            s.insert(0, '-');
        }
        Ok(Cow::Owned(s))
    }
    fn weight(&self) -> u32 {
        50
    }
    fn kind(&self) -> Option<ValueKind> {
        Some(ValueKind::Int)
    }
}

/// `float`: `\d+\.\d+` (with `-` if `signed`); `min`, `max`.
#[derive(Debug, Clone)]
struct FloatConverter {
    min: Option<f64>,
    max: Option<f64>,
    signed: bool,
}

impl FloatConverter {
    fn from_args(args: &ConverterArgs) -> Result<Self, String> {
        let a = bind_args(args, &["min", "max", "signed"])?;
        Ok(FloatConverter {
            min: arg_f64(a[0], "min")?,
            max: arg_f64(a[1], "max")?,
            signed: arg_bool(a[2], "signed")?,
        })
    }
}

impl Converter for FloatConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        let (int, frac) = text.split_once('.')?;
        if !digits_ok(int, self.signed) || !digits_ok(frac, false) {
            return None;
        }
        let x: f64 = text.parse().ok()?;
        if self.min.is_some_and(|m| x < m) || self.max.is_some_and(|m| x > m) {
            return None;
        }
        Some(Value::Float(x))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        let x = match value {
            Value::Float(x) => *x,
            Value::Int(i) => *i as f64,
            Value::Str(s) => s
                .trim()
                .parse::<f64>()
                .map_err(|_| ConvertError::new(format!("'{s}' is not a number")))?,
            other => {
                return Err(ConvertError::new(format!(
                    "expected a number, got {} {other}",
                    other.kind().name()
                )));
            }
        };
        if !x.is_finite() {
            return Err(ConvertError::new(format!("{x} cannot appear in a url")));
        }
        Ok(Cow::Owned(format_float(x)))
    }
    fn weight(&self) -> u32 {
        50
    }
    fn kind(&self) -> Option<ValueKind> {
        Some(ValueKind::Float)
    }
}

/// `uuid`: the hyphenated form, either case.
#[derive(Debug, Clone)]
struct UuidConverter;

impl Converter for UuidConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        Uuid::parse_hyphenated(&text).map(Value::Uuid)
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        match value {
            Value::Uuid(u) => Ok(Cow::Owned(u.to_string())),
            Value::Str(s) => Uuid::parse_hyphenated(s)
                .map(|u| Cow::Owned(u.to_string()))
                .ok_or_else(|| ConvertError::new(format!("'{s}' is not a uuid"))),
            other => Err(ConvertError::new(format!(
                "expected a uuid, got {} {other}",
                other.kind().name()
            ))),
        }
    }
    fn kind(&self) -> Option<ValueKind> {
        Some(ValueKind::Uuid)
    }
}

/// `any(a, b, "c d")`: one of the items.
#[derive(Debug, Clone)]
struct AnyConverter {
    items: Vec<String>,
}

impl AnyConverter {
    fn from_args(args: &ConverterArgs) -> Result<Self, String> {
        if !args.keywords().is_empty() {
            return Err("takes only positional items".to_owned());
        }
        if args.positional().is_empty() {
            return Err("needs at least one item".to_owned());
        }
        let mut items = Vec::new();
        for v in args.positional() {
            let text = match v {
                ArgValue::Str(s) => s.clone(),
                ArgValue::Int(i) => i.to_string(),
                ArgValue::Float(x) => format_float(*x),
                other => return Err(format!("items must be strings, got {other}")),
            };
            if text.is_empty() || text.contains('/') {
                return Err(format!("item {text:?} must be non-empty and without '/'"));
            }
            items.push(text);
        }
        Ok(AnyConverter { items })
    }
}

impl Converter for AnyConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        self.items
            .iter()
            .any(|i| *i == *text)
            .then_some(Value::Str(text))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        let text = scalar_text(value)?;
        if self.items.iter().any(|i| *i == *text) {
            return Ok(text);
        }
        let mut sorted: Vec<_> = self.items.iter().map(|i| format!("'{i}'")).collect();
        sorted.sort();
        Err(ConvertError::new(format!(
            "'{text}' is not one of {}",
            sorted.join(", ")
        )))
    }
    fn kind(&self) -> Option<ValueKind> {
        Some(ValueKind::Str)
    }
}
