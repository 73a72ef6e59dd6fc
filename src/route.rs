//! What `#[route]` generates: a [`Route`] type per handler, collected in
//! the binary with `inventory`.

use std::any::TypeId;

use carafe_routing::{Rule, Values};
use carafe_wrappers::{Request, Response};

use crate::setup_error::Site;

/// A handler defined with `#[route]`, `#[get]`, `#[post]`, `#[put]`,
/// `#[patch]` or `#[delete]`: the attribute keeps the function as it is
/// and adds a (hidden) struct of the same name, in the type namespace only,
/// implementing this trait; `url_for!` and [`UrlFor::route`](crate::UrlFor::route)
/// name it. Register the function with
/// [`register`](crate::AppBuilder::register), or every route of the binary
/// (or of one module) with [`register_all`](crate::AppBuilder::register_all) /
/// [`register_module`](crate::AppBuilder::register_module).
///
/// Implement it by hand only to build your own route macros.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a route handler",
    label = "not a function marked with #[route], #[get], #[post], ...",
    note = "`url_for!` and `register` take the name of a function marked with a route attribute"
)]
pub trait Route: Send + Sync + Sized + 'static {
    /// The endpoint name: the function's name (or the attribute's
    /// `endpoint = "..."`).
    const ENDPOINT: &'static str;

    /// Where the attribute is.
    const SITE: Site;

    /// The route value.
    const HANDLER: Self;

    /// The values `url_for!` takes: a struct with one field per rule
    /// variable, typed like the handler's parameter.
    type UrlArgs;

    /// The rule: pattern, endpoint, methods and options from the attribute.
    fn rule() -> Rule;

    /// Extracts the parameters and calls the function.
    fn call(&self, request: &Request, values: Values<'_>) -> Response;
}

/// One `#[route]` of the binary, collected with `inventory`.
#[doc(hidden)]
#[derive(Debug)]
pub struct RouteEntry {
    pub(crate) module: &'static str,
    pub(crate) register: fn(crate::scaffold::Scaffold) -> crate::scaffold::Scaffold,
    /// The `TypeId` of the function item (what `register(f)` receives).
    pub(crate) function: fn() -> TypeId,
}

impl RouteEntry {
    /// The entry of route `R`, defined in `module`, for the function whose
    /// type id `function` returns.
    pub const fn new<R: Route>(module: &'static str, function: fn() -> TypeId) -> Self {
        RouteEntry {
            module,
            register: crate::scaffold::Scaffold::register_route::<R>,
            function,
        }
    }

    /// Whether the route is defined in `module` or one of its submodules.
    pub(crate) fn is_in(&self, module: &str) -> bool {
        self.module == module
            || (self.module.starts_with(module) && self.module[module.len()..].starts_with("::"))
    }
}

inventory::collect!(RouteEntry);

/// Every `#[route]` of the binary, sorted by module then endpoint so the
/// order does not depend on the linker.
pub(crate) fn entries() -> Vec<&'static RouteEntry> {
    let mut all: Vec<&'static RouteEntry> = inventory::iter::<RouteEntry>.into_iter().collect();
    all.sort_by_key(|entry| entry.module);
    all
}

/// The entry of the `#[route]` function whose item type is `F`.
pub(crate) fn entry_of<F: 'static>() -> Option<&'static RouteEntry> {
    let id = TypeId::of::<F>();
    inventory::iter::<RouteEntry>
        .into_iter()
        .find(|entry| (entry.function)() == id)
}

/// The type id of a value's type (of a function item, for `register`).
#[doc(hidden)]
pub fn type_id_of<T: 'static>(_: &T) -> TypeId {
    TypeId::of::<T>()
}
