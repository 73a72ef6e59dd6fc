//! The glue between hyper 1 and the gateway trait (feature `hyper`).
//!
//! Both Carafe servers (the development server and the production server)
//! serve applications through this module, and so can anyone who runs hyper
//! or axum ([`AppService`], a `tower-service` adapter).
//!
//! - A [`Gateway`] holds an [`Application`](crate::Application), an
//!   [`Executor`] (where handlers run) and a [`GatewayConfig`] (limits and
//!   timeouts); [`Gateway::serve_connection`] serves one connection with
//!   hyper's HTTP/1.1 state machine until it closes.
//! - Requests: the head is checked first ([`check_head`]: gunicorn's request
//!   line, header count and field size limits → `414`/`431`; RFC 9112's Host
//!   rules → `400`), then the body reaches the handler as a blocking stream
//!   bounded by the limits the application sets
//!   ([`Request::set_limits`](crate::Request::set_limits)). A small body is
//!   read into memory first; a larger one is bridged: the handler reads on a
//!   thread where blocking is allowed while the connection's task feeds it,
//!   one chunk when asked (never ahead, so a `413` stops the reading), at a
//!   minimum rate.
//! - Responses: bytes go out as they are; a reader or a chunk iterator is
//!   read one chunk per job on tokio's blocking pool ([`ResponseStream`]), so
//!   no runtime thread blocks and a client that does not read holds no thread.
//! - A panicking handler is a `500` ([`call_app`]); the worker lives.
//! - Timeouts: the head must arrive within `header_read_timeout`, idle
//!   keep-alive connections close after `keepalive` (both counted by one
//!   timer per connection that ticks a few times per timeout, not one armed
//!   per request), a stalled write fails after `write_timeout`.
//! - Strictness hyper lacks: a bare LF as a line end in a request head is a
//!   `400` (a smuggling vector between a lenient front proxy and a server).
//! - Graceful stop: a [`Shutdown`] fired makes every connection finish its
//!   request in progress and answer its next one with `Connection: close`
//!   (never closing under a client that may be sending a request).
//!
//! For a server: accept connections, decide the [`Peer`] (its address,
//! whether it is a trusted proxy), and drive
//! [`Gateway::serve_connection`] on a tokio runtime; the [`Executor`] decides
//! where handlers run (the production server uses its own thread pool, the
//! development server one handler thread; [`BlockingPool`] and
//! [`InlineWhenBuffered`] are ready-made). A server that wants its own panic page (a
//! debugger) wraps the application in a middleware that catches the panic
//! first; [`call_app`] only catches what is left.
//!
//! ```
//! use carafe_wrappers::hyper::{Gateway, GatewayConfig, Peer};
//! use carafe_wrappers::{Request, Response};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let gateway = Gateway::new(|_: Request| Response::text("hello"))
//!     .with_config(GatewayConfig::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let address = listener.local_addr().unwrap();
//! tokio::spawn(async move {
//!     let (stream, peer) = listener.accept().await.unwrap();
//!     gateway.serve_connection(stream, Peer::new(Some(peer)), std::future::pending()).await;
//! });
//! # let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
//! # use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! # stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
//! # let mut answer = String::new();
//! # stream.read_to_string(&mut answer).await.unwrap();
//! # assert!(answer.ends_with("hello"));
//! # });
//! ```

mod access;
mod config;
mod connection;
mod dispatch;
mod gateway;
mod head;
mod io;
mod request_body;
mod respond;
mod response_body;
mod service;
mod shutdown;
mod strict;
mod watchdog;

pub use access::{AccessObserver, AccessRecord};
pub use config::GatewayConfig;
pub use connection::{ConnectionEnd, ResponseFuture};
pub use dispatch::{BlockingPool, Executor, InlineWhenBuffered, Job, call_app, error_response};
pub use gateway::{Gateway, Peer};
pub use head::{HeadError, HeadLimits, check_head};
pub use response_body::{OnComplete, ResponseStream, Spawner};
pub use service::AppService;
pub use shutdown::{Shutdown, ShutdownWatch};

#[cfg(test)]
mod framing_tests;
#[cfg(test)]
mod tests;
