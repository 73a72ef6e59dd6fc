use carafe::prelude::*;

#[route("/", method = ["GET"])]
fn index() -> &'static str {
    ""
}

fn main() {}
