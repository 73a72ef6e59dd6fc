//! Jinja2's filters over lists and maps: `dictsort`, `groupby`, `batch`, `slice`,
//! `sum`, `min`, `max`, `map`, `select`, `reject`, `selectattr`, `rejectattr`,
//! `list`, `items`, `attr`, and the short names `count`, `d`, `string`.

use std::cmp::Ordering;
use std::sync::Arc;

use tera::value::Key;
use tera::value::ValueKind;
use tera::{Kwargs, Map, Number, State, TeraResult, Value};

use super::display;
use crate::sandbox::check_collection_len;

fn array_of(value: &Value, filter: &str) -> TeraResult<Vec<Value>> {
    match value.kind() {
        ValueKind::Array => Ok(value.as_array().expect("kind is array").to_vec()),
        ValueKind::Map => Ok(value
            .as_map()
            .expect("kind is map")
            .keys()
            .map(Key::as_value)
            .collect()),
        ValueKind::String => {
            let text = value.as_str().expect("kind is string");
            check_collection_len(text.chars().count())?;
            Ok(text.chars().map(|c| Value::from(c.to_string())).collect())
        }
        _ => Err(tera::Error::message(format!(
            "{filter} expects a list, got {}",
            value.name()
        ))),
    }
}

/// Python's `ignore_case`: strings compare lowercased.
fn fold(value: &Value, case_sensitive: bool) -> Value {
    match value.as_str() {
        Some(text) if !case_sensitive => Value::from(text.to_lowercase()),
        _ => value.clone(),
    }
}

fn attribute<'v>(item: &'v Value, path: Option<&'v str>) -> Option<&'v Value> {
    match path {
        Some(path) => item.get_from_path(path),
        None => Some(item),
    }
}

/// `{% for key, value in map | dictsort %}`-style sorting, as a list of `[key, value]`
/// pairs: `dictsort(case_sensitive=false, by="key" | "value", reverse=false)`.
pub(crate) fn dictsort(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    let case_sensitive = kwargs.get::<bool>("case_sensitive")?.unwrap_or(false);
    let reverse = kwargs.get::<bool>("reverse")?.unwrap_or(false);
    let by_value = match kwargs.get::<&str>("by")?.unwrap_or("key") {
        "key" => false,
        "value" => true,
        _ => {
            return Err(tera::Error::message(
                "dictsort: you can only sort by either \"key\" or \"value\"",
            ));
        }
    };
    let map = value.as_map().ok_or_else(|| {
        tera::Error::message(format!("dictsort expects a map, got {}", value.name()))
    })?;
    let mut pairs: Vec<(Value, Value)> =
        map.iter().map(|(k, v)| (k.as_value(), v.clone())).collect();
    pairs.sort_by(|a, b| {
        let (x, y) = if by_value { (&a.1, &b.1) } else { (&a.0, &b.0) };
        let order = fold(x, case_sensitive).cmp(&fold(y, case_sensitive));
        if reverse { order.reverse() } else { order }
    });
    Ok(pairs
        .into_iter()
        .map(|(k, v)| Value::from(vec![k, v]))
        .collect())
}

/// `{% for group in users | groupby(attribute="city") %}{{ group.grouper }}: {{
/// group.list | length }}{% endfor %}`. Groups come sorted by key (case-insensitive
/// unless `case_sensitive=true`); each group's `grouper` keeps the case of its first
/// item. Items without the attribute use `default`, or fail.
pub(crate) fn groupby(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    let path = kwargs.must_get::<&str>("attribute")?;
    let default = kwargs.get::<Value>("default")?;
    let case_sensitive = kwargs.get::<bool>("case_sensitive")?.unwrap_or(false);
    let items = array_of(&value, "groupby")?;
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        let key = match (attribute(&item, Some(path)), &default) {
            (Some(key), _) => key.clone(),
            (None, Some(default)) => default.clone(),
            (None, None) => {
                return Err(tera::Error::message(format!(
                    "groupby: an item has no attribute `{path}`"
                )));
            }
        };
        keyed.push((fold(&key, case_sensitive), key, item));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut groups: Vec<(Value, Value, Vec<Value>)> = Vec::new();
    for (folded, key, item) in keyed {
        match groups.last_mut() {
            Some((last, _, list)) if *last == folded => list.push(item),
            _ => groups.push((folded, key, vec![item])),
        }
    }
    Ok(groups
        .into_iter()
        .map(|(_, grouper, list)| {
            let mut map = Map::default();
            map.insert(Key::Str("grouper"), grouper);
            map.insert(Key::Str("list"), Value::from(list));
            Value::from(map)
        })
        .collect())
}

/// `{% for row in items | batch(linecount=3, fill_with="") %}`: lists of
/// `linecount` items, the last one padded with `fill_with` when given.
pub(crate) fn batch(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    let size = kwargs.must_get::<usize>("linecount")?;
    let fill = kwargs.get::<Value>("fill_with")?;
    if size == 0 {
        return Err(tera::Error::message("batch: linecount must be at least 1"));
    }
    let items = array_of(&value, "batch")?;
    check_collection_len(items.len() + size)?;
    Ok(items
        .chunks(size)
        .map(|chunk| {
            let mut row = chunk.to_vec();
            if let Some(fill) = &fill {
                row.resize(size, fill.clone());
            }
            Value::from(row)
        })
        .collect())
}

/// `{% for column in items | slice(slices=3) %}`: the items cut into `slices`
/// columns, the first ones one longer; `fill_with` pads the shorter ones.
pub(crate) fn slice(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    let slices = kwargs.must_get::<usize>("slices")?;
    let fill = kwargs.get::<Value>("fill_with")?;
    if slices == 0 {
        return Err(tera::Error::message("slice: slices must be at least 1"));
    }
    let items = array_of(&value, "slice")?;
    check_collection_len(items.len() + slices)?;
    let per_slice = items.len() / slices;
    let with_extra = items.len() % slices;
    let mut offset = 0;
    let mut out = Vec::with_capacity(slices);
    for number in 0..slices {
        let start = offset + number * per_slice;
        if number < with_extra {
            offset += 1;
        }
        let end = offset + (number + 1) * per_slice;
        let mut column = items[start..end].to_vec();
        if let Some(fill) = &fill
            && number >= with_extra
        {
            column.push(fill.clone());
        }
        out.push(Value::from(column));
    }
    Ok(out)
}

/// `{{ items | sum(attribute="price", start=0) }}`.
pub(crate) fn sum(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    let path = kwargs.get::<&str>("attribute")?;
    let start = kwargs.get::<Number>("start")?.unwrap_or(Number::Integer(0));
    let mut total = start;
    for item in array_of(&value, "sum")? {
        let Some(number) = attribute(&item, path).and_then(Value::as_number) else {
            return Err(tera::Error::message(format!(
                "sum: `{}` is not a number",
                display(&item)
            )));
        };
        total = match (total, number) {
            (Number::Integer(a), Number::Integer(b)) => a
                .checked_add(b)
                .map(Number::Integer)
                .ok_or_else(|| tera::Error::message("sum: integer overflow"))?,
            (a, b) => Number::Float(as_f64(a) + as_f64(b)),
        };
    }
    Ok(Value::from(total))
}

fn as_f64(n: Number) -> f64 {
    match n {
        Number::Integer(i) => i as f64,
        Number::Float(f) => f,
        _ => f64::NAN,
    }
}

fn extreme(value: Value, kwargs: Kwargs, pick: Ordering) -> TeraResult<Value> {
    let path = kwargs.get::<&str>("attribute")?;
    let case_sensitive = kwargs.get::<bool>("case_sensitive")?.unwrap_or(false);
    let mut best: Option<(Value, Value)> = None;
    for item in array_of(&value, "min/max")? {
        let key = fold(
            attribute(&item, path).unwrap_or(&Value::none()),
            case_sensitive,
        );
        // Python's min/max keep the first of equal items.
        if best.as_ref().is_none_or(|(k, _)| key.cmp(k) == pick) {
            best = Some((key, item));
        }
    }
    Ok(best.map(|(_, item)| item).unwrap_or_else(Value::none))
}

/// `{{ items | min }}`, `min(attribute="age", case_sensitive=false)`; `none` for an
/// empty list.
pub(crate) fn min(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    extreme(value, kwargs, Ordering::Less)
}

/// `{{ items | max }}`, `max(attribute="age", case_sensitive=false)`.
pub(crate) fn max(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    extreme(value, kwargs, Ordering::Greater)
}

/// `{{ users | map(attribute="name") | join(sep=", ") }}` or `map(filter="upper")`
/// (with `args={...}` for the filter's arguments); `default` replaces a missing
/// attribute.
pub(crate) fn map(value: Value, kwargs: Kwargs, state: &State<'_>) -> TeraResult<Vec<Value>> {
    let items = array_of(&value, "map")?;
    if let Some(path) = kwargs.get::<&str>("attribute")? {
        let default = kwargs.get::<Value>("default")?;
        return items
            .iter()
            .map(|item| match (item.get_from_path(path), &default) {
                (Some(v), _) => Ok(v.clone()),
                (None, Some(d)) => Ok(d.clone()),
                (None, None) => Err(tera::Error::message(format!(
                    "map: an item has no attribute `{path}`"
                ))),
            })
            .collect();
    }
    let filter = kwargs
        .get::<&str>("filter")?
        .ok_or_else(|| tera::Error::message("map needs `attribute` or `filter`"))?;
    let args = kwargs.get::<Map>("args")?.unwrap_or_default();
    let args = Arc::new(args);
    items
        .iter()
        .map(|item| state.call_filter(filter, item, Kwargs::new(args.clone())))
        .collect()
}

/// Evaluates one of Jinja2's tests by name (the ones `select` and friends use).
fn jinja_test(name: &str, value: Option<&Value>, arg: Option<&Value>) -> TeraResult<bool> {
    let undefined = Value::undefined();
    let v = value.unwrap_or(&undefined);
    let need_arg =
        || arg.ok_or_else(|| tera::Error::message(format!("the `{name}` test needs a `value`")));
    Ok(match name {
        "defined" => value.is_some() && !v.is_undefined(),
        "undefined" => value.is_none() || v.is_undefined(),
        "none" => v.is_none(),
        "true" => v.as_bool() == Some(true),
        "false" => v.as_bool() == Some(false),
        "boolean" => v.is_bool(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_number() && !v.is_f64(),
        "float" => v.is_f64(),
        "mapping" => v.is_map(),
        "sequence" | "iterable" => v.is_array() || v.is_string() || v.is_map(),
        "odd" => v.as_i128().is_some_and(|i| i % 2 != 0),
        "even" => v.as_i128().is_some_and(|i| i % 2 == 0),
        "divisibleby" => {
            let d = need_arg()?.as_i128().filter(|d| *d != 0);
            matches!((v.as_i128(), d), (Some(i), Some(d)) if i % d == 0)
        }
        "eq" | "equalto" | "==" | "sameas" => v == need_arg()?,
        "ne" | "!=" => v != need_arg()?,
        "gt" | ">" => v.partial_cmp(need_arg()?) == Some(Ordering::Greater),
        "ge" | ">=" => matches!(
            v.partial_cmp(need_arg()?),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        "lt" | "<" => v.partial_cmp(need_arg()?) == Some(Ordering::Less),
        "le" | "<=" => matches!(
            v.partial_cmp(need_arg()?),
            Some(Ordering::Less | Ordering::Equal)
        ),
        "in" => {
            let container = need_arg()?;
            match container.kind() {
                ValueKind::Array => container.as_array().is_some_and(|a| a.contains(v)),
                ValueKind::String => match (container.as_str(), v.as_str()) {
                    (Some(hay), Some(needle)) => hay.contains(needle),
                    _ => false,
                },
                ValueKind::Map => container
                    .as_map()
                    .is_some_and(|m| m.keys().any(|k| k.as_value() == *v)),
                _ => false,
            }
        }
        "lower" => v.as_str().is_some_and(|s| s.to_lowercase() == s),
        "upper" => v.as_str().is_some_and(|s| s.to_uppercase() == s),
        "escaped" => v.is_safe(),
        "truthy" => v.is_truthy(),
        other => {
            return Err(tera::Error::message(format!(
                "unknown test `{other}` for select/reject"
            )));
        }
    })
}

fn select_items(
    value: Value,
    kwargs: Kwargs,
    keep: bool,
    with_attribute: bool,
) -> TeraResult<Vec<Value>> {
    let path = if with_attribute {
        Some(kwargs.must_get::<&str>("attribute")?)
    } else {
        None
    };
    let test = kwargs.get::<&str>("test")?.unwrap_or("truthy");
    let arg = kwargs.get::<Value>("value")?;
    let mut out = Vec::new();
    for item in array_of(&value, "select")? {
        if jinja_test(test, attribute(&item, path), arg.as_ref())? == keep {
            out.push(item);
        }
    }
    Ok(out)
}

/// `{{ numbers | select(test="odd") }}`, `select(test="gt", value=3)`; without a
/// test, the truthy items.
pub(crate) fn select(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    select_items(value, kwargs, true, false)
}

/// The items `select` would drop.
pub(crate) fn reject(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    select_items(value, kwargs, false, false)
}

/// `{{ users | selectattr(attribute="active") }}`,
/// `selectattr(attribute="age", test="ge", value=18)`.
pub(crate) fn selectattr(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    select_items(value, kwargs, true, true)
}

/// The items `selectattr` would drop.
pub(crate) fn rejectattr(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    select_items(value, kwargs, false, true)
}

/// `{{ "abc" | list }}` → `["a", "b", "c"]`; a map gives its keys.
pub(crate) fn list(value: Value, _: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    array_of(&value, "list")
}

/// `{% for pair in map | items %}{{ pair.0 }}={{ pair.1 }}{% endfor %}`: the
/// `[key, value]` pairs, in the map's order.
pub(crate) fn items(value: Value, _: Kwargs, _: &State<'_>) -> TeraResult<Vec<Value>> {
    if !value.is_map() {
        return Err(tera::Error::message(format!(
            "items expects a map, got {}",
            value.name()
        )));
    }
    Ok(value
        .as_map()
        .expect("checked to be a map")
        .iter()
        .map(|(k, v)| Value::from(vec![k.as_value(), v.clone()]))
        .collect())
}

/// `{{ user | attr(name="email") }}`: the attribute, undefined when missing.
pub(crate) fn attr(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    let name = kwargs.must_get::<&str>("name")?;
    Ok(value
        .as_map()
        .and_then(|m| {
            m.iter()
                .find(|(k, _)| k.as_str() == Some(name))
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_else(Value::undefined))
}

/// `count`: Jinja2's other name for `length`.
pub(crate) fn count(value: Value, _: Kwargs, _: &State<'_>) -> TeraResult<usize> {
    value.len().ok_or_else(|| {
        tera::Error::message(format!(
            "count expects a list, map or string, got {}",
            value.name()
        ))
    })
}

/// `d`: Jinja2's short name for `default` (`d(value="x")`, `boolean=true` also
/// replaces falsy values).
pub(crate) fn d(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    let fallback = kwargs.must_get::<Value>("value")?;
    let boolean = kwargs.get::<bool>("boolean")?.unwrap_or(false);
    let replace = if boolean {
        !value.is_truthy()
    } else {
        value.is_undefined()
    };
    Ok(if replace { fallback } else { value })
}

/// `string`: Jinja2's name for `str`.
pub(crate) fn string(value: Value, _: Kwargs, _: &State<'_>) -> Value {
    if value.is_string() {
        value
    } else {
        Value::from(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_by_name() {
        let three = Value::from(3);
        assert!(jinja_test("odd", Some(&three), None).unwrap());
        assert!(jinja_test("gt", Some(&three), Some(&Value::from(2))).unwrap());
        assert!(!jinja_test("lt", Some(&three), Some(&Value::from(2))).unwrap());
        assert!(jinja_test("in", Some(&three), Some(&Value::from(vec![1, 3]))).unwrap());
        assert!(jinja_test("undefined", None, None).unwrap());
        assert!(jinja_test("divisibleby", Some(&three), Some(&Value::from(0))).is_ok_and(|b| !b));
        assert!(jinja_test("gt", Some(&three), None).is_err());
        assert!(jinja_test("nope", Some(&three), None).is_err());
    }
}
