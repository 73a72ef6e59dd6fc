use carafe::prelude::*;

#[get(42)]
fn index() -> &'static str {
    ""
}

fn main() {}
