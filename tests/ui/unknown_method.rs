use carafe::prelude::*;

#[route("/", methods = ["GET", "FETCH"])]
fn index() -> &'static str {
    ""
}

fn main() {}
