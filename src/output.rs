//! Writing output: to stdout, or atomically to a file (a temporary file in
//! the same directory, renamed into place once complete), so that a crash
//! never leaves half a file.

use std::io::{self, Write};
use std::path::Path;

use crate::error::InputError;

/// Writes what `write` produces to `path` atomically, or to stdout.
pub fn emit(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> crate::error::Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            write(&mut out)?;
            out.flush()?;
        }
        Some(path) => write_atomic(path, "--output", write)?,
    }
    Ok(())
}

/// Writes a file atomically: complete, or not at all. Problems with the
/// place (a missing directory, no permission) are input errors about `flag`.
pub fn write_atomic(
    path: &Path,
    flag: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> crate::error::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let bad = |what: String| InputError::flag(flag, what);
    if !dir.is_dir() {
        return Err(bad(format!("directory \"{}\" does not exist", dir.display())).into());
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".dnsim-")
        .tempfile_in(dir)
        .map_err(|e| bad(format!("cannot write in \"{}\": {e}", dir.display())))?;
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    // A temporary file is private (0600); results are for sharing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path)
        .map_err(|e| bad(format!("cannot write \"{}\": {}", path.display(), e.error)))?;
    Ok(())
}
