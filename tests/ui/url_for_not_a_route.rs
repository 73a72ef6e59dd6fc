use carafe::prelude::*;

struct Plain;

fn main() {
    let _ = url_for!(Plain);
}
