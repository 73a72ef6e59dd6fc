//! The cookie session interface (Flask's `SecureCookieSessionInterface`):
//! the whole session lives in one cookie, encrypted and authenticated with
//! AES-256-GCM by `cookie`'s private jar, so any process holding the key
//! reads it (stateless behind a load balancer).
//!
//! Cookie value: the private jar's `base64(nonce | ciphertext | tag)` of the
//! JSON `{"t": <issued, unix seconds>, "p": <permanent>, "d": {...}}`, with
//! the cookie's name as associated data. A cookie that does not decrypt
//! with any of the keys, or that is older than the session lifetime, is an
//! empty session (Flask: a bad signature is an empty session).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use carafe_wrappers::headers::HttpDate;
use carafe_wrappers::{Request, Response, SetCookie};
use cookie::{Cookie, CookieJar, Key};
use http::header::{HeaderValue, SET_COOKIE, VARY};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha512};

use super::SessionData;
use super::config::SessionConfig;

#[derive(Serialize, Deserialize)]
struct Envelope {
    t: u64,
    #[serde(default)]
    p: bool,
    d: serde_json::Map<String, serde_json::Value>,
}

/// The app's cookie sessions: keys (newest first) and cookie settings.
pub(crate) struct CookieSessions {
    keys: Vec<Key>,
    config: SessionConfig,
    path: String,
}

/// The encryption key for a secret: any secret (Flask's `SECRET_KEY` may be
/// any string) is stretched to the 64 bytes `cookie::Key` wants.
fn derive_key(secret: &[u8]) -> Key {
    let mut hasher = Sha512::new();
    hasher.update(b"carafe.session\0");
    hasher.update(secret);
    Key::from(&hasher.finalize())
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl CookieSessions {
    /// Sessions with `secret` (none: sessions cannot be written) and older
    /// secrets that are still read.
    pub(crate) fn new(
        secret: Option<&[u8]>,
        fallbacks: &[Vec<u8>],
        config: SessionConfig,
        application_root: &str,
    ) -> Self {
        let mut keys = Vec::new();
        if let Some(secret) = secret.filter(|secret| !secret.is_empty()) {
            keys.push(derive_key(secret));
            keys.extend(
                fallbacks
                    .iter()
                    .filter(|old| !old.is_empty())
                    .map(|old| derive_key(old)),
            );
        }
        let path = config.path.clone().unwrap_or_else(|| {
            if application_root.is_empty() {
                "/".to_owned()
            } else {
                application_root.to_owned()
            }
        });
        CookieSessions { keys, config, path }
    }

    /// Whether there is no secret key (Flask's null session).
    pub(crate) fn is_null(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether the session of `request` must be opened at the end of the
    /// request to refresh its cookie: permanent sessions are re-sent on
    /// every request (`refresh_each_request`), so a request that carries a
    /// session cookie has it opened even if nothing read it.
    pub(crate) fn refreshes(&self, request: &Request) -> bool {
        self.config.refresh_each_request && !self.is_null() && self.has_cookie(request)
    }

    /// Whether the request carries a session cookie.
    pub(crate) fn has_cookie(&self, request: &Request) -> bool {
        request
            .cookies()
            .is_ok_and(|cookies| cookies.contains_key(&self.config.cookie_name))
    }

    /// The session of `request`: its cookie decrypted with the first key
    /// that works, or a new empty session.
    pub(crate) fn open(&self, request: &Request) -> SessionData {
        let value = request
            .cookies()
            .ok()
            .and_then(|cookies| cookies.get(&self.config.cookie_name));
        if let Some(value) = value {
            for key in &self.keys {
                if let Some(data) = self.decode(key, value) {
                    return data;
                }
            }
        }
        SessionData::new()
    }

    fn decode(&self, key: &Key, value: &str) -> Option<SessionData> {
        let sealed = Cookie::new(self.config.cookie_name.clone(), value.to_owned());
        let plain = CookieJar::new().private(key).decrypt(sealed)?;
        let envelope: Envelope = serde_json::from_str(plain.value()).ok()?;
        let age = now_seconds().saturating_sub(envelope.t);
        if Duration::from_secs(age) > self.config.permanent_lifetime {
            return None;
        }
        Some(SessionData::loaded(envelope.d, envelope.p))
    }

    /// The sealed cookie value of `data`, with the newest key.
    pub(crate) fn encode(&self, data: &SessionData) -> Option<String> {
        let key = self.keys.first()?;
        let envelope = Envelope {
            t: now_seconds(),
            p: data.permanent,
            d: data.values.clone(),
        };
        let json = serde_json::to_string(&envelope).ok()?;
        let mut jar = CookieJar::new();
        jar.private_mut(key)
            .add(Cookie::new(self.config.cookie_name.clone(), json));
        jar.get(&self.config.cookie_name)
            .map(|cookie| cookie.value().to_owned())
    }

    fn cookie(&self, value: String) -> SetCookie {
        let config = &self.config;
        let mut cookie = SetCookie::new(config.cookie_name.clone(), value)
            .with_max_size(0)
            .with_path(Some(&self.path))
            .with_http_only(config.http_only)
            .with_secure(config.secure)
            .with_same_site(config.same_site)
            .with_partitioned(config.partitioned);
        if let Some(domain) = &config.domain {
            cookie = cookie.with_domain(domain.clone());
        }
        cookie
    }

    /// Writes the session into the response, as Flask's `save_session`:
    /// `Vary: Cookie` when it was read; a removal when it was emptied; a new
    /// cookie when it changed, or on every request for a permanent session
    /// (`refresh_each_request`).
    pub(crate) fn save(&self, data: &SessionData, response: &mut Response) {
        if data.accessed {
            vary_cookie(response);
        }
        if data.values.is_empty() {
            if data.modified {
                let removal = SetCookie::removal(self.config.cookie_name.clone());
                let mut removal = removal
                    .with_path(Some(&self.path))
                    .with_secure(self.config.secure)
                    .with_http_only(self.config.http_only)
                    .with_same_site(self.config.same_site)
                    .with_partitioned(self.config.partitioned);
                if let Some(domain) = &self.config.domain {
                    removal = removal.with_domain(domain.clone());
                }
                if let Err(error) = response.set_cookie(removal) {
                    tracing::error!(%error, "could not delete the session cookie");
                }
                vary_cookie(response);
            }
            return;
        }
        let refresh = data.permanent && self.config.refresh_each_request;
        if !(data.modified || refresh) {
            return;
        }
        let Some(value) = self.encode(data) else {
            tracing::error!("the session was changed but there is no secret key to save it");
            return;
        };
        let mut cookie = self.cookie(value);
        if data.permanent {
            let expires = SystemTime::now() + self.config.permanent_lifetime;
            cookie = cookie.with_expires(HttpDate::from(expires));
        }
        match cookie.to_header_value() {
            Ok(header) => {
                let limit = self.config.max_cookie_size;
                if limit > 0 && header.len() > limit {
                    tracing::warn!(
                        size = header.len(),
                        limit,
                        "the session cookie is {} bytes, more than browsers keep ({limit}): \
                         it may be dropped; keep less in the session",
                        header.len()
                    );
                }
                response.headers_mut().append(SET_COOKIE, header);
            }
            Err(error) => tracing::error!(%error, "could not write the session cookie"),
        }
        vary_cookie(response);
    }
}

/// Adds `Cookie` to the response's `Vary` header unless it is there.
fn vary_cookie(response: &mut Response) {
    let present = response.headers().get_all(VARY).iter().any(|value| {
        value.to_str().is_ok_and(|text| {
            text.split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("cookie") || token.trim() == "*")
        })
    });
    if !present {
        response
            .headers_mut()
            .append(VARY, HeaderValue::from_static("Cookie"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(secret: &str, fallbacks: &[&str]) -> CookieSessions {
        let fallbacks: Vec<Vec<u8>> = fallbacks.iter().map(|s| s.as_bytes().to_vec()).collect();
        CookieSessions::new(
            Some(secret.as_bytes()),
            &fallbacks,
            SessionConfig::default(),
            "",
        )
    }

    fn data(user: &str) -> SessionData {
        let mut data = SessionData::new();
        data.values.insert("user".into(), user.into());
        data.modified = true;
        data
    }

    #[test]
    fn round_trip_and_rotation() {
        let old = sessions("old secret", &[]);
        let value = old.encode(&data("ada")).unwrap();
        let decoded = old.decode(&old.keys[0], &value).unwrap();
        assert_eq!(decoded.values["user"], "ada");
        let rotated = sessions("new secret", &["old secret"]);
        assert!(rotated.decode(&rotated.keys[0], &value).is_none());
        assert!(rotated.decode(&rotated.keys[1], &value).is_some());
        let newer = rotated.encode(&data("bob")).unwrap();
        assert!(old.decode(&old.keys[0], &newer).is_none());
    }

    #[test]
    fn tampered_values_are_refused() {
        let s = sessions("secret", &[]);
        let mut value = s.encode(&data("ada")).unwrap().into_bytes();
        let last = value.len() - 3;
        value[last] = if value[last] == b'A' { b'B' } else { b'A' };
        let value = String::from_utf8(value).unwrap();
        assert!(s.decode(&s.keys[0], &value).is_none());
        assert!(
            s.decode(&s.keys[0], "eyJ1c2VyIjoiYWRtaW4ifQ.ZmFrZQ.AAAA")
                .is_none()
        );
        assert!(s.decode(&s.keys[0], "").is_none());
    }

    #[test]
    fn no_secret_is_a_null_interface() {
        let s = CookieSessions::new(None, &[], SessionConfig::default(), "");
        assert!(s.is_null());
        assert!(s.encode(&data("x")).is_none());
    }

    #[test]
    fn vary_is_added_once() {
        let mut response = Response::text("x");
        vary_cookie(&mut response);
        vary_cookie(&mut response);
        assert_eq!(response.headers().get_all(VARY).iter().count(), 1);
    }
}
