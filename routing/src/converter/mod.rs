//! Converters: what a variable matches, how its text becomes a [`Value`], and
//! how a value is formatted back into a URL.

mod builtin;

pub(crate) use builtin::BUILTIN_NAMES;
pub use builtin::builtin_converter;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::parse::ConverterArgs;
use crate::value::{Value, ValueKind};

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
