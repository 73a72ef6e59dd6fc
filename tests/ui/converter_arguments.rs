use carafe::prelude::*;

#[get("/n/<int(digits=3):n>")]
fn number(n: i64) -> String {
    n.to_string()
}

fn main() {}
