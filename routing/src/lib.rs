//! Werkzeug's URL routing on the `matchit` radix tree.
//!
//! URL rules such as `/users/<int:id>` map to *endpoints*; converters parse and
//! validate the variable parts and format them back when building URLs.
//! This crate is usable on its own by people who build their own framework.
//!
//! *Status: being built (issue 2).*
#![forbid(unsafe_code)]
