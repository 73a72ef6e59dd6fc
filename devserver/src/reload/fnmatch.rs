//! Python's `fnmatch.fnmatchcase`: the syntax of Werkzeug's
//! `exclude_patterns`.
//!
//! `*` matches any run of characters (`/` included), `?` one character,
//! `[abc]` / `[a-z]` one of a set, `[!abc]` one character not in it. An
//! unclosed `[` is a literal. Matching is case-sensitive.

/// One item of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    Any,
    Star,
    Set {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    tokens: Vec<Token>,
}

impl Pattern {
    pub(crate) fn new(pattern: &str) -> Self {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => {
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::Any);
                    i += 1;
                }
                '[' => match parse_set(&chars, i + 1) {
                    Some((token, next)) => {
                        tokens.push(token);
                        i = next;
                    }
                    None => {
                        tokens.push(Token::Char('['));
                        i += 1;
                    }
                },
                c => {
                    tokens.push(Token::Char(c));
                    i += 1;
                }
            }
        }
        Self { tokens }
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let (mut t, mut p) = (0, 0);
        // Where the last `*` was, and how much of the text it had taken.
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::Star) => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(token) if token_matches(token, text[t]) => {
                    t += 1;
                    p += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            }
        }
        self.tokens[p..].iter().all(|token| *token == Token::Star)
    }
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Char(expected) => *expected == c,
        Token::Any => true,
        Token::Star => false,
        Token::Set { negated, items } => {
            items.iter().any(|(low, high)| (*low..=*high).contains(&c)) != *negated
        }
    }
}

/// Parses a set starting after `[`; `None` when it is not closed.
fn parse_set(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start;
    let negated = chars.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    let first = i;
    loop {
        let c = *chars.get(i)?;
        if c == ']' && i > first {
            return Some((Token::Set { negated, items }, i + 1));
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|end| *end != ']') {
            items.push((c, chars[i + 2]));
            i += 3;
        } else {
            items.push((c, c));
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        Pattern::new(pattern).matches(text)
    }

    #[test]
    fn python_fnmatchcase_cases() {
        // Cases from CPython's test_fnmatch, rewritten.
        assert!(matches("abc", "abc"));
        assert!(matches("?*?", "abc"));
        assert!(matches("???*", "abc"));
        assert!(matches("*???", "abc"));
        assert!(matches("???", "abc"));
        assert!(matches("*", "abc"));
        assert!(matches("ab[cd]", "abc"));
        assert!(matches("ab[!de]", "abc"));
        assert!(!matches("ab[de]", "abc"));
        assert!(!matches("??", "a"));
        assert!(!matches("b", "a"));
        assert!(matches("[\\]", "\\"));
        assert!(matches("[!\\]", "a"));
        assert!(!matches("[!\\]", "\\"));
        assert!(matches("*", "\nfoo"));
        assert!(matches("foo*", "foo\nbar\n"));
        assert!(!matches("AbC", "abc"));
        assert!(matches("[]]", "]"));
        assert!(matches("[!]]", "a"));
        assert!(matches("[a-c]x", "bx"));
        assert!(!matches("[a-c]x", "dx"));
        assert!(matches("[a-]", "-"));
        assert!(matches("[", "["));
        assert!(matches("a[b", "a[b"));
    }

    #[test]
    fn stars_cross_slashes() {
        assert!(matches("*/generated/*", "/w/app/src/generated/schema.rs"));
        assert!(matches("*.rs", "/w/app/src/main.rs"));
        assert!(!matches("*.rs", "/w/app/src/main.rs.orig"));
        assert!(matches("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!matches("*a*b*c*", "xxaxxcxxbxx"));
    }
}
