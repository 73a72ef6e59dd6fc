//! The sandbox's versions of Tera's built-in filters whose output can be larger than
//! their input. Each computes the size of its result *before* building it and
//! refuses past the caps; otherwise it behaves exactly as Tera's (the tests compare
//! both on the same inputs). `range` is capped by `max_collection_items`.

use std::borrow::Cow;

use tera::{Kwargs, State, StringInput, Tera, TeraResult, Value};

use super::budget::{check_collection_len, check_string_len};

/// Registers the bounded versions over Tera's built-ins.
pub(crate) fn register(tera: &mut Tera) {
    tera.register_filter("upper", upper);
    tera.register_filter("lower", lower);
    tera.register_filter("capitalize", capitalize);
    tera.register_filter("title", title);
    tera.register_filter("replace", replace);
    tera.register_filter("join", join);
    tera.register_filter("indent", indent);
    tera.register_filter("escape", escape);
    tera.register_filter("escape_html", escape_html_filter);
    tera.register_filter("escape_xml", escape_xml);
    tera.register_filter("newlines_to_br", newlines_to_br);
    tera.register_filter("str", as_str);
    tera.register_filter("split", split);
    tera.register_function("range", range);
}

/// Case mapping can turn one byte into at most three.
fn case_mapped(val: &StringInput<'_>) -> TeraResult<()> {
    check_string_len(val.as_str().len().saturating_mul(3))
}

fn upper(val: StringInput<'_>, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    case_mapped(&val)?;
    Ok(val.inherit_safety(val.as_str().to_uppercase()))
}

fn lower(val: StringInput<'_>, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    case_mapped(&val)?;
    Ok(val.inherit_safety(val.as_str().to_lowercase()))
}

fn capitalize(val: StringInput<'_>, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    case_mapped(&val)?;
    let mut chars = val.as_str().chars();
    Ok(match chars.next() {
        None => val.inherit_safety(String::new()),
        Some(first) => val.inherit_safety(
            first.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase(),
        ),
    })
}

fn title(val: StringInput<'_>, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    case_mapped(&val)?;
    let mut out = String::with_capacity(val.as_str().len());
    let mut capitalize = true;
    for c in val.as_str().chars() {
        if c.is_ascii_punctuation() || c.is_whitespace() {
            out.push(c);
            if c != '\'' {
                capitalize = true;
            }
        } else if capitalize {
            out.extend(c.to_uppercase());
            capitalize = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    Ok(val.inherit_safety(out))
}

/// The length of `text.replace(from, to)`, without building it.
fn replaced_len(text: &str, from: &str, to: &str) -> usize {
    let count = if from.is_empty() {
        text.chars().count() + 1
    } else {
        text.matches(from).count()
    };
    let removed = count.saturating_mul(from.len());
    text.len()
        .saturating_sub(removed)
        .saturating_add(count.saturating_mul(to.len()))
}

fn replace(val: StringInput<'_>, kwargs: Kwargs, state: &State<'_>) -> TeraResult<Value> {
    let from = kwargs.must_get::<&str>("from")?;
    let to = kwargs.must_get::<StringInput<'_>>("to")?;
    let be_safe = state.autoescaping_enabled() && (val.is_safe() || to.is_safe());
    if be_safe {
        let text = val.rendered(state)?;
        let to = to.rendered(state)?;
        check_string_len(replaced_len(&text, from, &to))?;
        Ok(Value::safe_string(&text.replace(from, &to)))
    } else {
        check_string_len(replaced_len(val.as_str(), from, to.as_str()))?;
        Ok(Value::from(val.as_str().replace(from, to.as_str())))
    }
}

fn join(val: &[Value], kwargs: Kwargs, state: &State<'_>) -> TeraResult<Value> {
    let sep = kwargs.get::<StringInput<'_>>("sep")?;
    let be_safe = state.autoescaping_enabled()
        && (val.iter().any(|x| x.is_string() && x.is_safe())
            || sep.as_ref().is_some_and(|x| x.is_safe()));
    let sep: Cow<'_, str> = match &sep {
        Some(s) if be_safe => s.rendered(state)?,
        Some(s) => Cow::Borrowed(s.as_str()),
        None => Cow::Borrowed(""),
    };
    let mut out = String::new();
    for (i, item) in val.iter().enumerate() {
        let part = if be_safe {
            if item.is_undefined() {
                String::new()
            } else {
                state.escape_if_needed(item)?
            }
        } else {
            bounded_display(item)?
        };
        let extra = if i > 0 { sep.len() } else { 0 };
        check_string_len(out.len() + extra + part.len())?;
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&part);
    }
    Ok(if be_safe {
        Value::safe_string(&out)
    } else {
        Value::from(out)
    })
}

fn indent(val: StringInput<'_>, kwargs: Kwargs, state: &State<'_>) -> TeraResult<Value> {
    let width = kwargs.get::<usize>("width")?.unwrap_or(4).min(1000);
    let indentation = kwargs.get::<StringInput<'_>>("indentation")?;
    let first = kwargs.get::<bool>("first")?.unwrap_or(false);
    let blank = kwargs.get::<bool>("blank")?.unwrap_or(false);
    if let Some(i) = &indentation
        && i.as_str().chars().count() != 1
    {
        return Err(tera::Error::message(
            "The `indentation` argument must contain exactly one character",
        ));
    }
    let be_safe = state.autoescaping_enabled()
        && (val.is_safe() || indentation.as_ref().is_some_and(|x| x.is_safe()));
    let text = if be_safe {
        val.rendered(state)?
    } else {
        Cow::Borrowed(val.as_str())
    };
    let unit = match &indentation {
        Some(i) if be_safe => i.rendered(state)?.into_owned(),
        Some(i) => i.as_str().to_string(),
        None => " ".to_string(),
    };
    let lines = text.lines().count() + 1;
    check_string_len(text.len() + lines.saturating_mul(unit.len() * width + 1))?;
    let prefix = unit.repeat(width);
    let mut out = String::with_capacity(text.len() * 2);
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            if first {
                out.push_str(&prefix);
            }
        } else {
            out.push('\n');
            if !line.is_empty() || blank {
                out.push_str(&prefix);
            }
        }
        out.push_str(line);
    }
    if text.ends_with('\n') {
        out.push('\n');
    }
    Ok(if be_safe {
        Value::safe_string(&out)
    } else {
        Value::from(out)
    })
}

/// Escaping turns one byte into at most six (`&quot;`).
fn escape(val: StringInput<'_>, _: Kwargs, state: &State<'_>) -> TeraResult<Value> {
    if val.is_safe() {
        return Ok(val.into_value());
    }
    check_string_len(val.as_str().len().saturating_mul(6))?;
    Ok(Value::safe_string(&state.escape(val.as_str())?))
}

fn escape_html_filter(val: &str, _: Kwargs, _: &State<'_>) -> TeraResult<String> {
    check_string_len(val.len().saturating_mul(6))?;
    let mut out = Vec::with_capacity(val.len());
    tera::escape_html(val, &mut out).map_err(tera::Error::from)?;
    String::from_utf8(out).map_err(tera::Error::from)
}

fn escape_xml(val: &str, _: Kwargs, _: &State<'_>) -> TeraResult<String> {
    check_string_len(val.len().saturating_mul(6))?;
    let mut out = String::with_capacity(val.len() * 2);
    for c in val.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    Ok(out)
}

fn newlines_to_br(val: &str, _: Kwargs, _: &State<'_>) -> TeraResult<String> {
    check_string_len(val.len().saturating_mul(4))?;
    Ok(val.replace("\r\n", "<br>").replace(['\n', '\r'], "<br>"))
}

/// `format!("{value}")`, refused when the value is larger than `max_string_bytes`
/// once formatted (checked on a bounded writer, never fully built when too large).
fn bounded_display(value: &Value) -> TeraResult<String> {
    if let Some(s) = value.as_str() {
        return Ok(s.to_string());
    }
    struct Limited {
        out: String,
    }
    impl std::fmt::Write for Limited {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            if check_string_len(self.out.len() + s.len()).is_err() {
                return Err(std::fmt::Error);
            }
            self.out.push_str(s);
            Ok(())
        }
    }
    let mut limited = Limited { out: String::new() };
    match std::fmt::write(&mut limited, format_args!("{value}")) {
        Ok(()) => Ok(limited.out),
        // The cap was recorded by `check_string_len`; this error aborts the render.
        Err(_) => Err(check_string_len(usize::MAX)
            .err()
            .unwrap_or_else(|| tera::Error::message("value too large"))),
    }
}

fn as_str(val: Value, _: Kwargs, _: &State<'_>) -> TeraResult<String> {
    bounded_display(&val)
}

fn split(val: &str, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    let pat = kwargs.must_get::<&str>("pat")?;
    let parts = if pat.is_empty() {
        val.chars().count() + 2
    } else {
        val.matches(pat).count() + 1
    };
    check_collection_len(parts)?;
    Ok(val
        .split(pat)
        .map(Value::from)
        .collect::<Vec<Value>>()
        .into())
}

fn range(kwargs: Kwargs, _: &State<'_>) -> TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if start > end && step > 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    if step == 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    let (span, step_abs) = if step > 0 {
        (end.checked_sub(start), step)
    } else if start <= end {
        (Some(0), 1)
    } else {
        (
            start.checked_sub(end),
            step.checked_neg().unwrap_or(i128::MAX),
        )
    };
    let span = span.ok_or_else(|| {
        tera::Error::message("Function `range` was called with arguments that overflow i128")
    })?;
    let len = span / step_abs + i128::from(span % step_abs != 0);
    check_collection_len(usize::try_from(len).unwrap_or(usize::MAX))?;
    Ok((0..len).map(|i| start + i * step).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Context;

    /// Renders the same template with Tera's built-ins and with the bounded ones.
    fn both(template: &str, name: &str, context: &Context) -> (String, String) {
        let mut plain = Tera::default();
        plain.add_raw_template(name, template).unwrap();
        let mut bounded = Tera::default();
        register(&mut bounded);
        bounded.add_raw_template(name, template).unwrap();
        (
            plain.render(name, context).unwrap(),
            bounded.render(name, context).unwrap(),
        )
    }

    #[test]
    fn bounded_filters_behave_like_teras() {
        let mut context = Context::new();
        context.insert("s", "héllo WORLD it's <b>a</b>\nline two\n\n");
        context.insert("safe", &Value::safe_string("<i>x</i>"));
        context.insert(
            "list",
            &Value::from(vec![
                Value::from("a<"),
                Value::from(1),
                Value::safe_string("<b>"),
                Value::from(2.5),
            ]),
        );
        context.insert("nums", &vec![1, 2, 3]);
        let templates = [
            "{{ s | upper }}|{{ s | lower }}|{{ s | capitalize }}|{{ s | title }}|{{ safe | upper }}",
            "{{ s | replace(from='l', to='L') }}|{{ s | replace(from='', to='-') }}|{{ safe | replace(from='x', to='<y>') }}|{{ s | replace(from='o', to=safe) }}",
            "{{ list | join(sep=', ') }}|{{ nums | join }}|{{ list | join(sep=safe) }}",
            "{{ s | indent }}|{{ s | indent(width=2, first=true, blank=true) }}|{{ safe | indent(indentation='>', width=1, first=true) }}",
            "{{ s | escape }}|{{ safe | escape }}|{{ s | escape_html }}|{{ s | escape_xml }}|{{ s | newlines_to_br }}",
            "{{ list | str }}|{{ 3 | str }}|{{ s | split(pat=' ') | length }}|{{ s | split(pat='') | length }}",
            "{{ range(end=5) }}|{{ range(start=5, end=0, step_by=-2) }}|{{ range(start=1, end=10, step_by=3) }}|{{ range(start=3, end=3) }}",
        ];
        for template in templates {
            for name in ["t.html", "t.txt"] {
                let (tera, ours) = both(template, name, &context);
                assert_eq!(tera, ours, "{name}: {template}");
            }
        }
    }

    #[test]
    fn replaced_len_is_exact() {
        for (text, from, to) in [
            ("aXbXc", "X", "yy"),
            ("abc", "", "-"),
            ("aaa", "aa", "b"),
            ("", "", "x"),
            ("é", "", "é"),
        ] {
            assert_eq!(
                replaced_len(text, from, to),
                text.replace(from, to).len(),
                "{text} {from} {to}"
            );
        }
    }
}
