//! A worker process: the application, a tokio runtime, the shared listening
//! sockets, and the heartbeat to the master.

mod dispatch;
mod pool;
mod watch;

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use carafe_wrappers::Application;
use carafe_wrappers::hyper::{Gateway, Peer, Shutdown};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Semaphore;

use self::dispatch::Dispatch;
use self::pool::Pool;
use self::watch::{Watch, Watched};
use crate::heartbeat::{self, Beat};
use crate::listeners::Listener;
use crate::log::{Log, critical, error, info, warning};
use crate::{Scheduler, Settings, access_log};

/// Exit status of a worker whose app factory panicked (gunicorn's
/// `WORKER_BOOT_ERROR`).
pub(crate) const BOOT_ERROR: i32 = 3;

/// What the master hands a new worker.
pub(crate) struct Setup<'a> {
    pub(crate) listeners: &'a [Listener],
    pub(crate) settings: &'a Settings,
    pub(crate) beat: OwnedFd,
    pub(crate) master: Pid,
}

/// Runs a worker until it stops; returns its exit status.
pub(crate) fn run<F, A>(setup: Setup<'_>, factory: &F) -> i32
where
    F: Fn() -> A,
    A: Application,
{
    let settings = setup.settings;
    Log::start_writers();
    // Panics (a handler's, caught and answered with a 500) go to the error log.
    std::panic::set_hook(Box::new(|info| {
        let backtrace = std::backtrace::Backtrace::capture();
        match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => error!("{info}\n{backtrace}"),
            _ => error!("{info}"),
        }
    }));
    if let Err(message) = switch_user(settings) {
        critical!("cannot switch user: {message}");
        return BOOT_ERROR;
    }
    let Ok(app) = catch_unwind(AssertUnwindSafe(factory)) else {
        critical!("worker failed to boot: the app factory panicked");
        return BOOT_ERROR;
    };
    let max_requests = match settings.max_requests {
        0 => 0,
        max => max + jitter(settings.max_requests_jitter),
    };
    let watch = Watch::new(
        settings.io_threads_per_worker() + settings.threads + 1,
        max_requests,
        settings.scheduler == Scheduler::Adaptive,
    );
    let pool = match Pool::new(settings.threads) {
        Ok(pool) => pool,
        Err(error) => {
            critical!("cannot start the handler threads: {error}");
            return BOOT_ERROR;
        }
    };
    let mut gateway = Gateway::new(Watched {
        app,
        watch: Arc::clone(&watch),
    })
    .with_executor(Dispatch {
        scheduler: settings.scheduler,
        pool,
        watch: Arc::clone(&watch),
    })
    .with_config(settings.gateway_config());
    if let Some(observer) = access_log::observer() {
        gateway = gateway.with_access_observer(observer);
    }
    let io_threads = settings.io_threads_per_worker();
    let runtime = if io_threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(io_threads)
            .thread_name("carafe-io")
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            critical!("cannot start the runtime: {error}");
            return BOOT_ERROR;
        }
    };
    let status = runtime.block_on(serve(gateway, setup, watch));
    // Blocking work (a stuck handler) must not delay the exit.
    std::mem::forget(runtime);
    status
}

/// A pseudo-random 0..=max (pid and time mixed; enough to spread restarts).
fn jitter(max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut x = u64::from(nanos) ^ (u64::from(std::process::id()) << 32) ^ 0x9e37_79b9_7f4a_7c15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x % (max + 1)
}

fn switch_user(settings: &Settings) -> Result<(), String> {
    use nix::unistd::{Gid, Group, Uid, User, setgid, setuid};
    let group = match &settings.group {
        None => None,
        Some(name) => Some(match name.parse::<u32>() {
            Ok(gid) => Gid::from_raw(gid),
            Err(_) => {
                Group::from_name(name)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("no group named {name:?}"))?
                    .gid
            }
        }),
    };
    let user = match &settings.user {
        None => None,
        Some(name) => Some(match name.parse::<u32>() {
            Ok(uid) => (Uid::from_raw(uid), None),
            Err(_) => {
                let user = User::from_name(name)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("no user named {name:?}"))?;
                (user.uid, Some(user.gid))
            }
        }),
    };
    if let Some(gid) = group.or(user.and_then(|(_, gid)| gid)) {
        setgid(gid).map_err(|e| format!("setgid({gid}): {e}"))?;
    }
    if let Some((uid, _)) = user {
        setuid(uid).map_err(|e| format!("setuid({uid}): {e}"))?;
    }
    Ok(())
}

/// A listener registered with this worker's runtime.
enum Accepting {
    Tcp(tokio::net::TcpListener),
    Unix(tokio::net::UnixListener),
}

fn register(listener: &Listener) -> io::Result<Accepting> {
    Ok(match listener.try_clone()? {
        Listener::Tcp(listener) => Accepting::Tcp(tokio::net::TcpListener::from_std(listener)?),
        Listener::Unix(listener, _) => {
            Accepting::Unix(tokio::net::UnixListener::from_std(listener)?)
        }
    })
}

async fn serve<A, E>(gateway: Gateway<A, E>, setup: Setup<'_>, watch: Arc<Watch>) -> i32
where
    A: Application,
    E: carafe_wrappers::hyper::Executor,
{
    let settings = setup.settings;
    let stop = Shutdown::new();
    let permits = Arc::new(Semaphore::new(settings.worker_connections));
    for listener in setup.listeners {
        match register(listener) {
            Ok(accepting) => {
                tokio::spawn(accept_loop(
                    accepting,
                    gateway.clone(),
                    Arc::clone(&permits),
                    stop.clone(),
                    settings.forwarded_allow_ips.clone(),
                ));
            }
            Err(error) => {
                critical!("cannot use {}: {error}", listener.describe());
                return BOOT_ERROR;
            }
        }
    }
    let signals = [
        SignalKind::terminate(),
        SignalKind::interrupt(),
        SignalKind::quit(),
        SignalKind::user_defined1(),
        SignalKind::hangup(),
    ]
    .map(signal);
    let [
        Ok(mut term),
        Ok(mut int),
        Ok(mut quit),
        Ok(mut usr1),
        Ok(mut hup),
    ] = signals
    else {
        critical!("cannot handle signals");
        return BOOT_ERROR;
    };
    let beat = setup.beat;
    if heartbeat::send(beat.as_fd(), Beat::Ready).is_err() {
        return 0;
    }
    info!("worker ready");
    let timeout = settings.timeout;
    let interval = if timeout.is_zero() {
        Duration::from_secs(1)
    } else {
        (timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
    };
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if nix::unistd::getppid() != setup.master {
                    warning!("the master is gone; stopping");
                    break;
                }
                let stuck = !timeout.is_zero()
                    && watch.longest_running().is_some_and(|running| running > timeout);
                let beat_kind = if stuck { Beat::Stuck } else { Beat::Alive };
                if stuck {
                    critical!("a handler has run longer than timeout ({} s)", timeout.as_secs_f64());
                }
                if heartbeat::send(beat.as_fd(), beat_kind).is_err() {
                    warning!("the master is gone; stopping");
                    break;
                }
            }
            _ = term.recv() => {
                info!("worker stopping (TERM)");
                break;
            }
            _ = int.recv() => return 0,
            _ = quit.recv() => return 0,
            _ = usr1.recv() => Log::reopen(),
            _ = hup.recv() => {}
            () = watch.retire_notify.notified() => {
                info!("worker retiring after max_requests");
                let _ = heartbeat::send(beat.as_fd(), Beat::Quitting);
                break;
            }
        }
    }
    // Graceful stop: no new connections; each connection finishes its request
    // in progress and closes; then exit (at the latest after graceful_timeout).
    stop.fire();
    let all = u32::try_from(settings.worker_connections).unwrap_or(u32::MAX);
    let finished = tokio::time::timeout(settings.graceful_timeout, permits.acquire_many(all));
    tokio::select! {
        result = finished => {
            if result.is_err() {
                warning!("graceful_timeout reached with connections still open");
            }
        }
        _ = int.recv() => {}
        _ = quit.recv() => {}
        _ = term.recv() => {}
    }
    0
}

async fn accept_loop<A, E>(
    accepting: Accepting,
    gateway: Gateway<A, E>,
    permits: Arc<Semaphore>,
    stop: Shutdown,
    allowed: crate::ForwardedAllowIps,
) where
    A: Application,
    E: carafe_wrappers::hyper::Executor,
{
    let mut stopped = stop.watch();
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            () = &mut stopped => return,
        };
        let accepted = tokio::select! {
            accepted = accept(&accepting) => accepted,
            () = &mut stopped => return,
        };
        match accepted {
            Ok(Connection::Tcp(stream, address)) => {
                let _ = stream.set_nodelay(true);
                let peer = Peer::new(Some(address)).trusted(allowed.allows(address.ip()));
                spawn_connection(&gateway, stream, peer, &stop, permit);
            }
            Ok(Connection::Unix(stream)) => {
                // A Unix-socket peer is a local proxy: trusted, as in gunicorn.
                spawn_connection(
                    &gateway,
                    stream,
                    Peer::new(None).trusted(true),
                    &stop,
                    permit,
                );
            }
            Err(error) => {
                drop(permit);
                if is_resource_error(&error) {
                    // Out of file descriptors or memory: wait, do not spin and
                    // do not give up the listener.
                    error!("accept failed: {error}; retrying in 100 ms");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

fn is_resource_error(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

enum Connection {
    Tcp(tokio::net::TcpStream, SocketAddr),
    Unix(tokio::net::UnixStream),
}

async fn accept(accepting: &Accepting) -> io::Result<Connection> {
    match accepting {
        Accepting::Tcp(listener) => {
            let (stream, address) = listener.accept().await?;
            Ok(Connection::Tcp(stream, address))
        }
        Accepting::Unix(listener) => {
            let (stream, _) = listener.accept().await?;
            Ok(Connection::Unix(stream))
        }
    }
}

fn spawn_connection<A, E, T>(
    gateway: &Gateway<A, E>,
    stream: T,
    peer: Peer,
    stop: &Shutdown,
    permit: tokio::sync::OwnedSemaphorePermit,
) where
    A: Application,
    E: carafe_wrappers::hyper::Executor,
    T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let served = gateway.serve_connection(stream, peer, stop.watch());
    tokio::spawn(async move {
        served.await;
        drop(permit);
    });
}
