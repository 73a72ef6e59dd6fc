//! The rule-string parser: a pure function over `&str`, no IO, no dependencies.
//!
//! `carafe-macros` calls [`parse_rule`] at compile time, so this module uses
//! nothing but `core`/`alloc` and reports errors with the byte offset and the
//! 1-based character column of the offending character.

mod args;
mod error;

pub use args::{ArgValue, ConverterArgs};
pub use error::{ParseError, ParseErrorKind};

/// A parsed rule string: static text and variables, in order.
///
/// # Examples
///
/// ```
/// use carafe_routing::{parse_rule, RulePart};
///
/// let rule = parse_rule("/users/<int(min=1):id>/edit").unwrap();
/// let vars: Vec<_> = rule.variables().map(|v| (v.name(), v.converter())).collect();
/// assert_eq!(vars, [("id", "int")]);
/// assert!(matches!(rule.parts()[0], RulePart::Static("/users/")));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedRule<'a> {
    source: &'a str,
    parts: Vec<RulePart<'a>>,
}

impl<'a> ParsedRule<'a> {
    /// The rule string this was parsed from.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::parse_rule("/a").unwrap().source(), "/a");
    /// ```
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The parts: static text (which may contain `/`) and variables.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{parse_rule, RulePart};
    /// let rule = parse_rule("/v<int:major>.<int:minor>").unwrap();
    /// assert_eq!(rule.parts().len(), 4);
    /// assert!(matches!(rule.parts()[2], RulePart::Static(".")));
    /// ```
    pub fn parts(&self) -> &[RulePart<'a>] {
        &self.parts
    }

    /// The variables, in rule order.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::parse_rule("/<a>/<path:b>").unwrap();
    /// let names: Vec<_> = rule.variables().map(|v| v.name()).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// ```
    pub fn variables(&self) -> impl Iterator<Item = &Variable<'a>> {
        self.parts.iter().filter_map(|p| match p {
            RulePart::Variable(v) => Some(v),
            RulePart::Static(_) => None,
        })
    }

    /// Consumes the rule and returns its parts.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::parse_rule("/").unwrap().into_parts().len(), 1);
    /// ```
    pub fn into_parts(self) -> Vec<RulePart<'a>> {
        self.parts
    }
}

/// One part of a rule string.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RulePart<'a> {
    /// Static text, exactly as written (it may contain `/`).
    Static(&'a str),
    /// A `<converter(args):name>` variable.
    Variable(Variable<'a>),
}

/// A variable of a rule: `<name>`, `<converter:name>` or `<converter(args):name>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable<'a> {
    name: &'a str,
    converter: Option<&'a str>,
    args: ConverterArgs,
    offset: usize,
    len: usize,
}

impl<'a> Variable<'a> {
    /// The variable's name.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::parse_rule("/<int:id>").unwrap();
    /// assert_eq!(rule.variables().next().unwrap().name(), "id");
    /// ```
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The converter name; `"default"` when the rule names none (Werkzeug's
    /// default converter, which is `string`).
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::parse_rule("/<a>/<path:b>").unwrap();
    /// let conv: Vec<_> = rule.variables().map(|v| v.converter()).collect();
    /// assert_eq!(conv, ["default", "path"]);
    /// ```
    pub fn converter(&self) -> &'a str {
        self.converter.unwrap_or("default")
    }

    /// Whether the rule named a converter explicitly.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::parse_rule("/<a>").unwrap();
    /// assert!(!rule.variables().next().unwrap().has_explicit_converter());
    /// ```
    pub fn has_explicit_converter(&self) -> bool {
        self.converter.is_some()
    }

    /// The converter arguments (empty when none were given).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::ArgValue;
    /// let rule = carafe_routing::parse_rule("/<string(length=2):c>").unwrap();
    /// let args = rule.variables().next().unwrap().args();
    /// assert_eq!(args.keyword("length"), Some(&ArgValue::Int(2)));
    /// ```
    pub fn args(&self) -> &ConverterArgs {
        &self.args
    }

    /// Byte offset of the opening `<` in the rule string.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::parse_rule("/a/<b>").unwrap();
    /// assert_eq!(rule.variables().next().unwrap().offset(), 3);
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Length in bytes of the whole `<...>` variable in the rule string.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::parse_rule("/a/<int:b>").unwrap();
    /// assert_eq!(rule.variables().next().unwrap().len(), "<int:b>".len());
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len
    }
}

/// Parses a path rule such as `/users/<int(min=1):id>`.
///
/// The rule must start with `/`. Static text is everything outside `<...>`;
/// a variable is `<name>`, `<converter:name>` or `<converter(args):name>`
/// with identifiers `[A-Za-z_][A-Za-z0-9_]*`. Variable names must be unique.
/// Converter names are not checked here (the map knows which exist).
///
/// # Examples
///
/// ```
/// use carafe_routing::{parse_rule, ArgValue};
///
/// let rule = parse_rule(r#"/<any(about, help, "contact us"):page>"#).unwrap();
/// let page = rule.variables().next().unwrap();
/// assert_eq!(page.converter(), "any");
/// assert_eq!(page.args().positional()[2], ArgValue::Str("contact us".into()));
///
/// let err = parse_rule("/<int(min=0;max=5):n>").unwrap_err();
/// assert_eq!(err.column(), 12);
/// ```
pub fn parse_rule(rule: &str) -> Result<ParsedRule<'_>, ParseError> {
    if !rule.starts_with('/') {
        return Err(ParseError {
            rule: rule.to_owned(),
            offset: 0,
            kind: ParseErrorKind::MissingLeadingSlash,
        });
    }
    parse_pattern(rule)
}

/// Parses a host or subdomain pattern such as `<lang>.example.com`: the same
/// syntax as [`parse_rule`], without the leading slash and without any `/`.
///
/// # Examples
///
/// ```
/// let host = carafe_routing::parse_host_pattern("<user>.example.com").unwrap();
/// assert_eq!(host.variables().next().unwrap().name(), "user");
/// assert!(carafe_routing::parse_host_pattern("a/b").is_err());
/// ```
pub fn parse_host_pattern(pattern: &str) -> Result<ParsedRule<'_>, ParseError> {
    let parsed = parse_pattern(pattern)?;
    for part in &parsed.parts {
        if let RulePart::Static(s) = part
            && let Some(i) = s.find('/')
        {
            let offset = s.as_ptr() as usize - pattern.as_ptr() as usize + i;
            return Err(ParseError {
                rule: pattern.to_owned(),
                offset,
                kind: ParseErrorKind::SlashInHost,
            });
        }
    }
    Ok(parsed)
}

/// Parses the text between the parentheses of `<converter(...):name>`.
///
/// # Examples
///
/// ```
/// use carafe_routing::{parse_converter_args, ArgValue};
///
/// let args = parse_converter_args("test, a=1, b=3.0").unwrap();
/// assert_eq!(args.positional(), [ArgValue::Str("test".into())]);
/// assert_eq!(args.keyword("a"), Some(&ArgValue::Int(1)));
/// assert_eq!(args.keyword("b"), Some(&ArgValue::Float(3.0)));
/// assert!(parse_converter_args("min=0;max=500").is_err());
/// ```
pub fn parse_converter_args(args: &str) -> Result<ConverterArgs, ParseError> {
    let mut p = Parser { src: args, pos: 0 };
    let parsed = p.args(None)?;
    if p.pos != args.len() {
        return Err(p.error(ParseErrorKind::InvalidArgument(args[p.pos..].to_owned())));
    }
    Ok(parsed)
}

fn parse_pattern(rule: &str) -> Result<ParsedRule<'_>, ParseError> {
    let mut p = Parser { src: rule, pos: 0 };
    let mut parts = Vec::new();
    while p.pos < rule.len() {
        let rest = &rule[p.pos..];
        match rest.find('<') {
            Some(0) => {
                let var = p.variable()?;
                if parts
                    .iter()
                    .any(|part| matches!(part, RulePart::Variable(v) if v.name == var.name))
                {
                    return Err(ParseError {
                        rule: rule.to_owned(),
                        offset: var.offset + var.len - 1 - var.name.len(),
                        kind: ParseErrorKind::DuplicateVariable(var.name.to_owned()),
                    });
                }
                parts.push(RulePart::Variable(var));
            }
            Some(i) => {
                parts.push(RulePart::Static(&rest[..i]));
                p.pos += i;
            }
            None => {
                parts.push(RulePart::Static(rest));
                p.pos = rule.len();
            }
        }
    }
    Ok(ParsedRule {
        source: rule,
        parts,
    })
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError {
            rule: self.src.to_owned(),
            offset: self.pos,
            kind,
        }
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn ident(&mut self) -> Option<&'a str> {
        let rest = &self.src[self.pos..];
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
            if !ok {
                break;
            }
            end = i + c.len_utf8();
        }
        if end == 0 {
            return None;
        }
        self.pos += end;
        Some(&rest[..end])
    }

    /// Parses `<...>` starting at `<`.
    fn variable(&mut self) -> Result<Variable<'a>, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let Some(first) = self.ident() else {
            return Err(self.error(ParseErrorKind::ExpectedVariableName));
        };
        let (converter, args, name) = match self.peek() {
            Some('>') => (None, ConverterArgs::default(), first),
            Some(':') | Some('(') => {
                let args = if self.peek() == Some('(') {
                    self.pos += 1;
                    let args = self.args(Some(')'))?;
                    if self.peek() != Some(')') {
                        return Err(self.error(ParseErrorKind::UnclosedArguments));
                    }
                    self.pos += 1;
                    args
                } else {
                    ConverterArgs::default()
                };
                match self.peek() {
                    Some(':') => self.pos += 1,
                    Some(c) => return Err(self.error(ParseErrorKind::UnexpectedCharacter(c))),
                    None => return Err(self.error(ParseErrorKind::UnclosedVariable)),
                }
                let Some(name) = self.ident() else {
                    return Err(self.error(ParseErrorKind::ExpectedVariableName));
                };
                (Some(first), args, name)
            }
            Some(c) => return Err(self.error(ParseErrorKind::UnexpectedCharacter(c))),
            None => return Err(self.error(ParseErrorKind::UnclosedVariable)),
        };
        match self.peek() {
            Some('>') => self.pos += 1,
            Some(c) => return Err(self.error(ParseErrorKind::UnexpectedCharacter(c))),
            None => return Err(self.error(ParseErrorKind::UnclosedVariable)),
        }
        Ok(Variable {
            name,
            converter,
            args,
            offset: start,
            len: self.pos - start,
        })
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    /// Parses `item, item, ...` up to `close` (not consumed) or the end.
    fn args(&mut self, close: Option<char>) -> Result<ConverterArgs, ParseError> {
        let mut out = ConverterArgs::default();
        loop {
            self.skip_ws();
            match self.peek() {
                None => break,
                Some(c) if Some(c) == close => break,
                _ => {}
            }
            let item_start = self.pos;
            let save = self.pos;
            let mut name = None;
            if let Some(id) = self.ident() {
                self.skip_ws();
                if self.peek() == Some('=') {
                    self.pos += 1;
                    self.skip_ws();
                    name = Some(id.to_owned());
                } else {
                    self.pos = save;
                }
            }
            let value = self.value().map_err(|mut e| {
                let end = self.src[item_start..]
                    .find([',', ')'])
                    .map_or(self.src.len(), |i| item_start + i);
                e.kind = ParseErrorKind::InvalidArgument(self.src[item_start..end].to_owned());
                e
            })?;
            match name {
                Some(n) => out.keyword.push((n, value)),
                None => out.positional.push(value),
            }
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                None => break,
                Some(c) if Some(c) == close => break,
                Some(_) => {
                    let end = self.src[item_start..]
                        .find([',', ')'])
                        .map_or(self.src.len(), |i| item_start + i);
                    return Err(self.error(ParseErrorKind::InvalidArgument(
                        self.src[item_start..end].to_owned(),
                    )));
                }
            }
        }
        Ok(out)
    }

    fn value(&mut self) -> Result<ArgValue, ParseError> {
        let rest = &self.src[self.pos..];
        // Optional Python string prefixes (u"...", r'...').
        let mut quote_at = 0;
        if rest.len() > 1 && matches!(rest.as_bytes()[0], b'u' | b'r' | b'U' | b'R') {
            quote_at = 1;
        }
        if let Some(q @ ('"' | '\'')) = rest[quote_at..].chars().next() {
            let body = &rest[quote_at + 1..];
            let Some(end) = body.find(q) else {
                return Err(self.error(ParseErrorKind::InvalidArgument(rest.to_owned())));
            };
            self.pos += quote_at + 1 + end + 1;
            return Ok(ArgValue::Str(body[..end].to_owned()));
        }
        let end = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .map_or(rest.len(), |(i, _)| i);
        let word = &rest[..end];
        if word.is_empty() {
            return Err(self.error(ParseErrorKind::InvalidArgument(String::new())));
        }
        self.pos += end;
        Ok(match word {
            "None" | "none" => ArgValue::None,
            "True" | "true" => ArgValue::Bool(true),
            "False" | "false" => ArgValue::Bool(false),
            _ => {
                if let Ok(i) = word.parse::<i64>() {
                    ArgValue::Int(i)
                } else if is_float_literal(word)
                    && let Ok(x) = word.parse::<f64>()
                {
                    ArgValue::Float(x)
                } else if word.starts_with('-') {
                    return Err(self.error(ParseErrorKind::InvalidArgument(word.to_owned())));
                } else {
                    ArgValue::Str(word.to_owned())
                }
            }
        })
    }
}

fn is_float_literal(word: &str) -> bool {
    let digits = word.strip_prefix('-').unwrap_or(word);
    let mut dot = false;
    let mut any_digit = false;
    for c in digits.chars() {
        match c {
            '0'..='9' => any_digit = true,
            '.' if !dot => dot = true,
            _ => return false,
        }
    }
    dot && any_digit && digits.as_bytes()[0].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(rule: &str) -> Vec<(String, String, String)> {
        parse_rule(rule)
            .unwrap()
            .variables()
            .map(|v| {
                (
                    v.name().to_owned(),
                    v.converter().to_owned(),
                    v.args().to_string(),
                )
            })
            .collect()
    }

    type Case<'a> = (&'a str, &'a [(&'a str, &'a str, &'a str)]);

    #[test]
    fn table_of_valid_rules() {
        let cases: &[Case<'_>] = &[
            ("/", &[]),
            ("/users/<int:id>", &[("id", "int", "")]),
            ("/<name>", &[("name", "default", "")]),
            (
                "/<string(minlength=2, maxlength=8):code>",
                &[("code", "string", "minlength=2, maxlength=8")],
            ),
            (
                "/<int(fixed_digits=3, min=1, max=999, signed=true):n>",
                &[("n", "int", "fixed_digits=3, min=1, max=999, signed=True")],
            ),
            ("/<float(signed=true):x>", &[("x", "float", "signed=True")]),
            (
                r#"/<any(about, help, "contact us"):page>"#,
                &[("page", "any", r#""about", "help", "contact us""#)],
            ),
            (
                "/v<int:major>.<int:minor>",
                &[("major", "int", ""), ("minor", "int", "")],
            ),
            ("/a>b", &[]),
            ("/<any(a.1, 'x)y'):p>", &[("p", "any", r#""a.1", "x)y""#)]),
            ("/<int(min=-5):n>", &[("n", "int", "min=-5")]),
        ];
        for (rule, expected) in cases {
            let got = vars(rule);
            let expected: Vec<_> = expected
                .iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                .collect();
            assert_eq!(got, expected, "{rule}");
        }
    }

    #[test]
    fn static_parts_keep_text() {
        let rule = parse_rule("/docs/<name>.<ext>").unwrap();
        let statics: Vec<_> = rule
            .parts()
            .iter()
            .filter_map(|p| match p {
                RulePart::Static(s) => Some(*s),
                _ => None,
            })
            .collect();
        assert_eq!(statics, ["/docs/", "."]);
    }

    #[test]
    fn errors_carry_columns() {
        let cases: &[(&str, usize, ParseErrorKind)] = &[
            ("users", 1, ParseErrorKind::MissingLeadingSlash),
            ("/<int()>", 8, ParseErrorKind::UnexpectedCharacter('>')),
            ("/<>", 3, ParseErrorKind::ExpectedVariableName),
            ("/<a", 4, ParseErrorKind::UnclosedVariable),
            ("/<a b>", 4, ParseErrorKind::UnexpectedCharacter(' ')),
            (
                "/<int(3:x>",
                8,
                ParseErrorKind::InvalidArgument("3:x>".into()),
            ),
            ("/<1a>", 3, ParseErrorKind::ExpectedVariableName),
            (
                "/<a>/<int:a>",
                11,
                ParseErrorKind::DuplicateVariable("a".into()),
            ),
            ("/ü/<a", 6, ParseErrorKind::UnclosedVariable),
        ];
        for (rule, column, kind) in cases {
            let err = parse_rule(rule).unwrap_err();
            assert_eq!((err.column(), err.kind()), (*column, kind), "{rule}: {err}");
        }
    }

    #[test]
    fn converter_args_like_werkzeug() {
        let args = parse_converter_args("").unwrap();
        assert!(args.is_empty());
        let args = parse_converter_args("a, b, c,").unwrap();
        assert_eq!(args.positional().len(), 3);
        let args = parse_converter_args("True, False, None").unwrap();
        assert_eq!(
            args.positional(),
            [ArgValue::Bool(true), ArgValue::Bool(false), ArgValue::None]
        );
        let args = parse_converter_args(r#""foo", "bar""#).unwrap();
        assert_eq!(
            args.positional(),
            [ArgValue::Str("foo".into()), ArgValue::Str("bar".into())]
        );
        assert!(parse_converter_args("min=0;max=500").is_err());
        assert!(parse_converter_args("'unterminated").is_err());
    }
}
