//! The UUID the `uuid` converter produces.

use std::fmt;
use std::str::FromStr;

/// A UUID, as the `uuid` converter produces it (16 bytes; displayed in the
/// lowercase hyphenated form).
///
/// # Examples
///
/// ```
/// use carafe_routing::Uuid;
/// let u: Uuid = "A8098C1A-F86E-11DA-BD1A-00112444BE1E".parse().unwrap();
/// assert_eq!(u.to_string(), "a8098c1a-f86e-11da-bd1a-00112444be1e");
/// assert_eq!(u.as_bytes()[0], 0xa8);
/// assert!("a8098c1a".parse::<Uuid>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid([u8; 16]);

impl Uuid {
    /// A UUID from its 16 bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let u = carafe_routing::Uuid::from_bytes([0; 16]);
    /// assert_eq!(u.to_string(), "00000000-0000-0000-0000-000000000000");
    /// ```
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Uuid(bytes)
    }

    /// The 16 bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Uuid::from_bytes([1; 16]).as_bytes(), &[1; 16]);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses the hyphenated form `8-4-4-4-12` (hex digits, either case),
    /// which is what the `uuid` converter matches.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::Uuid;
    /// assert!(Uuid::parse_hyphenated("2b5b0911-fdcf-4dd2-921b-28ace88db8a0").is_some());
    /// assert!(Uuid::parse_hyphenated("2b5b0911fdcf4dd2921b28ace88db8a0").is_none());
    /// ```
    pub fn parse_hyphenated(s: &str) -> Option<Uuid> {
        let b = s.as_bytes();
        if b.len() != 36 {
            return None;
        }
        let mut out = [0u8; 16];
        let mut n = 0;
        let mut i = 0;
        while i < 36 {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b[i] != b'-' {
                    return None;
                }
                i += 1;
                continue;
            }
            let hi = hex_val(b[i])?;
            let lo = hex_val(b[i + 1])?;
            out[n] = (hi << 4) | lo;
            n += 1;
            i += 2;
        }
        Some(Uuid(out))
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The text is not a hyphenated UUID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidUuid;

impl fmt::Display for InvalidUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid uuid: expected 8-4-4-4-12 hex digits")
    }
}

impl std::error::Error for InvalidUuid {}

impl FromStr for Uuid {
    type Err = InvalidUuid;
    fn from_str(s: &str) -> Result<Self, InvalidUuid> {
        Uuid::parse_hyphenated(s).ok_or(InvalidUuid)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}
