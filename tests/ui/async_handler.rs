use carafe::prelude::*;

#[get("/")]
async fn index() -> &'static str {
    ""
}

fn main() {}
