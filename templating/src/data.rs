//! Template data from JSON, YAML or TOML text, keeping the document's key order
//! (Jinja2 users iterate dicts in insertion order; so does Carafe).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use tera::value::Key;
use tera::{Context, Map, Value};

use crate::Error;

/// A data file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// JSON.
    Json,
    /// YAML (with the `formats` feature).
    #[cfg(feature = "formats")]
    Yaml,
    /// TOML (with the `formats` feature).
    #[cfg(feature = "formats")]
    Toml,
}

impl Format {
    /// The format a file name's extension names: `.json`, `.yaml`/`.yml`, `.toml`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::data::Format;
    /// assert_eq!(Format::from_extension("site.json"), Some(Format::Json));
    /// assert_eq!(Format::from_extension("site.yml"), Some(Format::Yaml));
    /// assert_eq!(Format::from_extension("site.txt"), None);
    /// ```
    pub fn from_extension(name: &str) -> Option<Format> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(Format::Json),
            #[cfg(feature = "formats")]
            "yaml" | "yml" => Some(Format::Yaml),
            #[cfg(feature = "formats")]
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

/// Parses `text` into a template value, keeping key order.
///
/// # Examples
///
/// ```
/// use carafe_templating::data::{parse_value, Format};
/// let value = parse_value(Format::Json, r#"{"z": 1, "a": [true, null, "x"]}"#).unwrap();
/// assert_eq!(value.to_string(), r#"{"z": 1, "a": [true, , "x"]}"#);
/// ```
pub fn parse_value(format: Format, text: &str) -> Result<Value, Error> {
    let invalid = |e: &dyn fmt::Display| Error::Value {
        message: e.to_string(),
    };
    match format {
        Format::Json => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let value = OrderedSeed
                .deserialize(&mut deserializer)
                .map_err(|e| invalid(&e))?;
            deserializer.end().map_err(|e| invalid(&e))?;
            Ok(value)
        }
        #[cfg(feature = "formats")]
        Format::Yaml => {
            let value: Ordered = serde_saphyr::from_str(text).map_err(|e| invalid(&e))?;
            Ok(value.0)
        }
        #[cfg(feature = "formats")]
        Format::Toml => {
            let value: Ordered = toml::from_str(text).map_err(|e| invalid(&e))?;
            Ok(value.0)
        }
    }
}

/// Parses `text` into a render context; the top level must be a map.
///
/// # Examples
///
/// ```
/// use carafe_templating::{Context, Environment, data::{parse_context, Format}};
///
/// let context = parse_context(Format::Json, r#"{"b": 2, "a": 1, "m": {"y": 1, "x": 2}}"#).unwrap();
/// let env = Environment::builder()
///     .template("t.txt", "{% for k, v in m %}{{ k }}{% endfor %} {{ a + b }}")
///     .build()
///     .unwrap();
/// assert_eq!(env.render("t.txt", &context).unwrap(), "yx 3");
/// assert!(parse_context(Format::Json, "[1, 2]").is_err());
/// ```
pub fn parse_context(format: Format, text: &str) -> Result<Context, Error> {
    context_from_value(parse_value(format, text)?)
}

/// A context from a value that is a map.
pub fn context_from_value(value: Value) -> Result<Context, Error> {
    let kind = value.name();
    let Some(map) = value.into_map() else {
        return Err(Error::Value {
            message: format!("the data must be a map of names to values, not {kind}"),
        });
    };
    let mut context = Context::new();
    for (key, value) in map {
        context.insert_value(key.to_string(), value);
    }
    Ok(context)
}

/// A `tera::Value` built straight from a deserializer, maps in document order.
pub(crate) struct Ordered(pub(crate) Value);

impl<'de> de::Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        OrderedSeed.deserialize(deserializer).map(Ordered)
    }
}

struct OrderedSeed;

impl<'de> DeserializeSeed<'de> for OrderedSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any data value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::bytes(v.to_vec()))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::none())
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::none())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        OrderedSeed.deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        OrderedSeed.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(OrderedSeed)? {
            items.push(item);
        }
        Ok(Value::from(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::default();
        while let Some(key) = access.next_key_seed(OrderedSeed)? {
            let key = match key.as_str() {
                Some(s) => Key::from(s.to_string()),
                None => Key::from(key.to_string()),
            };
            let value = access.next_value_seed(OrderedSeed)?;
            map.insert(key, value);
        }
        Ok(Value::from(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_document_order_and_types() {
        let value = parse_value(
            Format::Json,
            r#"{"b": {"z": 1.5, "a": -2}, "a": [1, "x", null, false]}"#,
        )
        .unwrap();
        assert_eq!(
            value.to_string(),
            r#"{"b": {"z": 1.5, "a": -2}, "a": [1, "x", , false]}"#
        );
    }

    #[cfg(feature = "formats")]
    #[test]
    fn yaml_and_toml_parse_to_the_same_value() {
        let yaml = parse_value(
            Format::Yaml,
            "title: Hi\nitems:\n  - 1\n  - two\nnested: {b: true, a: 1}\n",
        )
        .unwrap();
        let toml = parse_value(
            Format::Toml,
            "title = \"Hi\"\nitems = [1, \"two\"]\n[nested]\nb = true\na = 1\n",
        )
        .unwrap();
        assert_eq!(yaml.to_string(), toml.to_string());
        assert_eq!(
            yaml.to_string(),
            r#"{"title": "Hi", "items": [1, "two"], "nested": {"b": true, "a": 1}}"#
        );
    }

    #[test]
    fn rejects_trailing_garbage_and_non_maps() {
        assert!(parse_value(Format::Json, "{} x").is_err());
        assert!(parse_context(Format::Json, "3").is_err());
        let err = parse_context(Format::Json, "{\"a\": ").unwrap_err();
        assert!(err.to_string().starts_with("invalid value: EOF"), "{err}");
    }

    #[test]
    fn deep_json_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(parse_value(Format::Json, &deep).is_err());
    }
}
