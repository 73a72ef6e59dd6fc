use carafe::prelude::*;

#[get("/")]
fn index<T: Default>() -> &'static str {
    ""
}

fn main() {}
