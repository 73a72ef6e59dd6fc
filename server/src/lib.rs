//! The production server: gunicorn's pre-fork master/worker model on hyper.
//!
//! *Docs being written.*
#![deny(unsafe_code)]

mod access_log;
mod bind;
mod error;
mod forwarded;
mod heartbeat;
mod listeners;
mod log;
mod master;
mod process;
mod server;
mod settings;
mod worker;

pub use bind::Bind;
pub use error::Error;
pub use forwarded::ForwardedAllowIps;
pub use server::Server;
pub use settings::{LogLevel, LogTarget, Scheduler, Settings, usage};
