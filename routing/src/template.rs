//! `RuleTemplate`: rules with `$name` placeholders, instantiated with values
//! (Werkzeug's `RuleTemplate`).

use crate::error::MapError;
use crate::rule::{Rule, RuleFactory};
use crate::value::Value;

/// Rules whose pattern, endpoint, subdomain and string defaults contain
/// `$name` or `${name}` placeholders (`$$` is a literal `$`), instantiated
/// with [`apply`](RuleTemplate::apply), like Python's `string.Template`.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, Rule, RuleTemplate};
///
/// let resource = RuleTemplate::new([
///     Rule::new("/$name/", "$name.list"),
///     Rule::new("/$name/<int:id>", "$name.show"),
/// ]);
/// let map = Map::builder()
///     .add(resource.apply(&[("name", "user")]).unwrap())
///     .add(resource.apply(&[("name", "page")]).unwrap())
///     .build()
///     .unwrap();
/// let m = map.bind("h").unwrap().match_path("/page/3", &http::Method::GET).unwrap();
/// assert_eq!(m.endpoint(), "page.show");
/// ```
#[derive(Debug, Clone)]
pub struct RuleTemplate {
    rules: Vec<Rule>,
}

impl RuleTemplate {
    /// A template of these rules.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = carafe_routing::RuleTemplate::new(carafe_routing::Rule::new("/$x", "$x"));
    /// assert_eq!(t.apply(&[("x", "a")]).unwrap()[0].pattern(), "/a");
    /// ```
    pub fn new(rules: impl RuleFactory) -> Self {
        RuleTemplate {
            rules: rules.into_rules(),
        }
    }

    /// The rules with placeholders replaced; an error names a missing
    /// placeholder or a `$` that starts none.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Rule, RuleTemplate};
    /// let t = RuleTemplate::new(Rule::new("/$name", "x"));
    /// assert!(t.apply(&[]).unwrap_err().to_string().contains("'name'"));
    /// ```
    pub fn apply(&self, context: &[(&str, &str)]) -> Result<Vec<Rule>, MapError> {
        self.rules
            .iter()
            .map(|rule| {
                let mut r = rule.clone();
                r.pattern = substitute(&rule.pattern, context)?;
                r.endpoint = substitute(&rule.endpoint, context)?;
                if let Some(sub) = &rule.subdomain {
                    r.subdomain = Some(substitute(sub, context)?);
                }
                for (_, v) in &mut r.defaults {
                    if let Value::Str(s) = v {
                        *v = Value::from(substitute(s, context)?);
                    }
                }
                Ok(r)
            })
            .collect()
    }
}

fn substitute(text: &str, context: &[(&str, &str)]) -> Result<String, MapError> {
    let err = |message: String| MapError::Template {
        template: text.to_owned(),
        message,
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, consumed) = if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
            continue;
        } else if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                return Err(err("unclosed '${'".to_owned()));
            };
            (&inner[..close], close + 2)
        } else {
            let len = after
                .char_indices()
                .find(|&(j, c)| {
                    !(c == '_' || c.is_ascii_alphabetic() || (j > 0 && c.is_ascii_digit()))
                })
                .map_or(after.len(), |(j, _)| j);
            (&after[..len], len)
        };
        if name.is_empty() {
            return Err(err(format!("invalid placeholder at byte {i}")));
        }
        let Some((_, value)) = context.iter().find(|(k, _)| *k == name) else {
            return Err(err(format!("no value for placeholder '{name}'")));
        };
        out.push_str(value);
        rest = &after[consumed..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_like_string_template() {
        let ctx = [("app", "test1"), ("x", "X")];
        assert_eq!(substitute("/$app-blah", &ctx).unwrap(), "/test1-blah");
        assert_eq!(substitute("${app}bar", &ctx).unwrap(), "test1bar");
        assert_eq!(substitute("$$app", &ctx).unwrap(), "$app");
        assert_eq!(substitute("/$x/", &ctx).unwrap(), "/X/");
        assert!(substitute("/$missing", &ctx).is_err());
        assert!(substitute("/$", &ctx).is_err());
        assert!(substitute("/${app", &ctx).is_err());
    }
}
