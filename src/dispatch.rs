//! One request through the app (Flask's `wsgi_app`, `full_dispatch_request`,
//! `handle_user_exception`, `handle_exception`, `process_response`,
//! `do_teardown_request`).
//!
//! This is the hot path: no locks, no allocation beyond the per-request
//! context and what routing and the handler need; hooks cost nothing when
//! there are none.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;

use carafe_routing::{BadRequest, MatchError, Values};
use carafe_wrappers::{HttpError, Request, Response};
use http::StatusCode;

use crate::app::{App, AppInner};
use crate::context::RequestContext;
use crate::error::{Error, PendingError, routing_error, routing_response};
use crate::hooks::Hooks;

/// An error no handler took: the request ends in a `500`.
struct Failure {
    error: Arc<Error>,
    panic: Option<Box<dyn Any + Send>>,
}

pub(crate) fn handle(app: &App, mut request: Request) -> Response {
    let inner = &*app.inner;
    request.set_limits(inner.settings.limits);
    request.insert_local(RequestContext::new(app.clone()));
    let Some(context) = request.local::<RequestContext>() else {
        return HttpError::internal_server_error().into_page();
    };
    let request = &request;
    let outcome = catch_unwind(AssertUnwindSafe(|| full_dispatch(inner, context, request)));
    let (mut response, failure) = match outcome {
        Ok(done) => done,
        Err(payload) => {
            let failure = Failure {
                error: Arc::new(Error::from_panic(&*payload)),
                panic: Some(payload),
            };
            let (response, failure) = handle_exception(inner, context, request, failure);
            let response = match catch_unwind(AssertUnwindSafe(|| {
                process_response(inner, context, request, response)
            })) {
                Ok(response) => response,
                Err(_) => {
                    // Flask's `finalize_request(from_error_handler=True)`:
                    // the error response goes out unprocessed.
                    tracing::error!("finishing the response failed while handling an error");
                    match &failure {
                        Some(failure) => server_error(inner, context, request, &failure.error),
                        None => HttpError::internal_server_error().into_response_for(request),
                    }
                }
            };
            (response, failure)
        }
    };
    teardown(inner, context, request, failure.as_ref().map(|f| &*f.error));
    if let Some(failure) = failure
        && inner.settings.propagate()
    {
        match failure.panic {
            Some(payload) => resume_unwind(payload),
            None => panic!("unhandled error (propagated): {}", failure.error),
        }
    }
    response.prepare_for(request.method());
    response
}

/// The hook scopes of the request's endpoint, innermost first.
fn scopes<'a>(
    inner: &'a AppInner,
    context: &RequestContext,
) -> impl Iterator<Item = &'a Hooks> + Clone {
    let list: &[u32] = match context.endpoint.get() {
        Some(index) => &inner.endpoints[index as usize].scopes,
        None => &[],
    };
    list.iter().map(|&scope| &inner.scopes[scope as usize])
}

/// Matches the request: the endpoint's index and its values.
fn route<'r>(inner: &'r AppInner, request: &'r Request) -> Result<(u32, Values<'r>), MatchError> {
    if let Some(trusted) = &inner.settings.trusted_hosts
        && !crate::settings::host_is_trusted(request.host(), trusted)
    {
        return Err(MatchError::BadRequest(BadRequest::InvalidHost {
            host: request.host().chars().take(100).collect(),
            reason: "not a trusted host".to_owned(),
        }));
    }
    let adapter = inner
        .map
        .bind_to_host(request.host(), request.scheme().as_str())?
        .with_script_root(request.script_root())
        .with_query(request.query_string())
        .with_method(request.method().clone());
    let mut values = Values::new();
    let (position, _) =
        adapter.match_rule_into(request.path_info(), request.method(), &mut values)?;
    match inner.rule_endpoints.get(position) {
        Some(&index) if index != u32::MAX => Ok((index, values)),
        _ => Err(MatchError::NotFound),
    }
}

fn take_error(response: &mut Response) -> Option<Arc<Error>> {
    if response.extensions().is_empty() {
        return None;
    }
    response
        .extensions_mut()
        .remove::<PendingError>()
        .map(|pending| pending.0)
}

fn full_dispatch(
    inner: &AppInner,
    context: &RequestContext,
    request: &Request,
) -> (Response, Option<Failure>) {
    let routed = route(inner, request);
    if let Ok((index, _)) = &routed {
        context.endpoint.set(Some(*index));
    }
    let mut response = match preprocess(inner, context, request) {
        Some(answer) => answer,
        None => match routed {
            Ok((index, values)) => inner.endpoints[index as usize]
                .handler
                .call(request, values),
            Err(error) => match routing_response(&error) {
                Some(response) => response,
                None => {
                    // Straight to the error handlers: no default page to
                    // render and throw away.
                    let error = Arc::new(Error::new(routing_error(&error)));
                    let (response, failure) = handle_user_exception(inner, context, request, error);
                    return (process_response(inner, context, request, response), failure);
                }
            },
        },
    };
    let mut failure = None;
    if let Some(error) = take_error(&mut response) {
        (response, failure) = handle_user_exception(inner, context, request, error);
    }
    (process_response(inner, context, request, response), failure)
}

/// The before-request functions: the app's, then the blueprints' from the
/// outermost in.
fn preprocess(inner: &AppInner, context: &RequestContext, request: &Request) -> Option<Response> {
    for before in &inner.app_hooks.before {
        if let Some(answer) = before(request) {
            return Some(answer);
        }
    }
    let scopes: Vec<&Hooks> = scopes(inner, context).collect();
    for hooks in scopes.into_iter().rev() {
        for before in &hooks.before {
            if let Some(answer) = before(request) {
                return Some(answer);
            }
        }
    }
    None
}

/// Flask's `handle_user_exception`: the error handlers of the blueprints
/// (innermost first), then the app's; an HTTP error nobody takes renders
/// its page; any other error becomes a `500`.
fn handle_user_exception(
    inner: &AppInner,
    context: &RequestContext,
    request: &Request,
    error: Arc<Error>,
) -> (Response, Option<Failure>) {
    let handled = scopes(inner, context)
        .chain(std::iter::once(&inner.app_hooks))
        .find_map(|hooks| hooks.handle_user_error(&error, request));
    match handled {
        Some(mut response) => match take_error(&mut response) {
            None => (response, None),
            Some(raised) => handle_exception(
                inner,
                context,
                request,
                Failure {
                    error: raised,
                    panic: None,
                },
            ),
        },
        None if error.is_http() => (error.default_response(request), None),
        None => handle_exception(inner, context, request, Failure { error, panic: None }),
    }
}

/// Flask's `handle_exception`: logs the error and answers `500` through the
/// `500` handlers.
fn handle_exception(
    inner: &AppInner,
    context: &RequestContext,
    request: &Request,
    failure: Failure,
) -> (Response, Option<Failure>) {
    tracing::error!(
        method = %request.method(),
        path = request.path_info(),
        endpoint = context.endpoint_name().unwrap_or(""),
        error = %failure.error,
        "exception on {} [{}]",
        request.path_info(),
        request.method(),
    );
    if inner.settings.propagate() {
        let response = HttpError::internal_server_error().into_response_for(request);
        return (response, Some(failure));
    }
    let response = server_error(inner, context, request, &failure.error);
    (response, Some(failure))
}

/// The `500` answer for `error`: the `500` handlers (blueprints first),
/// else the default page.
fn server_error(
    inner: &AppInner,
    context: &RequestContext,
    request: &Request,
    error: &Error,
) -> Response {
    let fallback = || HttpError::internal_server_error().into_response_for(request);
    let handled = scopes(inner, context)
        .chain(std::iter::once(&inner.app_hooks))
        .find_map(|hooks| hooks.handle_status(StatusCode::INTERNAL_SERVER_ERROR, error, request));
    match handled {
        Some(mut response) => match take_error(&mut response) {
            None => response,
            Some(_) => fallback(),
        },
        None => fallback(),
    }
}

/// Flask's `process_response`: the after-request functions (innermost
/// blueprint first, app last, each in reverse order), then the session.
fn process_response(
    inner: &AppInner,
    context: &RequestContext,
    request: &Request,
    mut response: Response,
) -> Response {
    let callbacks = std::mem::take(&mut *context.after_this.borrow_mut());
    for callback in callbacks {
        response = callback(response);
    }
    for hooks in scopes(inner, context).chain(std::iter::once(&inner.app_hooks)) {
        for after in hooks.after.iter().rev() {
            response = after(request, response);
        }
    }
    let mut session = context.session.borrow_mut();
    if session.is_none() && inner.sessions.refreshes(request) {
        // A permanent session is sent again on every request (sliding
        // expiry), even when the handler did not look at it.
        *session = Some(inner.sessions.open(request));
    }
    if let Some(session) = session.as_ref() {
        inner.sessions.save(session, &mut response);
    }
    drop(session);
    response
}

/// Flask's `do_teardown_request`: every teardown function, innermost
/// blueprint first, each scope in reverse order; a panic in one is logged.
fn teardown(inner: &AppInner, context: &RequestContext, request: &Request, error: Option<&Error>) {
    for hooks in scopes(inner, context).chain(std::iter::once(&inner.app_hooks)) {
        for teardown in hooks.teardown.iter().rev() {
            if catch_unwind(AssertUnwindSafe(|| teardown(request, error))).is_err() {
                tracing::error!("a teardown_request function panicked");
            }
        }
    }
}
