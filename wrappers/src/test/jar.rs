//! The test client's cookie jar: what a browser keeps between requests.

use std::net::IpAddr;

use cookie::Cookie;
use cookie::time::{Duration, OffsetDateTime};

/// Cookies stored from `Set-Cookie` headers and sent back in `Cookie`
/// headers, with the storage and matching rules of RFC 6265 (as browsers
/// apply them; no public suffix list):
///
/// - `Domain`: without it the cookie goes back to the exact host only; with
///   it, to the domain and its subdomains, and a domain the host is not part
///   of is refused;
/// - `Path`: the cookie goes back for that path and paths below it; the
///   default is the directory of the request's path;
/// - `Max-Age` (first) or `Expires`: an expired cookie is removed; a cookie
///   without them lasts as long as the jar;
/// - `Secure`: sent only over `https` (or to `localhost`), and only set from
///   there; `__Secure-` and `__Host-` prefixed names must follow their rules.
///
/// Values are stored and sent back as they were set (not decoded).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::test::CookieJar;
///
/// let mut jar = CookieJar::new();
/// jar.store("http", "shop.example", "/cart/view", "sid=1; Path=/cart");
/// jar.store("http", "shop.example", "/", "theme=dark; Domain=shop.example");
/// jar.store("http", "shop.example", "/", "evil=1; Domain=bank.example");
///
/// assert_eq!(jar.header("http", "shop.example", "/cart").as_deref(), Some("sid=1; theme=dark"));
/// assert_eq!(jar.header("http", "cdn.shop.example", "/").as_deref(), Some("theme=dark"));
/// assert_eq!(jar.header("http", "bank.example", "/"), None);
///
/// jar.store("http", "shop.example", "/cart", "sid=; Path=/cart; Max-Age=0");
/// assert_eq!(jar.header("http", "shop.example", "/cart").as_deref(), Some("theme=dark"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct CookieJar {
    cookies: Vec<Stored>,
}

#[derive(Debug, Clone)]
struct Stored {
    cookie: Cookie<'static>,
    domain: String,
    host_only: bool,
    path: String,
    expires: Option<OffsetDateTime>,
    secure: bool,
}

impl Stored {
    fn matches(&self, secure_origin: bool, host: &str, path: &str, now: OffsetDateTime) -> bool {
        self.expires.is_none_or(|expires| expires > now)
            && (!self.secure || secure_origin)
            && (if self.host_only {
                host == self.domain
            } else {
                domain_matches(host, &self.domain)
            })
            && path_matches(path, &self.path)
    }
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores the cookie of one `Set-Cookie` header value received in answer
    /// to a request for `scheme://host/path`. An invalid or refused cookie is
    /// ignored, as browsers do.
    pub fn store(&mut self, scheme: &str, host: &str, path: &str, set_cookie: &str) {
        self.store_at(scheme, host, path, set_cookie, OffsetDateTime::now_utc());
    }

    fn store_at(
        &mut self,
        scheme: &str,
        host: &str,
        path: &str,
        set_cookie: &str,
        now: OffsetDateTime,
    ) {
        let Ok(cookie) = Cookie::parse(set_cookie.to_owned()) else {
            return;
        };
        let host = normalize_host(host);
        let secure_origin = is_secure_origin(scheme, &host);
        let secure = cookie.secure().unwrap_or(false);
        if secure && !secure_origin {
            return;
        }
        let domain_attribute = cookie
            .domain()
            .map(|domain| domain.trim_start_matches('.').to_ascii_lowercase())
            .filter(|domain| !domain.is_empty());
        let (domain, host_only) = match domain_attribute {
            Some(domain) if domain_matches(&host, &domain) => (domain, false),
            Some(_) => return,
            None => (host.clone(), true),
        };
        let path = match cookie.path() {
            Some(path) if path.starts_with('/') => path.to_owned(),
            _ => default_path(path),
        };
        let name = cookie.name();
        if (name.starts_with("__Secure-") && !secure)
            || (name.starts_with("__Host-") && (!secure || !host_only || path != "/"))
        {
            return;
        }
        let expires = match (cookie.max_age(), cookie.expires_datetime()) {
            (Some(max_age), _) if max_age <= Duration::ZERO => Some(OffsetDateTime::UNIX_EPOCH),
            (Some(max_age), _) => Some(now.saturating_add(max_age)),
            (None, expires) => expires,
        };
        let stored = Stored {
            cookie,
            domain,
            host_only,
            path,
            expires,
            secure,
        };
        let existing = self.cookies.iter().position(|old| {
            old.cookie.name() == stored.cookie.name()
                && old.domain == stored.domain
                && old.host_only == stored.host_only
                && old.path == stored.path
        });
        let expired = stored.expires.is_some_and(|expires| expires <= now);
        match (existing, expired) {
            (Some(index), true) => {
                self.cookies.remove(index);
            }
            (Some(index), false) => self.cookies[index] = stored,
            (None, true) => {}
            (None, false) => self.cookies.push(stored),
        }
    }

    /// The `Cookie` header for a request to `scheme://host/path`: every
    /// matching cookie, longest path first (`None` when none matches).
    pub fn header(&self, scheme: &str, host: &str, path: &str) -> Option<String> {
        self.header_at(scheme, host, path, OffsetDateTime::now_utc())
    }

    fn header_at(
        &self,
        scheme: &str,
        host: &str,
        path: &str,
        now: OffsetDateTime,
    ) -> Option<String> {
        let host = normalize_host(host);
        let secure_origin = is_secure_origin(scheme, &host);
        let mut matching: Vec<&Stored> = self
            .cookies
            .iter()
            .filter(|stored| stored.matches(secure_origin, &host, path, now))
            .collect();
        matching.sort_by_key(|stored| std::cmp::Reverse(stored.path.len()));
        let pairs: Vec<String> = matching
            .iter()
            .map(|stored| format!("{}={}", stored.cookie.name(), stored.cookie.value()))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// The first unexpired cookie named `name`, whatever its domain and path.
    pub fn get(&self, name: &str) -> Option<&Cookie<'static>> {
        let now = OffsetDateTime::now_utc();
        self.cookies
            .iter()
            .find(|stored| {
                stored.cookie.name() == name && stored.expires.is_none_or(|expires| expires > now)
            })
            .map(|stored| &stored.cookie)
    }

    /// Every stored cookie.
    pub fn iter(&self) -> impl Iterator<Item = &Cookie<'static>> {
        self.cookies.iter().map(|stored| &stored.cookie)
    }

    /// Removes every cookie named `name`.
    pub fn remove(&mut self, name: &str) {
        self.cookies.retain(|stored| stored.cookie.name() != name);
    }

    /// Removes every cookie.
    pub fn clear(&mut self) {
        self.cookies.clear();
    }
}

/// The host without its port, lowercased.
fn normalize_host(host: &str) -> String {
    let without_port = if host.starts_with('[') {
        host.split_once(']').map_or(host, |(inner, _)| &inner[1..])
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    without_port.to_ascii_lowercase()
}

fn is_secure_origin(scheme: &str, host: &str) -> bool {
    scheme.eq_ignore_ascii_case("https")
        || host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// RFC 6265 §5.1.3.
fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
            && host.parse::<IpAddr>().is_err())
}

/// RFC 6265 §5.1.4.
fn path_matches(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/')))
}

/// RFC 6265 §5.1.4: the directory of the request path.
fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(last) => request_path[..last].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jar(cookies: &[(&str, &str, &str, &str)]) -> CookieJar {
        let mut jar = CookieJar::new();
        for (scheme, host, path, set_cookie) in cookies {
            jar.store(scheme, host, path, set_cookie);
        }
        jar
    }

    #[test]
    fn host_only_cookies_do_not_go_to_subdomains() {
        let jar = jar(&[("http", "example.com:8080", "/", "a=1")]);
        assert_eq!(
            jar.header("http", "example.com", "/").as_deref(),
            Some("a=1")
        );
        assert_eq!(jar.header("http", "www.example.com", "/"), None);
        assert_eq!(jar.header("http", "notexample.com", "/"), None);
    }

    #[test]
    fn default_path_is_the_request_directory() {
        let jar = jar(&[
            ("http", "h", "/docs/guide/intro", "a=1"),
            ("http", "h", "/top", "b=2"),
        ]);
        assert_eq!(
            jar.header("http", "h", "/docs/guide/other").as_deref(),
            Some("a=1; b=2")
        );
        assert_eq!(
            jar.header("http", "h", "/docs/guideline").as_deref(),
            Some("b=2")
        );
        assert_eq!(jar.header("http", "h", "/docs").as_deref(), Some("b=2"));
    }

    #[test]
    fn expiry_by_max_age_and_expires() {
        let now = OffsetDateTime::now_utc();
        let mut jar = CookieJar::new();
        jar.store_at("http", "h", "/", "short=1; Max-Age=10", now);
        jar.store_at(
            "http",
            "h",
            "/",
            "dated=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
            now,
        );
        jar.store_at("http", "h", "/", "session=1", now);
        jar.store_at(
            "http",
            "h",
            "/",
            "both=1; Max-Age=100; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
            now,
        );
        assert_eq!(
            jar.header_at("http", "h", "/", now).as_deref(),
            Some("short=1; session=1; both=1")
        );
        let later = now + Duration::seconds(11);
        assert_eq!(
            jar.header_at("http", "h", "/", later).as_deref(),
            Some("session=1; both=1")
        );
    }

    #[test]
    fn a_cookie_is_replaced_by_name_domain_and_path() {
        let mut jar = jar(&[
            ("http", "h", "/", "a=1; Path=/"),
            ("http", "h", "/", "a=2; Path=/x"),
        ]);
        jar.store("http", "h", "/", "a=3; Path=/");
        assert_eq!(jar.header("http", "h", "/x/y").as_deref(), Some("a=2; a=3"));
        jar.store("http", "h", "/", "a=gone; Path=/x; Max-Age=-1");
        assert_eq!(jar.header("http", "h", "/x/y").as_deref(), Some("a=3"));
    }

    #[test]
    fn secure_cookies_and_prefixes() {
        let jar = jar(&[
            ("http", "example.com", "/", "insecure-set=1; Secure"),
            ("https", "example.com", "/", "s=1; Secure"),
            ("https", "example.com", "/", "__Secure-ok=1; Secure"),
            ("https", "example.com", "/", "__Secure-bad=1"),
            ("https", "example.com", "/", "__Host-ok=1; Secure; Path=/"),
            (
                "https",
                "example.com",
                "/",
                "__Host-domain=1; Secure; Path=/; Domain=example.com",
            ),
            (
                "https",
                "example.com",
                "/",
                "__Host-path=1; Secure; Path=/x",
            ),
        ]);
        assert_eq!(jar.header("http", "example.com", "/"), None);
        assert_eq!(
            jar.header("https", "example.com", "/").as_deref(),
            Some("s=1; __Secure-ok=1; __Host-ok=1")
        );
        let local = self::jar(&[("http", "localhost", "/", "s=1; Secure")]);
        assert_eq!(
            local.header("http", "localhost:5000", "/").as_deref(),
            Some("s=1")
        );
    }

    #[test]
    fn domain_cookies_reach_subdomains_but_not_ip_suffixes() {
        let jar = jar(&[
            ("http", "a.example.com", "/", "d=1; Domain=.Example.com"),
            ("http", "10.0.0.1", "/", "ip=1; Domain=0.0.1"),
        ]);
        assert_eq!(
            jar.header("http", "b.a.example.com", "/").as_deref(),
            Some("d=1")
        );
        assert_eq!(
            jar.header("http", "example.com", "/").as_deref(),
            Some("d=1")
        );
        assert_eq!(jar.header("http", "10.0.0.1", "/"), None);
    }
}
