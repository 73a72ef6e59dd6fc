//! The README's main example: a Flask-style "hello" app.
//!
//! Run: `cargo run --example hello`
//!
//! ```text
//! GET / -> 200 OK: Hello, World!
//! GET /hello/Carafe -> 200 OK: Hello, Carafe!
//! ```
//!
//! Handlers are plain functions with a route attribute; the rule's
//! variables arrive as typed parameters. Until the servers are wired to the
//! app's command line, `main` answers a few requests in-process through the
//! test client (what the tests do too).

use carafe::prelude::*;
use carafe::wrappers::test::Client;

#[get("/")]
fn index() -> &'static str {
    "Hello, World!"
}

#[get("/hello/<name>")]
fn hello(name: String) -> String {
    format!("Hello, {name}!")
}

/// The app: every route registered once, by name.
fn app() -> App {
    App::builder().register(index).register(hello).build()
}

fn main() {
    let client = Client::new(app());
    for path in ["/", "/hello/Carafe"] {
        let response = client.get(path).send();
        println!("GET {path} -> {}: {}", response.status(), response.text());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_hello() {
        let client = Client::new(app());
        assert_eq!(client.get("/").send().text(), "Hello, World!");
        assert_eq!(client.get("/hello/Ada").send().text(), "Hello, Ada!");
        assert_eq!(client.get("/hello/").send().status(), 404);
    }
}
