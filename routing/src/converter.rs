//! Converters: what a variable matches, how its text becomes a [`Value`], and
//! how a value is formatted back into a URL.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::parse::{ArgValue, ConverterArgs};
use crate::value::{Uuid, Value, ValueKind, format_float};

/// A converter: the type of a rule variable such as `int` in `<int:id>`.
///
/// Matching happens on the percent-encoded path; the text of a variable is
/// percent-decoded and handed to [`to_value`](Converter::to_value), which
/// either returns the typed value or `None` to reject it. A rejection means
/// "this rule does not match, try the next one" (Werkzeug's
/// `ValidationError`), never an error response.
///
/// # Examples
///
/// A converter for comma-separated lists of integers:
///
/// ```
/// use carafe_routing::{Converter, ConvertError, Map, Rule, Value};
/// use std::borrow::Cow;
///
/// #[derive(Debug)]
/// struct IntList;
/// impl Converter for IntList {
///     fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
///         let items: Option<Vec<Value>> =
///             text.split(',').map(|s| s.parse::<i64>().ok().map(Value::Int)).collect();
///         items.map(Value::from)
///     }
///     fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
///         match value {
///             Value::List(items) => {
///                 Ok(items.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",").into())
///             }
///             other => Err(ConvertError::new(format!("expected a list, got {other}"))),
///         }
///     }
/// }
///
/// let map = Map::builder()
///     .converter("ints", |_args| Ok(IntList))
///     .rule(Rule::new("/sum/<ints:xs>", "sum"))
///     .build()
///     .unwrap();
/// let adapter = map.bind("example.com").unwrap();
/// let m = adapter.match_path("/sum/1,2,3", &http::Method::GET).unwrap();
/// assert_eq!(m.values().get("xs"), Some(&Value::from(vec![1, 2, 3])));
/// assert!(adapter.match_path("/sum/1,x", &http::Method::GET).is_err());
/// assert_eq!(adapter.url_for("sum").value("xs", vec![4, 5]).build().unwrap(), "/sum/4,5");
/// ```
pub trait Converter: Send + Sync + fmt::Debug + 'static {
    /// Converts the percent-decoded text of a variable, or rejects it.
    ///
    /// The text is never empty; it contains `/` only if
    /// [`matches_slash`](Converter::matches_slash) is true.
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>>;

    /// Formats a value for a URL. Return the plain text: the map
    /// percent-encodes it (keeping `/` only for converters that match `/`).
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError>;

    /// Werkzeug's weight: among variables at the same place, lighter ones
    /// are tried first (`int`/`float` 50, `string`/`any`/`uuid` 100,
    /// `path` 200).
    fn weight(&self) -> u32 {
        100
    }

    /// Whether the variable may span `/` (Werkzeug's `part_isolating =
    /// False`), like `path`.
    fn matches_slash(&self) -> bool {
        false
    }

    /// Whether longer candidate texts are tried first when a part has other
    /// pieces after the variable (regex greediness). Defaults to `true`
    /// except for converters that match `/` (`path` is lazy, as Werkzeug's
    /// `[^/].*?`).
    fn greedy(&self) -> bool {
        !self.matches_slash()
    }

    /// The kind of value produced, if always the same (for documentation
    /// and `carafe-macros` checks).
    fn kind(&self) -> Option<ValueKind> {
        None
    }
}

/// A shared converter is a converter: register a built-in under another
/// name with `builtin_converter`.
impl Converter for Arc<dyn Converter> {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        (**self).to_value(text)
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        (**self).to_url(value)
    }
    fn weight(&self) -> u32 {
        (**self).weight()
    }
    fn matches_slash(&self) -> bool {
        (**self).matches_slash()
    }
    fn greedy(&self) -> bool {
        (**self).greedy()
    }
    fn kind(&self) -> Option<ValueKind> {
        (**self).kind()
    }
}

/// A value a converter cannot format into a URL.
///
/// # Examples
///
/// ```
/// let err = carafe_routing::ConvertError::new("not a number");
/// assert_eq!(err.to_string(), "not a number");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    message: String,
}

impl ConvertError {
    /// An error with a lowercase message saying what is wrong.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::ConvertError::new("x").message(), "x");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        ConvertError {
            message: message.into(),
        }
    }

    /// The message.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::ConvertError::new("bad").message(), "bad");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConvertError {}

/// Builds a converter from the arguments written in a rule; registered by
/// name with [`MapBuilder::converter`](crate::MapBuilder::converter). The
/// error message says which argument is wrong.
pub(crate) type ConverterFactory =
    Arc<dyn Fn(&ConverterArgs) -> Result<Arc<dyn Converter>, String> + Send + Sync>;

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

/// The converters a map knows: the built-ins plus registered ones.
#[derive(Clone, Default)]
pub(crate) struct Registry {
    custom: HashMap<String, ConverterFactory>,
}

impl Registry {
    pub(crate) fn register(&mut self, name: String, factory: ConverterFactory) {
        self.custom.insert(name, factory);
    }

    /// `None` if the name is unknown.
    pub(crate) fn make(
        &self,
        name: &str,
        args: &ConverterArgs,
    ) -> Option<Result<Arc<dyn Converter>, String>> {
        if let Some(f) = self.custom.get(name) {
            return Some(f(args));
        }
        builtin_converter(name, args)
    }

    pub(crate) fn is_custom(&self, name: &str) -> bool {
        self.custom.contains_key(name)
    }

    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN_NAMES.iter().map(|s| s.to_string()).collect();
        names.extend(self.custom.keys().cloned());
        names.sort();
        names.dedup();
        names
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_converter_args;

    fn conv(name: &str, args: &str) -> Arc<dyn Converter> {
        builtin_converter(name, &parse_converter_args(args).unwrap())
            .unwrap()
            .unwrap()
    }

    fn val(c: &Arc<dyn Converter>, text: &str) -> Option<Value<'static>> {
        c.to_value(Cow::Owned(text.to_owned()))
            .map(Value::into_owned)
    }

    #[test]
    fn int_table() {
        let plain = conv("int", "");
        let signed = conv("int", "signed=true");
        let fixed = conv("int", "fixed_digits=3, min=1, max=999");
        let cases: &[(&Arc<dyn Converter>, &str, Option<i64>)] = &[
            (&plain, "42", Some(42)),
            (&plain, "-2", None),
            (&plain, "4x", None),
            (&plain, "99999999999999999999", None),
            (&signed, "-50", Some(-50)),
            (&signed, "-", None),
            (&fixed, "007", Some(7)),
            (&fixed, "7", None),
            (&fixed, "000", None),
            (&plain, "٣", None),
        ];
        for (c, text, expected) in cases {
            assert_eq!(val(c, text), expected.map(Value::Int), "{text}");
        }
        assert_eq!(fixed.to_url(&Value::Int(7)).unwrap(), "007");
        assert_eq!(
            conv("int", "fixed_digits=4")
                .to_url(&Value::Int(-5))
                .unwrap(),
            "-005"
        );
        assert!(plain.to_url(&Value::from("x")).is_err());
        assert_eq!(plain.to_url(&Value::from("12")).unwrap(), "12");
    }

    #[test]
    fn float_table() {
        let plain = conv("float", "");
        let signed = conv("float", "signed=true, max=1");
        assert_eq!(val(&plain, "0.815"), Some(Value::Float(0.815)));
        assert_eq!(val(&plain, "2"), None);
        assert_eq!(val(&plain, ".5"), None);
        assert_eq!(val(&plain, "-0.185"), None);
        assert_eq!(val(&signed, "-0.185"), Some(Value::Float(-0.185)));
        assert_eq!(val(&signed, "1.5"), None);
        assert_eq!(plain.to_url(&Value::Float(0.00001)).unwrap(), "0.00001");
        assert_eq!(plain.to_url(&Value::Float(2.0)).unwrap(), "2.0");
        assert!(plain.to_url(&Value::Float(f64::NAN)).is_err());
    }

    #[test]
    fn string_lengths_count_characters() {
        let two = conv("string", "length=2");
        assert!(val(&two, "dé").is_some());
        assert!(val(&two, "abc").is_none());
        let range = conv("string", "minlength=2, maxlength=3");
        assert!(val(&range, "a").is_none());
        assert!(val(&range, "abc").is_some());
        assert!(val(&range, "abcd").is_none());
    }

    #[test]
    fn any_and_uuid() {
        let any = conv("any", r#"about, help, "contact us""#);
        assert!(val(&any, "contact us").is_some());
        assert!(val(&any, "contact").is_none());
        assert_eq!(
            any.to_url(&Value::from("nope")).unwrap_err().to_string(),
            "'nope' is not one of 'about', 'contact us', 'help'"
        );
        let uuid = conv("uuid", "");
        assert!(val(&uuid, "a8098c1a-f86e-11da-bd1a-00112444be1e").is_some());
        assert!(val(&uuid, "a8098c1a").is_none());
    }

    #[test]
    fn bad_arguments_are_reported() {
        let cases = [
            ("int", "digits=3"),
            ("int", "min='a'"),
            ("string", "length=-1"),
            ("path", "1"),
            ("any", ""),
            ("float", "signed=2"),
            ("int", "1, fixed_digits=2"),
        ];
        for (name, args) in cases {
            let made = builtin_converter(name, &parse_converter_args(args).unwrap()).unwrap();
            assert!(made.is_err(), "{name}({args})");
        }
    }
}
