//! Compiling a [`Rule`] into Werkzeug's parts (the units the matcher walks),
//! build operations, and the token form the matchit index and the overlap
//! analysis use.

use std::sync::Arc;

use crate::converter::{Converter, Registry};
use crate::encode::encode_path_text;
use crate::error::MapError;
use crate::methods::{GET_BIT, HEAD_BIT, MethodSet, OPTIONS_BIT};
use crate::parse::{RulePart, parse_host_pattern, parse_rule};
use crate::rule::{RedirectTo, Rule};

/// One piece of a dynamic part.
#[derive(Clone, Debug)]
pub(crate) enum Piece {
    /// Canonical (percent-encoded) literal text.
    Lit(Box<str>),
    /// A variable.
    Var(Arc<dyn Converter>),
}

/// Werkzeug's `Weighting` of a part: parts with more static pieces first,
/// longer static pieces first, more variables first, lighter converters first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Weight {
    neg_statics: i64,
    statics: Vec<(i64, i64)>,
    neg_args: i64,
    args: Vec<u32>,
}

/// A part containing variables: one path segment, or (when it has a
/// variable that spans `/`) everything up to the end of the path.
#[derive(Debug)]
pub(crate) struct DynPart {
    pub(crate) pieces: Vec<Piece>,
    /// Consumes the rest of the path (a converter matches `/`).
    pub(crate) final_: bool,
    /// A final part that ended in `/` in the rule: the slash is optional
    /// when matching, so its absence can be redirected.
    pub(crate) suffixed: bool,
    pub(crate) weight: Weight,
    /// Identity: parts with equal keys share a matcher state.
    pub(crate) key: String,
    pub(crate) n_vars: usize,
}

/// One of Werkzeug's rule parts.
#[derive(Clone, Debug)]
pub(crate) enum Part {
    Static(Box<str>),
    Dynamic(Arc<DynPart>),
}

/// A token of the path pattern, over the canonical path string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Lit(String),
    Var { slash: bool },
}

/// One step of building a URL.
#[derive(Clone, Debug)]
pub(crate) enum BuildOp {
    /// Canonical text.
    Static(String),
    /// The rule's variable with this index.
    Var(usize),
}

/// A rule ready for matching and building.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub(crate) rule: Rule,
    /// The rule's position in the map ([`Map::rules`](crate::Map::rules)).
    pub(crate) id: u32,
    pub(crate) domain_part: Part,
    pub(crate) path_parts: Vec<Part>,
    /// Variable names, host/subdomain variables first.
    pub(crate) var_names: Vec<Box<str>>,
    pub(crate) converters: Vec<Arc<dyn Converter>>,
    /// Per variable: the built-in `string` converter without arguments
    /// (the matcher can skip calling it).
    pub(crate) plain_vars: Vec<bool>,
    /// After a match, look at alias, `redirect_to` or default redirects.
    pub(crate) post: bool,
    /// Methods that match (HEAD with GET, OPTIONS when automatic); `None`:
    /// every method.
    pub(crate) methods: Option<MethodSet>,
    /// Methods as given plus HEAD (for the duplicate test).
    pub(crate) explicit_methods: Option<MethodSet>,
    /// OPTIONS was added automatically: an OPTIONS request gets the
    /// allowed methods instead of the endpoint.
    pub(crate) auto_options: bool,
    pub(crate) strict_slashes: bool,
    pub(crate) merge_slashes: bool,
    /// Variable names and default names, sorted (Werkzeug's `arguments`).
    pub(crate) arguments: Vec<String>,
    pub(crate) domain_build: Vec<BuildOp>,
    pub(crate) path_build: Vec<BuildOp>,
    pub(crate) tokens: Vec<Tok>,
    /// The rule's path text after slash merging (identity for duplicates).
    pub(crate) path_text: String,
    pub(crate) domain_text: String,
}

/// Map-wide settings a rule inherits.
pub(crate) struct Inherit<'a> {
    pub(crate) strict_slashes: bool,
    pub(crate) merge_slashes: bool,
    pub(crate) automatic_options: bool,
    pub(crate) subdomain_matching: bool,
    pub(crate) host_matching: bool,
    pub(crate) default_subdomain: &'a str,
    pub(crate) converters: &'a Registry,
}

enum Tk<'a> {
    Slash,
    Static(&'a str),
    Var(usize),
}

fn weigh(statics: &[(i64, i64)], args: &[u32]) -> Weight {
    Weight {
        neg_statics: -(statics.len() as i64),
        statics: statics.to_vec(),
        neg_args: -(args.len() as i64),
        args: args.to_vec(),
    }
}

/// Groups tokens into Werkzeug's parts (`Rule._parse_rule`).
fn group_parts(tokens: &[Tk<'_>], convs: &[Arc<dyn Converter>], keys: &[String]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut key = String::new();
    let mut static_only = true;
    let mut statics: Vec<(i64, i64)> = Vec::new();
    let mut args: Vec<u32> = Vec::new();
    let mut final_ = false;
    let mut n_vars = 0;

    fn push_lit(pieces: &mut Vec<Piece>, key: &mut String, text: &str) {
        let enc = encode_path_text(text, true);
        key.push_str(&enc);
        if let Some(Piece::Lit(prev)) = pieces.last_mut() {
            let mut s = prev.to_string();
            s.push_str(&enc);
            *prev = s.into_boxed_str();
        } else {
            pieces.push(Piece::Lit(enc.into_owned().into_boxed_str()));
        }
    }

    let emit = |pieces: &mut Vec<Piece>,
                key: &mut String,
                static_only: bool,
                statics: &[(i64, i64)],
                args: &[u32],
                final_: bool,
                suffixed: bool,
                n_vars: usize,
                parts: &mut Vec<Part>| {
        let taken = std::mem::take(pieces);
        if static_only {
            let text: String = taken
                .iter()
                .map(|p| match p {
                    Piece::Lit(s) => &**s,
                    Piece::Var(_) => "",
                })
                .collect();
            parts.push(Part::Static(text.into_boxed_str()));
        } else {
            let mut k = std::mem::take(key);
            if final_ {
                k.push_str("|final");
            }
            if suffixed {
                k.push_str("|suffixed");
            }
            parts.push(Part::Dynamic(Arc::new(DynPart {
                pieces: taken,
                final_,
                suffixed,
                weight: weigh(statics, args),
                key: k,
                n_vars,
            })));
        }
        key.clear();
    };

    for tok in tokens {
        match tok {
            Tk::Static(text) => {
                statics.push((statics.len() as i64, -(text.chars().count() as i64)));
                push_lit(&mut pieces, &mut key, text);
            }
            Tk::Var(i) => {
                static_only = false;
                let conv = &convs[*i];
                if conv.matches_slash() {
                    final_ = true;
                }
                key.push('<');
                key.push_str(&keys[*i]);
                key.push('>');
                pieces.push(Piece::Var(conv.clone()));
                args.push(conv.weight());
                n_vars += 1;
            }
            Tk::Slash => {
                if final_ {
                    push_lit(&mut pieces, &mut key, "/");
                } else {
                    emit(
                        &mut pieces,
                        &mut key,
                        static_only,
                        &statics,
                        &args,
                        false,
                        false,
                        n_vars,
                        &mut parts,
                    );
                    static_only = true;
                    statics.clear();
                    args.clear();
                    n_vars = 0;
                }
            }
        }
    }
    let mut suffixed = false;
    if final_
        && let Some(Piece::Lit(last)) = pieces.last_mut()
        && last.ends_with('/')
    {
        suffixed = true;
        let trimmed = &last[..last.len() - 1];
        if trimmed.is_empty() {
            pieces.pop();
        } else {
            *last = trimmed.to_owned().into_boxed_str();
        }
        key.truncate(key.len() - 1);
    }
    emit(
        &mut pieces,
        &mut key,
        static_only,
        &statics,
        &args,
        final_,
        suffixed,
        n_vars,
        &mut parts,
    );
    if suffixed {
        parts.push(Part::Static("".into()));
    }
    parts
}

fn collapse_slashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    out
}

/// Compiles one rule; `display` names it in errors.
pub(crate) fn compile(rule: Rule, inherit: &Inherit<'_>) -> Result<CompiledRule, MapError> {
    let strict_slashes = rule.strict_slashes.unwrap_or(inherit.strict_slashes);
    let merge_slashes = rule.merge_slashes.unwrap_or(inherit.merge_slashes);
    let display = rule.to_string();

    let mut vars = Vars {
        seen: Default::default(),
        plain: Vec::new(),
        names: Vec::new(),
        converters: Vec::new(),
        keys: Vec::new(),
        display: &display,
        registry: inherit.converters,
    };

    // The domain part: subdomain or host pattern, or "" (Werkzeug's
    // `domain_rule`).
    let domain_rule: Option<String> = if inherit.host_matching {
        rule.host.clone()
    } else if inherit.subdomain_matching {
        Some(
            rule.subdomain
                .clone()
                .unwrap_or_else(|| inherit.default_subdomain.to_owned()),
        )
    } else {
        None
    };
    let domain_text = domain_rule.clone().unwrap_or_default();
    let mut domain_tokens: Vec<Tk<'_>> = Vec::new();
    let mut domain_build = Vec::new();
    let domain_lower;
    if let Some(domain) = &domain_rule {
        domain_lower = domain.to_lowercase();
        let parsed = parse_host_pattern(&domain_lower).map_err(|error| MapError::Parse {
            endpoint: rule.endpoint.clone(),
            error,
        })?;
        for part in parsed.into_parts() {
            match part {
                RulePart::Static(s) => {
                    domain_tokens.push(Tk::Static(s));
                    domain_build.push(BuildOp::Static(s.to_owned()));
                }
                RulePart::Variable(v) => {
                    let at = (domain_lower.as_str(), v.offset());
                    let i = vars.add(v.name(), v.converter(), v.args(), at, true)?;
                    domain_tokens.push(Tk::Var(i));
                    domain_build.push(BuildOp::Var(i));
                }
            }
        }
    }

    // The path.
    let parsed = parse_rule(&rule.pattern).map_err(|error| MapError::Parse {
        endpoint: rule.endpoint.clone(),
        error,
    })?;
    let mut path_tokens: Vec<Tk<'_>> = Vec::new();
    let mut statics: Vec<String> = Vec::new();
    let mut path_text = String::new();
    // First collect statics (merged) so tokens can borrow them.
    for part in parsed.parts() {
        if let RulePart::Static(s) = part {
            statics.push(if merge_slashes {
                collapse_slashes(s)
            } else {
                (*s).to_owned()
            });
        }
    }
    let mut si = 0;
    let mut path_build = Vec::new();
    let mut tokens = Vec::new();
    for part in parsed.parts() {
        match part {
            RulePart::Static(_) => {
                let s = &statics[si];
                si += 1;
                path_text.push_str(s);
                path_build.push(BuildOp::Static(encode_path_text(s, true).into_owned()));
                tokens.push(Tok::Lit(encode_path_text(s, true).into_owned()));
                let mut first = true;
                for piece in s.split('/') {
                    if !first {
                        path_tokens.push(Tk::Slash);
                    }
                    first = false;
                    if !piece.is_empty() {
                        path_tokens.push(Tk::Static(piece));
                    }
                }
            }
            RulePart::Variable(v) => {
                let at = (rule.pattern.as_str(), v.offset());
                let i = vars.add(v.name(), v.converter(), v.args(), at, false)?;
                path_text.push_str(&rule.pattern[v.offset()..v.offset() + v.len()]);
                path_tokens.push(Tk::Var(i));
                path_build.push(BuildOp::Var(i));
                tokens.push(Tok::Var {
                    slash: vars.converters[i].matches_slash(),
                });
            }
        }
    }
    // Werkzeug splits the path rule starting with its leading slash.
    let Vars {
        names: var_names,
        converters,
        keys,
        plain: plain_vars,
        ..
    } = vars;
    let domain_parts = if domain_rule.is_some() {
        group_parts(&domain_tokens, &converters, &keys)
    } else {
        vec![Part::Static("".into())]
    };
    let domain_part = domain_parts
        .into_iter()
        .next()
        .unwrap_or(Part::Static("".into()));
    let path_parts = group_parts(&path_tokens, &converters, &keys);

    // Methods.
    let mut explicit_methods = None;
    let mut methods = None;
    let mut auto_options = false;
    if let Some(list) = &rule.methods {
        let mut set = MethodSet::default();
        for m in list {
            set.insert(m);
        }
        if set.has_bits(GET_BIT) {
            set.insert_bits(HEAD_BIT);
        }
        if rule.websocket {
            let mut extra = set.clone();
            extra.remove_bits(GET_BIT | HEAD_BIT | OPTIONS_BIT);
            if !extra.is_empty() {
                return Err(MapError::InvalidMethods {
                    rule: display,
                    message: "websocket rules can only use GET, HEAD and OPTIONS".to_owned(),
                });
            }
        }
        explicit_methods = Some(set.clone());
        if !set.has_bits(OPTIONS_BIT) && rule.automatic_options.unwrap_or(inherit.automatic_options)
        {
            set.insert_bits(OPTIONS_BIT);
            auto_options = true;
        }
        methods = Some(set);
    }

    // Redirect placeholders must name variables.
    if let Some(RedirectTo::Url(target)) = &rule.redirect_to {
        for name in placeholders(target) {
            if !var_names.iter().any(|n| **n == *name)
                && !rule.defaults.iter().any(|(k, _)| k == name)
            {
                return Err(MapError::InvalidRedirect {
                    rule: display,
                    placeholder: name.to_owned(),
                });
            }
        }
    }

    let mut arguments: Vec<String> = var_names.iter().map(|n| n.to_string()).collect();
    for (k, _) in &rule.defaults {
        if !arguments.contains(k) {
            arguments.push(k.clone());
        }
    }
    arguments.sort();

    Ok(CompiledRule {
        id: 0,
        post: rule.alias || rule.redirect_to.is_some(),
        plain_vars,
        domain_part,
        path_parts,
        var_names,
        converters,
        methods,
        explicit_methods,
        auto_options,
        strict_slashes,
        merge_slashes,
        arguments,
        domain_build,
        path_build,
        tokens,
        path_text,
        domain_text,
        rule,
    })
}

/// The variables of a rule being compiled.
struct Vars<'d> {
    seen: std::collections::HashSet<String>,
    plain: Vec<bool>,
    names: Vec<Box<str>>,
    converters: Vec<Arc<dyn Converter>>,
    keys: Vec<String>,
    display: &'d str,
    registry: &'d Registry,
}

impl Vars<'_> {
    fn add(
        &mut self,
        name: &str,
        conv_name: &str,
        args: &crate::parse::ConverterArgs,
        (text, offset): (&str, usize),
        host: bool,
    ) -> Result<usize, MapError> {
        let display = self.display;
        if !self.seen.insert(name.to_owned()) {
            return Err(MapError::DuplicateVariable {
                rule: display.to_owned(),
                variable: name.to_owned(),
            });
        }
        let made =
            self.registry
                .make(conv_name, args)
                .ok_or_else(|| MapError::UnknownConverter {
                    rule: display.to_owned(),
                    converter: conv_name.to_owned(),
                    column: text[..offset].chars().count() + 1,
                    known: self.registry.names(),
                })?;
        let conv = made.map_err(|message| MapError::ConverterArgs {
            rule: display.to_owned(),
            variable: name.to_owned(),
            converter: conv_name.to_owned(),
            message,
        })?;
        if host && conv.matches_slash() {
            return Err(MapError::SlashInHost {
                rule: display.to_owned(),
                variable: name.to_owned(),
            });
        }
        let canonical_name = if conv_name == "default" {
            "string"
        } else {
            conv_name
        };
        self.plain.push(
            canonical_name == "string" && args.is_empty() && !self.registry.is_custom(conv_name),
        );
        self.keys.push(format!("{canonical_name}({args})"));
        self.names.push(name.into());
        self.converters.push(conv);
        Ok(self.names.len() - 1)
    }
}

/// The `<name>` placeholders of a redirect target.
pub(crate) fn placeholders(target: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = target;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close) if close > 0 => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => break,
        }
    }
    out
}

impl CompiledRule {
    /// Werkzeug's `is_duplicate`, given equal parts.
    pub(crate) fn methods_collide(&self, other: &CompiledRule) -> bool {
        if self.rule.websocket != other.rule.websocket {
            return false;
        }
        match (&self.explicit_methods, &other.explicit_methods) {
            (None, _) | (_, None) => true,
            (Some(a), Some(b)) => a == b || a.overlaps_ignoring_head_options(b),
        }
    }

    #[inline]
    pub(crate) fn allows(&self, key: crate::methods::MethodKey<'_>) -> bool {
        match &self.methods {
            None => !matches!(key, crate::methods::MethodKey::Nothing),
            Some(set) => set.contains(key),
        }
    }

    /// Index of a variable by name.
    pub(crate) fn var_index(&self, name: &str) -> Option<usize> {
        self.var_names.iter().position(|n| &**n == name)
    }

    /// The default value for `name`.
    pub(crate) fn default_for(&self, name: &str) -> Option<&crate::Value<'static>> {
        self.rule
            .defaults
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}
