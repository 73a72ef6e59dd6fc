//! A bounded load generator: threads sending `GET`s, over keep-alive
//! connections or a new connection per request, until stopped or a limit is
//! reached (count per thread, time). Strict: every error is a failure, no
//! retries, so a test can claim "zero failed requests".

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::read_response;

#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) path: String,
    pub(crate) threads: usize,
    pub(crate) keepalive: bool,
    pub(crate) max_requests: u64,
    pub(crate) max_time: Duration,
    /// Pause between requests of one thread.
    pub(crate) pause: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            path: "/pid".to_owned(),
            threads: 2,
            keepalive: true,
            max_requests: 1_000_000,
            max_time: Duration::from_secs(60),
            pause: Duration::from_millis(1),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) what: String,
    /// The connection had served no request yet (a new connection).
    pub(crate) fresh: bool,
    /// The worker pid that served the last request on this connection.
    pub(crate) pid: Option<i32>,
    pub(crate) after: Duration,
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) ok: u64,
    pub(crate) connections: u64,
    pub(crate) failures: Vec<Failure>,
    pub(crate) pids: std::collections::BTreeSet<i32>,
}

pub(crate) struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    threads: Vec<JoinHandle<Stats>>,
}

impl Load {
    pub(crate) fn start(address: SocketAddr, options: Options) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let threads = (0..options.threads)
            .map(|_| {
                let stop = Arc::clone(&stop);
                let ok = Arc::clone(&ok);
                let options = options.clone();
                std::thread::spawn(move || run(address, &options, &stop, &ok))
            })
            .collect();
        Load { stop, ok, threads }
    }

    /// Successful requests so far.
    pub(crate) fn ok(&self) -> u64 {
        self.ok.load(Ordering::Relaxed)
    }

    /// Waits until `more` further requests succeeded (panics after `within`).
    pub(crate) fn wait_progress(&self, more: u64, within: Duration) {
        let target = self.ok() + more;
        let deadline = Instant::now() + within;
        while self.ok() < target {
            assert!(
                Instant::now() < deadline,
                "load made no progress: {} of {target}",
                self.ok()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops the load now; the totals.
    pub(crate) fn finish(self) -> Stats {
        self.stop.store(true, Ordering::Relaxed);
        self.join()
    }

    /// Waits until every thread reached its limit; the totals.
    pub(crate) fn join(self) -> Stats {
        let mut total = Stats::default();
        for thread in self.threads {
            let stats = thread.join().unwrap();
            total.ok += stats.ok;
            total.connections += stats.connections;
            total.failures.extend(stats.failures);
            total.pids.extend(stats.pids);
        }
        total
    }
}

struct Conn {
    reader: BufReader<TcpStream>,
    served: u64,
    pid: Option<i32>,
}

fn run(address: SocketAddr, options: &Options, stop: &AtomicBool, ok: &AtomicU64) -> Stats {
    let started = Instant::now();
    let mut stats = Stats::default();
    let mut conn: Option<Conn> = None;
    let mut sent = 0;
    while !stop.load(Ordering::Relaxed)
        && sent < options.max_requests
        && started.elapsed() < options.max_time
    {
        if conn.is_none() {
            match TcpStream::connect_timeout(&address, Duration::from_secs(5)) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(Duration::from_secs(15)))
                        .unwrap();
                    stream.set_nodelay(true).unwrap();
                    stats.connections += 1;
                    conn = Some(Conn {
                        reader: BufReader::new(stream),
                        served: 0,
                        pid: None,
                    });
                }
                Err(error) => {
                    stats.failures.push(Failure {
                        what: format!("connect: {error}"),
                        fresh: true,
                        pid: None,
                        after: started.elapsed(),
                    });
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        sent += 1;
        let close = if options.keepalive {
            ""
        } else {
            "Connection: close\r\n"
        };
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: localhost\r\n{close}\r\n",
            options.path
        );
        let outcome = c
            .reader
            .get_mut()
            .write_all(request.as_bytes())
            .and_then(|()| read_response(&mut c.reader));
        match outcome {
            Ok(Some(response)) if response.status == 200 => {
                stats.ok += 1;
                ok.fetch_add(1, Ordering::Relaxed);
                c.served += 1;
                if let Some(pid) = response
                    .text()
                    .strip_prefix("pid=")
                    .and_then(|p| p.trim().parse().ok())
                {
                    c.pid = Some(pid);
                    stats.pids.insert(pid);
                }
                if response.closes() || !options.keepalive {
                    conn = None;
                }
            }
            other => {
                let what = match other {
                    Ok(Some(response)) => format!("status {}", response.status),
                    Ok(None) => "closed before a response".to_owned(),
                    Err(error) => format!("{error}"),
                };
                stats.failures.push(Failure {
                    what,
                    fresh: c.served == 0,
                    pid: c.pid,
                    after: started.elapsed(),
                });
                conn = None;
            }
        }
        if !options.pause.is_zero() {
            std::thread::sleep(options.pause);
        }
    }
    stats
}
