//! The reloader: a supervisor process that owns the listening socket,
//! rebuilds on changes and swaps app processes, and the app process's side
//! of that protocol.

mod ansi;
mod cargo_build;
pub(crate) mod child;
mod error_page;
mod fnmatch;
mod inherit;
mod locate;
mod metadata;
pub(crate) mod spec;
mod state;
pub(crate) mod supervisor;
mod watch;
