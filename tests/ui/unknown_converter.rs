use carafe::prelude::*;

#[get("/paint/<color:c>")]
fn paint(c: String) -> String {
    c
}

fn main() {}
