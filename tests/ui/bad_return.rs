use carafe::prelude::*;

#[get("/")]
fn index() -> Vec<String> {
    Vec::new()
}

fn main() {}
