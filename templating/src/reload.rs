//! Auto-reload: before a render, ask the loader whether anything changed (a cheap
//! stamp: file sizes and times); if so, load and check everything again and swap the
//! new version in. A broken edit keeps the last good version serving.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::Error;
use crate::environment::{Compiled, Recipe};
use crate::loader::Loader;

pub(crate) struct Reloader {
    recipe: Recipe,
    loader: Box<dyn Loader>,
    current: RwLock<Arc<Compiled>>,
    state: Mutex<State>,
    interval: Duration,
}

struct State {
    /// The stamp of the sources last *tried* (good or broken).
    stamp: Option<u64>,
    checked_at: Instant,
    error: Option<Arc<Error>>,
}

impl Reloader {
    pub(crate) fn new(
        recipe: Recipe,
        loader: Box<dyn Loader>,
        interval: Duration,
    ) -> Result<Self, Error> {
        // Take the stamp first: an edit made while loading is seen on the next check.
        let stamp = loader.stamp()?;
        let compiled = recipe.compile(&*loader)?;
        Ok(Reloader {
            recipe,
            loader,
            current: RwLock::new(Arc::new(compiled)),
            state: Mutex::new(State {
                stamp,
                checked_at: Instant::now(),
                error: None,
            }),
            interval,
        })
    }

    /// The version to render with, after reloading if the sources changed.
    pub(crate) fn current(&self) -> Arc<Compiled> {
        // Errors were recorded and logged by `check`; a render goes on with the last
        // good version.
        let _ = self.check(false);
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn refresh(&self) -> Result<bool, Arc<Error>> {
        self.check(true)
    }

    pub(crate) fn error(&self) -> Option<Arc<Error>> {
        self.lock().error.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reloads when the stamp changed; `Ok(true)` when a new version was swapped in.
    fn check(&self, force: bool) -> Result<bool, Arc<Error>> {
        let mut state = self.lock();
        if !force && state.checked_at.elapsed() < self.interval {
            return Ok(false);
        }
        state.checked_at = Instant::now();
        let stamp = match self.loader.stamp() {
            Ok(stamp) => stamp,
            Err(error) => return Err(Self::failed(&mut state, error)),
        };
        if stamp == state.stamp {
            // Unchanged since the last attempt: if that attempt failed, it still has.
            return match &state.error {
                Some(error) if force => Err(error.clone()),
                _ => Ok(false),
            };
        }
        state.stamp = stamp;
        match self.recipe.compile(&*self.loader) {
            Ok(compiled) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(compiled);
                if state.error.take().is_some() {
                    tracing::info!("templates reloaded; the last error is fixed");
                } else {
                    tracing::debug!("templates reloaded");
                }
                Ok(true)
            }
            Err(error) => Err(Self::failed(&mut state, error)),
        }
    }

    fn failed(state: &mut State, error: Error) -> Arc<Error> {
        let report = error.report();
        // A stamp error (the directory is gone) repeats on every render: say it once.
        if state
            .error
            .as_ref()
            .is_none_or(|old| old.report() != report)
        {
            tracing::error!(
                "template reload failed; the last good version keeps serving\n{report}"
            );
        }
        let error = Arc::new(error);
        state.error = Some(error.clone());
        error
    }
}
