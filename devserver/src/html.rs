//! HTML pieces shared by the debug page and the build error page.

use carafe_wrappers::Response;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONNECTION, CONTENT_TYPE, HeaderValue};

/// Escapes `&`, `<`, `>`, `"` and `'` (MarkupSafe's set).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The style sheet of the development server's pages.
pub(crate) const STYLE: &str = "\
body{margin:0;padding:1em 2em;font:15px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;color:#1b1b1b;background:#fafafa}\
h1{font-size:1.6em;margin:.4em 0;color:#a31515}h2{font-size:1.2em;margin:1.4em 0 .5em;border-bottom:1px solid #ccc}\
code,pre,.loc{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\
pre{background:#fff;border:1px solid #ddd;padding:.6em .8em;overflow-x:auto;white-space:pre}\
pre.terminal{background:#1e1e1e;color:#ddd;border-color:#1e1e1e}\
.message{font-size:1.15em;white-space:pre-wrap;background:#fff3f3;border-left:4px solid #a31515;padding:.5em .8em}\
.frame{margin:.2em 0;padding:.2em .6em}.frame .loc{color:#666}\
.frame.user{background:#fff;border:1px solid #e0b4b4;border-left:4px solid #a31515;padding:.4em .8em;margin:.6em 0}\
.frame.user .function{font-weight:600}.current{background:#ffe8a3;display:inline-block;min-width:100%}\
.lineno{color:#999;user-select:none}details{margin:.3em 0;color:#555}summary{cursor:pointer}\
table{border-collapse:collapse}td,th{text-align:left;vertical-align:top;padding:.15em 1em .15em 0}\
th{font-weight:600;white-space:nowrap}footer{margin-top:2em;color:#777;font-size:.9em}";

/// A complete page: `title`, then `body` (already HTML).
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        escape(title)
    )
}

/// A `status` response with `html` that is never cached and closes the
/// connection.
pub(crate) fn response(status: StatusCode, html: String) -> Response {
    let mut response = Response::html(html).with_status(status);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn pages_escape_their_title() {
        let html = page("<script>", "<p>body</p>");
        assert!(html.contains("<title>&lt;script&gt;</title>"));
        assert!(html.contains("<p>body</p>"));
    }
}
