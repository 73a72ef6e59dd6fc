//! Converter arguments as Werkzeug parses them: positional and keyword values.

use std::fmt;

/// The arguments of a converter: `<int(fixed_digits=3, signed=true):n>`.
///
/// Parsed as Werkzeug parses them: positional values first or mixed with
/// `name=value` pairs, values being `True`/`False`/`None` (also lowercase),
/// integers, floats, quoted strings (`"..."` or `'...'`) or bare words
/// (which become strings).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConverterArgs {
    pub(super) positional: Vec<ArgValue>,
    pub(super) keyword: Vec<(String, ArgValue)>,
}

impl ConverterArgs {
    /// Positional arguments, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::ArgValue;
    /// let args = carafe_routing::parse_converter_args("about, 'contact us'").unwrap();
    /// assert_eq!(args.positional(), [ArgValue::Str("about".into()), ArgValue::Str("contact us".into())]);
    /// ```
    pub fn positional(&self) -> &[ArgValue] {
        &self.positional
    }

    /// Keyword arguments, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// let args = carafe_routing::parse_converter_args("min=1, max=9").unwrap();
    /// assert_eq!(args.keywords().len(), 2);
    /// ```
    pub fn keywords(&self) -> &[(String, crate::ArgValue)] {
        &self.keyword
    }

    /// The value of one keyword argument (the last one if repeated).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::ArgValue;
    /// let args = carafe_routing::parse_converter_args("signed=true").unwrap();
    /// assert_eq!(args.keyword("signed"), Some(&ArgValue::Bool(true)));
    /// assert_eq!(args.keyword("min"), None);
    /// ```
    pub fn keyword(&self, name: &str) -> Option<&ArgValue> {
        self.keyword
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// Whether there are no arguments at all.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(carafe_routing::parse_converter_args("").unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.positional.is_empty() && self.keyword.is_empty()
    }

    /// Builds arguments from values (for converters constructed in code).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{ArgValue, ConverterArgs};
    /// let args = ConverterArgs::new(vec![], vec![("length".into(), ArgValue::Int(2))]);
    /// assert_eq!(args.keyword("length"), Some(&ArgValue::Int(2)));
    /// ```
    pub fn new(positional: Vec<ArgValue>, keyword: Vec<(String, ArgValue)>) -> Self {
        ConverterArgs {
            positional,
            keyword,
        }
    }
}

impl fmt::Display for ConverterArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for v in &self.positional {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{v}")?;
        }
        for (k, v) in &self.keyword {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

/// One converter argument value.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ArgValue {
    /// `None` / `none`.
    None,
    /// `True`/`False`/`true`/`false`.
    Bool(bool),
    /// An integer such as `3` or `-1`.
    Int(i64),
    /// A float such as `0.5`.
    Float(f64),
    /// A quoted string or a bare word.
    Str(String),
}

impl ArgValue {
    /// The value as an integer, if it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::ArgValue;
    /// assert_eq!(ArgValue::Int(3).as_int(), Some(3));
    /// assert_eq!(ArgValue::Str("3".into()).as_int(), None);
    /// ```
    pub fn as_int(&self) -> Option<i64> {
        match self {
            ArgValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The value as a float (integers widen).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::ArgValue;
    /// assert_eq!(ArgValue::Int(3).as_float(), Some(3.0));
    /// ```
    pub fn as_float(&self) -> Option<f64> {
        match self {
            ArgValue::Int(i) => Some(*i as f64),
            ArgValue::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// The value as a boolean, if it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::ArgValue;
    /// assert_eq!(ArgValue::Bool(true).as_bool(), Some(true));
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ArgValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value as text, for strings (quoted or bare).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::ArgValue;
    /// assert_eq!(ArgValue::Str("a".into()).as_str(), Some("a"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ArgValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for ArgValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgValue::None => f.write_str("None"),
            ArgValue::Bool(true) => f.write_str("True"),
            ArgValue::Bool(false) => f.write_str("False"),
            ArgValue::Int(i) => write!(f, "{i}"),
            ArgValue::Float(x) => write!(f, "{x:?}"),
            ArgValue::Str(s) => write!(f, "{s:?}"),
        }
    }
}
