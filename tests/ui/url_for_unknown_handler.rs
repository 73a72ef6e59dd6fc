use carafe::prelude::*;

#[get("/")]
fn index() -> &'static str {
    ""
}

fn main() {
    let _ = url_for!(indx);
}
