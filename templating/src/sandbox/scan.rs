//! A lexical scan of a template (Tera 2's default delimiters), done before Tera sees
//! it: which filters, tests, functions and templates it uses (for the allow-lists),
//! how deeply its tags nest, and where to insert the sandbox's hooks.
//!
//! Tera does not expose its syntax tree, and it has no hook that runs per loop
//! iteration or per component call. So the sandbox *rewrites* each template:
//!
//! | source | rewritten | effect |
//! |---|---|---|
//! | `{% for x in EXPR %}` | `{% for x in (EXPR) \| __carafe_iter %}` | the iterations are counted (and the clock read) before the loop starts |
//! | `[e for x in EXPR]` | `[e for x in (EXPR) \| __carafe_iter]` | the same for list comprehensions |
//! | `{% set x = EXPR %}` | `{% set x = (EXPR) \| __carafe_grow %}` | the value is measured (string bytes, items, depth) |
//! | `{% set x %}...{% endset %}` | `{% set x \| __carafe_grow %}...` | the captured text is measured |
//! | `{% component c() %}BODY{% endcomponent %}` | `...%}{{ 0 \| __carafe_enter }}BODY{{ 0 \| __carafe_leave }}{% endcomponent %}` | component depth and calls are counted |
//!
//! Insertions respect whitespace control (`-%}`, `{%-`), and positions in errors are
//! mapped back to the source as written. The scan is linear and never recursive.
//!
//! A loop over a plain variable that is not inside another loop or a component runs
//! once per render over the caller's data (or a value the caps already bound); in a
//! template that no other template includes or extends, its hook is left out (it
//! would cost a filter call per render and bound nothing). Loops inside it are hooked.

use std::ops::Range;

use super::lex::{Block, Tok, Token, end_of_raw, find, find_start, lex_block, raw_tag};

/// What a template refers to by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UseKind {
    Filter,
    Test,
    Function,
    /// `include` or `extends`.
    Template,
    /// An identifier starting with `__` (`__tera_context` dumps the whole context).
    Reserved,
    /// A component call (`{{<card />}}`, `{% <card> %}`).
    Component,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Use {
    pub(crate) kind: UseKind,
    pub(crate) name: String,
    pub(crate) span: Range<usize>,
}

/// Text to insert at a byte offset of the original source; an error raised inside it
/// points at `anchor`. An `optional` insert is the hook of a loop that runs once per
/// render over a variable: it may be left out when the template is never included
/// or extended (see [`rewrite`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Insert {
    pub(crate) at: usize,
    pub(crate) text: &'static str,
    pub(crate) anchor: usize,
    pub(crate) optional: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub(crate) uses: Vec<Use>,
    pub(crate) inserts: Vec<Insert>,
    /// The deepest tag nesting, and the tag that reached it.
    pub(crate) depth: usize,
    pub(crate) deepest: Range<usize>,
    /// The components this template defines.
    pub(crate) defines: Vec<String>,
}

pub(crate) fn scan(source: &str) -> Scan {
    let mut scan = Scan::default();
    // Open block tags; `true` for those whose body can run many times per render
    // (a `for` loop, a component definition).
    let mut stack: Vec<(Range<usize>, bool)> = Vec::new();
    let bytes = source.as_bytes();
    let mut pos = 0;
    while let Some(found) = find_start(bytes, pos) {
        match &bytes[found..found + 2] {
            b"{#" => match find(bytes, found + 2, b"#}") {
                Some(end) => pos = end + 2,
                None => break,
            },
            b"{%" if raw_tag(source, found).is_some() => match end_of_raw(source, found) {
                Some(end) => pos = end,
                None => break,
            },
            open => {
                let tag = open == b"{%";
                let Some(block) = lex_block(source, found, tag) else {
                    break;
                };
                pos = block.close_end;
                if tag {
                    scan.tag(&block, &mut stack);
                } else {
                    scan.expression(&block.tokens);
                }
            }
        }
    }
    scan.inserts.sort_by_key(|insert| insert.at);
    scan
}

impl Scan {
    fn push(&mut self, stack: &mut Vec<(Range<usize>, bool)>, span: Range<usize>, repeats: bool) {
        stack.push((span.clone(), repeats));
        if stack.len() > self.depth {
            self.depth = stack.len();
            self.deepest = span;
        }
    }

    fn insert(&mut self, at: usize, text: &'static str, anchor: usize) {
        self.inserts.push(Insert {
            at,
            text,
            anchor,
            optional: false,
        });
    }

    fn tag(&mut self, block: &Block<'_>, stack: &mut Vec<(Range<usize>, bool)>) {
        let tokens = &block.tokens;
        let span = block.open..block.close_end;
        let Some(first) = tokens.first() else { return };
        match &first.tok {
            Tok::Ident("for") => {
                // A loop over a variable that runs once per render iterates over the
                // caller's data or a value the caps already bound: its hook is optional.
                let once = !stack.iter().any(|(_, repeats)| *repeats);
                self.push(stack, span, true);
                if let Some(target) = loop_target(tokens, 1) {
                    let plain = dotted_name(tokens, target.start).is_some_and(|(_, name)| {
                        tokens[target.clone()]
                            .last()
                            .is_some_and(|t| t.span.end == name.end)
                    });
                    let first = self.inserts.len();
                    self.wrap(tokens, target, ") | __carafe_iter");
                    if once && plain {
                        self.inserts[first..]
                            .iter_mut()
                            .for_each(|i| i.optional = true);
                    }
                }
                self.expression(&tokens[1..]);
            }
            Tok::Ident("if" | "block") => {
                self.push(stack, span, false);
                self.expression(&tokens[1..]);
            }
            Tok::Ident("elif") => self.expression(&tokens[1..]),
            Tok::Ident("endfor" | "endif" | "endblock" | "endfilter" | "endset") => {
                stack.pop();
            }
            Tok::Ident("filter") => {
                self.push(stack, span, false);
                if let Some(Token {
                    tok: Tok::Ident(name),
                    span,
                }) = tokens.get(1)
                {
                    self.uses.push(Use {
                        kind: UseKind::Filter,
                        name: name.to_string(),
                        span: span.clone(),
                    });
                }
                self.expression(&tokens[2..]);
            }
            Tok::Ident("set" | "set_global") => {
                if matches!(
                    tokens.get(2),
                    Some(Token {
                        tok: Tok::Op("="),
                        ..
                    })
                ) {
                    if tokens.len() > 3 {
                        self.wrap(tokens, 3..tokens.len(), ") | __carafe_grow");
                    }
                    self.expression(&tokens[3..]);
                } else {
                    self.push(stack, span, false);
                    let end = tokens.last().map_or(first.span.end, |t| t.span.end);
                    self.insert(end, " | __carafe_grow", block.open);
                    self.expression(&tokens[1..]);
                }
            }
            Tok::Ident("component") => {
                self.push(stack, span, true);
                if let Some((name, _)) = dotted_name(tokens, 1) {
                    self.defines.push(name);
                }
                let hook = if block.close_trims {
                    "{{ 0 | __carafe_enter -}}"
                } else {
                    "{{ 0 | __carafe_enter }}"
                };
                self.insert(block.close_end, hook, block.open);
            }
            Tok::Ident("endcomponent") => {
                stack.pop();
                let hook = if block.open_trims {
                    "{{- 0 | __carafe_leave }}"
                } else {
                    "{{ 0 | __carafe_leave }}"
                };
                self.insert(block.open, hook, block.open);
            }
            Tok::Ident("include" | "extends") => {
                if let Some(Token {
                    tok: Tok::Str(name),
                    span,
                }) = tokens.get(1)
                {
                    self.uses.push(Use {
                        kind: UseKind::Template,
                        name: name.clone(),
                        span: span.clone(),
                    });
                }
            }
            Tok::Op("<") => {
                // `{% <card title> %}...{% </card> %}`: a component call with a body.
                self.push(stack, span, false);
                self.expression(tokens);
            }
            Tok::Op("</") => {
                stack.pop();
            }
            _ => self.expression(tokens),
        }
    }

    /// Wraps `tokens[range]` in `(` ... `after`; errors inside point at its start.
    fn wrap(&mut self, tokens: &[Token<'_>], range: Range<usize>, after: &'static str) {
        let start = tokens[range.start].span.start;
        self.insert(start, "(", start);
        self.insert(tokens[range.end - 1].span.end, after, start);
    }

    /// Records the names an expression uses and wraps list comprehension targets.
    fn expression(&mut self, tokens: &[Token<'_>]) {
        let mut named = vec![false; tokens.len()];
        for i in 0..tokens.len() {
            match &tokens[i].tok {
                Tok::Op("|") => {
                    if let Some(Token {
                        tok: Tok::Ident(name),
                        span,
                    }) = tokens.get(i + 1)
                    {
                        named[i + 1] = true;
                        self.uses.push(Use {
                            kind: UseKind::Filter,
                            name: name.to_string(),
                            span: span.clone(),
                        });
                    }
                }
                Tok::Ident("is") => {
                    let mut j = i + 1;
                    if matches!(
                        tokens.get(j),
                        Some(Token {
                            tok: Tok::Ident("not"),
                            ..
                        })
                    ) {
                        j += 1;
                    }
                    if let Some(Token {
                        tok: Tok::Ident(name),
                        span,
                    }) = tokens.get(j)
                    {
                        named[j] = true;
                        self.uses.push(Use {
                            kind: UseKind::Test,
                            name: name.to_string(),
                            span: span.clone(),
                        });
                    }
                }
                Tok::Ident("for") => {
                    if let Some(target) = comprehension_target(tokens, i + 1) {
                        self.wrap(tokens, target, ") | __carafe_iter");
                    }
                }
                // `<name` where an operand is expected: a component call.
                Tok::Op("<") if i == 0 || !is_operand(&tokens[i - 1].tok) => {
                    if let Some((name, span)) = dotted_name(tokens, i + 1) {
                        self.uses.push(Use {
                            kind: UseKind::Component,
                            name,
                            span,
                        });
                    }
                }
                _ => {}
            }
        }
        for (i, token) in tokens.iter().enumerate() {
            let Tok::Ident(name) = token.tok else {
                continue;
            };
            if name.starts_with("__") {
                self.uses.push(Use {
                    kind: UseKind::Reserved,
                    name: name.to_string(),
                    span: token.span.clone(),
                });
            }
            let called = matches!(
                tokens.get(i + 1),
                Some(Token {
                    tok: Tok::Op("("),
                    ..
                })
            );
            let after_dot = i > 0 && matches!(tokens[i - 1].tok, Tok::Op("." | "?."));
            if called && !named[i] && !after_dot && name != "super" {
                self.uses.push(Use {
                    kind: UseKind::Function,
                    name: name.to_string(),
                    span: token.span.clone(),
                });
            }
        }
    }
}

/// Whether a token ends an operand (so a following `<` is "less than").
fn is_operand(tok: &Tok<'_>) -> bool {
    match tok {
        Tok::Ident(word) => !matches!(*word, "not" | "and" | "or" | "in" | "is" | "if" | "else"),
        Tok::Str(_) | Tok::Number | Tok::Op(")" | "]" | "}") => true,
        _ => false,
    }
}

/// `a.b.c` starting at token `from`: the name and its span.
fn dotted_name(tokens: &[Token<'_>], from: usize) -> Option<(String, Range<usize>)> {
    let Some(Token {
        tok: Tok::Ident(first),
        span,
    }) = tokens.get(from)
    else {
        return None;
    };
    let mut name = first.to_string();
    let mut end = span.end;
    let mut i = from + 1;
    while let (
        Some(Token {
            tok: Tok::Op("."), ..
        }),
        Some(Token {
            tok: Tok::Ident(part),
            span,
        }),
    ) = (tokens.get(i), tokens.get(i + 1))
    {
        name.push('.');
        name.push_str(part);
        end = span.end;
        i += 2;
    }
    Some((name, span.start..end))
}

/// `for a [, b] in TARGET`: the token range of TARGET (to the end of the tag).
fn loop_target(tokens: &[Token<'_>], from: usize) -> Option<Range<usize>> {
    let in_at = header_in(tokens, from)?;
    (in_at + 1 < tokens.len()).then(|| in_at + 1..tokens.len())
}

/// The index of `in` after `a` or `a, b`.
fn header_in(tokens: &[Token<'_>], from: usize) -> Option<usize> {
    let ident = |i: usize| {
        matches!(
            tokens.get(i),
            Some(Token {
                tok: Tok::Ident(_),
                ..
            })
        )
    };
    let op =
        |i: usize, o: &str| matches!(tokens.get(i), Some(Token { tok: Tok::Op(x), .. }) if *x == o);
    let is_in = |i: usize| {
        matches!(
            tokens.get(i),
            Some(Token {
                tok: Tok::Ident("in"),
                ..
            })
        )
    };
    if !ident(from) {
        return None;
    }
    if is_in(from + 1) {
        Some(from + 1)
    } else if op(from + 1, ",") && ident(from + 2) && is_in(from + 3) {
        Some(from + 3)
    } else {
        None
    }
}

/// `[e for a [, b] in TARGET (if C)? ]`: TARGET ends at the `if` or the `]` at its
/// own bracket level.
fn comprehension_target(tokens: &[Token<'_>], from: usize) -> Option<Range<usize>> {
    let in_at = header_in(tokens, from)?;
    let start = in_at + 1;
    let mut depth = 0usize;
    for (j, token) in tokens.iter().enumerate().skip(start) {
        match token.tok {
            Tok::Op("(" | "[" | "{" | "?[") => depth += 1,
            Tok::Op(")" | "]" | "}") => {
                if depth == 0 {
                    return (j > start).then_some(start..j);
                }
                depth -= 1;
            }
            Tok::Ident("if") if depth == 0 => return (j > start).then_some(start..j),
            _ => {}
        }
    }
    None
}

/// Applies the inserts to `source` (the optional ones only with `all`): the rewritten
/// text, and `(offset in the rewritten text, length, anchor in the source)` of each
/// insert (for mapping error positions back).
pub(crate) fn rewrite(
    source: &str,
    inserts: &[Insert],
    all: bool,
) -> (String, Vec<(usize, usize, usize)>) {
    let inserts: Vec<&Insert> = inserts.iter().filter(|i| all || !i.optional).collect();
    let extra: usize = inserts.iter().map(|i| i.text.len()).sum();
    let mut out = String::with_capacity(source.len() + extra);
    let mut map = Vec::with_capacity(inserts.len());
    let mut from = 0;
    for insert in inserts {
        out.push_str(&source[from..insert.at]);
        map.push((out.len(), insert.text.len(), insert.anchor));
        out.push_str(insert.text);
        from = insert.at;
    }
    out.push_str(&source[from..]);
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(source: &str) -> String {
        let scan = scan(source);
        rewrite(source, &scan.inserts, true).0
    }

    fn uses(source: &str) -> Vec<(UseKind, String)> {
        scan(source)
            .uses
            .into_iter()
            .map(|u| (u.kind, u.name))
            .collect()
    }

    #[test]
    fn loops_and_comprehensions_are_counted() {
        assert_eq!(
            rewritten("{% for x in items | sort %}{{ x }}{% endfor %}"),
            "{% for x in (items | sort) | __carafe_iter %}{{ x }}{% endfor %}"
        );
        assert_eq!(
            rewritten("{%- for k, v in m -%}{% endfor %}"),
            "{%- for k, v in (m) | __carafe_iter -%}{% endfor %}"
        );
        assert_eq!(
            rewritten("{{ [a * 2 for a in nums if a > 1] }}"),
            "{{ [a * 2 for a in (nums) | __carafe_iter if a > 1] }}"
        );
        assert_eq!(
            rewritten("{{ [[b for b in a] for a in rows] }}"),
            "{{ [[b for b in (a) | __carafe_iter] for a in (rows) | __carafe_iter] }}"
        );
    }

    #[test]
    fn loops_that_run_once_over_a_variable_have_optional_hooks() {
        let optional = |source: &str| -> Vec<bool> {
            scan(source)
                .inserts
                .iter()
                .filter(|i| i.text.contains("iter"))
                .map(|i| i.optional)
                .collect()
        };
        assert_eq!(
            optional("{% if a %}{% for x in page.items %}{% endfor %}{% endif %}"),
            [true]
        );
        assert_eq!(optional("{% for x in items | sort %}{% endfor %}"), [false]);
        assert_eq!(optional("{% for x in range(end=3) %}{% endfor %}"), [false]);
        assert_eq!(
            optional("{% for x in a %}{% for y in x %}{% endfor %}{% endfor %}"),
            [true, false]
        );
        assert_eq!(
            optional("{% component c(xs) %}{% for x in xs %}{% endfor %}{% endcomponent c %}"),
            [false]
        );
        let source = "{% for x in xs %}{{ x }}{% endfor %}";
        assert_eq!(rewrite(source, &scan(source).inserts, false).0, source);
        assert_ne!(rewrite(source, &scan(source).inserts, true).0, source);
    }

    #[test]
    fn sets_and_components_get_hooks() {
        assert_eq!(
            rewritten("{% set s = s ~ s %}"),
            "{% set s = (s ~ s) | __carafe_grow %}"
        );
        assert_eq!(
            rewritten("{% set b | upper %}x{% endset %}"),
            "{% set b | upper | __carafe_grow %}x{% endset %}"
        );
        assert_eq!(
            rewritten("{% component c(n) -%}\n body \n{%- endcomponent c %}"),
            "{% component c(n) -%}{{ 0 | __carafe_enter -}}\n body \n{{- 0 | __carafe_leave }}{%- endcomponent c %}"
        );
    }

    #[test]
    fn raw_blocks_comments_and_strings_are_left_alone() {
        let source = "{% raw %}{% for x in y %}{% endraw %}{# {% for a in b %} #}{{ '{% for' }}";
        assert_eq!(rewritten(source), source);
        assert_eq!(uses(source), []);
    }

    #[test]
    fn names_are_found() {
        let found = uses(
            "{{ x | upper | replace(from='a', to=f(y=1)) }}{% if x is not divisible_by(n=2) %}{% endif %}\
             {% filter title %}{% endfilter %}{% include \"part.html\" %}{{ __tera_context }}{{ a.b(c) }}{{ super() }}",
        );
        assert_eq!(
            found,
            [
                (UseKind::Filter, "upper".into()),
                (UseKind::Filter, "replace".into()),
                (UseKind::Function, "f".into()),
                (UseKind::Test, "divisible_by".into()),
                (UseKind::Filter, "title".into()),
                (UseKind::Template, "part.html".into()),
                (UseKind::Reserved, "__tera_context".into()),
            ]
        );
    }

    #[test]
    fn components_defined_and_called_are_found() {
        let scan = scan(
            "{% component ui.card(t) %}{{<ui.badge l=\"x\" />}}{% endcomponent %}{% <ui.card t> %}{% </ui.card> %}{{ a < b }}",
        );
        assert_eq!(scan.defines, ["ui.card"]);
        let calls: Vec<_> = scan
            .uses
            .iter()
            .filter(|u| u.kind == UseKind::Component)
            .map(|u| u.name.as_str())
            .collect();
        assert_eq!(calls, ["ui.badge", "ui.card"]);
    }

    #[test]
    fn nesting_depth_is_measured() {
        let scan = scan(
            "{% if a %}{% for x in y %}{% if b %}{% endif %}{% endfor %}{% endif %}{% block c %}{% endblock %}",
        );
        assert_eq!(scan.depth, 3);
        let deep = "{% if a %}".repeat(50);
        assert_eq!(super::scan(&deep).depth, 50);
    }

    #[test]
    fn broken_input_does_not_panic() {
        for source in [
            "{{",
            "{% for",
            "{{ 'abc",
            "{% raw %}",
            "{#",
            "{{ \\",
            "{{ é }}",
            "{% for x in %}",
            "{{ [x for x in] }}",
            "{% set %}",
        ] {
            let scan = scan(source);
            let _ = rewrite(source, &scan.inserts, true);
        }
    }

    #[test]
    fn rewrite_maps_offsets() {
        let (text, map) = rewrite(
            "abcd",
            &[
                Insert {
                    at: 1,
                    text: "XX",
                    anchor: 1,
                    optional: false,
                },
                Insert {
                    at: 3,
                    text: "Y",
                    anchor: 0,
                    optional: true,
                },
            ],
            true,
        );
        assert_eq!(text, "aXXbcYd");
        assert_eq!(map, [(1, 2, 1), (5, 1, 0)]);
    }
}
