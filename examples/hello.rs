//! The README's main example.
//!
//! Run: `cargo run --example hello`
//!
//! Until the App lands (issue 6) this answers one in-process request through
//! the gateway trait and prints the response.

use carafe::wrappers::{Application, Request, Response};

fn hello(request: Request) -> Response {
    Response::text(format!("Hello from {}!", request.path_info()))
}

fn main() {
    let response = hello.handle(Request::get("/carafe"));
    println!("{} {:?}", response.status(), response.body());
}
