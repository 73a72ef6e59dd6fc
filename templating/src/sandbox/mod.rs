//! A sandbox for templates written by untrusted people: user-editable emails, CMS
//! pages.
//!
//! ```
//! use carafe_templating::{Cap, Context, Error, sandbox::{Caps, Sandbox}};
//!
//! let sandbox = Sandbox::builder()
//!     .template("welcome.html", "<p>Hello {{ user.name | title }}!</p>")
//!     .template("loop.html", "{% for i in range(end=10000) %}{% for j in range(end=10000) %}{% endfor %}{% endfor %}")
//!     .build()
//!     .unwrap();
//!
//! let mut context = Context::new();
//! context.insert("user", &serde_json::json!({"name": "ada <lovelace>"}));
//! assert_eq!(sandbox.render("welcome.html", &context).unwrap(), "<p>Hello Ada &lt;Lovelace&gt;!</p>");
//!
//! // 100 million iterations are refused before they run.
//! let err = sandbox.render("loop.html", &context).unwrap_err();
//! assert_eq!(err.cap(), Some(Cap::Iterations));
//!
//! // Only the sandbox's own templates, and nothing that reveals the whole context.
//! let err = Sandbox::builder().template("a.html", "{{ __tera_context }}").build().unwrap_err();
//! assert!(matches!(err, Error::Forbidden { .. }));
//! ```
//!
//! # Policy
//!
//! - **Allow-lists** of filters, functions and tests. By default: Tera's built-in
//!   filters and tests, the Carafe [filters](crate::filters), and the functions
//!   `range` and `throw`. None of them reads the file system, the environment or the
//!   network. Narrow the lists with
//!   [`deny_filter`](SandboxBuilder::deny_filter) (e.g. `safe`, so authors cannot
//!   inject HTML) or [`allow_filters`](SandboxBuilder::allow_filters); custom
//!   filters registered on the builder are allowed. A template using something not
//!   allowed is refused when the sandbox is built ([`Error::Forbidden`]), and the
//!   denied built-ins are replaced by stubs that fail, should one slip through.
//! - **Its own templates only**: `include` and `extends` can name only templates
//!   given to this sandbox; components are those defined in them.
//! - **The context holds only what the caller passed**: no globals unless given to
//!   [`global`](SandboxBuilder::global), and the identifiers starting with `__` (Tera's
//!   `__tera_context` dumps every variable) are refused.
//!
//! # Caps
//!
//! See [`Caps`] for the list and the defaults. Exceeding one aborts the render with
//! [`Error::CapExceeded`] naming the cap; other renders and the process are not
//! affected. Caps are enforced by hooks the sandbox inserts into each template when it
//! is built (see `scan.rs` for the rewrite table): a loop's iterations are charged
//! *before* it starts, a value set with `set` is measured, every component call is
//! counted, the output writer counts bytes and reads the clock, and the filters whose
//! output can outgrow their input (`replace`, `join`, `indent`, `upper`, `escape`,
//! `range`, ... and all Carafe filters) compute the size of their result before
//! building it. A panic inside Tera or a filter is caught and reported as
//! [`Error::Panicked`].
//!
//! # What in-process caps cannot bound
//!
//! Tera has no hook inside an expression. A single expression can still do a bounded
//! but large amount of work before the next check: Tera limits an expression to 256
//! operations, so `{{ s ~ s ~ s ~ ... }}` on a string at `max_string_bytes` can
//! allocate up to 256 times that; text captured by a `set` block, a `filter` section
//! or a component body is measured when the capture ends, not while it grows; and the
//! clock is only read between those steps. For templates from people you do not
//! trust at all, render in [isolated mode](crate::isolated): a child process with hard
//! CPU, memory and wall-clock limits that the kernel enforces.

mod bounded;
pub(crate) mod budget;
mod builder;
mod caps;
mod hooks;
mod lex;
mod policy;
pub(crate) mod scan;
mod writer;

pub use budget::{check_collection_len, check_string_len};
pub use builder::SandboxBuilder;
pub use caps::Caps;

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};

use tera::Context;

use crate::Error;
use crate::environment::Compiled;
use crate::scope::{self, Frame, RenderScope};
use budget::Budget;
use writer::BoundedWriter;

/// A set of untrusted templates, checked against a policy and instrumented for the
/// caps when built. Rendering takes `&self`; a sandbox can be shared between threads.
pub struct Sandbox {
    pub(crate) compiled: Compiled,
    pub(crate) caps: Caps,
}

impl Sandbox {
    /// Starts configuring a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::new()
    }

    /// Renders a template within the caps.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Cap, Context, sandbox::{Caps, Sandbox}};
    ///
    /// let sandbox = Sandbox::builder()
    ///     .caps(Caps::default().max_output_bytes(100))
    ///     .template("big.txt", "{% for i in range(end=1000) %}{{ i }}{% endfor %}")
    ///     .build()
    ///     .unwrap();
    /// let err = sandbox.render("big.txt", &Context::new()).unwrap_err();
    /// assert_eq!(err.cap(), Some(Cap::OutputSize));
    /// assert_eq!(err.to_string(), "sandbox cap `max_output_bytes` exceeded (limit: 100 bytes)");
    /// ```
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Error> {
        let mut out = Vec::with_capacity(1024);
        self.render_to(name, context, &mut out)?;
        String::from_utf8(out).map_err(|e| Error::Render {
            message: format!("the output is not UTF-8: {e}"),
            location: None,
        })
    }

    /// Renders into a writer; at most `max_output_bytes` reach it.
    pub fn render_to(&self, name: &str, context: &Context, out: impl Write) -> Result<(), Error> {
        self.render_scoped(name, context, None, out)
    }

    /// Renders with per-render values for the custom filters and functions (see
    /// [`RenderScope`]).
    pub fn render_with(
        &self,
        name: &str,
        context: &Context,
        scope: &RenderScope,
    ) -> Result<String, Error> {
        let mut out = Vec::with_capacity(1024);
        self.render_scoped(name, context, Some(scope.clone()), &mut out)?;
        String::from_utf8(out).map_err(|e| Error::Render {
            message: format!("the output is not UTF-8: {e}"),
            location: None,
        })
    }

    fn render_scoped(
        &self,
        name: &str,
        context: &Context,
        scope: Option<RenderScope>,
        out: impl Write,
    ) -> Result<(), Error> {
        let guard = scope::enter(Frame {
            scope,
            budget: Some(Budget::new(self.caps)),
        });
        let writer = BoundedWriter::new(out, self.caps.max_output_bytes);
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            self.compiled.tera.render_to(name, context, writer)
        }));
        let budget = guard.finish().and_then(|frame| frame.budget);
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(self.error(error, budget.as_ref())),
            Err(panic) => Err(Error::Panicked {
                message: panic_message(&*panic),
            }),
        }
    }

    fn error(&self, error: tera::Error, budget: Option<&Budget>) -> Error {
        let converted = self.compiled.error(error);
        let location = converted.location().cloned().map(Box::new);
        let Some(budget) = budget else {
            return converted;
        };
        if let Some(cap) = budget.violation() {
            return Error::CapExceeded {
                cap,
                limit: self.caps.limit(cap).unwrap_or_default(),
                location,
            };
        }
        if let Some((kind, name)) = budget.forbidden() {
            return Error::Forbidden {
                kind,
                name,
                location,
            };
        }
        converted
    }

    /// The caps this sandbox enforces.
    pub fn caps(&self) -> &Caps {
        &self.caps
    }

    /// The names of the sandbox's templates, sorted.
    pub fn template_names(&self) -> Vec<String> {
        self.compiled.names.templates.iter().cloned().collect()
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("templates", &self.template_names())
            .field("caps", &self.caps)
            .finish()
    }
}

/// The text of a caught panic.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}
