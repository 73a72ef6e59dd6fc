//! Static files from folders, before the application: Werkzeug's
//! `SharedDataMiddleware` (what `run_simple(static_files=...)` installs).

use std::path::PathBuf;

use carafe_wrappers::{Application, Request, Response, send_from_directory};
use http::{Method, StatusCode};

/// Serves `GET` and `HEAD` requests under URL prefixes from folders, with
/// `ETag`, `Last-Modified`, conditional and range requests
/// ([`send_from_directory`]: `safe_join`, no dotfiles, no symbolic links
/// out of the folder). A path that names no file there, and every other
/// method, goes to the application, as in Werkzeug.
///
/// Files are read at each request, so an edited file is served at once.
///
/// # Examples
///
/// ```
/// use carafe_devserver::StaticFiles;
/// use carafe_wrappers::{Application, Request, Response};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("hello.txt"), "hello-static").unwrap();
/// let app = StaticFiles::new(|_: Request| Response::text("from the app"))
///     .with_directory("/static", dir.path());
///
/// let file = app.handle(Request::get("/static/hello.txt"));
/// assert_eq!(file.status(), 200);
/// assert!(file.headers().contains_key("etag"));
/// let missing = app.handle(Request::get("/static/nothing.txt"));
/// assert_eq!(missing.status(), 200, "falls through to the app");
/// ```
#[derive(Debug)]
pub struct StaticFiles<A> {
    app: A,
    exports: Vec<(String, PathBuf)>,
}

impl<A: Application> StaticFiles<A> {
    /// Wraps `app`, with no folder yet.
    pub fn new(app: A) -> Self {
        Self {
            app,
            exports: Vec::new(),
        }
    }

    /// Returns this middleware serving `directory` under `url_prefix` (a
    /// path such as `/static`; a trailing slash is ignored).
    #[must_use]
    pub fn with_directory(mut self, url_prefix: &str, directory: impl Into<PathBuf>) -> Self {
        let prefix = url_prefix.trim_end_matches('/');
        let prefix = if prefix.starts_with('/') || prefix.is_empty() {
            prefix.to_owned()
        } else {
            format!("/{prefix}")
        };
        self.exports.push((prefix, directory.into()));
        self
    }

    /// The file path below an export, for a decoded request path.
    fn lookup<'p>(&self, path: &'p str) -> Option<(&PathBuf, &'p str)> {
        self.exports.iter().find_map(|(prefix, directory)| {
            let rest = path.strip_prefix(prefix.as_str())?.strip_prefix('/')?;
            (!rest.is_empty()).then_some((directory, rest))
        })
    }
}

impl<A: Application> Application for StaticFiles<A> {
    fn handle(&self, request: Request) -> Response {
        if matches!(*request.method(), Method::GET | Method::HEAD) {
            let path = request.path();
            if let Some((directory, rest)) = self.lookup(&path) {
                match send_from_directory(directory.clone(), rest, &request) {
                    Ok(response) => return response,
                    Err(error) if error.status() == StatusCode::NOT_FOUND => {}
                    Err(error) => return error.into_response_for(&request),
                }
            }
        }
        self.app.handle(request)
    }
}

#[cfg(test)]
mod tests {
    use carafe_wrappers::test::Client;

    use super::*;

    type Handler = fn(Request) -> Response;

    fn app() -> (tempfile::TempDir, Client<StaticFiles<Handler>>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/hello.txt"), "hello-static").unwrap();
        std::fs::write(dir.path().join("static/.hidden"), "DOTFILE").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "TOPSECRET").unwrap();
        std::os::unix::fs::symlink("../secret.txt", dir.path().join("static/escape")).unwrap();
        fn fallback(_: Request) -> Response {
            Response::text("app").with_status(StatusCode::NOT_FOUND)
        }
        let app = StaticFiles::new(fallback as Handler)
            .with_directory("static/", dir.path().join("static"));
        (dir, Client::new(app))
    }

    #[test]
    fn serves_files_with_validators() {
        let (_dir, client) = app();
        let response = client.get("/static/hello.txt").send();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text(), "hello-static");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let again = client
            .get("/static/hello.txt")
            .header("if-none-match", etag)
            .send();
        assert_eq!(again.status(), 304);
        let range = client
            .get("/static/hello.txt")
            .header("range", "bytes=0-4")
            .send();
        assert_eq!(range.status(), 206);
        assert_eq!(range.text(), "hello");
    }

    #[test]
    fn refuses_escapes_and_dotfiles() {
        let (_dir, client) = app();
        for path in [
            "/static/../secret.txt",
            "/static/%2e%2e/secret.txt",
            "/static/%2e%2e%2fsecret.txt",
            "/static/.hidden",
            "/static/escape",
            "/static/hello.txt%00",
            "/static/",
            "/static",
        ] {
            let response = client.get(path).send();
            assert_eq!(response.text(), "app", "{path} falls through");
        }
    }

    #[test]
    fn other_methods_go_to_the_app() {
        let (_dir, client) = app();
        assert_eq!(client.post("/static/hello.txt").send().text(), "app");
        assert_eq!(client.head("/static/hello.txt").send().status(), 200);
    }
}
