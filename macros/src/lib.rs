//! `#[route]`, `#[get]`, `#[post]`, `#[put]`, `#[patch]`, `#[delete]` and
//! `url_for!` for Carafe apps (re-exported by `carafe`; use them from there).
//!
//! The rule is parsed at compile time with `carafe-routing`'s parser: a
//! syntax error, an unknown converter or bad converter arguments fail the
//! build, pointing into the string. Parameters named like a rule variable
//! receive its converted value, and their type is checked against the
//! converter (`<int:id>` into `id: i64`, `u32`, ...; not into `String`...
//! unless the type accepts it); every rule variable needs a parameter. Other
//! parameters are extractors; one that reads the body must be the last.
//!
//! The function becomes a unit struct of the same name implementing
//! `carafe::Route` (register it with `app.register(name)`, or all of them
//! with `app.register_all()`); the function itself stays callable as
//! `name::call(...)`.
#![forbid(unsafe_code)]

mod expand;
mod parse;
mod url_for;

use proc_macro::TokenStream;

/// Makes a function a handler for a rule: `#[route("/users/<int:id>",
/// methods = ["GET", "POST"])]`. Options: `methods` (default `GET`),
/// `endpoint = "name"` (default the function's name), `strict_slashes =
/// false`, `converters = ["name"]` (converters the app registers itself).
#[proc_macro_attribute]
pub fn route(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(None, attr.into(), item.into()).into()
}

/// `#[route]` for `GET` (and `HEAD`).
#[proc_macro_attribute]
pub fn get(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("GET"), attr.into(), item.into()).into()
}

/// `#[route]` for `POST`.
#[proc_macro_attribute]
pub fn post(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("POST"), attr.into(), item.into()).into()
}

/// `#[route]` for `PUT`.
#[proc_macro_attribute]
pub fn put(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("PUT"), attr.into(), item.into()).into()
}

/// `#[route]` for `PATCH`.
#[proc_macro_attribute]
pub fn patch(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("PATCH"), attr.into(), item.into()).into()
}

/// `#[route]` for `DELETE`.
#[proc_macro_attribute]
pub fn delete(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("DELETE"), attr.into(), item.into()).into()
}

/// A URL for a `#[route]` handler, checked at compile time:
/// `url_for!(user, id = 5)` is a `carafe::UrlFor`. A name that is not a
/// route handler, a missing value, a name that is not a rule variable or a
/// value of the wrong type fail the build.
#[proc_macro]
pub fn url_for(input: TokenStream) -> TokenStream {
    url_for::expand(input.into()).into()
}
