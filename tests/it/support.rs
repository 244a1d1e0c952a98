//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary, with no progress lines (a slow machine would otherwise
/// add them to the stderr that tests compare).
pub fn dnsim() -> Command {
    let mut c = Command::cargo_bin("dnsim").expect("binary built");
    c.env("DNSIM_PROGRESS_EVERY", QUIET_PROGRESS);
    c
}

/// `DNSIM_PROGRESS_EVERY` for tests: a day.
pub const QUIET_PROGRESS: &str = "86400";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

pub fn scenario_file(rel: &str) -> PathBuf {
    root().join("scenarios").join(rel)
}

/// Writes `text` to `name` in a fresh temporary directory.
pub fn temp_scenario(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.toml");
    std::fs::write(&path, text).expect("write scenario");
    (dir, path)
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Output {
    let out = dnsim().args(args).output().expect("run dnsim");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Whether an external tool (`program`, checked by running it with
/// `version_arg`) may be used by the calling test. When it is missing the
/// test is skipped with a notice on stderr, unless `DNSIM_REQUIRE_EXTERNAL=1`
/// (set by `.ci/run`, which installs every tool) makes it mandatory: then
/// the test fails, saying how to install it.
#[must_use]
pub fn external_tool(program: &str, version_arg: &str, install: &str) -> bool {
    let have = std::process::Command::new(program)
        .arg(version_arg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if have {
        return true;
    }
    let required = std::env::var_os("DNSIM_REQUIRE_EXTERNAL").is_some_and(|v| v == "1");
    assert!(
        !required,
        "{program} is not installed and DNSIM_REQUIRE_EXTERNAL=1 requires it: {install}"
    );
    skipped(&format!(
        "{program} is not installed ({install}; DNSIM_REQUIRE_EXTERNAL=1 makes this test mandatory)"
    ));
    false
}

/// Says on the terminal that a test skipped its work, and why. Written to a
/// duplicate of file descriptor 2: the test harness captures what passing
/// tests print through `std::io`, and a skip must be seen.
pub fn skipped(why: &str) {
    use std::io::Write;
    use std::os::fd::AsFd;
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => {
            let _ = writeln!(std::fs::File::from(fd), "skipped: {why}");
        }
        Err(_) => eprintln!("skipped: {why}"),
    }
}
