//! Password hashing compatible with Werkzeug's `generate_password_hash` and
//! `check_password_hash`: `scrypt:32768:8:1$salt$hex` and
//! `pbkdf2:sha256:1000000$salt$hex`.
//!
//! Hashes made by Werkzeug verify here, and hashes made here verify in
//! Werkzeug (the crate's tests check both with real Werkzeug output).

use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;

/// The hash function of PBKDF2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pbkdf2Hash {
    /// HMAC-SHA-256 (Werkzeug's default).
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

/// A key derivation function and its parameters, written as Werkzeug writes
/// them before the first `$`.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::PasswordMethod;
///
/// assert_eq!(PasswordMethod::default().to_string(), "scrypt:32768:8:1");
/// let method: PasswordMethod = "pbkdf2".parse().unwrap();
/// assert_eq!(method.to_string(), "pbkdf2:sha256:1000000");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordMethod {
    /// scrypt with cost `n` (a power of two), block size `r` and parallelism `p`.
    Scrypt {
        /// CPU/memory cost, a power of two (Werkzeug: 32768).
        n: u64,
        /// Block size (Werkzeug: 8).
        r: u32,
        /// Parallelism (Werkzeug: 1).
        p: u32,
    },
    /// PBKDF2 with HMAC over `hash`, `iterations` times.
    Pbkdf2 {
        /// The hash function.
        hash: Pbkdf2Hash,
        /// The iteration count (Werkzeug ≥ 3.1: 1,000,000).
        iterations: u32,
    },
}

/// Werkzeug's default PBKDF2 iteration count (3.1).
const PBKDF2_ITERATIONS: u32 = 1_000_000;
/// The most memory a stored scrypt hash may ask for (`128 * n * r` bytes), and
/// the most PBKDF2 iterations: hashes beyond these are refused, so an
/// injected hash cannot make a login attempt exhaust the server.
const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;
const MAX_SCRYPT_P: u32 = 16;
const MAX_PBKDF2_ITERATIONS: u32 = 20_000_000;

impl Default for PasswordMethod {
    /// `scrypt:32768:8:1`, Werkzeug's default.
    fn default() -> Self {
        PasswordMethod::Scrypt {
            n: 32_768,
            r: 8,
            p: 1,
        }
    }
}

impl PasswordMethod {
    /// `pbkdf2:sha256:1000000`, Werkzeug's PBKDF2 default.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::PasswordMethod;
    ///
    /// assert_eq!(PasswordMethod::pbkdf2().to_string(), "pbkdf2:sha256:1000000");
    /// ```
    pub fn pbkdf2() -> Self {
        PasswordMethod::Pbkdf2 {
            hash: Pbkdf2Hash::Sha256,
            iterations: PBKDF2_ITERATIONS,
        }
    }

    /// Whether the parameters are within what this crate computes (see the
    /// limits on [`check_password_hash`]).
    fn is_bounded(self) -> bool {
        match self {
            PasswordMethod::Scrypt { n, r, p } => {
                n.is_power_of_two()
                    && n > 1
                    && r > 0
                    && (1..=MAX_SCRYPT_P).contains(&p)
                    && n.checked_mul(u64::from(r))
                        .and_then(|nr| nr.checked_mul(128))
                        .is_some_and(|bytes| bytes <= MAX_SCRYPT_MEMORY)
            }
            PasswordMethod::Pbkdf2 { iterations, .. } => {
                (1..=MAX_PBKDF2_ITERATIONS).contains(&iterations)
            }
        }
    }

    /// The derived key, hex-encoded as Werkzeug writes it; `None` for
    /// parameters out of bounds.
    fn derive(self, salt: &str, password: &str) -> Option<String> {
        if !self.is_bounded() {
            return None;
        }
        let key = match self {
            PasswordMethod::Scrypt { n, r, p } => {
                // Python's hashlib.scrypt derives 64 bytes by default.
                let mut key = vec![0u8; 64];
                let params = scrypt::Params::new(n.trailing_zeros() as u8, r, p, 64).ok()?;
                scrypt::scrypt(password.as_bytes(), salt.as_bytes(), &params, &mut key).ok()?;
                key
            }
            PasswordMethod::Pbkdf2 { hash, iterations } => match hash {
                Pbkdf2Hash::Sha256 => {
                    let mut key = vec![0u8; 32];
                    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                        password.as_bytes(),
                        salt.as_bytes(),
                        iterations,
                        &mut key,
                    );
                    key
                }
                Pbkdf2Hash::Sha512 => {
                    let mut key = vec![0u8; 64];
                    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(
                        password.as_bytes(),
                        salt.as_bytes(),
                        iterations,
                        &mut key,
                    );
                    key
                }
            },
        };
        Some(
            key.iter()
                .fold(String::with_capacity(key.len() * 2), |mut hex, b| {
                    let _ = write!(hex, "{b:02x}");
                    hex
                }),
        )
    }
}

impl fmt::Display for PasswordMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordMethod::Scrypt { n, r, p } => write!(f, "scrypt:{n}:{r}:{p}"),
            PasswordMethod::Pbkdf2 { hash, iterations } => {
                let hash = match hash {
                    Pbkdf2Hash::Sha256 => "sha256",
                    Pbkdf2Hash::Sha512 => "sha512",
                };
                write!(f, "pbkdf2:{hash}:{iterations}")
            }
        }
    }
}

impl FromStr for PasswordMethod {
    type Err = PasswordHashError;

    /// Reads `scrypt`, `scrypt:n:r:p`, `pbkdf2`, `pbkdf2:hash` or
    /// `pbkdf2:hash:iterations`, filling in Werkzeug's defaults.
    fn from_str(method: &str) -> Result<Self, PasswordHashError> {
        let invalid = || PasswordHashError::InvalidMethod {
            method: method.chars().take(64).collect(),
        };
        let number = |s: &str| -> Result<u64, PasswordHashError> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            s.parse().map_err(|_| invalid())
        };
        let small = |s: &str| number(s).and_then(|n| u32::try_from(n).map_err(|_| invalid()));
        let parts: Vec<&str> = method.split(':').collect();
        let parsed = match parts.as_slice() {
            ["scrypt"] => PasswordMethod::default(),
            ["scrypt", n, r, p] => PasswordMethod::Scrypt {
                n: number(n)?,
                r: small(r)?,
                p: small(p)?,
            },
            ["pbkdf2", rest @ ..] if rest.len() <= 2 => {
                let hash = match rest.first().copied().unwrap_or("sha256") {
                    "sha256" => Pbkdf2Hash::Sha256,
                    "sha512" => Pbkdf2Hash::Sha512,
                    _ => return Err(invalid()),
                };
                let iterations = match rest.get(1) {
                    Some(iterations) => small(iterations)?,
                    None => PBKDF2_ITERATIONS,
                };
                PasswordMethod::Pbkdf2 { hash, iterations }
            }
            _ => return Err(invalid()),
        };
        if parsed.is_bounded() {
            Ok(parsed)
        } else {
            Err(invalid())
        }
    }
}

/// A password hash could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordHashError {
    /// The method is unknown, malformed, or its parameters are out of bounds.
    InvalidMethod {
        /// The method given (at most 64 characters).
        method: String,
    },
    /// The salt length is zero.
    EmptySalt,
    /// The operating system gave no random bytes for the salt.
    NoRandomness,
}

impl fmt::Display for PasswordHashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordHashError::InvalidMethod { method } => {
                write!(f, "invalid password hash method {method:?}")
            }
            PasswordHashError::EmptySalt => f.write_str("salt length must be at least 1"),
            PasswordHashError::NoRandomness => f.write_str("no random bytes for the salt"),
        }
    }
}

impl std::error::Error for PasswordHashError {}

/// Hashes `password` for storage with Werkzeug's default method
/// (`scrypt:32768:8:1`) and a 16-byte random salt.
///
/// # Panics
///
/// When the operating system has no source of randomness (there is no safe
/// way to make a salt then).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{PasswordMethod, check_password_hash, generate_password_hash_with};
///
/// // A cheap method keeps the example fast; generate_password_hash uses the default.
/// let method: PasswordMethod = "pbkdf2:sha256:1000".parse().unwrap();
/// let hash = generate_password_hash_with("secret", method, 16).unwrap();
/// assert!(hash.starts_with("pbkdf2:sha256:1000$"));
/// assert!(check_password_hash(&hash, "secret"));
/// assert!(!check_password_hash(&hash, "Secret"));
/// ```
pub fn generate_password_hash(password: &str) -> String {
    generate_password_hash_with(password, PasswordMethod::default(), 16)
        .expect("the operating system provides random bytes")
}

/// Hashes `password` with `method` and a salt of `salt_length` random
/// ASCII letters and digits (Werkzeug 3.1's `gen_salt`).
///
/// # Errors
///
/// [`PasswordHashError`] for a zero salt length, parameters out of bounds,
/// or no randomness.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{PasswordHashError, PasswordMethod, generate_password_hash_with};
///
/// let method = "pbkdf2:sha512:1000".parse::<PasswordMethod>().unwrap();
/// assert!(generate_password_hash_with("pw", method, 8).unwrap().starts_with("pbkdf2:sha512:1000$"));
/// assert_eq!(generate_password_hash_with("pw", method, 0), Err(PasswordHashError::EmptySalt));
/// ```
pub fn generate_password_hash_with(
    password: &str,
    method: PasswordMethod,
    salt_length: usize,
) -> Result<String, PasswordHashError> {
    if salt_length == 0 {
        return Err(PasswordHashError::EmptySalt);
    }
    let salt = gen_salt(salt_length)?;
    let hash = method
        .derive(&salt, password)
        .ok_or_else(|| PasswordHashError::InvalidMethod {
            method: method.to_string(),
        })?;
    Ok(format!("{method}${salt}${hash}"))
}

/// Werkzeug's `SALT_CHARS`.
const SALT_CHARS: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `length` characters drawn uniformly from [`SALT_CHARS`].
fn gen_salt(length: usize) -> Result<String, PasswordHashError> {
    let mut salt = String::with_capacity(length);
    let mut random = [0u8; 64];
    while salt.len() < length {
        getrandom::fill(&mut random).map_err(|_| PasswordHashError::NoRandomness)?;
        // 248 = 4 * 62: dropping larger bytes keeps every character equally likely.
        for b in random.iter().filter(|b| **b < 248) {
            if salt.len() == length {
                break;
            }
            salt.push(char::from(SALT_CHARS[usize::from(*b % 62)]));
        }
    }
    Ok(salt)
}

/// Whether `password` matches `hash` (`method$salt$hex`, as Werkzeug and
/// [`generate_password_hash`] write it). The comparison takes the same time
/// wherever the first difference is.
///
/// A malformed hash, an unknown method, or parameters beyond the bounds this
/// crate computes (scrypt needing more than 256 MiB or `p` above 16; more
/// than 20,000,000 PBKDF2 iterations) never match.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::check_password_hash;
///
/// // Made by Werkzeug 3.1.9: generate_password_hash("secret", "pbkdf2:sha256:1000")
/// let hash = "pbkdf2:sha256:1000$ApqqNGTKX05Zx18y$a930ba9c3937b588b27d2652bba1d4d10668196a196d420d404a77694f391f7d";
/// assert!(check_password_hash(hash, "secret"));
/// assert!(!check_password_hash(hash, "wrong"));
/// assert!(!check_password_hash("not a hash", "secret"));
/// ```
pub fn check_password_hash(hash: &str, password: &str) -> bool {
    let mut parts = hash.splitn(3, '$');
    let (Some(method), Some(salt), Some(expected)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(method) = method.parse::<PasswordMethod>() else {
        return false;
    };
    method
        .derive(salt, password)
        .is_some_and(|actual| constant_time_eq(actual.as_bytes(), expected.as_bytes()))
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// Whether a stored `hash` should be replaced by a new one made with the
/// default method (check the password first, then store
/// [`generate_password_hash`] of it): true when it uses another method or
/// weaker parameters, or does not parse.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::needs_rehash;
///
/// assert!(needs_rehash("pbkdf2:sha256:600000$salt$00"));
/// assert!(needs_rehash("scrypt:16384:8:1$salt$00"));
/// assert!(!needs_rehash("scrypt:32768:8:1$salt$00"));
/// assert!(needs_rehash("garbage"));
/// ```
pub fn needs_rehash(hash: &str) -> bool {
    needs_rehash_with(hash, PasswordMethod::default())
}

/// Like [`needs_rehash`], against the `policy` method.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{PasswordMethod, needs_rehash_with};
///
/// let policy = PasswordMethod::pbkdf2();
/// assert!(needs_rehash_with("pbkdf2:sha256:600000$s$00", policy));
/// assert!(!needs_rehash_with("pbkdf2:sha256:1000000$s$00", policy));
/// assert!(needs_rehash_with("scrypt:32768:8:1$s$00", policy));
/// ```
pub fn needs_rehash_with(hash: &str, policy: PasswordMethod) -> bool {
    let Some(Ok(method)) = hash.split('$').next().map(str::parse::<PasswordMethod>) else {
        return true;
    };
    match (method, policy) {
        (
            PasswordMethod::Scrypt { n, r, p },
            PasswordMethod::Scrypt {
                n: pn,
                r: pr,
                p: pp,
            },
        ) => n < pn || r < pr || p < pp,
        (
            PasswordMethod::Pbkdf2 { hash, iterations },
            PasswordMethod::Pbkdf2 {
                hash: ph,
                iterations: pi,
            },
        ) => hash != ph || iterations < pi,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_round_trip() {
        for text in [
            "scrypt:32768:8:1",
            "scrypt:1024:8:2",
            "pbkdf2:sha256:1000",
            "pbkdf2:sha512:5",
        ] {
            assert_eq!(text.parse::<PasswordMethod>().unwrap().to_string(), text);
        }
        assert_eq!(
            "pbkdf2:sha512"
                .parse::<PasswordMethod>()
                .unwrap()
                .to_string(),
            "pbkdf2:sha512:1000000"
        );
    }

    #[test]
    fn invalid_and_unbounded_methods() {
        for bad in [
            "sha256",
            "",
            "scrypt:1",
            "scrypt:3:8:1",
            "scrypt:1048576:8:1",
            "scrypt:1024:8:17",
            "scrypt:1024:0:1",
            "pbkdf2:md5:1000",
            "pbkdf2:sha256:0",
            "pbkdf2:sha256:+1",
            "pbkdf2:sha256:99999999",
            "pbkdf2:sha256:1:2",
            "scrypt:99999999999999999999:8:1",
        ] {
            assert!(bad.parse::<PasswordMethod>().is_err(), "{bad}");
        }
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn salts_differ() {
        let method = "pbkdf2:sha256:1".parse().unwrap();
        let a = generate_password_hash_with("secret", method, 16).unwrap();
        let b = generate_password_hash_with("secret", method, 16).unwrap();
        assert_ne!(a, b);
        let salt = a.split('$').nth(1).unwrap();
        assert_eq!(salt.len(), 16);
        assert!(salt.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
