use carafe::prelude::*;

#[get("/")]
fn index(count: u32) -> String {
    count.to_string()
}

fn main() {}
