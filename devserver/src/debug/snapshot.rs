//! What the debug page shows about the request: taken before the handler
//! consumes it, completed after a panic.
//!
//! The head is copied. A form body (urlencoded or multipart) is recorded as
//! the handler reads it, up to [`FORM_CAP`]; after a panic the rest is read
//! (within the cap) and parsed for its field names. Values are never shown.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use carafe_wrappers::{Body, Request};
use http::{HeaderMap, Method, Uri, Version};

/// The most body bytes recorded to list a form's fields.
pub(crate) const FORM_CAP: usize = 1024 * 1024;

/// The request as the debug page shows it.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) version: Version,
    pub(crate) remote_addr: Option<SocketAddr>,
    pub(crate) headers: HeaderMap,
    uri: Uri,
    recorder: Option<Recorder>,
}

/// The field names of a form body.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FormKeys {
    /// Not a form (or an empty body).
    None,
    /// Field names, and the names of file fields.
    Keys {
        fields: Vec<String>,
        files: Vec<String>,
    },
    /// Why the names cannot be shown.
    Unavailable(String),
}

impl Snapshot {
    /// Copies the head of `request`; a form body is wrapped so what the
    /// handler reads is recorded.
    pub(crate) fn take(request: &mut Request) -> Self {
        let mimetype = request.mimetype();
        let is_form =
            mimetype == "application/x-www-form-urlencoded" || mimetype == "multipart/form-data";
        let recorder = (is_form && !request.body_mut().is_empty()).then(|| {
            let body = std::mem::replace(request.body_mut(), Body::empty());
            let length = body.length();
            let recorder = Recorder(Arc::new(Mutex::new(Recorded {
                body,
                bytes: Vec::new(),
                overflow: false,
            })));
            *request.body_mut() = Body::from_reader(recorder.clone(), length);
            recorder
        });
        Self {
            method: request.method().clone(),
            url: request.url(),
            version: request.version(),
            remote_addr: request.remote_addr(),
            headers: request.headers().clone(),
            uri: request.uri().clone(),
            recorder,
        }
    }

    /// The query's parameter names, in order, without repeats.
    pub(crate) fn query_keys(&self) -> Vec<String> {
        let Ok(request) = self.rebuild(Vec::new()) else {
            return Vec::new();
        };
        request
            .args()
            .map(|args| unique(args.keys()))
            .unwrap_or_default()
    }

    /// The form's field names (reads what is left of the body, within
    /// [`FORM_CAP`]).
    pub(crate) fn form_keys(&self) -> FormKeys {
        let Some(recorder) = &self.recorder else {
            return FormKeys::None;
        };
        let bytes = match recorder.finish() {
            Ok(bytes) => bytes,
            Err(reason) => return FormKeys::Unavailable(reason),
        };
        let request = match self.rebuild(bytes) {
            Ok(request) => request,
            Err(reason) => return FormKeys::Unavailable(reason),
        };
        match (request.form(), request.files()) {
            (Ok(form), Ok(files)) => FormKeys::Keys {
                fields: unique(form.keys()),
                files: unique(files.keys()),
            },
            (Err(error), _) | (_, Err(error)) => {
                FormKeys::Unavailable(format!("the form does not parse: {error}"))
            }
        }
    }

    /// A request with this head and `body`.
    fn rebuild(&self, body: Vec<u8>) -> Result<Request, String> {
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(self.uri.clone())
            .version(self.version);
        if let Some(headers) = builder.headers_mut() {
            *headers = self.headers.clone();
            if headers.contains_key(http::header::CONTENT_LENGTH) {
                headers.insert(http::header::CONTENT_LENGTH, body.len().into());
            }
            headers.remove(http::header::TRANSFER_ENCODING);
        }
        let (head, ()) = builder
            .body(())
            .map_err(|error| error.to_string())?
            .into_parts();
        Ok(Request::from_parts(head, Body::from(body)))
    }
}

fn unique<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for key in keys {
        if !seen.iter().any(|known| known == key) {
            seen.push(key.to_owned());
        }
    }
    seen
}

struct Recorded {
    body: Body,
    bytes: Vec<u8>,
    overflow: bool,
}

/// A body reader that keeps a copy of what passes through, up to the cap.
#[derive(Clone)]
struct Recorder(Arc<Mutex<Recorded>>);

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recorder")
    }
}

impl Read for Recorder {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut recorded = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = recorded.body.read(buf)?;
        let room = FORM_CAP - recorded.bytes.len();
        if n > room {
            recorded.overflow = true;
        }
        let keep = n.min(room);
        recorded.bytes.extend_from_slice(&buf[..keep]);
        Ok(n)
    }
}

impl Recorder {
    /// The whole body, reading what the handler left (within the cap).
    fn finish(&self) -> Result<Vec<u8>, String> {
        let mut recorded = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let too_large = || format!("the body is larger than {} KiB", FORM_CAP / 1024);
        if recorded.overflow {
            return Err(too_large());
        }
        let mut chunk = [0; 16 * 1024];
        loop {
            match recorded.body.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) if recorded.bytes.len() + n > FORM_CAP => return Err(too_large()),
                Ok(n) => recorded.bytes.extend_from_slice(&chunk[..n]),
                Err(error) => return Err(format!("the body could not be read: {error}")),
            }
        }
        Ok(std::mem::take(&mut recorded.bytes))
    }
}

#[cfg(test)]
mod tests {
    use carafe_wrappers::test::{Client, FileUpload};

    use super::*;

    fn snapshot_of(
        builder: impl FnOnce(&Client<fn(Request) -> carafe_wrappers::Response>) -> Request,
        read: usize,
    ) -> Snapshot {
        fn app(_: Request) -> carafe_wrappers::Response {
            carafe_wrappers::Response::text("")
        }
        let client = Client::new(app as fn(Request) -> carafe_wrappers::Response);
        let mut request = builder(&client);
        let snapshot = Snapshot::take(&mut request);
        let mut buffer = vec![0; read];
        let _ = request.body_mut().read(&mut buffer);
        drop(request);
        snapshot
    }

    #[test]
    fn urlencoded_keys_after_a_partial_read() {
        let snapshot = snapshot_of(
            |client| {
                client
                    .post("/login?next=/home&next=/x")
                    .form([("user", "ada"), ("password", "secret"), ("user", "again")])
                    .build()
            },
            5,
        );
        assert_eq!(
            snapshot.form_keys(),
            FormKeys::Keys {
                fields: vec!["user".to_owned(), "password".to_owned()],
                files: Vec::new()
            }
        );
        assert_eq!(snapshot.query_keys(), ["next"]);
        assert_eq!(snapshot.method, Method::POST);
    }

    #[test]
    fn multipart_keys_and_files() {
        let snapshot = snapshot_of(
            |client| {
                client
                    .post("/upload")
                    .form([("title", "Beach")])
                    .file("photo", FileUpload::new("beach.jpg", &b"\xff\xd8"[..]))
                    .build()
            },
            0,
        );
        assert_eq!(
            snapshot.form_keys(),
            FormKeys::Keys {
                fields: vec!["title".to_owned()],
                files: vec!["photo".to_owned()]
            }
        );
    }

    #[test]
    fn not_a_form() {
        let snapshot = snapshot_of(|client| client.post("/").json(&[1, 2]).build(), 0);
        assert_eq!(snapshot.form_keys(), FormKeys::None);
    }

    #[test]
    fn oversized_forms_are_not_parsed() {
        let big = "x".repeat(FORM_CAP + 10);
        let snapshot = snapshot_of(
            |client| client.post("/").form([("big", big.as_str())]).build(),
            0,
        );
        assert!(
            matches!(snapshot.form_keys(), FormKeys::Unavailable(reason) if reason.contains("larger than 1024 KiB"))
        );
    }
}
