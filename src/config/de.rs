//! A serde `Deserializer` over the merged tree. It knows the key path and
//! the origin of every value, so a type error names the key and points at
//! the file, line and column, or at the environment variable; and it parses
//! environment text to whatever type the field asks for.

use std::fmt;
use std::path::Path;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};

use super::error::{ConfigError, Location, suggest};
use super::node::{Key, Node, Value, from_yaml};
use super::secret::{REDACTED, is_secret_name};

/// The error inside the deserializer; becomes a [`ConfigError`].
#[derive(Debug)]
pub(crate) struct DeError {
    kind: Kind,
    key: Option<String>,
    location: Option<Location>,
}

#[derive(Debug)]
enum Kind {
    Message {
        text: String,
        /// The same message without the value, for keys named like secrets.
        without_value: Option<String>,
    },
    UnknownField {
        field: String,
        expected: &'static [&'static str],
    },
    MissingField(&'static str),
    Config(Box<ConfigError>),
}

impl DeError {
    fn message(text: String) -> Self {
        Self {
            kind: Kind::Message {
                text,
                without_value: None,
            },
            key: None,
            location: None,
        }
    }

    /// Fills in the key and origin of the innermost value that failed, and
    /// redacts the value when the key is named like a secret.
    fn locate(mut self, key: &str, node: &Node) -> Self {
        if self.key.is_some() {
            return self;
        }
        self.key = Some(key.to_owned());
        self.location = Some(node.location.clone());
        if is_secret_name(key)
            && let Kind::Message {
                text,
                without_value,
            } = &mut self.kind
        {
            let mut redacted = without_value.take().unwrap_or_else(|| text.clone());
            if let Some(value) = node.scalar_text().filter(|v| !v.is_empty()) {
                redacted = redacted.replace(&value, REDACTED);
            }
            *text = redacted;
        }
        self
    }

    /// The public error.
    pub(crate) fn into_config_error(self) -> ConfigError {
        let key = self.key.unwrap_or_default();
        let location = self.location.unwrap_or(Location::Default);
        match self.kind {
            Kind::Config(error) => *error,
            Kind::MissingField(field) => {
                let key = join(&key, field);
                ConfigError::MissingKey {
                    env_var: env_var_for(&key),
                    key,
                }
            }
            Kind::UnknownField { field, expected } => ConfigError::UnknownKey {
                suggestion: suggest(&field, expected.iter().copied()),
                key,
                location,
            },
            Kind::Message { text, .. } => match location {
                Location::Env { var } => ConfigError::InvalidEnv {
                    var,
                    key,
                    message: text,
                },
                location => ConfigError::InvalidValue {
                    key,
                    location,
                    message: text,
                },
            },
        }
    }
}

/// `a.b` from `a` and `b` (`b` alone at the root).
pub(crate) fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// The environment variable that sets `key` (`app.db.url` →
/// `CARAFE_APP__DB__URL`).
pub(crate) fn env_var_for(key: &str) -> String {
    format!("CARAFE_{}", key.replace('.', "__").to_ascii_uppercase())
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Message { text, .. } => f.write_str(text),
            Kind::UnknownField { field, .. } => write!(f, "unknown key `{field}`"),
            Kind::MissingField(field) => write!(f, "missing key `{field}`"),
            Kind::Config(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for DeError {}

/// `Unexpected` without the value it carries.
fn kind_of(unexpected: &Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
        Unexpected::Float(_) => "a float",
        Unexpected::Char(_) => "a character",
        Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Seq => "a list",
        Unexpected::Map => "a mapping",
        _ => "another value",
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::message(msg.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self {
            kind: Kind::Message {
                text: format!("expected {expected}, found {unexpected}"),
                without_value: Some(format!(
                    "expected {expected}, found {}",
                    kind_of(&unexpected)
                )),
            },
            key: None,
            location: None,
        }
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self {
            kind: Kind::Message {
                text: format!("invalid value {unexpected}: expected {expected}"),
                without_value: Some(format!(
                    "invalid value ({}): expected {expected}",
                    kind_of(&unexpected)
                )),
            },
            key: None,
            location: None,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self {
            kind: Kind::UnknownField {
                field: field.to_owned(),
                expected,
            },
            key: None,
            location: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Self {
            kind: Kind::MissingField(field),
            key: None,
            location: None,
        }
    }
}

/// The name [`Secret`](super::Secret) passes to `deserialize_newtype_struct`,
/// so the deserializer knows which values are protected.
pub(crate) const SECRET_MARKER: &str = "carafe::config::Secret";

/// What one deserialization learns besides the value.
#[derive(Debug, Default)]
pub(crate) struct Context {
    /// Keys named like secrets that were read into something other than a
    /// `Secret` (their value would show in `Debug` output).
    exposed: std::cell::RefCell<Vec<String>>,
}

impl Context {
    pub(crate) fn into_exposed(self) -> Vec<String> {
        self.exposed.into_inner()
    }
}

/// Deserializes the node; `key` is its path (`""` at the root).
pub(crate) struct NodeDeserializer<'a> {
    node: &'a Node,
    key: String,
    context: &'a Context,
    in_secret: bool,
}

impl<'a> NodeDeserializer<'a> {
    pub(crate) fn new(node: &'a Node, key: impl Into<String>, context: &'a Context) -> Self {
        Self {
            node,
            key: key.into(),
            context,
            in_secret: false,
        }
    }

    fn child<'b>(&self, node: &'b Node, key: String) -> NodeDeserializer<'b>
    where
        'a: 'b,
    {
        NodeDeserializer {
            node,
            key,
            context: self.context,
            in_secret: self.in_secret,
        }
    }

    /// Notes a scalar read outside a `Secret` under a key named like one.
    fn note_scalar(&self) {
        if self.in_secret {
            return;
        }
        let last = self.key.rsplit('.').next().unwrap_or_default();
        let last = last.split('[').next().unwrap_or_default();
        if is_secret_name(last) {
            let mut exposed = self.context.exposed.borrow_mut();
            let key = self.key.split('[').next().unwrap_or_default();
            if !exposed.iter().any(|k| k == key) {
                exposed.push(key.to_owned());
            }
        }
    }

    fn locate<T>(&self, result: Result<T, DeError>) -> Result<T, DeError> {
        result.map_err(|error| error.locate(&self.key, self.node))
    }

    /// Environment text that does not parse as the wanted type.
    fn bad_text(&self, text: &str, expected: &str) -> DeError {
        let shown = if is_secret_name(&self.key) {
            REDACTED.to_owned()
        } else {
            format!("{text:?}")
        };
        DeError::message(format!("expected {expected}, found {shown}"))
    }

    /// A list or mapping written in an environment variable: YAML flow
    /// syntax (`[a, b]`, `{a: 1}`, JSON too).
    fn parse_text(&self, text: &str) -> Result<Node, DeError> {
        from_yaml(text, Path::new(""), Some(&self.node.location)).map_err(|error| DeError {
            kind: Kind::Config(Box::new(match error {
                ConfigError::Syntax { location, message } => match location {
                    Location::Env { var } => ConfigError::InvalidEnv {
                        var,
                        key: self.key.clone(),
                        message: if is_secret_name(&self.key) {
                            "not a valid list or mapping".to_owned()
                        } else {
                            format!("not a valid list or mapping: {message}")
                        },
                    },
                    location => ConfigError::Syntax { location, message },
                },
                other => other,
            })),
            key: Some(self.key.clone()),
            location: Some(self.node.location.clone()),
        })
    }
}

macro_rules! integers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                match &self.node.value {
                    Value::Text(text) => {
                        self.note_scalar();
                        let trimmed = text.trim().replace('_', "");
                        let result = if let Ok(n) = trimmed.parse::<i64>() {
                            visitor.visit_i64(n)
                        } else if let Ok(n) = trimmed.parse::<u64>() {
                            visitor.visit_u64(n)
                        } else {
                            Err(self.bad_text(text, "an integer"))
                        };
                        self.locate(result)
                    }
                    _ => self.deserialize_any(visitor),
                }
            }
        )*
    };
}

impl<'de> Deserializer<'de> for NodeDeserializer<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if !matches!(self.node.value, Value::Seq(_) | Value::Map(_) | Value::Null) {
            self.note_scalar();
        }
        let result = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(n) => visitor.visit_i64(*n),
            Value::UInt(n) => visitor.visit_u64(*n),
            Value::Float(n) => visitor.visit_f64(*n),
            Value::Str(s) | Value::Text(s) => visitor.visit_str(s),
            Value::Seq(items) => visitor.visit_seq(SeqDeserializer {
                items: items.iter(),
                parent: &self,
                index: 0,
            }),
            Value::Map(entries) => visitor.visit_map(MapDeserializer {
                entries: entries.iter(),
                parent: &self,
                value: None,
            }),
        };
        self.locate(result)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Text(text) => {
                self.note_scalar();
                let result = match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => visitor.visit_bool(true),
                    "false" | "0" | "no" | "off" => visitor.visit_bool(false),
                    _ => Err(self.bad_text(text, "a boolean (true or false)")),
                };
                self.locate(result)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Text(text) => {
                self.note_scalar();
                let result = match text.trim().replace('_', "").parse::<f64>() {
                    Ok(n) if n.is_finite() => visitor.visit_f64(n),
                    _ => Err(self.bad_text(text, "a number")),
                };
                self.locate(result)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match (&self.node.value, &self.node.raw) {
            (Value::Bool(_) | Value::Int(_) | Value::UInt(_) | Value::Float(_), Some(raw)) => {
                self.note_scalar();
                let result = visitor.visit_str(raw);
                self.locate(result)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let none = match &self.node.value {
            Value::Null => true,
            Value::Text(text) => matches!(text.trim(), "" | "null" | "~"),
            _ => false,
        };
        if none {
            let result = visitor.visit_none();
            self.locate(result)
        } else {
            let key = self.key.clone();
            let node = self.node;
            visitor
                .visit_some(self)
                .map_err(|error| error.locate(&key, node))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let unit = match &self.node.value {
            Value::Null => true,
            Value::Map(entries) => entries.is_empty(),
            Value::Text(text) => text.trim().is_empty(),
            _ => false,
        };
        if unit {
            let result = visitor.visit_unit();
            self.locate(result)
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let key = self.key.clone();
        let node = self.node;
        if name == SECRET_MARKER {
            self.in_secret = true;
        }
        visitor
            .visit_newtype_struct(self)
            .map_err(|error| error.locate(&key, node))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Text(text) => {
                let trimmed = text.trim();
                let parsed = if trimmed.starts_with('[') {
                    self.parse_text(trimmed)?
                } else {
                    // `a, b, c`: a comma-separated list of texts.
                    let items = if trimmed.is_empty() {
                        Vec::new()
                    } else {
                        trimmed
                            .split(',')
                            .map(|item| {
                                Node::new(
                                    Value::Text(item.trim().to_owned()),
                                    self.node.location.clone(),
                                )
                            })
                            .collect()
                    };
                    Node::new(Value::Seq(items), self.node.location.clone())
                };
                self.child(&parsed, self.key.clone())
                    .deserialize_any(visitor)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Text(text) => {
                let parsed = self.parse_text(text.trim())?;
                self.child(&parsed, self.key.clone())
                    .deserialize_any(visitor)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let result = match &self.node.value {
            Value::Str(s) | Value::Text(s) => {
                visitor.visit_enum(IntoDeserializer::<DeError>::into_deserializer(s.trim()))
            }
            Value::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                visitor.visit_enum(EnumDeserializer {
                    variant: key,
                    value,
                    parent: &self,
                })
            }
            _ => Err(DeError::message(format!(
                "expected a variant name or a mapping with one key, found {}",
                self.node.kind()
            ))),
        };
        self.locate(result)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqDeserializer<'a, 'p> {
    items: std::slice::Iter<'a, Node>,
    parent: &'p NodeDeserializer<'a>,
    index: usize,
}

impl<'de> SeqAccess<'de> for SeqDeserializer<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let key = format!("{}[{}]", self.parent.key, self.index);
        self.index += 1;
        seed.deserialize(self.parent.child(item, key)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDeserializer<'a, 'p> {
    entries: std::slice::Iter<'a, (Key, Node)>,
    parent: &'p NodeDeserializer<'a>,
    value: Option<(&'a Key, &'a Node)>,
}

impl<'de> MapAccess<'de> for MapDeserializer<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        let deserializer: de::value::StrDeserializer<'_, DeError> =
            key.name.as_str().into_deserializer();
        seed.deserialize(deserializer).map(Some).map_err(|error| {
            let located = Node::new(Value::Null, key.location.clone());
            error.locate(&join(&self.parent.key, &key.name), &located)
        })
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((key, value)) = self.value.take() else {
            return Err(DeError::message(
                "a value was asked for before its key".into(),
            ));
        };
        seed.deserialize(self.parent.child(value, join(&self.parent.key, &key.name)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct EnumDeserializer<'a, 'p> {
    variant: &'a Key,
    value: &'a Node,
    parent: &'p NodeDeserializer<'a>,
}

impl<'de, 'a> EnumAccess<'de> for EnumDeserializer<'a, '_> {
    type Error = DeError;
    type Variant = NodeDeserializer<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, NodeDeserializer<'a>), DeError> {
        let deserializer: de::value::StrDeserializer<'_, DeError> =
            self.variant.name.as_str().into_deserializer();
        let variant = seed.deserialize(deserializer)?;
        Ok((
            variant,
            self.parent
                .child(self.value, join(&self.parent.key, &self.variant.name)),
        ))
    }
}

impl<'de> VariantAccess<'de> for NodeDeserializer<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }
}
