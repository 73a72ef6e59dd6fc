//! The glue driven by a real hyper client over TCP: the `tower-service`
//! adapter served by hyper's own server, and a gateway's connections.

use std::io::Read;
use std::net::SocketAddr;

use ::hyper::body::{Body as HttpBody, Bytes, Incoming};
use ::hyper::server::conn::http1;
use http::StatusCode;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tower_service::Service;

use super::{AppService, Gateway, GatewayConfig, InlineWhenBuffered, Peer};
use crate::{Limits, Request, Response, ResponseBody};

/// An application with a few behaviours worth crossing the glue.
fn app(mut request: Request) -> Response {
    match request.path_info() {
        "/echo" => {
            request.set_limits(Limits::default().with_max_content_length(Some(1 << 20)));
            let mut body = Vec::new();
            match request.body_mut().read_to_end(&mut body) {
                Ok(_) => Response::text(format!("{} bytes, last {:?}", body.len(), body.last())),
                Err(error) => {
                    let error = crate::BodyError::from_io(error);
                    Response::text(error.to_string()).with_status(error.status())
                }
            }
        }
        "/panic" => panic!("handler panic"),
        "/chunks" => {
            let chunks = (0..3).map(|i| Ok(Bytes::from(format!("chunk{i};"))));
            Response::new(ResponseBody::Chunks(Box::new(chunks)))
        }
        path => Response::text(format!("{} {path}", request.method())),
    }
}

/// Serves every connection of `listener` with hyper's server and `service`.
async fn serve_tower(listener: TcpListener, service: AppService<fn(Request) -> Response>) {
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        let service = service.clone();
        tokio::spawn(async move {
            // hyper calls `&self`; the tower adapter takes `&mut self`: clone per call.
            let hyper_service =
                ::hyper::service::service_fn(move |request: http::Request<Incoming>| {
                    let mut service = service.clone();
                    service.call(request)
                });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), hyper_service)
                .await;
        });
    }
}

async fn send(address: SocketAddr, request: http::Request<String>) -> (StatusCode, String) {
    let stream = TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = ::hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let response = sender.send_request(request).await.unwrap();
    let status = response.status();
    (status, collect(response.into_body()).await)
}

/// Writes `request` and reads the answer until the server closes.
async fn send_raw(address: SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the server closes the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

fn get(path: &str) -> http::Request<String> {
    http::Request::get(path)
        .header("host", "test")
        .body(String::new())
        .unwrap()
}

fn post(path: &str, body: String) -> http::Request<String> {
    http::Request::post(path)
        .header("host", "test")
        .body(body)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_serves_a_carafe_app_through_the_tower_adapter() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let service = AppService::new(app as fn(Request) -> Response);
    tokio::spawn(serve_tower(listener, service));

    assert_eq!(
        send(address, get("/hello")).await,
        (StatusCode::OK, "GET /hello".to_owned())
    );
    // A body larger than any buffer, streamed to the blocking handler.
    let big = "x".repeat(700_000) + "y";
    assert_eq!(
        send(address, post("/echo", big)).await,
        (StatusCode::OK, "700001 bytes, last Some(121)".to_owned())
    );
    // Only the head of the too-large request is sent: hyper closes a
    // connection whose body the app did not read, and a client still writing
    // that body would see the close as a broken pipe (or an RST that discards
    // the response) instead of the 413.
    let head = format!(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n",
        (1 << 20) + 1
    );
    let answer = send_raw(address, head.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(answer.contains("max_content_length"), "{answer}");
    let (status, _) = send(address, get("/panic")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        send(address, get("/chunks")).await,
        (StatusCode::OK, "chunk0;chunk1;chunk2;".to_owned())
    );
}

#[tokio::test]
async fn the_adapter_takes_any_body_type() {
    let mut service = AppService::new(app as fn(Request) -> Response);
    // `String` is an `http_body::Body` too.
    let request = http::Request::post("/echo")
        .body(String::from("abc"))
        .unwrap();
    let response = service.call(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        collect(response.into_body()).await,
        "3 bytes, last Some(99)"
    );
}

async fn collect<B: HttpBody + Unpin>(mut body: B) -> String
where
    B::Error: std::fmt::Debug,
{
    let mut text = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        if let Ok(data) = frame.unwrap().into_data() {
            text.extend_from_slice(bytes::Buf::chunk(&data));
        }
    }
    String::from_utf8(text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_checks_heads_and_keeps_connections_alive() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let gateway = Gateway::new(app as fn(Request) -> Response)
        .with_executor(InlineWhenBuffered)
        .with_config(GatewayConfig::default());
    tokio::spawn(async move {
        loop {
            let (stream, peer) = listener.accept().await.unwrap();
            tokio::spawn(gateway.serve_connection(
                stream,
                Peer::new(Some(peer)),
                std::future::pending(),
            ));
        }
    });
    // Two requests on one connection (keep-alive), then a bad one.
    let stream = TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) =
        ::hyper::client::conn::http1::handshake::<_, String>(TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    for path in ["/a", "/b"] {
        sender.ready().await.unwrap();
        let response = sender.send_request(get(path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(collect(response.into_body()).await, format!("GET {path}"));
    }
    let no_host = http::Request::get("/").body(String::new()).unwrap();
    sender.ready().await.unwrap();
    let response = sender.send_request(no_host).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["connection"], "close");
}

/// Serves `gateway` on a fresh listener; its address.
async fn serve_gateway(
    gateway: Gateway<fn(Request) -> Response, InlineWhenBuffered>,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, peer) = listener.accept().await.unwrap();
            tokio::spawn(gateway.serve_connection(
                stream,
                Peer::new(Some(peer)),
                std::future::pending(),
            ));
        }
    });
    address
}

/// Sends the head of a POST announcing `length` bytes and 10 of them; the
/// connection, and whether an answer came within `wait`.
async fn post_partly(
    address: SocketAddr,
    length: usize,
    wait: std::time::Duration,
) -> (TcpStream, bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!("POST /hello HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b'x'; 10]).await.unwrap();
    let mut buffer = [0; 64];
    let read = tokio::time::timeout(wait, stream.read(&mut buffer));
    let answered = matches!(read.await, Ok(Ok(n)) if buffer[..n].starts_with(b"HTTP/1.1 200"));
    (stream, answered)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_read_ahead_share_buffer_body_total() {
    use tokio::io::AsyncWriteExt;
    // Long enough to see that no answer comes; an expected answer may take
    // its time on a loaded machine.
    let none = std::time::Duration::from_millis(300);
    let some = std::time::Duration::from_secs(10);
    // `/hello` answers without reading the body: a handler that runs before
    // the body has arrived shows that the body was streamed, not read ahead.
    let config = GatewayConfig::default().with_buffer_body(1024);
    let unbounded = Gateway::new(app as fn(Request) -> Response)
        .with_executor(InlineWhenBuffered)
        .with_config(config.clone());
    let address = serve_gateway(unbounded).await;
    let (_first, answered) = post_partly(address, 1000, none).await;
    assert!(!answered, "read ahead: the handler waits for the body");
    let (_second, answered) = post_partly(address, 100, none).await;
    assert!(!answered, "no total: read ahead too");

    let bounded = Gateway::new(app as fn(Request) -> Response)
        .with_executor(InlineWhenBuffered)
        .with_config(config.with_buffer_body_total(Some(1024)));
    let address = serve_gateway(bounded).await;
    let (mut first, answered) = post_partly(address, 1000, none).await;
    assert!(!answered);
    let (_second, answered) = post_partly(address, 100, some).await;
    assert!(
        answered,
        "1000 + 100 bytes exceed the total: streamed at once"
    );
    // The first body completes and is answered: its bytes are given back.
    first.write_all(&[b'x'; 990]).await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0; 256];
    while !answer.ends_with(b"POST /hello") {
        let n = tokio::io::AsyncReadExt::read(&mut first, &mut buffer)
            .await
            .unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buffer[..n]);
    }
    let mut released = false;
    for _ in 0..50 {
        let (_third, answered) = post_partly(address, 1000, none).await;
        if !answered {
            released = true;
            break;
        }
    }
    assert!(
        released,
        "the first body's reservation was never given back"
    );
}
