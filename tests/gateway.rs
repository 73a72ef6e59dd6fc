//! The gateway trait across crates: the root package re-exports the toolkit.

use carafe::wrappers::{Application, Request, Response};

#[test]
fn a_closure_is_an_application() {
    let app = |request: Request| Response::text(request.path_info().to_owned());
    let response = app.handle(Request::get("/through/the/facade"));
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.body().length(),
        Some("/through/the/facade".len() as u64)
    );
}
