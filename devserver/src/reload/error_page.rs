//! The page the supervisor answers every request with while there is no
//! app process to serve: the last build failed, or the app exited.

use std::fmt::Write;
use std::sync::{Arc, PoisonError, RwLock};

use carafe_wrappers::{Application, Request, Response};
use http::StatusCode;

use super::ansi;
use super::cargo_build::BuildReport;
use crate::html::{self, escape};

/// Why there is no app process.
#[derive(Debug, Clone)]
pub(crate) enum Problem {
    /// The last build failed.
    Build(Arc<BuildReport>),
    /// The new app process exited before it was ready.
    Startup(String),
    /// The app process exited on its own.
    Exited(String),
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The HTML for `problem`.
pub(crate) fn render(problem: &Problem) -> String {
    let mut body = String::new();
    match problem {
        Problem::Build(report) => {
            let errors: Vec<_> = report.errors().collect();
            let warnings: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.level == "warning")
                .collect();
            let _ = write!(
                body,
                "<h1>Build failed</h1>\n<p><code>{}</code> failed after {:.1} s with {}. \
                 Every request gets this page until a build succeeds: save a file to \
                 rebuild.</p>\n",
                escape(&report.command),
                report.duration.as_secs_f64(),
                plural(errors.len(), "error")
            );
            if !errors.is_empty() {
                body.push_str("<ul>\n");
                for error in &errors {
                    let _ = writeln!(
                        body,
                        "<li><code>{}</code> {}</li>",
                        escape(error.location.as_deref().unwrap_or("")),
                        escape(&error.message)
                    );
                }
                body.push_str("</ul>\n");
            }
            for error in &errors {
                let _ = writeln!(
                    body,
                    "<pre class=\"terminal\">{}</pre>",
                    ansi::to_html(&error.rendered)
                );
            }
            if !warnings.is_empty() {
                let _ = writeln!(
                    body,
                    "<details><summary>{}</summary>",
                    plural(warnings.len(), "warning")
                );
                for warning in &warnings {
                    let _ = writeln!(
                        body,
                        "<pre class=\"terminal\">{}</pre>",
                        ansi::to_html(&warning.rendered)
                    );
                }
                body.push_str("</details>\n");
            }
            let _ = write!(
                body,
                "<details{}><summary>cargo's output</summary>\n<pre class=\"terminal\">{}</pre>\n</details>\n",
                if errors.is_empty() { " open" } else { "" },
                ansi::to_html(&report.output)
            );
        }
        Problem::Startup(status) => {
            let _ = write!(
                body,
                "<h1>The app did not start</h1>\n<p>The new app process exited ({}) before it \
                 was ready to serve. Its output is in the terminal. Save a file to rebuild.</p>\n",
                escape(status)
            );
        }
        Problem::Exited(status) => {
            let _ = write!(
                body,
                "<h1>The app exited</h1>\n<p>The app process exited ({}). Its output is in the \
                 terminal. Save a file to rebuild and restart it.</p>\n",
                escape(status)
            );
        }
    }
    body.push_str("<footer>Carafe development server (reloader).</footer>");
    let title = match problem {
        Problem::Build(_) => "Build failed",
        Problem::Startup(_) => "The app did not start",
        Problem::Exited(_) => "The app exited",
    };
    html::page(&format!("{title} // Carafe"), &body)
}

/// Answers every request with the current page.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorApp {
    page: Arc<RwLock<String>>,
}

impl ErrorApp {
    pub(crate) fn set(&self, problem: &Problem) {
        *self.page.write().unwrap_or_else(PoisonError::into_inner) = render(problem);
    }
}

impl Application for ErrorApp {
    fn handle(&self, _: Request) -> Response {
        let page = self
            .page
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut response = html::response(StatusCode::INTERNAL_SERVER_ERROR, page);
        response.headers_mut().insert(
            "x-carafe-devserver",
            http::HeaderValue::from_static("no-app"),
        );
        // Browsers keep the connection for the next request, which may find
        // the app back.
        response.headers_mut().remove(http::header::CONNECTION);
        response
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::reload::cargo_build::Diagnostic;

    #[test]
    fn build_errors_with_locations_and_colours() {
        let report = BuildReport {
            success: false,
            executable: None,
            diagnostics: vec![
                Diagnostic {
                    level: "error".to_owned(),
                    message: "mismatched types".to_owned(),
                    location: Some("src/main.rs:3:18".to_owned()),
                    rendered:
                        "\u{1b}[1;31merror\u{1b}[0m: <mismatched> types\n --> src/main.rs:3:18\n"
                            .to_owned(),
                },
                Diagnostic {
                    level: "warning".to_owned(),
                    message: "unused".to_owned(),
                    location: None,
                    rendered: "warning: unused".to_owned(),
                },
            ],
            output: "error: could not compile `app`".to_owned(),
            command: "cargo build --bin app".to_owned(),
            duration: Duration::from_millis(1500),
        };
        let html = render(&Problem::Build(Arc::new(report)));
        assert!(html.contains("<h1>Build failed</h1>"));
        assert!(html.contains("failed after 1.5 s with 1 error"));
        assert!(html.contains("<li><code>src/main.rs:3:18</code> mismatched types</li>"));
        assert!(html.contains(
            "<span style=\"font-weight:bold;color:#f14c4c;\">error</span>: &lt;mismatched&gt; types"
        ));
        assert!(html.contains("<summary>1 warning</summary>"));
        assert!(html.contains("could not compile `app`"));
        assert!(!html.contains('\u{1b}'));
    }

    #[test]
    fn every_request_gets_the_page() {
        let app = ErrorApp::default();
        app.set(&Problem::Exited("exit status: 3".to_owned()));
        let response = app.handle(Request::get("/anything"));
        assert_eq!(response.status(), 500);
        assert_eq!(response.headers()["x-carafe-devserver"], "no-app");
        let client = carafe_wrappers::test::Client::new(app);
        assert!(client.post("/x").send().text().contains("exit status: 3"));
    }
}
