//! Reading files: an input file read whole after its size is checked, and sizes as
//! people read them.

use std::io::{self, Cursor, Read};
use std::path::Path;

use super::xlsx::ZIP_MAGIC;
use super::{InputErrors, MAX_UNPACKED_BYTES};

/// The largest input file read by default (20 MB): a national departments file is about
/// 1 MB, a large municipality's homes register a few MB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// A size as people read it: "512 bytes", "2.0 GB". With `decimal`, always one decimal
/// above bytes; without, only when the size is not a whole number of units.
pub(super) fn human_size(n: u64, decimal: bool) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut unit = 0;
    let mut whole = n;
    while whole >= 1024 && unit < UNITS.len() - 1 {
        whole /= 1024;
        unit += 1;
    }
    if unit == 0 {
        return format!("{n} bytes");
    }
    let scale = 1024u64.pow(unit as u32);
    if !decimal && n / scale * scale == n {
        format!("{} {}", n / scale, UNITS[unit])
    } else {
        format!("{:.1} {}", n as f64 / scale as f64, UNITS[unit])
    }
}

/// Reads an input file whole, after checking its size from the file system: a file larger
/// than `max_bytes` is refused before any of it is read, an empty file is an error, and an
/// XLSX workbook (zip) whose directory declares more than 4 × `max_bytes` unpacked is
/// refused as a possible zip bomb.
pub fn read_input_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, InputErrors> {
    let file = path.display().to_string();
    let io_error = |e: io::Error| {
        InputErrors::whole_file(
            &file,
            match e.kind() {
                io::ErrorKind::NotFound => "does not exist".to_string(),
                io::ErrorKind::PermissionDenied => "cannot be read: permission denied".to_string(),
                _ => format!("cannot be read: {e}"),
            },
        )
    };
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if meta.is_dir() {
        return Err(InputErrors::whole_file(
            &file,
            "is a directory; expected a CSV or XLSX file",
        ));
    }
    // Pipes and devices report 0 bytes: for them only the read below is limited.
    if meta.is_file() {
        if meta.len() == 0 {
            return Err(InputErrors::whole_file(&file, "the file is empty"));
        }
        if meta.len() > max_bytes {
            return Err(too_big(&file, meta.len(), max_bytes));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)
        .map_err(io_error)?
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big(&file, bytes.len() as u64, max_bytes));
    }
    if bytes.is_empty() {
        return Err(InputErrors::whole_file(&file, "the file is empty"));
    }
    if bytes.starts_with(ZIP_MAGIC) {
        check_declared_zip_size(&bytes, &file, MAX_UNPACKED_BYTES)?;
    }
    Ok(bytes)
}

fn too_big(file: &str, size: u64, max: u64) -> InputErrors {
    InputErrors::whole_file(
        file,
        format!(
            "is {}; trappe reads files up to {}",
            human_size(size, true),
            human_size(max, false)
        ),
    )
}

/// The quick half of [`check_zip_expansion`](super::check_zip_expansion): only the sizes the zip directory declares.
fn check_declared_zip_size(bytes: &[u8], file: &str, limit: u64) -> Result<(), InputErrors> {
    // A damaged archive is reported when the workbook is opened.
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        if let Ok(entry) = archive.by_index_raw(i) {
            declared = declared.saturating_add(entry.size());
        }
    }
    if declared > limit {
        return Err(InputErrors::whole_file(
            file,
            format!(
                "expands to {} when unpacked, more than the {} trappe unpacks; it refuses it as a possible zip bomb",
                human_size(declared, true),
                human_size(limit, false)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_size(2 * 1024 * 1024 * 1024, true), "2.0 GB");
        assert_eq!(human_size(DEFAULT_MAX_FILE_BYTES, false), "20 MB");
        assert_eq!(human_size(1536, false), "1.5 KB");
        assert_eq!(human_size(30, true), "30 bytes");
    }
}
