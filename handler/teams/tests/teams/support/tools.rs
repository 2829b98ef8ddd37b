//! The external tools of the renderer tests: Node.js, the official `adaptivecards` npm
//! package and Debian's Chromium. Missing tools are installed where that is possible
//! (npm package into the target directory; Chromium with apt-get when running as root);
//! otherwise the test fails saying what to install. The tests never skip.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The pinned `adaptivecards` npm package (the official JavaScript renderer).
pub const ADAPTIVECARDS_VERSION: &str = "3.0.6";

const INSTALL_TIMEOUT: Duration = Duration::from_secs(900);

/// `node`, checked to run.
pub fn node() -> PathBuf {
    let node = PathBuf::from(std::env::var_os("NODE").unwrap_or_else(|| "node".into()));
    match Command::new(&node).arg("--version").output() {
        Ok(out) if out.status.success() => node,
        Ok(out) => panic!("`{} --version` failed: {}", node.display(), text(&out)),
        Err(e) => panic!(
            "cannot run Node.js ({}): {e}. The card tests parse and render cards with the official \
             adaptivecards npm package; install Node.js 20 and npm (Debian: apt-get install nodejs npm)",
            node.display()
        ),
    }
}

/// The target directory the tools are installed under: `$CARGO_TARGET_DIR`, else the one
/// holding this test binary.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    // The test binary lives in <target>/<profile>/deps/.
    let exe = std::env::current_exe().expect("cannot tell where the test binary is");
    match exe.ancestors().nth(3) {
        Some(target) => target.to_path_buf(),
        None => panic!(
            "cannot find the target directory from {}; set CARGO_TARGET_DIR",
            exe.display()
        ),
    }
}

/// `dist/` of the installed `adaptivecards` package, installing it on first use into
/// `$ADAPTIVECARDS_DIR`, else `<target>/adaptivecards` (`npm install --prefix`, pinned version).
pub fn adaptivecards_dist() -> PathBuf {
    let dir = std::env::var_os("ADAPTIVECARDS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("adaptivecards"));
    let dist = dir.join("node_modules").join("adaptivecards").join("dist");
    let marker = dir.join(format!(".installed-{ADAPTIVECARDS_VERSION}"));
    if marker.exists() && dist.join("adaptivecards.js").exists() {
        return dist;
    }
    with_lock(&dir, || {
        if marker.exists() && dist.join("adaptivecards.js").exists() {
            return;
        }
        node();
        let package = format!("adaptivecards@{ADAPTIVECARDS_VERSION}");
        let mut npm = Command::new("npm");
        npm.args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(&package);
        let out = run(npm).unwrap_or_else(|e| {
            panic!(
                "cannot run npm to install {package}: {e}. Install Node.js 20 and npm \
                 (Debian: apt-get install nodejs npm), or install the package yourself with \
                 `npm install --prefix {} {package}`",
                dir.display()
            )
        });
        assert!(out.status.success(), "npm install {package} failed: {}", text(&out));
        assert!(
            dist.join("adaptivecards.js").exists(),
            "npm installed {package} but {} is missing",
            dist.display()
        );
        fs::write(&marker, "").unwrap_or_else(|e| panic!("writing {}: {e}", marker.display()));
    });
    dist
}

/// Debian's Chromium: `$CHROMIUM`, else `chromium` on PATH; installed with
/// `apt-get install -y chromium` when missing and running as root.
pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(path);
    }
    if let Some(found) = on_path("chromium") {
        return found;
    }
    if !is_root() {
        panic!(
            "Chromium is not installed and this test does not run as root, so it cannot install it. \
             Install it with `sudo apt-get install -y chromium` (or set CHROMIUM to a Chromium binary)"
        );
    }
    let lock_dir = target_dir().join("chromium-install");
    with_lock(&lock_dir, || {
        if on_path("chromium").is_some() {
            return;
        }
        let install = || {
            let mut apt = Command::new("apt-get");
            apt.args(["install", "-y", "-qq", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive");
            run(apt)
        };
        let mut out = install().unwrap_or_else(|e| panic!("cannot run apt-get to install Chromium: {e}"));
        if !out.status.success() {
            // A fresh machine may have no package lists yet.
            let mut update = Command::new("apt-get");
            update.args(["update", "-qq"]);
            let _ = run(update);
            out = install().unwrap_or_else(|e| panic!("cannot run apt-get to install Chromium: {e}"));
        }
        assert!(
            out.status.success(),
            "`apt-get install -y chromium` failed: {}",
            text(&out)
        );
    });
    on_path("chromium").unwrap_or_else(|| panic!("apt-get installed chromium but it is not on PATH"))
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn run(mut cmd: Command) -> std::io::Result<Output> {
    cmd.stdin(Stdio::null()).output()
}

/// stdout and stderr of a finished command, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `f` holding a lock directory under `dir`, so parallel test binaries install once.
/// A lock older than the install timeout is taken over (a killed run left it).
fn with_lock(dir: &Path, f: impl FnOnce()) {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let lock = dir.join(".install-lock");
    let began = Instant::now();
    loop {
        match fs::create_dir(&lock) {
            Ok(()) => break,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let stale = fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age > INSTALL_TIMEOUT);
                if stale {
                    let _ = fs::remove_dir(&lock);
                    continue;
                }
                assert!(
                    began.elapsed() < INSTALL_TIMEOUT,
                    "waited {:?} for another test to finish installing under {}; remove {} if no install runs",
                    INSTALL_TIMEOUT,
                    dir.display(),
                    lock.display()
                );
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("cannot create the lock {}: {e}", lock.display()),
        }
    }
    struct Unlock<'a>(&'a Path);
    impl Drop for Unlock<'_> {
        fn drop(&mut self) {
            let _ = fs::remove_dir(self.0);
        }
    }
    let _unlock = Unlock(&lock);
    f();
}
