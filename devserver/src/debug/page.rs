//! The debug page's HTML.

use std::fmt::Write;

use super::capture::Panic;
use super::frames::{AppContext, Frame, crate_of, source_lines};
use super::snapshot::{FormKeys, Snapshot};
use crate::html::escape;

/// Source lines shown around a frame of the application.
const AROUND: u32 = 4;

/// The page for `panic` while answering `request`.
pub(crate) fn render(
    panic: &Panic,
    frames: &[Frame],
    request: &Snapshot,
    context: &AppContext,
) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Panic in a handler</h1>\n<p class=\"message\">{}</p>\n<p>at <code>{}</code> in thread <code>{}</code></p>\n",
        escape(&panic.message),
        escape(panic.location.as_deref().unwrap_or("an unknown location")),
        escape(&panic.thread),
    );
    body.push_str("<h2>Backtrace (most recent call first)</h2>\n");
    if frames.is_empty() {
        body.push_str(
            "<p>No backtrace: another panic hook replaced the development server's.</p>\n",
        );
    }
    render_frames(&mut body, frames, context);
    render_request(&mut body, request);
    body.push_str(
        "<footer>Carafe development server. This page is shown to clients on this machine \
         (loopback) by debug builds only; nothing on it runs code. The server goes on \
         serving.</footer>",
    );
    crate::html::page(&format!("{} // Carafe debug page", panic.message), &body)
}

fn location(frame: &Frame) -> String {
    match (&frame.file, frame.line, frame.column) {
        (Some(file), Some(line), Some(column)) => format!("{}:{line}:{column}", file.display()),
        (Some(file), Some(line), None) => format!("{}:{line}", file.display()),
        (Some(file), None, _) => file.display().to_string(),
        (None, ..) => String::new(),
    }
}

/// Where the development server's own frames start (the debug page's
/// wrapper and what called it): they are folded into one group.
fn server_frames_start(frames: &[Frame]) -> usize {
    frames
        .iter()
        .position(|frame| {
            frame
                .function
                .contains("carafe_devserver::debug::DebugPage")
        })
        .unwrap_or(frames.len())
}

fn render_frames(body: &mut String, frames: &[Frame], context: &AppContext) {
    let server = server_frames_start(frames);
    render_app_frames(body, &frames[..server], context);
    if server < frames.len() {
        let _ = writeln!(
            body,
            "<details><summary>{} frames of the development server (hyper, tokio)</summary>",
            frames.len() - server
        );
        for frame in &frames[server..] {
            render_frame_line(body, frame);
        }
        body.push_str("</details>\n");
    }
}

fn render_frame_line(body: &mut String, frame: &Frame) {
    let _ = writeln!(
        body,
        "<div class=\"frame\"><code>{}</code> <span class=\"loc\">{}</span></div>",
        escape(&frame.function),
        escape(&location(frame))
    );
}

fn render_app_frames(body: &mut String, frames: &[Frame], context: &AppContext) {
    let mut index = 0;
    while index < frames.len() {
        if frames[index].user {
            render_user_frame(body, &frames[index], context);
            index += 1;
            continue;
        }
        let end = frames[index..]
            .iter()
            .position(|frame| frame.user)
            .map_or(frames.len(), |offset| index + offset);
        let group = &frames[index..end];
        let mut crates: Vec<&str> = Vec::new();
        for frame in group {
            let name = crate_of(&frame.function);
            // Crate names are lowercase; `<F as Trait>` names a type parameter.
            let is_crate = name.starts_with(|c: char| c.is_ascii_lowercase());
            if is_crate && !crates.contains(&name) {
                crates.push(name);
            }
        }
        let _ = writeln!(
            body,
            "<details><summary>{} frame{} in {}</summary>",
            group.len(),
            if group.len() == 1 { "" } else { "s" },
            escape(&crates.join(", "))
        );
        for frame in group {
            render_frame_line(body, frame);
        }
        body.push_str("</details>\n");
        index = end;
    }
}

fn render_user_frame(body: &mut String, frame: &Frame, context: &AppContext) {
    let _ = writeln!(
        body,
        "<div class=\"frame user\"><div><code class=\"function\">{}</code></div>\
         <div class=\"loc\">{}</div>",
        escape(&frame.function),
        escape(&location(frame))
    );
    let lines = match (&frame.file, frame.line) {
        (Some(file), Some(line)) => context
            .locate(file)
            .and_then(|path| source_lines(&path, line, AROUND)),
        _ => None,
    };
    if let (Some(lines), Some(current)) = (lines, frame.line) {
        body.push_str("<pre class=\"source\">");
        for (number, text) in lines {
            let line = format!(
                "<span class=\"lineno\">{number:>5} </span>{}",
                escape(&text)
            );
            if number == current {
                let _ = writeln!(body, "<span class=\"current\">{line}</span>");
            } else {
                let _ = writeln!(body, "{line}");
            }
        }
        body.push_str("</pre>\n");
    }
    body.push_str("</div>\n");
}

fn render_request(body: &mut String, request: &Snapshot) {
    body.push_str("<h2>Request</h2>\n<table>\n");
    let version = format!("{:?}", request.version);
    let client = request
        .remote_addr
        .map_or_else(|| "-".to_owned(), |address| address.to_string());
    for (name, value) in [
        ("Method", request.method.as_str()),
        ("URL", request.url.as_str()),
        ("Version", version.as_str()),
        ("Client", client.as_str()),
    ] {
        let _ = writeln!(
            body,
            "<tr><th>{name}</th><td><code>{}</code></td></tr>",
            escape(value)
        );
    }
    let query = request.query_keys();
    if !query.is_empty() {
        let _ = writeln!(
            body,
            "<tr><th>Query keys</th><td><code>{}</code></td></tr>",
            escape(&query.join(", "))
        );
    }
    match request.form_keys() {
        FormKeys::None => {}
        FormKeys::Keys { fields, files } => {
            let _ = writeln!(
                body,
                "<tr><th>Form keys</th><td><code>{}</code></td></tr>",
                escape(&fields.join(", "))
            );
            if !files.is_empty() {
                let _ = writeln!(
                    body,
                    "<tr><th>File keys</th><td><code>{}</code></td></tr>",
                    escape(&files.join(", "))
                );
            }
        }
        FormKeys::Unavailable(reason) => {
            let _ = writeln!(
                body,
                "<tr><th>Form keys</th><td>not shown: {}</td></tr>",
                escape(&reason)
            );
        }
    }
    body.push_str("</table>\n<h2>Headers</h2>\n<table>\n");
    for (name, value) in &request.headers {
        let _ = writeln!(
            body,
            "<tr><th><code>{}</code></th><td><code>{}</code></td></tr>",
            escape(name.as_str()),
            escape(&String::from_utf8_lossy(value.as_bytes()))
        );
    }
    body.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, user: bool) -> Frame {
        Frame {
            function: function.to_owned(),
            file: Some("src/main.rs".into()),
            line: Some(3),
            column: Some(5),
            user,
        }
    }

    #[test]
    fn groups_library_and_server_frames() {
        let frames = [
            frame("core::option::unwrap_failed", false),
            frame("myapp::index", true),
            frame("core::ops::function::Fn::call", false),
            frame(
                "<F as carafe_wrappers::application::Application>::handle",
                false,
            ),
            frame(
                "<carafe_devserver::debug::DebugPage<A> as carafe_wrappers::application::Application>::handle::{{closure}}",
                false,
            ),
            frame("tokio::runtime::task::raw::poll", false),
        ];
        let mut body = String::new();
        render_frames(&mut body, &frames, &AppContext::default());
        assert_eq!(body.matches("class=\"frame user\"").count(), 1);
        assert!(
            body.contains("<summary>1 frame in core</summary>"),
            "{body}"
        );
        assert!(
            body.contains("<summary>2 frames in core</summary>"),
            "{body}"
        );
        assert!(
            body.contains("<summary>2 frames of the development server (hyper, tokio)</summary>")
        );
        assert!(body.contains("<span class=\"loc\">src/main.rs:3:5</span>"));
    }
}
