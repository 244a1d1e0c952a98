//! Input files: read whole, only when they are regular files of a size
//! that fits in memory, and remembered, so that no output of the same
//! process replaces one (`dnsim run plan.toml -o plan.toml` is refused
//! instead of destroying the plan).
//!
//! Devices, FIFOs and directories are refused before they are opened: a
//! scenario or include of `/dev/zero` would read until memory ran out, and a
//! FIFO would block forever.

use std::path::Path;
use std::sync::Mutex;

use crate::error::InputError;

/// The largest input file read: 4 GiB. A plan of 50 million services in a
/// CSV include is about 2.5 GB.
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// The identities of the files this process has read.
static READ: Mutex<Vec<FileId>> = Mutex::new(Vec::new());

/// A file's identity: device and inode where the platform has them, else
/// its canonical path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(std::path::PathBuf),
}

fn identity(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(FileId::Inode(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok().map(FileId::Path)
    }
}

/// Reads an input file whole; failure is an input error that says which
/// kind of file (`what`) could not be read, and why.
pub fn read_input(path: &Path, what: &str) -> Result<String, InputError> {
    read_text(path)
        .map_err(|why| InputError::new(format!("cannot read {what}: {why}")).in_file(path))
}

/// Reads a file that the command will rewrite (a checkpoint): like
/// [`read_input`], but not remembered as an input.
pub fn read_state(path: &Path, what: &str) -> Result<String, InputError> {
    read_checked(path)
        .map_err(|why| InputError::new(format!("cannot read {what}: {why}")).in_file(path))
}

/// Reads a regular file of at most [`MAX_INPUT_BYTES`] as UTF-8 text, and
/// remembers it as an input; the error says why not, for a message.
pub fn read_text(path: &Path) -> Result<String, String> {
    let text = read_checked(path)?;
    remember(path);
    Ok(text)
}

/// Opens a regular file of at most [`MAX_INPUT_BYTES`] to be read as a
/// stream (a CSV include of millions of rows is not held whole), and
/// remembers it as an input. Its text is not checked here: a reader that
/// meets a problem calls [`read_text`] for the message.
pub fn open_input(path: &Path) -> Result<std::fs::File, String> {
    let file = open_unremembered(path)?;
    remember(path);
    Ok(file)
}

/// [`open_input`] for a file that may turn out not to be an input (an
/// include read ahead on a guess, `scenario::load`): [`remember`] it
/// once it is one.
pub fn open_unremembered(path: &Path) -> Result<std::fs::File, String> {
    check_kind(path)?;
    std::fs::File::open(path).map_err(|e| io_reason(&e))
}

/// Remembers `path` as an input of this process: no output may replace it.
pub fn remember(path: &Path) {
    if let Some(id) = identity(path) {
        let mut read = READ.lock().unwrap_or_else(|e| e.into_inner());
        if !read.contains(&id) {
            read.push(id);
        }
    }
}

/// A regular file of at most [`MAX_INPUT_BYTES`], or why not.
fn check_kind(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err("it is a directory".into());
    }
    if !meta.is_file() {
        return Err("not a regular file (a device, FIFO or socket)".into());
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "it is {} bytes, more than the {MAX_INPUT_BYTES} (4 GiB) that dnsim reads",
            meta.len()
        ));
    }
    Ok(())
}

fn read_checked(path: &Path) -> Result<String, String> {
    check_kind(path)?;
    let bytes = std::fs::read(path).map_err(|e| io_reason(&e))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("not valid UTF-8 (line {line}, byte offset {at})")
    })
}

/// Whether `path` names a file this process has read as input.
pub fn is_input(path: &Path) -> bool {
    identity(path).is_some_and(|id| READ.lock().unwrap_or_else(|e| e.into_inner()).contains(&id))
}

/// Why a file could not be read, in a user's words.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "not valid UTF-8".into(),
        _ => e.to_string(),
    }
}
