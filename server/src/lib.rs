//! The production server: gunicorn's pre-fork master/worker model on hyper.
//!
//! A **master** process binds the listening sockets, starts `workers` worker
//! processes that share them, never touches a client, and is driven by
//! signals. Each **worker** runs the application made by your factory on a
//! tokio runtime with hyper, serving many connections at once and running
//! blocking handlers without stalling the others.
//!
//! ```no_run
//! use carafe_server::{Server, Settings};
//! use carafe_wrappers::{Request, Response};
//!
//! fn app(request: Request) -> Response {
//!     Response::text(format!("hello from {}", request.path_info()))
//! }
//!
//! fn main() {
//!     // flags > CARAFE_* environment > --config file > defaults
//!     let settings = Settings::from_args(std::env::args().skip(1)).unwrap_or_else(|error| {
//!         eprintln!("error: {error}");
//!         std::process::exit(1)
//!     });
//!     // The factory runs once in every worker process.
//!     if let Err(error) = Server::new(settings).run(|| app) {
//!         eprintln!("error: {error}");
//!         std::process::exit(1);
//!     }
//! }
//! ```
//!
//! Run it with `--bind 127.0.0.1:8000 --workers 4`; `carafe_server::usage()`
//! is the `--help` text. `examples/hello.rs` is this program.
//!
//! # Settings
//!
//! gunicorn's names and defaults where gunicorn has the setting; Carafe's own
//! are marked (C). Every setting has a flag, an environment variable
//! `CARAFE_<NAME>` and a TOML key `<name>`.
//!
//! | setting | flag | default |
//! |---|---|---|
//! | `config` | `-c`, `--config FILE` | none |
//! | `bind` (list) | `-b`, `--bind ADDR` | `127.0.0.1:8000` (`0.0.0.0:$PORT` if `PORT` is set) |
//! | `backlog` | `--backlog N` | 2048 |
//! | `reuse_port` | `--reuse-port` | off |
//! | `workers` | `-w`, `--workers N` | 1 (`$WEB_CONCURRENCY` if set) |
//! | `threads` | `--threads N` | 16 handler threads per worker |
//! | `io_threads` (C) | `--io-threads N` | 0: the CPUs divided among the workers, at least 1 |
//! | `scheduler` (C) | `--scheduler S` | `adaptive` (see *Scheduling*) |
//! | `worker_connections` | `--worker-connections N` | 1000 |
//! | `max_requests`, `max_requests_jitter` | `--max-requests N`, `--max-requests-jitter N` | 0 (never), 0 |
//! | `timeout` | `-t`, `--timeout S` | 30 s |
//! | `graceful_timeout` | `--graceful-timeout S` | 30 s |
//! | `keepalive` | `--keep-alive S` | 2 s (0: no keep-alive) |
//! | `limit_request_line` | `--limit-request-line N` | 4094 (0: unlimited) |
//! | `limit_request_fields` | `--limit-request-fields N` | 100 |
//! | `limit_request_field_size` | `--limit-request-field-size N` | 8190 (0: unlimited) |
//! | `header_timeout` (C) | `--header-timeout S` | 30 s |
//! | `write_timeout` (C) | `--write-timeout S` | 30 s |
//! | `body_min_rate`, `body_rate_grace` (C) | `--body-min-rate B`, `--body-rate-grace S` | 240 bytes/s, 5 s |
//! | `forwarded_allow_ips` | `--forwarded-allow-ips LIST` | `127.0.0.1,::1` (`$FORWARDED_ALLOW_IPS` if set) |
//! | `secure_scheme_headers` | `--secure-scheme-headers H=V,...` | `X-FORWARDED-PROTOCOL=ssl`, `X-FORWARDED-PROTO=https`, `X-FORWARDED-SSL=on` |
//! | `accesslog` | `--access-logfile FILE` (`-`: stdout) | none |
//! | `errorlog` | `--error-logfile FILE`, `--log-file` (`-`: stderr) | `-` |
//! | `loglevel` | `--log-level L` | `info` |
//! | `pidfile` | `-p`, `--pid FILE` | none |
//! | `user`, `group` | `-u`, `--user`, `-g`, `--group` | unchanged (workers switch after fork) |
//! | `umask` | `-m`, `--umask OCTAL` | 0 |
//!
//! **Precedence**, later wins: defaults; `WEB_CONCURRENCY`, `PORT`,
//! `FORWARDED_ALLOW_IPS` (gunicorn's environment defaults); the TOML file
//! (`--config`, or `CARAFE_CONFIG`); `CARAFE_<NAME>` variables;
//! `CARAFE_CMD_ARGS` (flags in one variable, split like a shell would —
//! gunicorn's `GUNICORN_CMD_ARGS`: above the file, below the command line);
//! the command line. A list setting (`bind`) given by a source replaces the
//! earlier sources' list. An unknown flag or config-file key is an error
//! that suggests the closest one (`--wokers` → did you mean `--workers`?).
//! The server reads only its own environment variables: other `CARAFE_`
//! variables belong to the app's configuration (`CARAFE_ENV`,
//! `CARAFE_SECRET_KEY`, `CARAFE_APP__...`) and are ignored, as gunicorn
//! ignores what it does not read; one that looks like a misspelt setting
//! (`CARAFE_WORKRES`) is listed by
//! [`Settings::ignored_env`](crate::Settings::ignored_env), and the App's
//! `serve` command warns about it. `HUP` reads every source again.
//!
//! ```toml
//! # server.toml — the role of gunicorn.conf.py
//! bind = ["0.0.0.0:8000", "unix:/run/app.sock"]
//! workers = 4
//! timeout = 60
//! accesslog = "/var/log/app/access.log"
//! [secure_scheme_headers]
//! X-Forwarded-Proto = "https"
//! ```
//!
//! # Binding
//!
//! `bind` takes `HOST:PORT` (every address a name resolves to), `[IPv6]:PORT`,
//! `unix:PATH` (a stale socket file is replaced; the file is removed at
//! shutdown; `umask` applies) and `fd://N` (an inherited listening socket).
//! Sockets passed by systemd (`LISTEN_FDS` with `LISTEN_PID` = this process)
//! are all used and `bind` is ignored. A binary upgrade passes the sockets to
//! the new master in `CARAFE_FDS` (matched to `bind` by address). Peers on a
//! Unix socket are trusted proxies, as in gunicorn.
//!
//! # Signals
//!
//! | signal | master |
//! |---|---|
//! | `TTIN` / `TTOU` | one worker more / less (the oldest stops gracefully; never fewer than 1) |
//! | `CHLD` | reap; a worker that died is replaced at once — after 100 ms, 200 ms, … up to 10 s when workers keep dying within a second of their start (crash loop); if the very first worker fails to boot (the factory panicked), the master exits with an error |
//! | `HUP` | re-read the settings, open new binds, start a new generation of workers, and stop the old ones gracefully once the new ones accept connections (if they never do, the old ones stay) |
//! | `TERM` | graceful shutdown: workers stop accepting, finish their requests (within `graceful_timeout`, then `KILL`), the master exits 0 |
//! | `INT`, `QUIT` | fast shutdown: workers exit at once |
//! | `USR1` | reopen the log files (log rotation), in the master and the workers |
//! | `USR2` | binary upgrade: start a new master from the executable on disk (same arguments) with the listening sockets inherited; the pid file becomes `PIDFILE.oldbin`. Send `TERM` to the old master once the new one serves: it drains while the new one accepts |
//!
//! No transition refuses a connection or fails a request: stopping workers
//! stop accepting (the shared socket's queue stays with the other workers),
//! finish the request in progress with `Connection: close`, and answer the
//! next request of an idle keep-alive connection (with `Connection: close`)
//! instead of closing under a client that may be sending one. The test
//! `every_transition_under_load_refuses_no_connection_and_fails_no_request`
//! runs TTIN, TTOU, HUP, USR2 and TERM of the old master under keep-alive
//! and new-connection load with zero failures; `max_requests` recycling
//! likewise.
//!
//! # Workers
//!
//! A worker serves up to `worker_connections` connections (more wait in the
//! listen queue, where other workers can take them), with HTTP/1.1
//! keep-alive closed after `keepalive` of idleness. Handlers are blocking code
//! (see *Scheduling*): a handler that sleeps delays no other request. A
//! panicking handler is a `500` (its panic goes to the error log) and the
//! worker lives. Every second (or `timeout / 4`) a worker sends a heartbeat
//! to the master over a pipe; the master kills (`KILL`) and replaces a worker
//! silent for longer than `timeout`, or one that reports a handler running
//! longer than `timeout`. A worker that served `max_requests` (+ a random
//! `0..=max_requests_jitter`) tells the master, which starts its replacement
//! at once, and stops gracefully.
//!
//! # Limits
//!
//! | limit | over it |
//! |---|---|
//! | request line > `limit_request_line` | `414`, close |
//! | more than `limit_request_fields` header fields | `431`, close |
//! | a header field line > `limit_request_field_size` | `431` naming the field, close |
//! | a head larger than hyper's buffer (~400 KiB) | `431`, close |
//! | HTTP/1.1 without `Host`, two `Host`s, an invalid `Host` (RFC 9112 §3.2) | `400` |
//! | a bare LF as a line end in a head (smuggling, RFC 9112 §2.2) | `400`, close |
//! | malformed framing (CL+TE, bad chunk sizes, …) | hyper: `400`, close |
//! | head not complete within `header_timeout` (counted from the end of the previous request or the accept) | dropped without an answer, 1 to 1.25 times `header_timeout` late |
//! | body larger than the application's `max_content_length` ([`Request::set_limits`](carafe_wrappers::Request::set_limits)) | the application's `413`; a declared length is refused before a byte is read; an unread body closes the connection |
//! | body arriving slower than `body_min_rate` after `body_rate_grace` while the application reads it | the read fails (`TimedOut`), the response closes the connection |
//! | a client not reading a response for `write_timeout` | connection dropped |
//! | idle keep-alive longer than `keepalive` | closed |
//!
//! Bodies up to 16 KiB are read before the handler runs; larger ones are
//! streamed to it, one chunk when it asks (never ahead).
//!
//! # Logs
//!
//! The error log has gunicorn's format,
//! `[2026-11-23 21:47:53 +0000] [PID] [INFO] message`. The access log has
//! Apache's combined format, time in UTC:
//! `127.0.0.1 - - [23/Nov/2026:21:47:54 +0000] "GET /a?b=c HTTP/1.1" 200 13 "referer" "user agent"`
//! (quotes and control bytes escaped). Workers write through a log thread of
//! their own.
//!
//! # Process control and `unsafe`
//!
//! The crate denies `unsafe` except in its process-control module
//! (`process.rs`), which uses it for exactly these operations:
//!
//! - `fork(2)` (worker start, binary upgrade): sound because the master is
//!   single-threaded. [`Server::run`] refuses to start in a process that runs
//!   more than one thread ([`Error::Threaded`]), and the master never starts
//!   one: no runtime, no log thread, a `poll(2)` loop. The child therefore
//!   holds no lock another thread could own.
//! - `sigaction(2)`: the master's handler writes the signal number to a
//!   non-blocking pipe (async-signal-safe, errno preserved); a child resets
//!   every handled signal to its default right after `fork` (a worker that
//!   inherited the master's handlers would ignore `TERM`), keeps `SIGPIPE`
//!   ignored, and unblocks all signals.
//! - closing the master's fds in a child and adopting inherited sockets by
//!   number (`LISTEN_FDS`, `CARAFE_FDS`, `fd://N`), after checking with
//!   `fstat(2)` that the fd is an open socket.
//!
//! **Fork, not re-exec, for workers.** gunicorn can re-execute its binary for
//! each worker (`reexec`); Carafe forks. Forking is cheap (a replacement
//! serves within milliseconds, measured below 1 s under load by the test
//! `a_killed_worker_is_replaced_within_a_second_and_others_are_unaffected`),
//! needs no serialisation of the settings, and lets the factory be any
//! closure. Its hazard — forking a process whose other threads hold locks —
//! is excluded by the single-thread check above and by starting every thread
//! (runtime, handler pool, log writers) in the worker after the fork. A
//! re-exec is used where only it can work: `USR2` starts the new executable.
//!
//! # Scheduling
//!
#![doc = include_str!("../docs/scheduling.md")]
//!
//! # Benchmark
//!
#![doc = include_str!("../docs/benchmark.md")]
//!
//! # Tests
//!
//! `tests/main.rs` runs `tests/support/testapp.rs` (the HTTP-level routes of
//! the attack-corpus contract, plus routes that sleep, panic and report the
//! worker pid) as a real server on 127.0.0.1. `.ci/run` also runs the ignored
//! tests: the attack-corpus replay (`replay.py` with `--pid`, every HTTP-level
//! case, the slow modes included) and 60 s of wrk with an RSS check.
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
