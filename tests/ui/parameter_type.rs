use carafe::prelude::*;

#[get("/users/<name>")]
fn user(name: u32) -> String {
    name.to_string()
}

fn main() {}
