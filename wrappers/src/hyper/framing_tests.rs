//! Response framing through the glue, read byte by byte off a real socket:
//! HEAD carries the headers (and `Content-Length`) of the GET without a
//! body, 204 and 304 have neither body nor `Content-Length`, and pipelined
//! requests after each of them are still framed right.

use std::net::SocketAddr;

use ::hyper::body::Bytes;
use http::StatusCode;
use http::header::ETAG;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Executor, Gateway, GatewayConfig, InlineWhenBuffered, Peer};
use crate::{Request, Response, ResponseBody};

/// Answers without knowing the method, as a plain [`Application`]
/// (not the App, which prepares its responses itself) would.
fn app(request: Request) -> Response {
    match request.path_info() {
        "/text" => Response::text("hello world"),
        "/reader" => Response::new(ResponseBody::Reader {
            reader: Box::new(std::io::Cursor::new(b"12345".to_vec())),
            length: Some(5),
        }),
        "/chunks" => {
            let chunks = (0..3).map(|i| Ok(Bytes::from(format!("chunk{i};"))));
            Response::new(ResponseBody::Chunks(Box::new(chunks)))
        }
        "/empty" => Response::empty(StatusCode::OK),
        // Handlers that wrongly give a body to a status that has none.
        "/no-content" => Response::text("stray").with_status(StatusCode::NO_CONTENT),
        "/not-modified" => {
            let mut response = Response::text("stray").with_status(StatusCode::NOT_MODIFIED);
            response
                .headers_mut()
                .insert(ETAG, http::HeaderValue::from_static("\"v1\""));
            response
        }
        _ => Response::text("not found").with_status(StatusCode::NOT_FOUND),
    }
}

async fn start(inline: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let gateway =
        Gateway::new(app as fn(Request) -> Response).with_config(GatewayConfig::default());
    if inline {
        tokio::spawn(serve(listener, gateway.with_executor(InlineWhenBuffered)));
    } else {
        tokio::spawn(serve(listener, gateway));
    }
    address
}

async fn serve<E: Executor>(listener: TcpListener, gateway: Gateway<fn(Request) -> Response, E>) {
    loop {
        let (stream, peer) = listener.accept().await.unwrap();
        tokio::spawn(gateway.serve_connection(
            stream,
            Peer::new(Some(peer)),
            std::future::pending(),
        ));
    }
}

/// One response as read off the wire.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `requests` pipelined on one connection (the last one closes it) and
/// splits what comes back into responses, framing each as a client must:
/// no body after HEAD, 204 or 304; else `Content-Length` or chunked. Bytes
/// left over mean a response was framed wrong.
async fn exchange(address: SocketAddr, requests: &[(&str, &str)]) -> Vec<Raw> {
    let mut text = String::new();
    for (i, (method, path)) in requests.iter().enumerate() {
        let close = if i + 1 == requests.len() {
            "Connection: close\r\n"
        } else {
            ""
        };
        text.push_str(&format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\n{close}\r\n"
        ));
    }
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut wire = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut wire),
    )
    .await
    .expect("the server closed the connection after the last request")
    .unwrap();

    let mut rest = &wire[..];
    let mut responses = Vec::new();
    for (method, path) in requests {
        let end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no response head for {method} {path}: {rest:?}"));
        let head = std::str::from_utf8(&rest[..end]).unwrap();
        rest = &rest[end + 4..];
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap()[9..12].parse().unwrap();
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.to_owned(), value.trim().to_owned())
            })
            .collect();
        let mut raw = Raw {
            status,
            headers,
            body: Vec::new(),
        };
        if *method != "HEAD" && status != 204 && status != 304 {
            if let Some(length) = raw.header("content-length") {
                let length: usize = length.parse().unwrap();
                raw.body = rest[..length].to_vec();
                rest = &rest[length..];
            } else if raw.header("transfer-encoding") == Some("chunked") {
                loop {
                    let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
                    let size =
                        usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16)
                            .unwrap();
                    rest = &rest[line_end + 2..];
                    raw.body.extend_from_slice(&rest[..size]);
                    rest = &rest[size + 2..];
                    if size == 0 {
                        break;
                    }
                }
            } else {
                raw.body = rest.to_vec();
                rest = &[];
            }
        }
        responses.push(raw);
    }
    assert!(
        rest.is_empty(),
        "bytes after the last response (a body where none belongs): {:?}",
        String::from_utf8_lossy(rest)
    );
    responses
}

async fn head_matches_get(address: SocketAddr) {
    for path in ["/text", "/reader", "/chunks", "/empty", "/missing"] {
        let r = exchange(address, &[("GET", path), ("HEAD", path), ("GET", "/text")]).await;
        let (get, head, after) = (&r[0], &r[1], &r[2]);
        assert_eq!(head.status, get.status, "{path}");
        assert_eq!(
            head.header("content-length"),
            get.header("content-length"),
            "{path}: HEAD gives the GET's length"
        );
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "{path}"
        );
        assert!(head.body.is_empty(), "{path}");
        assert_eq!(
            after.body, b"hello world",
            "{path}: the next response is framed right"
        );
    }
    let r = exchange(
        address,
        &[
            ("GET", "/text"),
            ("GET", "/reader"),
            ("GET", "/chunks"),
            ("GET", "/empty"),
        ],
    )
    .await;
    assert_eq!(r[0].header("content-length"), Some("11"));
    assert_eq!(r[0].body, b"hello world");
    assert_eq!(r[1].header("content-length"), Some("5"));
    assert_eq!(r[1].body, b"12345");
    assert_eq!(r[2].header("content-length"), None);
    assert_eq!(r[2].body, b"chunk0;chunk1;chunk2;");
    assert_eq!(r[3].header("content-length"), Some("0"));
}

async fn no_body_statuses(address: SocketAddr) {
    for method in ["GET", "HEAD"] {
        let r = exchange(
            address,
            &[
                (method, "/no-content"),
                (method, "/not-modified"),
                ("GET", "/text"),
            ],
        )
        .await;
        assert_eq!(r[0].status, 204);
        assert_eq!(
            r[0].header("content-length"),
            None,
            "{method} 204: {:?}",
            r[0]
        );
        assert_eq!(r[0].header("transfer-encoding"), None, "{method} 204");
        assert_eq!(r[1].status, 304);
        assert_eq!(r[1].header("etag"), Some("\"v1\""));
        assert_eq!(
            r[1].header("content-length"),
            None,
            "{method} 304: {:?}",
            r[1]
        );
        assert_eq!(r[1].header("transfer-encoding"), None, "{method} 304");
        // No stray body bytes: the third response parses and is whole.
        assert_eq!(r[2].body, b"hello world", "{method}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_carries_the_length_of_get_without_a_body() {
    // Handlers inline and on the executor's threads answer alike.
    for inline in [true, false] {
        let address = start(inline).await;
        head_matches_get(address).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_content_and_not_modified_have_no_body_and_no_length() {
    for inline in [true, false] {
        let address = start(inline).await;
        no_body_statuses(address).await;
    }
}
