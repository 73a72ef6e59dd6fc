//! A serde deserializer over a [`MultiDict`]: typed query strings and forms.
//!
//! The map deserializes into a struct (or a map): each distinct key is a
//! field, with all its values. A scalar field takes the first value, parsed
//! from text (`u32`, `f64`, `bool` from `true/false/on/off/1/0/yes/no`, unit
//! enum variants by name); a `Vec` field takes every value (`?tag=a&tag=b`);
//! an `Option` field is `None` when the key is absent *or its value is empty*
//! (an empty HTML input), so `?age=` is no error for `Option<u32>`. Every
//! error names the field it concerns.

use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::MultiDict;

/// A deserialization error, with the field it concerns.
#[derive(Debug)]
pub(crate) struct FieldError {
    pub(crate) field: Option<String>,
    pub(crate) message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "field `{field}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FieldError {}

impl de::Error for FieldError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self {
            field: None,
            message: message.to_string(),
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Self {
            field: Some(field.to_owned()),
            message: "missing".to_owned(),
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let expected = expected
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            field: Some(field.to_owned()),
            message: format!("unknown field, expected one of {expected}"),
        }
    }
}

/// Deserializes `T` from the pairs of `dict`.
pub(crate) fn from_multidict<'de, T: de::Deserialize<'de>>(
    dict: &'de MultiDict,
) -> Result<T, FieldError> {
    let mut grouped: Vec<(&'de str, Vec<&'de str>)> = Vec::new();
    for (key, value) in dict.iter() {
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value),
            None => grouped.push((key, vec![value.as_str()])),
        }
    }
    T::deserialize(Fields { grouped })
}

struct Fields<'de> {
    grouped: Vec<(&'de str, Vec<&'de str>)>,
}

impl<'de> Deserializer<'de> for Fields<'de> {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_map(FieldsAccess {
            fields: self.grouped.into_iter(),
            current: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct FieldsAccess<'de> {
    fields: std::vec::IntoIter<(&'de str, Vec<&'de str>)>,
    current: Option<(&'de str, Vec<&'de str>)>,
}

impl<'de> MapAccess<'de> for FieldsAccess<'de> {
    type Error = FieldError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FieldError> {
        let Some((key, values)) = self.fields.next() else {
            return Ok(None);
        };
        self.current = Some((key, values));
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, FieldError> {
        let (key, values) = self
            .current
            .take()
            .ok_or_else(|| de::Error::custom("value asked for before its key"))?;
        seed.deserialize(Values { values: &values })
            .map_err(|mut error| {
                error.field.get_or_insert_with(|| key.to_owned());
                error
            })
    }
}

/// The values of one field.
struct Values<'a, 'de> {
    values: &'a [&'de str],
}

impl<'de> Values<'_, 'de> {
    fn first(&self) -> &'de str {
        self.values.first().copied().unwrap_or_default()
    }

    fn parse<T>(&self) -> Result<T, FieldError>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        let text = self.first();
        text.parse()
            .map_err(|error| de::Error::custom(format_args!("{error} (got {text:?})")))
    }
}

macro_rules! parse_number {
    ($($method:ident => $visit:ident,)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
                visitor.$visit(self.parse()?)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Values<'_, 'de> {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        match self.values {
            [one] => visitor.visit_borrowed_str(one),
            _ => self.deserialize_seq(visitor),
        }
    }

    parse_number! {
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_i128 => visit_i128,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64,
        deserialize_u128 => visit_u128,
        deserialize_f32 => visit_f32,
        deserialize_f64 => visit_f64,
        deserialize_char => visit_char,
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        let text = self.first();
        let value = match text.to_ascii_lowercase().as_str() {
            "true" | "on" | "1" | "yes" => true,
            "false" | "off" | "0" | "no" => false,
            _ => {
                return Err(de::Error::custom(format_args!(
                    "expected a boolean (true/false, on/off, 1/0, yes/no) (got {text:?})"
                )));
            }
        };
        visitor.visit_bool(value)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_borrowed_str(self.first())
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_borrowed_bytes(self.first().as_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        if self.values.iter().all(|value| value.is_empty()) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_seq(ValuesAccess {
            values: self.values.iter(),
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, FieldError> {
        Err(de::Error::custom(
            "expected a value, nested structures are not supported",
        ))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        BorrowedStrDeserializer::<FieldError>::new(self.first())
            .deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_unit()
    }
}

struct ValuesAccess<'a, 'de> {
    values: std::slice::Iter<'a, &'de str>,
}

impl<'de> SeqAccess<'de> for ValuesAccess<'_, 'de> {
    type Error = FieldError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, FieldError> {
        match self.values.next() {
            Some(value) => seed
                .deserialize(Values {
                    values: std::slice::from_ref(value),
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.values.len())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::Deserialize;

    use super::*;

    fn dict(pairs: &[(&str, &str)]) -> MultiDict {
        pairs.iter().copied().collect()
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Sort {
        Asc,
        Desc,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Search<'a> {
        q: &'a str,
        page: Option<u32>,
        tag: Vec<String>,
        exact: Option<bool>,
        sort: Option<Sort>,
        #[serde(default)]
        limit: u16,
    }

    #[test]
    fn struct_from_pairs() {
        let pairs = dict(&[
            ("q", "rust"),
            ("tag", "a"),
            ("page", "2"),
            ("tag", "b"),
            ("exact", "on"),
            ("sort", "desc"),
        ]);
        let search: Search<'_> = from_multidict(&pairs).unwrap();
        assert_eq!(
            search,
            Search {
                q: "rust",
                page: Some(2),
                tag: vec!["a".into(), "b".into()],
                exact: Some(true),
                sort: Some(Sort::Desc),
                limit: 0,
            }
        );
    }

    #[test]
    fn empty_values_are_none_for_options() {
        let pairs = dict(&[("q", ""), ("page", ""), ("tag", "x")]);
        let search: Search<'_> = from_multidict(&pairs).unwrap();
        assert_eq!(search.q, "");
        assert_eq!(search.page, None);
    }

    #[test]
    fn errors_name_the_field() {
        let error =
            from_multidict::<Search<'_>>(&dict(&[("q", "x"), ("page", "two")])).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("page"));
        assert_eq!(
            error.to_string(),
            "field `page`: invalid digit found in string (got \"two\")"
        );

        let error = from_multidict::<Search<'_>>(&dict(&[("page", "1")])).unwrap_err();
        assert_eq!(error.to_string(), "field `q`: missing");

        let error = from_multidict::<Search<'_>>(&dict(&[("q", "x"), ("sort", "up")])).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("sort"));
        assert!(error.message.contains("unknown variant `up`"), "{error}");

        let error =
            from_multidict::<Search<'_>>(&dict(&[("q", "x"), ("exact", "maybe")])).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("exact"));

        let error =
            from_multidict::<Search<'_>>(&dict(&[("q", "x"), ("limit", "70000")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field `limit`: number too large to fit in target type (got \"70000\")"
        );
    }

    #[test]
    fn unknown_fields_can_be_denied() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            a: String,
        }
        let error = from_multidict::<Strict>(&dict(&[("a", "1"), ("b", "2")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field `b`: unknown field, expected one of `a`"
        );
    }

    #[test]
    fn maps_take_the_first_value() {
        let map: HashMap<String, String> =
            from_multidict(&dict(&[("a", "1"), ("b", "2"), ("a", "3")])).unwrap();
        assert_eq!(map["a"], "1");
        let multi: HashMap<String, Vec<u8>> =
            from_multidict(&dict(&[("a", "1"), ("a", "3")])).unwrap();
        assert_eq!(multi["a"], [1, 3]);
    }
}
