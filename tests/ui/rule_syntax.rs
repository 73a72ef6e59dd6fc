use carafe::prelude::*;

#[get("/users/<int:>")]
fn user() -> &'static str {
    ""
}

fn main() {}
