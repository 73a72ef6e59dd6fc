//! The Jinja2 role on Tera 2: an [`Environment`] with loaders, autoescaping by file
//! type, auto-reload in development, Jinja2's missing filters, and a
//! [sandbox] for templates written by untrusted people. Usable with no web
//! crate at all: emails, reports, static pages.
//!
//! ```
//! use carafe_templating::{Context, Environment, MemoryLoader};
//!
//! let env = Environment::builder()
//!     .loader(MemoryLoader::new()
//!         .with("base.html", "<h1>{% block title %}{% endblock title %}</h1>{% block body %}{% endblock body %}")
//!         .with("users.html", r#"{% extends "base.html" %}
//! {%- block title %}{{ title }}{% endblock title %}
//! {%- block body %}{% for user in users %}<p>{{ user.name }} ({{ user.disk | filesizeformat }})</p>{% endfor %}{% endblock body %}"#))
//!     .global("title", "Users & groups")
//!     .build()?;
//!
//! let mut context = Context::new();
//! context.insert("users", &serde_json::json!([{"name": "Ada <admin>", "disk": 1500000}]));
//! assert_eq!(
//!     env.render("users.html", &context)?,
//!     "<h1>Users &amp; groups</h1><p>Ada &lt;admin&gt; (1.5 MB)</p>"
//! );
//! # Ok::<(), carafe_templating::Error>(())
//! ```
//!
//! # The pieces
//!
//! - [`Environment`]: built once by [`EnvironmentBuilder`], rendered from many threads.
//!   Templates come from [loaders](Loader): [`DirLoader`] (a directory, never following
//!   a link out of it), [`MemoryLoader`], [`EmbeddedLoader`] (compiled into the binary,
//!   with [`embed_templates!`] or [`write_embed_manifest`]), combined with
//!   [`ChainLoader`] (first hit wins) and [`PrefixLoader`] (`admin/...` from another
//!   source).
//! - Autoescaping by extension (`.html .htm .xml .svg` by default), with MarkupSafe's
//!   escaper ([`escape_markupsafe`]): pages are byte-for-byte Jinja2's.
//! - [Errors](Error) that point at the template, the line and the column, show the line,
//!   and name the closest known filter, function, test, variable, field or template.
//! - Auto-reload ([`EnvironmentBuilder::auto_reload`]): a changed, added or removed
//!   template is seen on the next render; a broken edit keeps the last good version
//!   serving and is reported (logged, and in [`Environment::reload_error`]). Off, the
//!   environment is frozen and a render is a direct call into Tera.
//! - [`RenderScope`]: per-render values for filters and functions (the current request
//!   for `url_for`), without rebuilding the environment.
//! - [`filters`]: the Jinja2 filters Tera lacks (`tojson`, `urlencode`, `date`,
//!   `filesizeformat`, `wordwrap`, `striptags`, `dictsort`, `groupby`, ...).
//! - [`sandbox`]: an allow-list policy and caps for untrusted templates, and
//!   [`isolated`] rendering in child processes under hard CPU, memory and wall-clock
//!   limits.
//! - [`data`]: template data from JSON, YAML or TOML, in document order.
//! - The `carafe-render` binary renders a template from the command line:
//!   `carafe-render [--dir DIR] [--sandbox] [--isolated] [--data FILE] [--out FILE] TEMPLATE`.
//! - The [Jinja2 guide](guide) maps Jinja2 constructs (macros → components, call
//!   blocks, loop variables, filter names) to Tera 2.
//!
//! # For frameworks
//!
//! A web framework (Carafe's App) builds one `Environment` at startup with its
//! globals and functions (`url_for`, `static_url`, `csrf_token`) and renders per
//! request with [`Environment::render_with`], passing the request-bound values in a
//! [`RenderScope`]; the functions read them with [`RenderScope::current`]. The
//! environment never changes per request, so it needs no lock. Errors carry a
//! [`Location`] (template, file, line, column, source line) for a debug page.
//!
//! # What Tera 2 gives, and what this crate builds around it
//!
//! Facts found by reading Tera 2.4's source, which this crate relies on:
//!
//! - **Validation at load.** `add_raw_templates` parses every template and checks that
//!   each filter, test, function, component, included template and parent exists,
//!   across the whole set. So filters must be registered before templates load, and
//!   a whole set loads or nothing does. The builder registers everything first; the
//!   reloader keeps the last good set when a new one fails; `carafe-render` loads only
//!   the templates the rendered one needs ([`needed_by`]).
//! - **Errors.** Syntax and render errors carry a span (line, character column, byte
//!   range) and the template name; load-time checks (unknown names) come as one
//!   preformatted text. Both are turned into [`Error`] with a [`Location`] and a
//!   "did you mean" from the names the environment knows.
//! - **Limits Tera has**: parser recursion 40 and 256 operations per expression,
//!   component recursion 20, `range` at 100,000 items, include cycles refused at load.
//!   **Hooks it lacks**: nothing runs per loop iteration, per component call, or inside
//!   an expression; no output limit; the escaper is a plain `fn`; builtin filters cannot
//!   be removed. The sandbox therefore rewrites each template to call its own hooks (a
//!   loop's length is charged before it starts, values set are measured, component
//!   calls counted), renders through a bounded writer, replaces the builtin filters
//!   that can grow their output, and stubs the denied ones; see [`sandbox`].
//! - **Magic variable** `__tera_context` dumps the whole context; the sandbox refuses
//!   every `__` name.
//! - **Map order**: Tera's `preserve_order` feature is enabled, so maps keep insertion
//!   order as Python dicts do.
//!
//! # IO boundary
//!
//! Loaders read files; [`isolated`] starts processes; everything else (parsing,
//! rendering, the sandbox's scan and rewrite, the filters) works on strings.
//!
//! # Features
//!
//! | feature | default | what |
//! |---|---|---|
//! | `formats` | yes | YAML and TOML data ([`data::Format`]); needed by `carafe-render` |
#![forbid(unsafe_code)]

mod builder;
pub mod data;
mod diagnostics;
mod environment;
mod error;
mod escape;
pub mod filters;
#[cfg(unix)]
pub mod isolated;
mod loader;
mod reload;
pub mod sandbox;
mod scope;
mod suggest;

#[doc = include_str!("../docs/jinja2.md")]
pub mod guide {}

pub use builder::EnvironmentBuilder;
pub use environment::{DEFAULT_AUTOESCAPE, Environment};
pub use error::{Cap, Error, ForbiddenKind, Location};
pub use escape::{escape_html, escape_markupsafe};
pub use loader::{
    ChainLoader, DirLoader, EmbeddedLoader, Loader, MemoryLoader, PrefixLoader, Source, needed_by,
    write_embed_manifest,
};
pub use scope::RenderScope;

pub use tera;
pub use tera::{Context, Kwargs, State, Value};
