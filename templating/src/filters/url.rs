//! `urlencode`: Jinja2's URL quoting (Python's `urllib.parse.quote`).

use tera::value::ValueKind;
use tera::{Kwargs, State, TeraResult, Value};

use super::{Bounded, display};

/// `{{ path | urlencode }}` quotes a string for a URL path (`/` stays); a map or a list
/// of `[key, value]` pairs becomes a query string (`a=1&b=x+y`, in the map's order).
pub(crate) fn urlencode(value: Value, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    let mut out = Bounded::new();
    match value.kind() {
        ValueKind::Map => {
            let map = value.as_map().expect("kind is map");
            for (i, (key, item)) in map.iter().enumerate() {
                pair(i, &key.as_value(), item, &mut out)?;
            }
        }
        ValueKind::Array => {
            for (i, item) in value.as_array().expect("kind is array").iter().enumerate() {
                match item.as_array() {
                    Some([key, item]) => pair(i, key, item, &mut out)?,
                    _ => {
                        return Err(tera::Error::message(
                            "urlencode expects a string, a map or a list of [key, value] pairs",
                        ));
                    }
                }
            }
        }
        _ => quote(&display(&value), "/", false, &mut out)?,
    }
    Ok(Value::from(out.into_string()))
}

fn pair(index: usize, key: &Value, value: &Value, out: &mut Bounded) -> TeraResult<()> {
    if index > 0 {
        out.push_str("&")?;
    }
    quote(&display(key), "", true, out)?;
    out.push_str("=")?;
    quote(&display(value), "", true, out)
}

/// Percent-encodes everything but ASCII letters, digits, `_.-~` and `safe`; with
/// `plus`, spaces become `+` (query strings).
pub(crate) fn quote(text: &str, safe: &str, plus: bool, out: &mut Bounded) -> TeraResult<()> {
    let mut chunk = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric()
            || b"_.-~".contains(&byte)
            || safe.as_bytes().contains(&byte)
        {
            chunk.push(byte as char);
        } else if plus && byte == b' ' {
            chunk.push('+');
        } else {
            chunk.push_str(&format!("%{byte:02X}"));
        }
        if chunk.len() >= 4096 {
            out.push_str(&chunk)?;
            chunk.clear();
        }
    }
    out.push_str(&chunk)
}
