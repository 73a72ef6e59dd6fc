//! A custom extractor: a handler that takes [`Authorized`] runs only for
//! requests with the API's bearer token; others get `401` with a
//! `WWW-Authenticate: Bearer` challenge.

use carafe::extract::FromRequestParts;
use carafe::prelude::*;
use carafe::wrappers::headers::WwwAuthenticate;

/// The token the writing methods need (app state).
pub(crate) struct ApiToken(String);

impl ApiToken {
    pub(crate) fn new(token: &str) -> Self {
        ApiToken(token.to_owned())
    }

    /// Compares in time independent of where the strings differ.
    fn matches(&self, given: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Proof that the request carried the API token.
pub(crate) struct Authorized;

impl<'r> FromRequestParts<'r> for Authorized {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        let token = request
            .state::<ApiToken>()
            .ok_or_else(|| Error::msg("no ApiToken state"))?;
        let given = request.authorization();
        let bearer = given
            .as_ref()
            .filter(|auth| auth.scheme().eq_ignore_ascii_case("bearer"))
            .and_then(|auth| auth.token());
        match bearer {
            Some(given) if token.matches(given) => Ok(Authorized),
            _ => Err(HttpError::unauthorized([WwwAuthenticate::bearer()])
                .with_description("this method needs the API token: Authorization: Bearer <token>")
                .into()),
        }
    }
}
