//! Host names: validation, lowercasing, IDNA (punycode) for non-ASCII names,
//! default ports and the subdomain relative to a configured server name.

use std::borrow::Cow;
use std::cell::RefCell;

/// Hosts up to this long are remembered by [`normalize_host`].
const REMEMBERED: usize = 64;

thread_local! {
    /// The last host this thread found already normalized: a server sees the
    /// same `Host` header request after request, and comparing it costs a
    /// tenth of checking it again.
    static LAST_NORMALIZED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Normalizes `host[:port]`: lowercase, non-ASCII labels punycode-encoded
/// (`☃.example.com` → `xn--n3h.example.com`), every label 1–63 bytes,
/// only letters, digits, `-`, `_` and `.` in names (IPv6 literals in
/// brackets), digits in the port. Returns a message on failure.
pub(crate) fn normalize_host(host: &str) -> Result<Cow<'_, str>, String> {
    if host.is_empty() {
        return Ok(Cow::Borrowed(host));
    }
    let remembered = host.len() <= REMEMBERED
        && LAST_NORMALIZED
            .try_with(|last| last.try_borrow().is_ok_and(|last| *last == host))
            .unwrap_or(false);
    if remembered {
        return Ok(Cow::Borrowed(host));
    }
    let normalized = normalize(host)?;
    if let Cow::Borrowed(_) = normalized
        && host.len() <= REMEMBERED
    {
        let _ = LAST_NORMALIZED.try_with(|last| {
            if let Ok(mut last) = last.try_borrow_mut() {
                last.clear();
                last.push_str(host);
            }
        });
    }
    Ok(normalized)
}

fn normalize(host: &str) -> Result<Cow<'_, str>, String> {
    if host.len() > 1024 {
        return Err("host is longer than 1024 bytes".to_owned());
    }
    let (name, port) = split_port(host)?;
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("invalid port {port:?}"));
    }
    if name.starts_with('[') {
        let inner = &name[1..name.len() - 1];
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err(format!("invalid ip literal {name:?}"));
        }
        return Ok(lowercase(host));
    }
    if name.is_ascii() {
        check_labels(name)?;
        return Ok(lowercase(host));
    }
    let lower = name.to_lowercase();
    let mut out = String::with_capacity(lower.len() + 8);
    for (i, label) in lower.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_ascii() {
            out.push_str(label);
        } else {
            out.push_str("xn--");
            punycode_encode(label, &mut out)?;
        }
    }
    check_labels(&out)?;
    if let Some(port) = port {
        out.push(':');
        out.push_str(port);
    }
    Ok(Cow::Owned(out))
}

fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Splits `name[:port]`, keeping brackets of an IPv6 literal in the name.
fn split_port(host: &str) -> Result<(&str, Option<&str>), String> {
    if host.starts_with('[') {
        let Some(end) = host.find(']') else {
            return Err("unclosed '[' in host".to_owned());
        };
        let rest = &host[end + 1..];
        return match rest.strip_prefix(':') {
            Some(port) => Ok((&host[..=end], Some(port))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err(format!("unexpected {rest:?} after ip literal")),
        };
    }
    // A byte loop: hosts are short, `split_once` costs more to set up.
    Ok(match host.bytes().position(|byte| byte == b':') {
        Some(colon) => (&host[..colon], Some(&host[colon + 1..])),
        None => (host, None),
    })
}

fn check_labels(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Ok(());
    }
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    // Every request's host comes through here: one branch-light pass for
    // the common, valid case; the messages come from the slower walk below.
    let mut fine = true;
    let mut length = 0usize;
    for &byte in trimmed.as_bytes() {
        if byte == b'.' {
            fine &= length != 0;
            length = 0;
        } else {
            fine &= byte.is_ascii_alphanumeric() | (byte == b'-') | (byte == b'_');
            length += 1;
        }
        fine &= length <= 63;
    }
    if fine && length != 0 {
        return Ok(());
    }
    for label in trimmed.split('.') {
        if label.is_empty() {
            return Err("empty label in host".to_owned());
        }
        if label.len() > 63 {
            return Err(format!("label longer than 63 bytes in host: {label:?}"));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(format!("invalid character {c:?} in host"));
        }
    }
    Ok(())
}

/// RFC 3492 punycode of one label (already lowercased).
fn punycode_encode(label: &str, out: &mut String) -> Result<(), String> {
    const BASE: u64 = 36;
    const TMIN: u64 = 1;
    const TMAX: u64 = 26;
    let chars: Vec<u32> = label.chars().map(u32::from).collect();
    if chars.len() > 63 {
        return Err(format!(
            "label longer than 63 characters in host: {label:?}"
        ));
    }
    let digit = |d: u64| -> char {
        if d < 26 {
            (b'a' + d as u8) as char
        } else {
            (b'0' + (d - 26) as u8) as char
        }
    };
    let adapt = |mut delta: u64, points: u64, first: bool| -> u64 {
        delta = if first { delta / 700 } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + 38)
    };
    let basic: Vec<u32> = chars.iter().copied().filter(|c| *c < 0x80).collect();
    for c in &basic {
        out.push(char::from_u32(*c).unwrap_or('?'));
    }
    let b = basic.len() as u64;
    if b > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut h) = (128u64, 0u64, 72u64, b);
    let total = chars.len() as u64;
    while h < total {
        let m = chars
            .iter()
            .map(|c| u64::from(*c))
            .filter(|c| *c >= n)
            .min()
            .unwrap_or(n);
        delta += (m - n) * (h + 1);
        n = m;
        for &c in &chars {
            let c = u64::from(c);
            if c < n {
                delta += 1;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, h + 1, h == b);
                delta = 0;
                h += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    Ok(())
}

/// Removes `:80` for http/ws and `:443` for https/wss.
pub(crate) fn strip_default_port<'a>(host: &'a str, scheme: &str) -> &'a str {
    let port = match scheme {
        "http" | "ws" => ":80",
        "https" | "wss" => ":443",
        _ => return host,
    };
    host.strip_suffix(port).unwrap_or(host)
}

/// The subdomain of `host` under `server_name`, or `None` if `host` is not
/// `server_name` or one of its subdomains.
pub(crate) fn subdomain_of<'a>(host: &'a str, server_name: &str) -> Option<&'a str> {
    if host == server_name {
        return Some("");
    }
    let prefix = host.strip_suffix(server_name)?;
    if server_name.is_empty() {
        return None;
    }
    prefix.strip_suffix('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_hosts() {
        let cases = [
            ("Example.COM", "example.com"),
            ("example.org:5000", "example.org:5000"),
            ("☃.example.com", "xn--n3h.example.com"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("[::1]:8080", "[::1]:8080"),
            ("", ""),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalize_host(raw).unwrap(), expected, "{raw}");
        }
        let long = format!("🐍{}:8443", "a".repeat(52));
        let normalized = normalize_host(&long).unwrap();
        let (name, port) = normalized.split_once(':').unwrap();
        assert_eq!((name.len(), port), (63, "8443"));
    }

    #[test]
    fn a_remembered_host_is_only_reused_for_the_same_text() {
        // The same valid host twice (the second from the thread's memory),
        // then hosts that differ from it slightly.
        for _ in 0..2 {
            assert_eq!(
                normalize_host("example.com:8080").unwrap(),
                "example.com:8080"
            );
        }
        assert_eq!(
            normalize_host("Example.com:8080").unwrap(),
            "example.com:8080"
        );
        assert!(normalize_host("example.com:8080 ").is_err());
        assert!(normalize_host("example.com:808000").is_err());
        assert_eq!(
            normalize_host("example.com:8080").unwrap(),
            "example.com:8080"
        );
    }

    #[test]
    fn rejects_bad_hosts() {
        for bad in [
            "a..b",
            "evil.com/x",
            "a b",
            "host:port",
            "x\r\nSet-Cookie: a",
            &"a".repeat(64),
            "[::1",
            "[zz]",
        ] {
            assert!(normalize_host(bad).is_err(), "{bad:?}");
        }
        let message = |host: &str| normalize_host(host).unwrap_err();
        assert_eq!(message("a..b"), "empty label in host");
        assert_eq!(message(".a"), "empty label in host");
        assert_eq!(message("a b.c"), "invalid character ' ' in host");
        assert_eq!(message("ok.b!d.x y"), "invalid character '!' in host");
        // Per label: its length before its characters, the first label first.
        let long = format!("{}!.x", "a".repeat(64));
        assert!(message(&long).starts_with("label longer than 63 bytes"));
        assert_eq!(message("a!..b"), "invalid character '!' in host");
        for fine in [
            format!("{}.b", "a".repeat(63)),
            "example.com.".to_owned(),
            "_x-1.y".to_owned(),
        ] {
            assert!(normalize_host(&fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn subdomains() {
        assert_eq!(
            subdomain_of("wiki.example.com", "example.com"),
            Some("wiki")
        );
        assert_eq!(subdomain_of("a.b.example.com", "example.com"), Some("a.b"));
        assert_eq!(subdomain_of("example.com", "example.com"), Some(""));
        assert_eq!(subdomain_of("badexample.com", "example.com"), None);
        assert_eq!(subdomain_of("127.0.0.1", "example.com"), None);
        assert_eq!(strip_default_port("localhost:80", "http"), "localhost");
        assert_eq!(strip_default_port("localhost:443", "http"), "localhost:443");
    }
}
