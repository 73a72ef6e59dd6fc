//! The error of a rule string that does not parse, with its column.

use std::fmt;

/// A rule string that does not parse; carries the rule, the byte offset and
/// the 1-based character column of the problem.
///
/// # Examples
///
/// ```
/// let err = carafe_routing::parse_rule("/users/<int:>").unwrap_err();
/// assert_eq!(err.column(), 13);
/// assert_eq!(err.to_string(), "invalid rule '/users/<int:>' at column 13: expected a variable name");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub(super) rule: String,
    pub(super) offset: usize,
    pub(super) kind: ParseErrorKind,
}

/// What is wrong with a rule string.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A path rule must start with `/`.
    MissingLeadingSlash,
    /// A host or subdomain pattern may not contain `/`.
    SlashInHost,
    /// `<` not followed by a valid variable.
    ExpectedVariableName,
    /// A variable was not closed with `>`.
    UnclosedVariable,
    /// Something other than `>` , `:` or `(` after an identifier inside `<...>`.
    UnexpectedCharacter(char),
    /// Converter arguments were not closed with `)`.
    UnclosedArguments,
    /// A converter argument that does not parse.
    InvalidArgument(String),
    /// Two variables with the same name.
    DuplicateVariable(String),
}

impl ParseError {
    /// The rule string that failed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::parse_rule("x").unwrap_err().rule(), "x");
    /// ```
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// Byte offset of the problem in the rule string.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::parse_rule("/é<").unwrap_err().offset(), 4);
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// 1-based character column of the problem in the rule string.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::parse_rule("/é<").unwrap_err().column(), 4);
    /// ```
    pub fn column(&self) -> usize {
        let end = self.offset.min(self.rule.len());
        self.rule
            .char_indices()
            .take_while(|(i, _)| *i < end)
            .count()
            + 1
    }

    /// What is wrong.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::ParseErrorKind;
    /// let err = carafe_routing::parse_rule("/<a>/<a>").unwrap_err();
    /// assert_eq!(err.kind(), &ParseErrorKind::DuplicateVariable("a".into()));
    /// ```
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid rule '{}' at column {}: ",
            self.rule,
            self.column()
        )?;
        match &self.kind {
            ParseErrorKind::MissingLeadingSlash => f.write_str("a rule must start with '/'"),
            ParseErrorKind::SlashInHost => f.write_str("a host pattern may not contain '/'"),
            ParseErrorKind::ExpectedVariableName => f.write_str("expected a variable name"),
            ParseErrorKind::UnclosedVariable => f.write_str("variable not closed with '>'"),
            ParseErrorKind::UnexpectedCharacter(c) => write!(f, "unexpected character {c:?}"),
            ParseErrorKind::UnclosedArguments => {
                f.write_str("converter arguments not closed with ')'")
            }
            ParseErrorKind::InvalidArgument(a) => write!(f, "cannot parse converter argument {a}"),
            ParseErrorKind::DuplicateVariable(n) => write!(f, "variable '{n}' appears twice"),
        }
    }
}

impl std::error::Error for ParseError {}
