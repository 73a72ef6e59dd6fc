//! Werkzeug's URL routing on the `matchit` radix tree.
//!
//! URL rules such as `/users/<int:id>` map to *endpoints*; converters parse and
//! validate the variable parts and format them back when building URLs.
//! This crate is usable on its own by people who build their own framework.
//!
//! *Status: being built (issue 2).*
#![forbid(unsafe_code)]

mod adapter;
mod build;
mod compile;
mod converter;
mod encode;
mod error;
mod host;
mod index;
mod map;
mod matcher;
mod methods;
mod parse;
mod part;
mod rule;
mod template;
mod value;
mod values;

pub use adapter::{MapAdapter, Match};
pub use build::UrlBuilder;
pub use converter::{ConvertError, Converter, builtin_converter};
pub use error::{BadRequest, BuildError, MapError, MatchError, Suggestion};
pub use map::{Map, MapBuilder};
pub use parse::{
    ArgValue, ConverterArgs, ParseError, ParseErrorKind, ParsedRule, RulePart, Variable,
    parse_converter_args, parse_host_pattern, parse_rule,
};
pub use rule::{EndpointPrefix, RedirectTo, Rule, RuleFactory, Subdomain, Submount};
pub use template::RuleTemplate;
pub use value::{
    FromValue, InvalidUuid, Uuid, Value, ValueError, ValueKind, builtin_converter_kind,
};
pub use values::{IntoIter as ValuesIntoIter, Values};

pub use http::Method;
