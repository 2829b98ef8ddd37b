//! The local host: builder, start-up, and the handle that stops it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::activity::Activity;
use crate::app::{App, Settings, Trigger};
use crate::error::{IdleTimeout, StartError};
use crate::handler::{supervise, wait_answering, Endpoint, Handler, HandlerClient, Restart, SpawnPlan};
use crate::invoke::{InvocationRecord, Shared};
use crate::keys::Keys;
use crate::store::{QueueOptions, QueueStore};
use crate::triggers::ncrontab::Schedule;
use crate::triggers::{run_queue_trigger, run_timer};

/// Where the queues live.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// A file in this directory ([`crate::store::STORE_FILE`]): survives restarts.
    Dir(PathBuf),
    /// In memory (tests).
    InMemory,
}

/// Configures and starts a [`LocalHost`].
#[derive(Debug, Clone)]
pub struct LocalHostBuilder {
    app_root: Option<PathBuf>,
    functions_dir: Option<PathBuf>,
    handler: Handler,
    http_port: u16,
    http_listener: Option<Arc<std::net::TcpListener>>,
    state: State,
    keys: Option<Keys>,
    keys_file: Option<PathBuf>,
    settings: Settings,
    queue_options: QueueOptions,
    function_timeout: Option<Duration>,
    startup_timeout: Duration,
    shutdown_grace: Duration,
}

impl Default for LocalHostBuilder {
    fn default() -> Self {
        LocalHostBuilder {
            app_root: None,
            functions_dir: None,
            handler: Handler::HostJson,
            http_port: 7071,
            http_listener: None,
            state: State::InMemory,
            keys: None,
            keys_file: None,
            settings: Settings::new().with_process_env(),
            queue_options: QueueOptions::default(),
            function_timeout: None,
            startup_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl LocalHostBuilder {
    /// The app root: where `host.json` is. Required.
    pub fn app_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.app_root = Some(dir.into());
        self
    }

    /// Where the `<function>/function.json` folders are (default: `function-defs` under
    /// the app root when it exists, else the app root).
    pub fn functions_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.functions_dir = Some(dir.into());
        self
    }

    /// The handler (default: [`Handler::HostJson`]).
    pub fn handler(mut self, handler: Handler) -> Self {
        self.handler = handler;
        self
    }

    /// The front door's port on 127.0.0.1 (default 7071, like `func start`; 0 = a free one).
    pub fn http_port(mut self, port: u16) -> Self {
        self.http_port = port;
        self
    }

    /// Serve the front door on this listener, bound by the caller (it then knows the address
    /// before the host starts, e.g. to put it in a setting the handler reads, and no other
    /// process can take the port in between). Overrides [`Self::http_port`].
    pub fn http_listener(mut self, listener: std::net::TcpListener) -> Self {
        self.http_listener = Some(Arc::new(listener));
        self
    }

    /// Where the queues live (default: in memory).
    pub fn state(mut self, state: State) -> Self {
        self.state = state;
        self
    }

    /// Enforce `authLevel` with these keys. Without keys (the default, like `func
    /// start`) every request passes and the admin API is open.
    pub fn keys(mut self, keys: Keys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Read the keys from a file at start (format in [`crate::keys`]).
    pub fn keys_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.keys_file = Some(path.into());
        self
    }

    /// App settings: `%NAME%` in bindings and the spawned handler's environment
    /// (default: none, falling back to the process environment).
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Deliveries before dead-lettering (default 10).
    pub fn max_delivery_count(mut self, count: u32) -> Self {
        self.queue_options.max_delivery_count = count.max(1);
        self
    }

    /// Peek-lock duration (default 1 minute).
    pub fn lock_duration(mut self, duration: Duration) -> Self {
        self.queue_options.lock_duration = duration;
        self
    }

    /// Drop messages whose `MessageId` was sent within `window` (default: off).
    pub fn duplicate_detection(mut self, window: Duration) -> Self {
        self.queue_options.duplicate_detection = Some(window);
        self
    }

    /// Invocation timeout (default: host.json `functionTimeout`, else 30 minutes).
    pub fn function_timeout(mut self, timeout: Duration) -> Self {
        self.function_timeout = Some(timeout);
        self
    }

    /// How long a spawned handler may take to answer `GET /` (default 30 s, the host's).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// How long [`LocalHost::shutdown`] waits for invocations in flight before it stops
    /// them (default 10 s); their messages are delivered again by the next host.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Load the app, open the queues, start (or reach) the handler, and serve.
    pub async fn start(self) -> Result<LocalHost, StartError> {
        let root = self
            .app_root
            .clone()
            .ok_or_else(|| StartError::Config("app_root is required".into()))?;
        let app = App::load(&root, self.functions_dir.as_deref(), &self.settings)?;
        let keys = match (&self.keys_file, self.keys.clone()) {
            (Some(file), _) => Some(Keys::load(file)?),
            (None, keys) => keys,
        };
        let store = match &self.state {
            State::Dir(dir) => QueueStore::open_dir(dir)?,
            State::InMemory => QueueStore::in_memory()?,
        }
        .with_options(self.queue_options.clone());
        for queue in app.queue_names() {
            store.declare_queue(&queue)?;
        }
        let released = store.release_all_locks()?;
        if released > 0 {
            tracing::warn!(
                released,
                "released message locks left by a previous host; they will be delivered again"
            );
        }
        let mut schedules = Vec::new();
        for f in &app.functions {
            if let Trigger::Timer { schedule, .. } = &f.trigger {
                let parsed = Schedule::parse(schedule).map_err(|message| StartError::Schedule {
                    function: f.name.clone(),
                    schedule: schedule.clone(),
                    message,
                })?;
                schedules.push((f.clone(), parsed));
            }
        }

        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (endpoint_tx, mut endpoint_rx) = watch::channel(Endpoint::Starting);
        let mut tasks = Vec::new();
        let mut restart = None;
        match &self.handler {
            Handler::Url(url) => {
                let url = url.trim_end_matches('/').to_owned();
                wait_answering(&url, self.startup_timeout)
                    .await
                    .map_err(StartError::Handler)?;
                let _ = endpoint_tx.send(Endpoint::Ready(url));
            }
            handler => {
                let plan = self.spawn_plan(&app, handler)?;
                let notify = Arc::new(tokio::sync::Notify::new());
                let endpoint_tx = Arc::new(endpoint_tx);
                restart = Some(Restart {
                    endpoint: endpoint_tx.clone(),
                    notify: notify.clone(),
                });
                tasks.push(tokio::spawn(supervise(plan, endpoint_tx, notify, shutdown_rx.clone())));
                let ready = endpoint_rx
                    .wait_for(|e| !matches!(e, Endpoint::Starting))
                    .await
                    .map(|e| e.clone());
                match ready {
                    Ok(Endpoint::Ready(_)) => {}
                    Ok(Endpoint::Failed(reason)) => return Err(StartError::Handler(reason)),
                    _ => return Err(StartError::Handler("the handler supervisor stopped".into())),
                }
            }
        }
        let function_timeout = self
            .function_timeout
            .or(app.host.function_timeout)
            .unwrap_or(Duration::from_secs(1800));
        let (events, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            client: HandlerClient::new(endpoint_rx, self.startup_timeout, restart),
            app,
            store: store.clone(),
            keys,
            function_timeout,
            events,
            activity: Activity::default(),
        });

        let router = crate::front_door::router(shared.clone()).map_err(StartError::Config)?;
        let listener = match &self.http_listener {
            Some(given) => adopt(given)?,
            None => {
                let addr = SocketAddr::from(([127, 0, 0, 1], self.http_port));
                tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartError::Bind {
                        addr: addr.to_string(),
                        source,
                    })?
            }
        };
        let front_door = listener.local_addr().map_err(|source| StartError::Bind {
            addr: "the front door's listener".into(),
            source,
        })?;
        let mut stop = shutdown_rx.clone();
        tasks.push(tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                crate::stopped(&mut stop).await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "front door stopped");
            }
        }));

        let sb = shared.app.host.service_bus.clone();
        for f in shared
            .app
            .functions
            .iter()
            .filter(|f| matches!(f.trigger, Trigger::ServiceBus { .. }))
        {
            let sessions = matches!(f.trigger, Trigger::ServiceBus { sessions: true, .. });
            let concurrency = if sessions {
                sb.max_concurrent_sessions
            } else {
                sb.max_concurrent_calls
            };
            let renewal = sb.max_auto_lock_renewal;
            tasks.push(tokio::spawn(run_queue_trigger(
                shared.clone(),
                f.clone(),
                concurrency,
                renewal,
                shutdown_rx.clone(),
            )));
        }
        for (f, schedule) in schedules {
            tasks.push(tokio::spawn(run_timer(
                shared.clone(),
                f,
                schedule,
                shutdown_rx.clone(),
            )));
        }
        tracing::info!(front_door = %format!("http://{front_door}"), state = ?self.state, functions = shared.app.functions.len(), "local host started");
        Ok(LocalHost {
            front_door,
            shared,
            shutdown: shutdown_tx,
            tasks,
            grace: self.shutdown_grace,
        })
    }

    fn spawn_plan(&self, app: &App, handler: &Handler) -> Result<SpawnPlan, StartError> {
        let (program, args, working_dir) = match handler {
            Handler::Spawn {
                program,
                args,
                working_dir,
            } => (program.clone(), args.clone(), working_dir.clone()),
            _ => {
                let desc = app.host.handler.clone().ok_or_else(|| {
                    StartError::Config(format!(
                        "{}: customHandler.description is missing; set it or pass Handler::Spawn / Handler::Url",
                        app.root.join("host.json").display()
                    ))
                })?;
                (
                    PathBuf::from(desc.executable),
                    desc.arguments,
                    desc.working_directory.map(PathBuf::from),
                )
            }
        };
        let program = resolve_program(&app.root, &program);
        let working_dir = match working_dir {
            Some(dir) if dir.is_absolute() => dir,
            Some(dir) => app.root.join(dir),
            None => app.root.clone(),
        };
        Ok(SpawnPlan {
            program,
            args,
            working_dir,
            env: self.settings.explicit().clone(),
            app_root: app.root.clone(),
            startup_timeout: self.startup_timeout,
        })
    }
}

/// A tokio listener on the caller's socket (a duplicate of its descriptor, so the builder
/// stays cloneable).
fn adopt(given: &std::net::TcpListener) -> Result<tokio::net::TcpListener, StartError> {
    let bind_error = |source| StartError::Bind {
        addr: given
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "the given listener".into()),
        source,
    };
    let listener = given.try_clone().map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    tokio::net::TcpListener::from_std(listener).map_err(bind_error)
}

/// A relative executable that exists under the app root becomes a full path; any other
/// name is looked up on `PATH`, as for `customHandler.description.defaultExecutablePath` in `host.json`.
fn resolve_program(root: &Path, program: &Path) -> PathBuf {
    if program.is_relative() && root.join(program).is_file() {
        root.join(program)
    } else {
        program.to_owned()
    }
}

/// How often [`LocalHost::wait_idle`] looks at the queues when nothing woke it.
const IDLE_POLL: Duration = Duration::from_millis(25);

/// A moment at which a [`LocalHost`] was idle ([`LocalHost::idle_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleMark(u64);

/// A running local host. Dropping it stops everything at once (as a killed process
/// would: deliveries in flight are not settled); [`LocalHost::shutdown`] stops gracefully.
pub struct LocalHost {
    front_door: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    grace: Duration,
}

impl std::fmt::Debug for LocalHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalHost")
            .field("front_door", &self.front_door)
            .finish()
    }
}

impl LocalHost {
    /// A builder.
    pub fn builder() -> LocalHostBuilder {
        LocalHostBuilder::default()
    }

    /// The front door's base URL, e.g. `http://127.0.0.1:7071` (function routes are
    /// under `/{routePrefix}`).
    pub fn front_door_url(&self) -> String {
        format!("http://{}", self.front_door)
    }

    /// The front door's address.
    pub fn front_door_addr(&self) -> SocketAddr {
        self.front_door
    }

    /// The queues: list, peek, dead letters, move back, send.
    pub fn queues(&self) -> QueueStore {
        self.shared.store.clone()
    }

    /// The loaded app.
    pub fn app(&self) -> &App {
        &self.shared.app
    }

    /// Every invocation's outcome from now on.
    pub fn invocations(&self) -> broadcast::Receiver<InvocationRecord> {
        self.shared.events.subscribe()
    }

    /// Wait until the host has settled: no invocation is running (HTTP, Service Bus, timer,
    /// forwarded), no timer run is in progress, and no queue a Service Bus trigger listens on
    /// holds an active or locked message. Returns as soon as that is observed, or an
    /// [`IdleTimeout`] naming what was still busy once `timeout` passed. A queue no function of
    /// the app listens on is not work for this host: its messages wait for someone else.
    ///
    /// Work that comes from outside (a request still on its way to the front door, a message
    /// another process is about to send) is not seen until it arrives.
    pub async fn wait_idle(&self, timeout: Duration) -> Result<(), IdleTimeout> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut activity = self.shared.activity.subscribe();
        loop {
            activity.borrow_and_update();
            let stored = self.shared.store.changes().notified();
            tokio::pin!(stored);
            stored.as_mut().enable();
            let busy = match self.check() {
                Ok(_) => return Ok(()),
                Err(busy) => busy,
            };
            if tokio::time::Instant::now() >= deadline {
                return Err(IdleTimeout {
                    waited: timeout,
                    ..busy
                });
            }
            // Counters and this store's changes wake us at once; the poll catches what
            // announces itself nowhere (another process writing the store file, a lock that
            // expires).
            tokio::select! {
                _ = activity.changed() => {}
                _ = &mut stored => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    /// True when the host is idle now (see [`Self::wait_idle`]).
    pub fn is_idle(&self) -> bool {
        self.check().is_ok()
    }

    /// A mark of this moment when the host is idle now (see [`Self::wait_idle`]), else `None`.
    /// [`Self::idle_since`] then tells whether it stayed idle: how a caller that waits for
    /// something else too (e.g. a simulated tenant the handler calls) knows that nothing ran
    /// here meanwhile.
    pub fn idle_mark(&self) -> Option<IdleMark> {
        self.check().ok()
    }

    /// True when the host is idle now and nothing started or ended since `mark` was taken.
    pub fn idle_since(&self, mark: IdleMark) -> bool {
        self.check().is_ok_and(|now| now == mark)
    }

    /// One look: the counters, then the queues, then the counters again; idle only when
    /// nothing ran and nothing started or ended in between.
    fn check(&self) -> Result<IdleMark, IdleTimeout> {
        let before = self.shared.activity.counts();
        let mut busy = IdleTimeout {
            waited: Duration::ZERO,
            invocations: before.invocations,
            timer_runs: before.timer_runs,
            queues: Vec::new(),
            store_error: None,
        };
        let triggered = self.shared.app.functions.iter().filter_map(|f| match &f.trigger {
            Trigger::ServiceBus { queue_name, .. } => Some(queue_name.as_str()),
            _ => None,
        });
        let triggered: Vec<&str> = triggered.collect();
        match self.shared.store.queues() {
            Ok(queues) => {
                busy.queues = queues
                    .into_iter()
                    .filter(|q| (q.active > 0 || q.locked > 0) && triggered.contains(&q.name.as_str()))
                    .collect();
            }
            Err(error) => busy.store_error = Some(error.to_string()),
        }
        let after = self.shared.activity.counts();
        let quiet = before.is_quiet() && busy.queues.is_empty() && busy.store_error.is_none();
        if quiet && after.generation == before.generation {
            Ok(IdleMark(before.generation))
        } else {
            busy.invocations = busy.invocations.max(after.invocations);
            busy.timer_runs = busy.timer_runs.max(after.timer_runs);
            Err(busy)
        }
    }

    /// The handler's current base URL (`None` while it starts or after it failed).
    pub async fn handler_url(&self) -> Option<String> {
        self.shared.client.base_url().await.ok()
    }

    /// Stop taking work, finish invocations in flight (within the shutdown grace),
    /// stop a spawned handler.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        let deadline = tokio::time::Instant::now() + self.grace;
        for mut task in self.tasks.drain(..) {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                tracing::warn!("shutdown grace exceeded; stopping work in flight");
                task.abort();
            }
        }
        tracing::info!("local host stopped");
    }

    /// Stop at once, like a killed process: nothing in flight is settled, a spawned
    /// handler is killed. Locked messages are delivered again by the next host.
    pub fn abort(mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for LocalHost {
    fn drop(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}
