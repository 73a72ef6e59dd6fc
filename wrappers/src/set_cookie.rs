//! Writing cookies: the `Set-Cookie` response header (RFC 6265).

use std::fmt;
use std::fmt::Write as _;
use std::time::Duration;

use http::HeaderValue;
use http::header::SET_COOKIE;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::Response;
use crate::headers::HttpDate;
use crate::headers::syntax::is_token;
use crate::idna::domain_to_ascii;

/// The `SameSite` cookie attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent only with same-site requests.
    Strict,
    /// Sent with same-site requests and top-level navigations (the default).
    Lax,
    /// Sent with cross-site requests too (browsers require `Secure`).
    None,
}

/// A cookie could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetCookieError {
    /// The name is empty or not an RFC 6265 token (separators, spaces,
    /// control characters, non-ASCII).
    InvalidName {
        /// The name given.
        name: String,
    },
    /// The domain holds characters a host name cannot.
    InvalidDomain {
        /// The domain given.
        domain: String,
    },
    /// The whole `Set-Cookie` value exceeds the size browsers keep (they
    /// drop such a cookie silently).
    TooLarge {
        /// The cookie's name.
        name: String,
        /// The size of the header value, in bytes.
        size: usize,
        /// The limit ([`SetCookie::DEFAULT_MAX_SIZE`] unless changed).
        limit: usize,
    },
}

impl fmt::Display for SetCookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetCookieError::InvalidName { name } => write!(f, "invalid cookie name {name:?}"),
            SetCookieError::InvalidDomain { domain } => {
                write!(f, "invalid cookie domain {domain:?}")
            }
            SetCookieError::TooLarge { name, size, limit } => write!(
                f,
                "cookie {name:?} is too large: {size} bytes (limit: {limit}); browsers drop it silently"
            ),
        }
    }
}

impl std::error::Error for SetCookieError {}

/// A cookie to set: name, value and attributes, written by
/// [`Response::set_cookie`].
///
/// **Defaults differ from Werkzeug's on purpose**: `Path=/`, `HttpOnly` and
/// `SameSite=Lax` are on unless turned off (Werkzeug's `set_cookie` defaults
/// to `Path=/` only). Scripts then cannot read the cookie and cross-site
/// requests other than top-level navigations do not carry it, which is what
/// session and CSRF cookies need. Turn them off with
/// [`with_http_only(false)`](Self::with_http_only) and
/// [`with_same_site(None)`](Self::with_same_site).
///
/// Nothing given reaches the header raw: a value with characters outside
/// RFC 6265's cookie-octets is quoted and escaped the way Werkzeug (and
/// Python's `http.cookies`) do (`;` → `\073`, CR → `\015`); the path is
/// percent-encoded; the domain is checked and IDNA-encoded; a name that is not
/// a token is an error.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe_wrappers::{Response, SetCookie, SameSite};
///
/// let mut response = Response::text("ok");
/// response.set_cookie(SetCookie::new("session", "abc")).unwrap();
/// assert_eq!(response.headers()["set-cookie"], "session=abc; HttpOnly; Path=/; SameSite=Lax");
///
/// let cookie = SetCookie::new("c", "a; Domain=evil.example")
///     .with_max_age(Duration::from_secs(60))
///     .with_same_site(Some(SameSite::Strict));
/// let value = cookie.to_header_value().unwrap();
/// assert!(value.to_str().unwrap().starts_with(r#"c="a\073 Domain=evil.example"; Expires="#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    name: String,
    value: String,
    max_age: Option<u64>,
    expires: Option<HttpDate>,
    path: Option<String>,
    domain: Option<String>,
    secure: bool,
    http_only: bool,
    same_site: Option<SameSite>,
    partitioned: bool,
    max_size: usize,
}

/// Characters kept as is in a `Path` (Werkzeug: the URL path-segment set
/// and `%`, but not `;`).
const PATH_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'%')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b'/')
    .remove(b':')
    .remove(b'=')
    .remove(b'@');

/// Whether `value` can be sent unquoted (Werkzeug's `_cookie_no_quote_re`).
fn needs_no_quotes(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_!#$%&'()*+-./:<=>?@[]^`{|}~".contains(&b))
}

/// Quotes `value`, escaping `"` and `\` with a backslash and control
/// characters, `,`, `;` and non-ASCII bytes as three octal digits.
fn quote_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for b in value.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x00..=0x19 | b',' | b';' | 0x7f..=0xff => {
                let _ = write!(out, "\\{b:03o}");
            }
            _ => out.push(char::from(b)),
        }
    }
    out.push('"');
    out
}

impl SetCookie {
    /// Browsers keep cookies of about 4 KiB; Werkzeug warns above this size.
    pub const DEFAULT_MAX_SIZE: usize = 4093;

    /// A session cookie `name=value` with the safe defaults (`Path=/`,
    /// `HttpOnly`, `SameSite=Lax`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// let cookie = SetCookie::new("foo", "bar baz blub").with_http_only(false).with_same_site(None);
    /// assert_eq!(cookie.to_header_value().unwrap(), r#"foo="bar baz blub"; Path=/"#);
    /// ```
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            max_age: None,
            expires: None,
            path: Some("/".to_owned()),
            domain: None,
            secure: false,
            http_only: true,
            same_site: Some(SameSite::Lax),
            partitioned: false,
            max_size: Self::DEFAULT_MAX_SIZE,
        }
    }

    /// A cookie that deletes `name`: empty, `Max-Age=0`, expired at the epoch.
    /// Give it the path and domain the cookie was set with.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// let value = SetCookie::removal("session").to_header_value().unwrap();
    /// assert_eq!(value, "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax");
    /// ```
    pub fn removal(name: impl Into<String>) -> Self {
        let mut cookie = Self::new(name, "");
        cookie.max_age = Some(0);
        cookie.expires = HttpDate::from_unix_seconds(0);
        cookie
    }

    /// Returns this cookie with `Max-Age` (whole seconds); `Expires` follows
    /// unless set explicitly, for old clients.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_wrappers::SetCookie;
    ///
    /// let value = SetCookie::new("a", "b").with_max_age(Duration::from_secs(360)).to_header_value().unwrap();
    /// assert!(value.to_str().unwrap().contains("; Max-Age=360;"));
    /// ```
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age.as_secs());
        self
    }

    /// Returns this cookie with `Expires`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// let cookie = SetCookie::new("a", "b").with_expires(HttpDate::from_unix_seconds(0).unwrap());
    /// assert!(cookie.to_header_value().unwrap().to_str().unwrap().contains("Expires=Thu, 01 Jan 1970"));
    /// ```
    #[must_use]
    pub fn with_expires(mut self, expires: HttpDate) -> Self {
        self.expires = Some(expires);
        self
    }

    /// Returns this cookie limited to `path` (`None`: no `Path` attribute,
    /// the browser uses the request's directory).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// let cookie = SetCookie::new("a", "b").with_path(Some("/x;y\r\n"));
    /// assert!(cookie.to_header_value().unwrap().to_str().unwrap().contains("Path=/x%3By%0D%0A"));
    /// ```
    #[must_use]
    pub fn with_path(mut self, path: Option<&str>) -> Self {
        self.path = path.map(str::to_owned);
        self
    }

    /// Returns this cookie with `Domain` (a leading dot and a port are
    /// dropped; non-ASCII names are IDNA-encoded).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// let cookie = SetCookie::new("foo", "bar").with_domain("\u{2603}.com");
    /// assert!(cookie.to_header_value().unwrap().to_str().unwrap().starts_with("foo=bar; Domain=xn--n3h.com;"));
    /// ```
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Returns this cookie sent over HTTPS only (or not).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// let value = SetCookie::new("a", "b").with_secure(true).to_header_value().unwrap();
    /// assert_eq!(value, "a=b; Secure; HttpOnly; Path=/; SameSite=Lax");
    /// ```
    #[must_use]
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Returns this cookie hidden from scripts (or not).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// let value = SetCookie::new("a", "b").with_http_only(false).to_header_value().unwrap();
    /// assert_eq!(value, "a=b; Path=/; SameSite=Lax");
    /// ```
    #[must_use]
    pub fn with_http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// Returns this cookie with a `SameSite` attribute, or without one.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{SameSite, SetCookie};
    ///
    /// let value = SetCookie::new("a", "b").with_same_site(Some(SameSite::None)).to_header_value().unwrap();
    /// assert!(value.to_str().unwrap().ends_with("SameSite=None"));
    /// ```
    #[must_use]
    pub fn with_same_site(mut self, same_site: Option<SameSite>) -> Self {
        self.same_site = same_site;
        self
    }

    /// Returns this cookie opted into partitioned storage (CHIPS); this
    /// implies `Secure`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// let value = SetCookie::new("foo", "bar").with_partitioned(true).with_http_only(false).with_same_site(None);
    /// assert_eq!(value.to_header_value().unwrap(), "foo=bar; Secure; Path=/; Partitioned");
    /// ```
    #[must_use]
    pub fn with_partitioned(mut self, partitioned: bool) -> Self {
        self.partitioned = partitioned;
        self
    }

    /// Returns this cookie with a different size limit (`0`: no limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{SetCookieError, SetCookie};
    ///
    /// let error = SetCookie::new("foo", "w".repeat(501)).with_max_size(512).to_header_value().unwrap_err();
    /// assert!(matches!(error, SetCookieError::TooLarge { limit: 512, .. }));
    /// ```
    #[must_use]
    pub fn with_max_size(mut self, max_size: usize) -> Self {
        self.max_size = max_size;
        self
    }

    /// The cookie's name.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// assert_eq!(SetCookie::new("a", "b").name(), "a");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cookie's value, unencoded.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SetCookie;
    ///
    /// assert_eq!(SetCookie::new("a", "b;c").value(), "b;c");
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The `Set-Cookie` header value, in Werkzeug's attribute order.
    ///
    /// # Errors
    ///
    /// [`SetCookieError`] for a name that is not a token, a bad domain, or a
    /// value over the size limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{SetCookieError, SetCookie};
    ///
    /// assert!(matches!(
    ///     SetCookie::new("a b", "c").to_header_value(),
    ///     Err(SetCookieError::InvalidName { .. })
    /// ));
    /// ```
    pub fn to_header_value(&self) -> Result<HeaderValue, SetCookieError> {
        if !is_token(&self.name) {
            return Err(SetCookieError::InvalidName {
                name: self.name.clone(),
            });
        }
        let mut out = self.name.clone();
        out.push('=');
        if needs_no_quotes(&self.value) {
            out.push_str(&self.value);
        } else {
            out.push_str(&quote_value(&self.value));
        }
        if let Some(domain) = &self.domain {
            let _ = write!(out, "; Domain={}", self.ascii_domain(domain)?);
        }
        let expires = self.expires.or_else(|| {
            let max_age = i64::try_from(self.max_age?).unwrap_or(i64::MAX);
            Some(HttpDate::now().plus_seconds(max_age))
        });
        if let Some(expires) = expires {
            let _ = write!(out, "; Expires={expires}");
        }
        if let Some(max_age) = self.max_age {
            let _ = write!(out, "; Max-Age={max_age}");
        }
        if self.secure || self.partitioned {
            out.push_str("; Secure");
        }
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        if let Some(path) = &self.path {
            let _ = write!(out, "; Path={}", utf8_percent_encode(path, PATH_KEEP));
        }
        if let Some(same_site) = self.same_site {
            let name = match same_site {
                SameSite::Strict => "Strict",
                SameSite::Lax => "Lax",
                SameSite::None => "None",
            };
            let _ = write!(out, "; SameSite={name}");
        }
        if self.partitioned {
            out.push_str("; Partitioned");
        }
        if self.max_size > 0 && out.len() > self.max_size {
            return Err(SetCookieError::TooLarge {
                name: self.name.clone(),
                size: out.len(),
                limit: self.max_size,
            });
        }
        // Every piece above is visible ASCII or escaped into it.
        HeaderValue::try_from(out).map_err(|_| SetCookieError::InvalidName {
            name: self.name.clone(),
        })
    }

    fn ascii_domain(&self, domain: &str) -> Result<String, SetCookieError> {
        let invalid = || SetCookieError::InvalidDomain {
            domain: domain.to_owned(),
        };
        let host = domain
            .split(':')
            .next()
            .unwrap_or_default()
            .trim_start_matches('.');
        let ascii = domain_to_ascii(host).ok_or_else(invalid)?;
        let valid = !ascii.is_empty()
            && ascii
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
        if valid { Ok(ascii) } else { Err(invalid()) }
    }
}

impl Response {
    /// Adds a `Set-Cookie` header for `cookie`.
    ///
    /// # Errors
    ///
    /// As [`SetCookie::to_header_value`]; nothing is added then.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{Response, SetCookie};
    ///
    /// let mut response = Response::text("ok");
    /// response.set_cookie(SetCookie::new("a", "1")).unwrap();
    /// response.set_cookie(SetCookie::new("b", "2")).unwrap();
    /// assert_eq!(response.headers().get_all("set-cookie").iter().count(), 2);
    /// ```
    pub fn set_cookie(&mut self, cookie: SetCookie) -> Result<(), SetCookieError> {
        let value = cookie.to_header_value()?;
        self.headers_mut().append(SET_COOKIE, value);
        Ok(())
    }

    /// Returns this response with a `Set-Cookie` header for `cookie`.
    ///
    /// # Errors
    ///
    /// As [`SetCookie::to_header_value`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{Response, SetCookie};
    ///
    /// let response = Response::text("ok").with_cookie(SetCookie::new("a", "1")).unwrap();
    /// assert!(response.headers()["set-cookie"].to_str().unwrap().starts_with("a=1;"));
    /// ```
    pub fn with_cookie(mut self, cookie: SetCookie) -> Result<Self, SetCookieError> {
        self.set_cookie(cookie)?;
        Ok(self)
    }

    /// Deletes the cookie `name` set with `Path=/` and no domain (for another
    /// path or a domain, pass a [`SetCookie::removal`] to
    /// [`set_cookie`](Self::set_cookie)).
    ///
    /// # Errors
    ///
    /// [`SetCookieError::InvalidName`] when `name` is not a token.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// let mut response = Response::text("bye");
    /// response.delete_cookie("session").unwrap();
    /// assert!(response.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    /// ```
    pub fn delete_cookie(&mut self, name: &str) -> Result<(), SetCookieError> {
        self.set_cookie(SetCookie::removal(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(name: &str, value: &str) -> SetCookie {
        SetCookie::new(name, value)
            .with_http_only(false)
            .with_same_site(None)
    }

    fn header(cookie: &SetCookie) -> String {
        cookie
            .to_header_value()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    }

    // Werkzeug test_http.py::test_dump_cookie / test_cookie_quoting
    #[test]
    fn quoting() {
        assert_eq!(header(&plain("key", "xxx/")), "key=xxx/; Path=/");
        assert_eq!(header(&plain("key", "xxx=").with_path(None)), "key=xxx=");
        assert_eq!(header(&plain("foo", "?foo")), "foo=?foo; Path=/");
        assert_eq!(
            header(&plain("foo", "\u{2603}")),
            r#"foo="\342\230\203"; Path=/"#
        );
        assert_eq!(header(&plain("foo", "a\"b\\c")), r#"foo="a\"b\\c"; Path=/"#);
    }

    // Werkzeug test_http.py::test_cookie_maxsize
    #[test]
    fn max_size() {
        let value = "bar".repeat(1360) + "b";
        assert_eq!(header(&plain("foo", &value)).len(), 4093);
        let too_large = plain("foo", &("bar".repeat(1360) + "ba"));
        assert!(matches!(
            too_large.to_header_value(),
            Err(SetCookieError::TooLarge {
                size: 4094,
                limit: 4093,
                ..
            })
        ));
    }

    #[test]
    fn domains() {
        assert_eq!(
            header(&plain("foo", "bar").with_domain(".foo.com:8080")),
            "foo=bar; Domain=foo.com; Path=/"
        );
        for bad in ["evil.example; Secure", "a\r\nb", "", "a b"] {
            assert!(
                matches!(
                    plain("foo", "bar").with_domain(bad).to_header_value(),
                    Err(SetCookieError::InvalidDomain { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn names_must_be_tokens() {
        for bad in ["", "a;b", "a=b", "a\r\nb", "fö", "a b", "a\0"] {
            assert!(
                matches!(
                    plain(bad, "x").to_header_value(),
                    Err(SetCookieError::InvalidName { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(plain("__Host-id", "x").to_header_value().is_ok());
    }
}
