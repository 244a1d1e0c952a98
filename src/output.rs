//! Writing output: to stdout, or atomically to a file (a temporary file in
//! the same directory, renamed into place once complete), so that a crash
//! never leaves half a file.
//!
//! The target must be a regular file or not exist yet: a directory, device,
//! FIFO or socket is refused, and so is a file this process read as input
//! (`files::is_input`). A symbolic link is written through: the file it
//! points to is replaced and the link stays; a dangling link is refused.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
    let bad = |what: String| InputError::flag(flag, what);
    let target = target(path).map_err(bad)?;
    let path = target.as_path();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
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

/// The file to replace for `path`: itself, or what a symbolic link points
/// to; refused when it is not a regular file or is one of the inputs.
fn target(path: &Path) -> Result<PathBuf, String> {
    let shown = path.display();
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return Ok(path.to_path_buf());
    };
    let real = if link.file_type().is_symlink() {
        std::fs::canonicalize(path)
            .map_err(|_| format!("\"{shown}\" is a symbolic link to nothing"))?
    } else {
        path.to_path_buf()
    };
    let meta = std::fs::metadata(&real).map_err(|e| format!("cannot write \"{shown}\": {e}"))?;
    if meta.is_dir() {
        return Err(format!("\"{shown}\" is a directory; give a file name"));
    }
    if !meta.is_file() {
        return Err(format!(
            "\"{shown}\" is not a regular file (a device, FIFO or socket); write to a file, or leave out the flag for stdout"
        ));
    }
    if crate::files::is_input(&real) {
        return Err(format!(
            "\"{shown}\" is an input of this command; writing there would destroy it"
        ));
    }
    Ok(real)
}
