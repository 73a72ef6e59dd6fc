//! URL pieces of a request, with Werkzeug's semantics.
//!
//! The raw accessors ([`Request::script_root`], [`Request::path_info`],
//! [`Request::query_string`]) give the bytes of the wire, percent-encoded. The
//! pieces here are what Werkzeug's request gives:
//!
//! | method | for `http://example.com:80/app/a%20b?x=%C3%A9` mounted at `/app` |
//! |---|---|
//! | [`path`](Request::path) | `/a b` (decoded) |
//! | [`root_path`](Request::root_path) | `/app` (decoded) |
//! | [`full_path`](Request::full_path) | `/a b?x=%C3%A9` |
//! | [`url`](Request::url) | `http://example.com/app/a%20b?x=é` |
//! | [`base_url`](Request::base_url) | `http://example.com/app/a%20b` |
//! | [`root_url`](Request::root_url) | `http://example.com/app/` |
//! | [`host_url`](Request::host_url) | `http://example.com/` |
//!
//! URLs are IRIs, as in Werkzeug: percent-encoded UTF-8 is shown decoded,
//! except controls, space, `%` and the delimiters of the part (`/ ? #` in the
//! path, `& = + #` in the query), which stay encoded so the URL keeps its
//! meaning. The host drops the scheme's default port; a host with characters
//! that cannot be in a host name is left out (empty), as Werkzeug does.
//! Unlike Werkzeug, an encoded slash (`%2F`) in the path stays encoded in the
//! URL (Werkzeug's WSGI path has already decoded it), and a Punycode host is
//! not decoded to Unicode.

use std::fmt::Write as _;

use super::Request;
use crate::urlencoded::requote_invalid_utf8;

const PATH_SAFE: &[u8] = b"!$&'()*+,/:;=@%";
const QUERY_SAFE: &[u8] = b"!$&'()*+,/:;=?@%";
const PATH_KEEP: &[u8] = b"/?#";
const QUERY_KEEP: &[u8] = b"&=+#";

impl Request {
    /// The path below the mount point, percent-decoded (Werkzeug's `path`).
    /// Bytes that are not UTF-8 stay percent-encoded.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// assert_eq!(Request::get("/caf%C3%A9/a%2Fb%FF").path(), "/café/a/b%FF");
    /// ```
    pub fn path(&self) -> String {
        let decoded = decode(self.path_info());
        if decoded.starts_with('/') {
            decoded
        } else {
            format!("/{decoded}")
        }
    }

    /// The mount point, percent-decoded, without a trailing slash (Werkzeug's
    /// `root_path`, also known as `script_root`; the raw value is
    /// [`script_root`](Self::script_root)).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::get("/my%20app/x").script_root("/my%20app").build();
    /// assert_eq!(request.script_root(), "/my%20app");
    /// assert_eq!(request.root_path(), "/my app");
    /// ```
    pub fn root_path(&self) -> String {
        decode(self.fields.script_root.trim_end_matches('/'))
    }

    /// The decoded path and the raw query string, joined by `?` (Werkzeug's
    /// `full_path`: the `?` is there even without a query).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// assert_eq!(Request::get("/bar?foo=baz").full_path(), "/bar?foo=baz");
    /// assert_eq!(Request::get("/bar").full_path(), "/bar?");
    /// ```
    pub fn full_path(&self) -> String {
        format!("{}?{}", self.path(), self.query_string())
    }

    /// The full URL: scheme, host, mount point, path and query.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::get("http://example.com/test/bar?foo=baz")
    ///     .script_root("/test")
    ///     .build();
    /// assert_eq!(request.path(), "/bar");
    /// assert_eq!(request.url(), "http://example.com/test/bar?foo=baz");
    /// assert_eq!(request.base_url(), "http://example.com/test/bar");
    /// assert_eq!(request.root_url(), "http://example.com/test/");
    /// assert_eq!(request.host_url(), "http://example.com/");
    /// ```
    pub fn url(&self) -> String {
        let mut url = self.base_url();
        let query = self.query_string();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&iri(query, QUERY_SAFE, QUERY_KEEP));
        }
        url
    }

    /// The URL without the query string.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// assert_eq!(Request::get("http://h.example/a?b=c").base_url(), "http://h.example/a");
    /// ```
    pub fn base_url(&self) -> String {
        let mut url = self.root_url();
        url.push_str(&iri(
            self.path_info().trim_start_matches('/'),
            PATH_SAFE,
            PATH_KEEP,
        ));
        url
    }

    /// The scheme, host and mount point, ending with `/`: the root the
    /// application is reached at (Werkzeug's `root_url` / `url_root`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::get("https://h.example/shop/cart").script_root("/shop").build();
    /// assert_eq!(request.root_url(), "https://h.example/shop/");
    /// ```
    pub fn root_url(&self) -> String {
        let mut url = format!("{}://{}", self.fields.scheme, self.url_host());
        url.push_str(&iri(
            self.fields.script_root.trim_end_matches('/'),
            PATH_SAFE,
            PATH_KEEP,
        ));
        url.push('/');
        url
    }

    /// The scheme and host only, ending with `/`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// assert_eq!(Request::get("https://h.example:443/a").host_url(), "https://h.example/");
    /// ```
    pub fn host_url(&self) -> String {
        format!("{}://{}/", self.fields.scheme, self.url_host())
    }

    /// The host as it goes in a URL: without the scheme's default port, and
    /// empty when it holds characters a host cannot have (Werkzeug's
    /// `get_host`).
    fn url_host(&self) -> &str {
        let default_port = match self.fields.scheme.as_str() {
            "http" | "ws" => ":80",
            "https" | "wss" => ":443",
            _ => "",
        };
        let host = self.host();
        let host = match default_port {
            "" => host,
            port => host.strip_suffix(port).unwrap_or(host),
        };
        if is_valid_host(host) { host } else { "" }
    }
}

/// `host[:port]` where host is a name or IPv4 (`[a-z0-9.-]+`) or a bracketed
/// IPv6 address.
fn is_valid_host(host: &str) -> bool {
    let (name, port) = match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') => (&host[..colon], Some(&host[colon + 1..])),
        _ => (host, None),
    };
    let name_ok = if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    name_ok && port_ok
}

/// Percent-decodes a path (no `+` rule), re-encoding bytes that are not UTF-8.
fn decode(raw: &str) -> String {
    requote_invalid_utf8(percent_encoding::percent_decode_str(raw).collect())
}

/// Werkzeug's `uri_to_iri(quote(part, safe))` for one part of a URL.
fn iri(raw: &str, safe: &[u8], keep: &[u8]) -> String {
    let mut quoted = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || safe.contains(&byte) {
            quoted.push(byte as char);
        } else {
            let _ = write!(quoted, "%{byte:02X}");
        }
    }
    let bytes = quoted.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) if byte > 0x20 && byte != b'%' && byte != 0x7f && !keep.contains(&byte) => {
                out.push(byte);
                i += 3;
            }
            Some(_) => {
                out.extend_from_slice(&bytes[i..i + 3]);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    requote_invalid_utf8(out)
}

#[cfg(test)]
mod tests {
    use crate::test::RequestBuilder;

    // Werkzeug tests/test_wrappers.py::test_url_request_descriptors.
    #[test]
    fn werkzeug_url_request_descriptors() {
        let request = RequestBuilder::get("http://example.com/test/bar?foo=baz")
            .script_root("/test")
            .build();
        assert_eq!(request.path(), "/bar");
        assert_eq!(request.full_path(), "/bar?foo=baz");
        assert_eq!(request.root_path(), "/test");
        assert_eq!(request.url(), "http://example.com/test/bar?foo=baz");
        assert_eq!(request.base_url(), "http://example.com/test/bar");
        assert_eq!(request.root_url(), "http://example.com/test/");
        assert_eq!(request.host_url(), "http://example.com/");
        assert_eq!(request.host(), "example.com");
        assert_eq!(request.scheme().as_str(), "http");

        let request = RequestBuilder::get("https://example.com/test/bar?foo=baz")
            .script_root("/test")
            .build();
        assert_eq!(request.scheme().as_str(), "https");
    }

    // Werkzeug test_url_request_descriptors_query_quoting.
    #[test]
    fn werkzeug_query_quoting() {
        let quoted = "http%3A%2F%2Fwww.example.com%2F%3Fnext%3D%2Fbaz%23my%3Dhash";
        let unquoted = "http://www.example.com/?next%3D/baz%23my%3Dhash";
        let request = RequestBuilder::get(&format!("http://example.com/bar?next={quoted}")).build();
        assert_eq!(request.path(), "/bar");
        assert_eq!(request.full_path(), format!("/bar?next={quoted}"));
        assert_eq!(
            request.url(),
            format!("http://example.com/bar?next={unquoted}")
        );
    }

    // Werkzeug test_request_repr: the URL of a non-ASCII path is an IRI.
    #[test]
    fn werkzeug_iri_path() {
        let request = RequestBuilder::get("/%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82").build();
        assert_eq!(request.url(), "http://localhost/привет");
        assert_eq!(request.path(), "/привет");
    }

    #[test]
    fn reserved_and_invalid_bytes_stay_encoded() {
        let request =
            RequestBuilder::get("/a%2Fb%20c%3Fd%25e%FF?q=a%26b%3Dc%2Bd%20e%C3%A9").build();
        assert_eq!(request.path(), "/a/b c?d%e%FF");
        assert_eq!(
            request.url(),
            "http://localhost/a%2Fb%20c%3Fd%25e%FF?q=a%26b%3Dc%2Bd%20eé"
        );
    }

    #[test]
    fn default_ports_are_dropped_and_bad_hosts_left_out() {
        let request = RequestBuilder::get("/x")
            .header("host", "example.com:80")
            .build();
        assert_eq!(request.host_url(), "http://example.com/");
        let request = RequestBuilder::get("/x")
            .header("host", "example.com:8080")
            .build();
        assert_eq!(request.host_url(), "http://example.com:8080/");
        let request = RequestBuilder::get("https://example.com:443/x").build();
        assert_eq!(request.url(), "https://example.com/x");
        let request = RequestBuilder::get("/x")
            .header("host", "[::1]:8000")
            .build();
        assert_eq!(request.url(), "http://[::1]:8000/x");
        let request = RequestBuilder::get("/x")
            .header("host", "evil.com/x?")
            .build();
        assert_eq!(request.url(), "http:///x");
    }

    #[test]
    fn mounted_paths_join_without_double_slashes() {
        let request = RequestBuilder::get("/app/page")
            .script_root("/app/")
            .build();
        assert_eq!(request.script_root(), "/app/");
        assert_eq!(request.path_info(), "/page");
        assert_eq!(request.url(), "http://localhost/app/page");
        assert_eq!(request.root_url(), "http://localhost/app/");
    }
}
