//! Azurite (the Azure Storage emulator) for tests: installed from npm on first use, started on a
//! free loopback port with in-memory persistence, killed on drop.
//!
//! Reusable from any crate's tests: `#[path = ".../support/azurite.rs"] mod azurite;`, then
//! `let azurite = Azurite::start();` and `azurite.connection_string()`.
//!
//! Needs `node` and `npm` on PATH (and npm registry access the first time). The package is
//! installed into `$AZURITE_DIR`, else `$CARGO_TARGET_DIR/azurite`, else `<target dir of the test
//! binary>/azurite`, under a lock directory so parallel test binaries install it once. Anything
//! that goes wrong panics with what to do: the tests never skip.
#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The pinned Azurite version.
pub const AZURITE_VERSION: &str = "3.35.0";
/// Azurite's well-known account.
pub const ACCOUNT: &str = "devstoreaccount1";
/// Azurite's well-known account key (public).
pub const ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running Azurite table service; killed when dropped.
pub struct Azurite {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Azurite {
    /// Installs Azurite if needed and starts its table service. Panics with a clear message if it
    /// cannot.
    pub fn start() -> Azurite {
        let dir = install_dir();
        install(&dir);
        let mut last_error = String::new();
        for _ in 0..3 {
            match try_start(&dir) {
                Ok(a) => return a,
                Err(e) => last_error = e,
            }
        }
        panic!("Azurite {AZURITE_VERSION} would not start (3 tries): {last_error}");
    }

    /// The table port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The table endpoint, path-style: `http://127.0.0.1:PORT/devstoreaccount1`.
    pub fn table_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/{ACCOUNT}", self.port)
    }

    /// A connection string for the well-known account.
    pub fn connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};TableEndpoint={};",
            self.table_endpoint()
        )
    }

    /// Azurite's output so far (for diagnosing a failing test).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_file(&self.log);
    }
}

fn install_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AZURITE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir).join("azurite");
    }
    // The test binary lives in <target>/<profile>/deps/.
    let exe = std::env::current_exe().expect("cannot tell where the test binary is");
    match exe.ancestors().nth(3) {
        Some(target) => target.join("azurite"),
        None => panic!(
            "cannot find the target directory from {}; set AZURITE_DIR",
            exe.display()
        ),
    }
}

fn binary(dir: &Path) -> PathBuf {
    dir.join("node_modules").join(".bin").join("azurite-table")
}

fn marker(dir: &Path) -> PathBuf {
    dir.join(format!(".installed-{AZURITE_VERSION}"))
}

/// Installs Azurite into `dir` once, whatever the number of parallel callers.
fn install(dir: &Path) {
    if marker(dir).exists() && binary(dir).exists() {
        return;
    }
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let lock = dir.join(".install-lock");
    let began = Instant::now();
    loop {
        match fs::create_dir(&lock) {
            Ok(()) => break,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if marker(dir).exists() && binary(dir).exists() {
                    return;
                }
                let stale = fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age > INSTALL_TIMEOUT);
                if stale {
                    let _ = fs::remove_dir(&lock);
                } else if began.elapsed() > INSTALL_TIMEOUT {
                    panic!(
                        "gave up waiting for another process installing Azurite (lock {})",
                        lock.display()
                    );
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(e) => panic!("cannot take the Azurite install lock {}: {e}", lock.display()),
        }
    }
    let result = run_npm_install(dir);
    let _ = fs::remove_dir(&lock);
    if let Err(message) = result {
        panic!("{message}");
    }
}

fn run_npm_install(dir: &Path) -> Result<(), String> {
    if marker(dir).exists() && binary(dir).exists() {
        return Ok(());
    }
    eprintln!(
        "installing azurite@{AZURITE_VERSION} into {} (first run only)",
        dir.display()
    );
    let output = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(dir)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .arg(format!("azurite@{AZURITE_VERSION}"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("cannot run npm to install Azurite ({e}); the Table Storage tests need Node.js 20 and npm on PATH")
        })?;
    if !output.status.success() || !binary(dir).exists() {
        return Err(format!(
            "npm install azurite@{AZURITE_VERSION} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    fs::write(marker(dir), AZURITE_VERSION).map_err(|e| format!("cannot write {}: {e}", marker(dir).display()))
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn tail(path: &Path) -> String {
    let mut text = String::new();
    let _ = fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    let start = text.len().saturating_sub(2000);
    text.get(start..).unwrap_or(&text).to_string()
}

fn try_start(dir: &Path) -> Result<Azurite, String> {
    let port = free_port()?;
    let log = std::env::temp_dir().join(format!("azurite-table-{}-{port}.log", std::process::id()));
    let out = fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = Command::new(binary(dir))
        .args([
            "--inMemoryPersistence",
            "--disableTelemetry",
            "--silent",
            "--tableHost",
            "127.0.0.1",
        ])
        .arg("--tablePort")
        .arg(port.to_string())
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot run {} ({e}); is node on PATH?", binary(dir).display()))?;
    let mut azurite = Azurite { child, port, log };
    let began = Instant::now();
    loop {
        if let Ok(Some(status)) = azurite.child.try_wait() {
            return Err(format!("Azurite exited with {status}: {}", tail(&azurite.log)));
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() && azurite.log().contains("successfully started") {
            return Ok(azurite);
        }
        if began.elapsed() > START_TIMEOUT {
            return Err(format!(
                "Azurite did not listen on 127.0.0.1:{port} within {START_TIMEOUT:?}: {}",
                tail(&azurite.log)
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
