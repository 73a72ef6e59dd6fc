//! The format-neutral tree that config layers are merged in: every value
//! remembers where it came from, so errors can point at a file, line and
//! column, or at an environment variable.

use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::{ConfigError, Location};

/// How deeply lists and mappings may nest in one config file.
const MAX_DEPTH: usize = 64;

/// The most YAML events (scalars, collection starts and ends, alias
/// replays included) one config file may produce.
const YAML_MAX_EVENTS: usize = 50_000;

/// A value with its origin.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) location: Location,
    /// For a YAML scalar the format typed as a number or a boolean: its text,
    /// given to a field that wants a string (`version: 1.10`).
    pub(crate) raw: Option<String>,
}

/// A mapping key with its origin.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) name: String,
    pub(crate) location: Location,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    /// Untyped text (an environment variable): parsed to the type of the
    /// field that reads it.
    Text(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

impl Node {
    pub(crate) fn new(value: Value, location: Location) -> Self {
        Self {
            value,
            location,
            raw: None,
        }
    }

    pub(crate) fn empty_map(location: Location) -> Self {
        Self::new(Value::Map(Vec::new()), location)
    }

    /// Lays `over` on top of `self`: mappings merge key by key, anything
    /// else is replaced.
    pub(crate) fn merge(&mut self, over: Node) {
        match (&mut self.value, over.value) {
            (Value::Map(base), Value::Map(entries)) => {
                for (key, node) in entries {
                    match base.iter_mut().find(|(k, _)| k.name == key.name) {
                        Some((_, existing)) => existing.merge(node),
                        None => base.push((key, node)),
                    }
                }
            }
            (_, value) => {
                *self = Node {
                    value,
                    location: over.location,
                    raw: over.raw,
                }
            }
        }
    }

    /// Removes and returns the entry `name` of a mapping.
    pub(crate) fn take(&mut self, name: &str) -> Option<Node> {
        match &mut self.value {
            Value::Map(entries) => {
                let index = entries.iter().position(|(k, _)| k.name == name)?;
                Some(entries.remove(index).1)
            }
            _ => None,
        }
    }

    /// Sets the node at `path` (creating mappings on the way), replacing
    /// what is there.
    pub(crate) fn insert_path(&mut self, path: &[String], node: Node) {
        let Some((first, rest)) = path.split_first() else {
            self.merge(node);
            return;
        };
        if !matches!(self.value, Value::Map(_)) {
            *self = Node::empty_map(node.location.clone());
        }
        let Value::Map(entries) = &mut self.value else {
            return;
        };
        let index = match entries.iter().position(|(k, _)| &k.name == first) {
            Some(index) => index,
            None => {
                entries.push((
                    Key {
                        name: first.clone(),
                        location: node.location.clone(),
                    },
                    Node::empty_map(node.location.clone()),
                ));
                entries.len() - 1
            }
        };
        let child = &mut entries[index].1;
        if rest.is_empty() {
            *child = node;
        } else {
            child.insert_path(rest, node);
        }
    }

    /// The scalar's text, for redacting it from messages.
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) | Value::Text(s) => Some(s.clone()),
            Value::Int(n) => Some(n.to_string()),
            Value::UInt(n) => Some(n.to_string()),
            Value::Float(n) => Some(n.to_string()),
            _ => self.raw.clone(),
        }
    }

    /// A short description of what the node holds, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::UInt(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Str(_) | Value::Text(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Line and column (from 1, in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

fn file_location(path: &Path, text: &str, offset: usize) -> Location {
    let (line, column) = line_column(text, offset);
    Location::File {
        path: path.to_owned(),
        line,
        column,
    }
}

fn too_deep(location: Location) -> ConfigError {
    ConfigError::Syntax {
        location,
        message: format!("lists and mappings nest deeper than {MAX_DEPTH} levels"),
    }
}

// ---------------------------------------------------------------- TOML

/// Parses a TOML document into a tree.
pub(crate) fn from_toml(text: &str, path: &Path) -> Result<Node, ConfigError> {
    let table = toml::de::DeTable::parse(text).map_err(|error| ConfigError::Syntax {
        location: match error.span() {
            Some(span) => file_location(path, text, span.start),
            None => Location::File {
                path: path.to_owned(),
                line: 0,
                column: 0,
            },
        },
        // The message only: toml's Display quotes the source line, which may
        // hold a secret.
        message: error.message().trim().to_owned(),
    })?;
    let location = file_location(path, text, table.span().start);
    toml_table(table.get_ref(), location, text, path, 0)
}

fn toml_table(
    table: &toml::de::DeTable<'_>,
    location: Location,
    text: &str,
    path: &Path,
    depth: usize,
) -> Result<Node, ConfigError> {
    if depth > MAX_DEPTH {
        return Err(too_deep(location));
    }
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        let key = Key {
            name: key.get_ref().to_string(),
            location: file_location(path, text, key.span().start),
        };
        entries.push((key, toml_value(value, text, path, depth + 1)?));
    }
    Ok(Node::new(Value::Map(entries), location))
}

fn toml_value(
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    text: &str,
    path: &Path,
    depth: usize,
) -> Result<Node, ConfigError> {
    use toml::de::DeValue;

    let location = file_location(path, text, value.span().start);
    let bad_number = |location: Location, what: &str| ConfigError::Syntax {
        location,
        message: format!("{what} out of range"),
    };
    let value = match value.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Integer(n) => match i64::from_str_radix(n.as_str(), n.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::UInt(
                u64::from_str_radix(n.as_str(), n.radix())
                    .map_err(|_| bad_number(location.clone(), "integer"))?,
            ),
        },
        DeValue::Float(n) => Value::Float(
            n.as_str()
                .parse()
                .map_err(|_| bad_number(location.clone(), "float"))?,
        ),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => {
            if depth > MAX_DEPTH {
                return Err(too_deep(location));
            }
            let mut nodes = Vec::new();
            for item in items.iter() {
                nodes.push(toml_value(item, text, path, depth + 1)?);
            }
            Value::Seq(nodes)
        }
        DeValue::Table(table) => return toml_table(table, location, text, path, depth + 1),
    };
    Ok(Node::new(value, location))
}

// ---------------------------------------------------------------- YAML

/// Parses a YAML document into a tree. `origin`, when given, replaces the
/// file locations (a list or mapping written in an environment variable).
pub(crate) fn from_yaml(
    text: &str,
    path: &Path,
    origin: Option<&Location>,
) -> Result<Node, ConfigError> {
    let syntax_location = |location: Option<serde_saphyr::Location>| match origin {
        Some(origin) => origin.clone(),
        None => Location::File {
            path: path.to_owned(),
            line: location.map_or(0, |l| u32::try_from(l.line()).unwrap_or(u32::MAX)),
            column: location.map_or(0, |l| u32::try_from(l.column()).unwrap_or(u32::MAX)),
        },
    };
    if text.trim().is_empty() {
        return Ok(Node::empty_map(syntax_location(None)));
    }
    let mut options = serde_saphyr::Options::default();
    // Messages must not quote the source: a line may hold a secret.
    options.with_snippet = false;
    // YAML 1.2: `no` and `on` are strings, not booleans.
    options.strict_booleans = true;
    // A config file is small: bound what aliases may replay well below
    // serde-saphyr's general defaults (1 000 000 events), so an alias bomb
    // fails in milliseconds.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = YAML_MAX_EVENTS;
    budget.max_nodes = YAML_MAX_EVENTS;
    budget.max_total_scalar_bytes = 8 * 1024 * 1024;
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = YAML_MAX_EVENTS;
    let parsed: Option<YamlNode> =
        serde_saphyr::from_str_with_options(text, options).map_err(|error| {
            let location = syntax_location(error.location());
            ConfigError::Syntax {
                location,
                message: tidy_yaml_message(&error.without_snippet().to_string()),
            }
        })?;
    let Some(parsed) = parsed else {
        return Ok(Node::empty_map(syntax_location(None)));
    };
    Ok(yaml_node(parsed, text, path, origin))
}

/// serde-saphyr's message without the position (the error has it) and
/// without advice about its own options.
fn tidy_yaml_message(message: &str) -> String {
    let mut message = message.trim();
    if let Some(index) = message.rfind(" at line ")
        && message[index + 9..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == ' ' || c.is_ascii_alphabetic())
        && message[index..].contains("column")
    {
        message = &message[..index];
    }
    let message = message.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
    message.trim_end_matches('.').to_owned()
}

fn yaml_location(
    location: serde_saphyr::Location,
    path: &Path,
    origin: Option<&Location>,
) -> Location {
    match origin {
        Some(origin) => origin.clone(),
        None => Location::File {
            path: path.to_owned(),
            line: u32::try_from(location.line()).unwrap_or(u32::MAX),
            column: u32::try_from(location.column()).unwrap_or(u32::MAX),
        },
    }
}

fn yaml_node(node: YamlNode, text: &str, path: &Path, origin: Option<&Location>) -> Node {
    let location = yaml_location(node.0.referenced, path, origin);
    let raw = || {
        let span = node.0.defined.span();
        let start = usize::try_from(span.byte_offset()?).ok()?;
        let len = usize::try_from(span.byte_len()?).ok()?;
        text.get(start..start.checked_add(len)?).map(str::to_owned)
    };
    let (value, raw) = match node.0.value {
        YamlValue::Null => (Value::Null, None),
        YamlValue::Bool(b) => (Value::Bool(b), raw()),
        YamlValue::Int(n) => (Value::Int(n), raw()),
        YamlValue::UInt(n) => (Value::UInt(n), raw()),
        YamlValue::Float(n) => (Value::Float(n), raw()),
        YamlValue::Str(s) => (Value::Str(s), None),
        YamlValue::Seq(items) => (
            Value::Seq(
                items
                    .into_iter()
                    .map(|item| yaml_node(item, text, path, origin))
                    .collect(),
            ),
            None,
        ),
        YamlValue::Map(entries) => (
            Value::Map(
                entries
                    .into_iter()
                    .map(|(key, value)| {
                        let key = Key {
                            name: key.value.0,
                            location: yaml_location(key.referenced, path, origin),
                        };
                        (key, yaml_node(value, text, path, origin))
                    })
                    .collect(),
            ),
            None,
        ),
    };
    Node {
        value,
        location,
        raw,
    }
}

/// A YAML node as serde-saphyr reports it, with its location.
struct YamlNode(serde_saphyr::Spanned<YamlValue>);

enum YamlValue {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<YamlNode>),
    Map(Vec<(serde_saphyr::Spanned<YamlKey>, YamlNode)>),
}

/// A mapping key: any scalar, as text.
struct YamlKey(String);

impl<'de> Deserialize<'de> for YamlNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_saphyr::Spanned::deserialize(deserializer).map(YamlNode)
    }
}

impl<'de> Deserialize<'de> for YamlValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YamlValueVisitor)
    }
}

struct YamlValueVisitor;

impl<'de> Visitor<'de> for YamlValueVisitor {
    type Value = YamlValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<YamlValue, E> {
        Ok(YamlValue::Null)
    }

    fn visit_none<E>(self) -> Result<YamlValue, E> {
        Ok(YamlValue::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<YamlValue, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E>(self, v: bool) -> Result<YamlValue, E> {
        Ok(YamlValue::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<YamlValue, E> {
        Ok(YamlValue::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<YamlValue, E> {
        Ok(match i64::try_from(v) {
            Ok(v) => YamlValue::Int(v),
            Err(_) => YamlValue::UInt(v),
        })
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<YamlValue, E> {
        if let Ok(v) = i64::try_from(v) {
            Ok(YamlValue::Int(v))
        } else if let Ok(v) = u64::try_from(v) {
            Ok(YamlValue::UInt(v))
        } else {
            Err(E::custom("integer out of range"))
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<YamlValue, E> {
        u64::try_from(v)
            .map(|v| self.visit_u64::<E>(v).unwrap_or(YamlValue::UInt(v)))
            .map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E>(self, v: f64) -> Result<YamlValue, E> {
        Ok(YamlValue::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<YamlValue, E> {
        Ok(YamlValue::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<YamlValue, E> {
        Ok(YamlValue::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<YamlValue, E> {
        String::from_utf8(v.to_vec())
            .map(YamlValue::Str)
            .map_err(|_| E::custom("binary values are not supported in config files"))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<YamlValue, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(YamlValue::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(YamlValue::Map(entries))
    }
}

impl<'de> Deserialize<'de> for YamlKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = YamlKey;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a scalar mapping key")
            }

            fn visit_str<E>(self, v: &str) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_owned()))
            }

            fn visit_bool<E>(self, v: bool) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_string()))
            }

            fn visit_i64<E>(self, v: i64) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_string()))
            }

            fn visit_u64<E>(self, v: u64) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_string()))
            }

            fn visit_f64<E>(self, v: f64) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_string()))
            }

            fn visit_unit<E>(self) -> Result<YamlKey, E> {
                Ok(YamlKey("null".to_owned()))
            }
        }

        deserializer.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(node: &Node) -> Vec<&str> {
        match &node.value {
            Value::Map(entries) => entries.iter().map(|(k, _)| k.name.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn toml_locations_are_lines_and_columns() {
        let node = from_toml("a = 1\n[b]\nc = \"x\"\n", Path::new("f.toml")).unwrap();
        assert_eq!(names(&node), ["a", "b"]);
        let Value::Map(entries) = &node.value else {
            panic!()
        };
        let Value::Map(b) = &entries[1].1.value else {
            panic!()
        };
        assert_eq!(
            b[0].1.location,
            Location::File {
                path: "f.toml".into(),
                line: 3,
                column: 5
            }
        );
    }

    #[test]
    fn yaml_keeps_the_text_of_typed_scalars() {
        let node = from_yaml("version: 1.10\nname: x\n", Path::new("f.yaml"), None).unwrap();
        let Value::Map(entries) = &node.value else {
            panic!()
        };
        assert_eq!(entries[0].1.raw.as_deref(), Some("1.10"));
        assert!(matches!(entries[0].1.value, Value::Float(_)));
        assert_eq!(
            entries[1].1.location,
            Location::File {
                path: "f.yaml".into(),
                line: 2,
                column: 7
            }
        );
    }

    #[test]
    fn empty_and_comment_only_yaml_is_an_empty_mapping() {
        for text in ["", "  \n", "# nothing\n"] {
            let node = from_yaml(text, Path::new("f.yaml"), None).unwrap();
            assert!(names(&node).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn merge_is_deep_for_mappings_and_replaces_the_rest() {
        let mut base = from_yaml("a: {x: 1, y: 2}\nl: [1, 2]\n", Path::new("b"), None).unwrap();
        let over = from_yaml("a: {y: 3}\nl: [9]\n", Path::new("o"), None).unwrap();
        base.merge(over);
        let Value::Map(entries) = &base.value else {
            panic!()
        };
        let Value::Map(a) = &entries[0].1.value else {
            panic!()
        };
        assert!(matches!(a[0].1.value, Value::Int(1)));
        assert!(matches!(a[1].1.value, Value::Int(3)));
        assert!(matches!(&entries[1].1.value, Value::Seq(items) if items.len() == 1));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("a = {}1{}\n", "[".repeat(200), "]".repeat(200));
        assert!(from_toml(&deep, Path::new("d.toml")).is_err());
        let deep = format!("a: {}1{}\n", "[".repeat(500), "]".repeat(500));
        assert!(from_yaml(&deep, Path::new("d.yaml"), None).is_err());
    }

    #[test]
    fn yaml_messages_lose_positions_and_option_advice() {
        assert_eq!(
            tidy_yaml_message(
                "duplicate mapping key: debug, set DuplicateKeyPolicy in Options if acceptable at line 2, column 1"
            ),
            "duplicate mapping key: debug"
        );
        assert_eq!(
            tidy_yaml_message("unclosed bracket '[' at line 1, column 1"),
            "unclosed bracket '['"
        );
        assert_eq!(
            tidy_yaml_message("odd at line endings"),
            "odd at line endings"
        );
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("é: 1\nab", 7), (2, 2));
        assert_eq!(line_column("x", 99), (1, 2));
    }
}
