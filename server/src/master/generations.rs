//! Worker generations: keeping the count (`TTIN`, `TTOU`, crashes) and
//! replacing a generation after a reload (`HUP`).

use std::time::{Duration, Instant};

use carafe_wrappers::Application;
use nix::unistd::Pid;

use super::{Master, Worker};
use crate::listeners;
use crate::log::{Log, critical, error, info, warning};

impl<F, A> Master<'_, F>
where
    F: Fn() -> A,
    A: Application,
{
    /// Starts and stops workers until the current generation has `target`
    /// of them; retires the previous generation once the new one is ready.
    pub(super) fn manage(&mut self) {
        let generation = self.generation;
        let current = |w: &&Worker| {
            w.generation == generation && !w.retiring && w.terminated.is_none() && !w.killed
        };
        let count = self.workers.iter().filter(current).count();
        if count < self.target {
            let now = Instant::now();
            if self.spawn_after.is_none_or(|after| now >= after) {
                self.spawn_after = None;
                for _ in count..self.target {
                    if let Err(error) = self.spawn() {
                        error!("cannot start a worker: {error}");
                        self.spawn_after = Some(now + Duration::from_secs(1));
                        break;
                    }
                }
            }
        } else if count > self.target {
            let mut current: Vec<(Instant, Pid)> = self
                .workers
                .iter()
                .filter(current)
                .map(|w| (w.spawned, w.pid))
                .collect();
            current.sort();
            for (_, pid) in current.into_iter().take(count - self.target) {
                self.terminate(pid);
            }
        }
        // A reload completes when the new generation is ready (or after
        // `timeout`, when it never gets there: the old workers keep serving).
        if let Some(started) = self.reload_started {
            let ready = self
                .workers
                .iter()
                .filter(current)
                .filter(|w| w.ready)
                .count();
            let old: Vec<Pid> = self
                .workers
                .iter()
                .filter(|w| w.generation != generation && w.terminated.is_none())
                .map(|w| w.pid)
                .collect();
            if ready >= self.target {
                for pid in old {
                    self.terminate(pid);
                }
                self.reload_started = None;
                info!("HUP: the new workers are ready; the old ones are stopping");
            } else if started.elapsed() > self.settings.timeout.max(Duration::from_secs(5)) {
                warning!("HUP: the new workers are not ready; keeping the old ones");
                self.reload_started = None;
                let new: Vec<Pid> = self.workers.iter().filter(current).map(|w| w.pid).collect();
                self.generation = self.workers.iter().map(|w| w.generation).min().unwrap_or(0);
                for pid in new {
                    self.terminate(pid);
                }
            }
        }
    }

    pub(super) fn reload(&mut self) {
        info!("HUP: reloading");
        let settings = match self.settings.reload() {
            Ok(settings) => settings,
            Err(error) => {
                error!("HUP: keeping the current settings: {error}");
                return;
            }
        };
        let keep = std::mem::take(&mut self.listeners);
        match listeners::open(&settings, keep) {
            Ok(listeners) => self.listeners = listeners,
            Err(error) => {
                error!("HUP: keeping the current settings: {error}");
                // The kept listeners were consumed; reopen the current set.
                match listeners::open(&self.settings, Vec::new()) {
                    Ok(listeners) => self.listeners = listeners,
                    Err(error) => critical!("HUP: cannot reopen the listeners: {error}"),
                }
                return;
            }
        }
        Log::install(
            settings.loglevel,
            &settings.errorlog,
            settings.accesslog.as_ref(),
        );
        for listener in &self.listeners {
            info!("listening at: {}", listener.describe());
        }
        self.target = settings.workers;
        self.settings = settings;
        self.generation += 1;
        self.reload_started = Some(Instant::now());
    }
}
