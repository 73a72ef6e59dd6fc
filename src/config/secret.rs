//! A value that never shows itself in logs, panics or error messages.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// What a [`Secret`] prints instead of its value.
pub const REDACTED: &str = "[redacted]";

/// A value that `Debug`, `Display` and `Serialize` never show: use it for
/// secret keys, passwords and API tokens in configuration, so that logging a
/// loaded config (`tracing::debug!(?config)`) cannot leak them.
///
/// It deserializes like the value it holds; read the value with
/// [`Secret::expose`].
///
/// # Examples
///
/// ```
/// use carafe::config::Secret;
///
/// let key = Secret::new("hunter2".to_owned());
/// assert_eq!(format!("{key:?}"), "Secret([redacted])");
/// assert_eq!(key.to_string(), "[redacted]");
/// assert_eq!(key.expose(), "hunter2");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = carafe::config::Secret::new(42);
    /// assert_eq!(*token.expose(), 42);
    /// ```
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value. Call it where the value is used, never to print it.
    ///
    /// # Examples
    ///
    /// ```
    /// let key = carafe::config::Secret::new(String::from("k"));
    /// assert_eq!(key.expose().len(), 1);
    /// ```
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The value, unwrapped.
    ///
    /// # Examples
    ///
    /// ```
    /// let key = carafe::config::Secret::new(vec![1u8, 2]);
    /// assert_eq!(key.into_inner(), [1, 2]);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SecretVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> de::Visitor<'de> for SecretVisitor<T> {
            type Value = Secret<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret value")
            }

            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Secret<T>, D::Error> {
                T::deserialize(deserializer).map(Secret)
            }
        }

        // A newtype with a known name: the config deserializer marks what is
        // read inside it as protected; other formats pass it through.
        deserializer.deserialize_newtype_struct(
            super::de::SECRET_MARKER,
            SecretVisitor(std::marker::PhantomData),
        )
    }
}

/// Serializes as the text `[redacted]`: a config written back out (a debug
/// dump, `check`'s report) never carries the value.
impl<T> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

/// Whether a config key's name says it holds a secret: it contains `secret`,
/// `password`, `passwd`, `token`, `credential`, `private` or `api_key`, or ends
/// in `_key` (ignoring ASCII case). Error messages about such keys never
/// quote their value.
///
/// # Examples
///
/// ```
/// use carafe::config::is_secret_name;
///
/// assert!(is_secret_name("secret_key"));
/// assert!(is_secret_name("DB_PASSWORD"));
/// assert!(is_secret_name("app.github.api_token"));
/// assert!(is_secret_name("stripe_key"));
/// assert!(!is_secret_name("session_cookie_name"));
/// assert!(!is_secret_name("keyboard"));
/// ```
pub fn is_secret_name(key: &str) -> bool {
    key.split('.').any(|part| {
        let part = part.to_ascii_lowercase();
        [
            "secret",
            "password",
            "passwd",
            "token",
            "credential",
            "private",
            "api_key",
            "apikey",
        ]
        .iter()
        .any(|word| part.contains(word))
            || part == "key"
            || part.ends_with("_key")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_serialized_secrets_stay_hidden() {
        let keys = vec![Secret::new("a-very-secret".to_owned())];
        assert!(!format!("{keys:?}").contains("a-very-secret"));
        let json = serde_json::to_string(&keys).unwrap();
        assert_eq!(json, "[\"[redacted]\"]");
    }

    #[test]
    fn deserializes_transparently() {
        let key: Secret<String> = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(key.expose(), "abc");
    }
}
