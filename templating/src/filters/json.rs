//! `tojson`: Jinja2's HTML-safe JSON (`json.dumps(..., sort_keys=True)` with `<`, `>`,
//! `&` and `'` written as `\u` escapes), byte for byte.

use std::fmt::Write as _;

use tera::value::Key;
use tera::value::ValueKind;
use tera::{Kwargs, State, TeraResult, Value};

use super::Bounded;

/// `{{ data | tojson }}`, `{{ data | tojson(indent=2) }}`: the value as JSON that is
/// safe to put in a `<script>` tag or an HTML attribute. The result is marked safe.
pub(crate) fn tojson(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    let indent = kwargs.get::<usize>("indent")?;
    let mut out = Bounded::new();
    write_value(&value, indent, 0, &mut out)?;
    Ok(Value::safe_string(&out.into_string()))
}

fn write_value(
    value: &Value,
    indent: Option<usize>,
    depth: usize,
    out: &mut Bounded,
) -> TeraResult<()> {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.as_bool() == Some(true) {
            "true"
        } else {
            "false"
        }),
        ValueKind::F64 => out.push_str(&python_float(value.as_f64().unwrap_or_default())),
        ValueKind::U64 | ValueKind::I64 | ValueKind::U128 | ValueKind::I128 => {
            out.push_str(&value.to_string())
        }
        ValueKind::String => write_string(value.as_str().unwrap_or_default(), out),
        ValueKind::Bytes => write_string(
            &String::from_utf8_lossy(value.as_bytes().unwrap_or_default()),
            out,
        ),
        ValueKind::Array => {
            let items = value.as_array().unwrap_or_default();
            if items.is_empty() {
                return out.push_str("[]");
            }
            out.push_str("[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(if indent.is_some() { "," } else { ", " })?;
                }
                newline(indent, depth + 1, out)?;
                write_value(item, indent, depth + 1, out)?;
            }
            newline(indent, depth, out)?;
            out.push_str("]")
        }
        _ => {
            let Some(map) = value.as_map() else {
                return write_string(&value.to_string(), out);
            };
            if map.is_empty() {
                return out.push_str("{}");
            }
            let mut entries: Vec<(&Key<'static>, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push_str("{")?;
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(if indent.is_some() { "," } else { ", " })?;
                }
                newline(indent, depth + 1, out)?;
                write_string(&key_text(key), out)?;
                out.push_str(": ")?;
                write_value(item, indent, depth + 1, out)?;
            }
            newline(indent, depth, out)?;
            out.push_str("}")
        }
    }
}

/// How Python's `json` writes a dict key: strings as they are, `True`/`False` as
/// `true`/`false`, numbers as their decimal form.
fn key_text(key: &Key<'_>) -> String {
    match key.as_str() {
        Some(s) => s.to_string(),
        None => key.to_string(),
    }
}

fn newline(indent: Option<usize>, depth: usize, out: &mut Bounded) -> TeraResult<()> {
    if let Some(width) = indent {
        out.push_str("\n")?;
        out.push_str(&" ".repeat(width * depth))?;
    }
    Ok(())
}

/// A JSON string with Python's `ensure_ascii` escaping plus Jinja2's HTML-safe escapes.
fn write_string(s: &str, out: &mut Bounded) -> TeraResult<()> {
    let mut text = String::with_capacity(s.len() + 2);
    text.push('"');
    for c in s.chars() {
        match c {
            '"' => text.push_str("\\\""),
            '\\' => text.push_str("\\\\"),
            '\n' => text.push_str("\\n"),
            '\r' => text.push_str("\\r"),
            '\t' => text.push_str("\\t"),
            '\u{8}' => text.push_str("\\b"),
            '\u{c}' => text.push_str("\\f"),
            '<' | '>' | '&' | '\'' => {
                let _ = write!(text, "\\u{:04x}", c as u32);
            }
            ' '..='~' => text.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(text, "\\u{unit:04x}");
                }
            }
        }
        if text.len() >= 4096 {
            out.push_str(&text)?;
            text.clear();
        }
    }
    text.push('"');
    out.push_str(&text)
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation when
/// the decimal exponent is in `-4..16`, else `1.5e+16` style; `NaN`, `Infinity`.
pub(crate) fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-7", "1e16".
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` writes an integer exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let point = exponent + 1; // digits are 0.DIGITS × 10^point
    if (-3..=16).contains(&point) {
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{body}")
    } else {
        let fraction = if digits.len() > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{}{fraction}e{exp_sign}{:02}",
            &digits[..1],
            exponent.abs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python_repr() {
        // Expected values from CPython 3.11 `repr(float)`.
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (-2.5e-10, "-2.5e-10"),
            (1e100, "1e+100"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(x, expected) in cases {
            assert_eq!(python_float(x), expected, "{x:e}");
        }
    }
}
