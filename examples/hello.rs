//! The README's main example: a Flask-style "hello" app.
//!
//! ```text
//! cargo run --example hello              # answers two requests in-process and exits
//! cargo run --example hello -- dev       # the development server on 127.0.0.1:5000
//! cargo run --example hello -- serve     # the production server
//! cargo run --example hello -- routes    # the URL rules
//! ```
//!
//! Handlers are plain functions with a route attribute; the rule's
//! variables arrive as typed parameters. `main` hands the app factory to the
//! app's command line; without a command it shows the app answering
//! through the test client:
//!
//! ```text
//! GET / -> 200 OK: Hello, World!
//! GET /hello/Carafe -> 200 OK: Hello, Carafe!
//! ```

use std::process::ExitCode;

use carafe::prelude::*;

#[get("/")]
fn index() -> &'static str {
    "Hello, World!"
}

#[get("/hello/<name>")]
fn hello(name: String) -> String {
    format!("Hello, {name}!")
}

/// The app: every route registered once, by name.
pub(crate) fn create_app() -> App {
    App::builder().register(index).register(hello).build()
}

fn main() -> ExitCode {
    if std::env::args_os().len() > 1 {
        return carafe::cli::run(create_app);
    }
    let client = carafe::wrappers::test::Client::new(create_app());
    for path in ["/", "/hello/Carafe"] {
        let response = client.get(path).send();
        println!("GET {path} -> {}: {}", response.status(), response.text());
    }
    println!("\nserve it: cargo run --example hello -- dev   (or serve, routes, check, --help)");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use carafe::wrappers::test::Client;

    #[test]
    fn says_hello() {
        let client = Client::new(create_app());
        assert_eq!(client.get("/").send().text(), "Hello, World!");
        assert_eq!(client.get("/hello/Ada").send().text(), "Hello, Ada!");
        assert_eq!(client.get("/hello/").send().status(), 404);
    }
}
