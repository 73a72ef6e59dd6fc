//! Request hooks and error handlers (Flask's `before_request`,
//! `after_request`, `teardown_request`, `errorhandler`), as the app stores
//! them.

use std::sync::Arc;

use carafe_wrappers::{Request, Response};
use http::StatusCode;

use crate::error::Error;
use crate::response::IntoResponse;

/// What a `before_request` function returns: nothing to go on with the
/// request, or a response to answer at once (the handler is not called).
///
/// Implemented for `()`, `Option<T>` (`Some(response)` answers),
/// `Result<(), E>` and `Result<Option<T>, E>` (an error answers through
/// the error handlers, as an error raised in Flask's `before_request`).
pub trait BeforeRequestOutcome {
    /// `None` to go on, or the answer.
    fn into_outcome(self) -> Option<Response>;
}

impl BeforeRequestOutcome for () {
    fn into_outcome(self) -> Option<Response> {
        None
    }
}

impl<T: IntoResponse> BeforeRequestOutcome for Option<T> {
    fn into_outcome(self) -> Option<Response> {
        self.map(IntoResponse::into_response)
    }
}

impl<E: IntoResponse> BeforeRequestOutcome for Result<(), E> {
    fn into_outcome(self) -> Option<Response> {
        self.err().map(IntoResponse::into_response)
    }
}

impl<T: IntoResponse, E: IntoResponse> BeforeRequestOutcome for Result<Option<T>, E> {
    fn into_outcome(self) -> Option<Response> {
        match self {
            Ok(answer) => answer.map(IntoResponse::into_response),
            Err(error) => Some(error.into_response()),
        }
    }
}

pub(crate) type BeforeFn = Arc<dyn Fn(&Request) -> Option<Response> + Send + Sync>;
pub(crate) type AfterFn = Arc<dyn Fn(&Request, Response) -> Response + Send + Sync>;
pub(crate) type TeardownFn = Arc<dyn Fn(&Request, Option<&Error>) + Send + Sync>;
/// An error handler: `Some(response)` when it takes the error.
pub(crate) type ErrorFn = Arc<dyn Fn(&Error, &Request) -> Option<Response> + Send + Sync>;

/// The hooks and error handlers of one scope: the app, or one blueprint.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) before: Vec<BeforeFn>,
    pub(crate) after: Vec<AfterFn>,
    pub(crate) teardown: Vec<TeardownFn>,
    pub(crate) by_status: Vec<(StatusCode, ErrorFn)>,
    pub(crate) by_type: Vec<ErrorFn>,
}

impl Hooks {
    pub(crate) fn is_empty(&self) -> bool {
        self.before.is_empty()
            && self.after.is_empty()
            && self.teardown.is_empty()
            && self.by_status.is_empty()
            && self.by_type.is_empty()
    }

    pub(crate) fn extend(&mut self, other: Hooks) {
        self.before.extend(other.before);
        self.after.extend(other.after);
        self.teardown.extend(other.teardown);
        self.by_status.extend(other.by_status);
        self.by_type.extend(other.by_type);
    }

    /// Flask's lookup within one scope for an error raised while handling
    /// the request: by status for HTTP errors, then by type. The handler
    /// registered last wins.
    pub(crate) fn handle_user_error(&self, error: &Error, request: &Request) -> Option<Response> {
        if error.is_http()
            && let Some(response) = self.handle_status(error.status(), error, request)
        {
            return Some(response);
        }
        self.by_type
            .iter()
            .rev()
            .find_map(|handler| handler(error, request))
    }

    /// The handler registered for `status`, if any, called with `error`.
    pub(crate) fn handle_status(
        &self,
        status: StatusCode,
        error: &Error,
        request: &Request,
    ) -> Option<Response> {
        let (_, handler) = self
            .by_status
            .iter()
            .rev()
            .find(|(code, _)| *code == status)?;
        handler(error, request)
    }
}

pub(crate) fn before_fn<F, R>(f: F) -> BeforeFn
where
    F: Fn(&Request) -> R + Send + Sync + 'static,
    R: BeforeRequestOutcome,
{
    Arc::new(move |request| f(request).into_outcome())
}

pub(crate) fn status_fn<F, R>(f: F) -> ErrorFn
where
    F: Fn(&Error, &Request) -> R + Send + Sync + 'static,
    R: IntoResponse,
{
    Arc::new(move |error, request| Some(f(error, request).into_response()))
}

pub(crate) fn type_fn<E, F, R>(f: F) -> ErrorFn
where
    E: std::error::Error + 'static,
    F: Fn(&E, &Request) -> R + Send + Sync + 'static,
    R: IntoResponse,
{
    Arc::new(move |error, request| {
        error
            .downcast_ref::<E>()
            .map(|typed| f(typed, request).into_response())
    })
}
