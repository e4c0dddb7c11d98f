//! The students' URL as a QR code on the teacher's terminal, so it can be projected before any
//! page is open: two rows of modules per line of text, in Unicode half blocks (`▀`, `▄`, `█`).
//!
//! A code is dark modules on a light ground with a quiet zone of four modules around it, as the
//! standard asks. On a terminal the colours are set explicitly (black on white), since a dark
//! terminal would otherwise show it inverted, which many phone cameras do not read; printed to a
//! file or a pipe it is plain text, a block for a dark module and a space for a light one.

use qrcodegen::{QrCode, QrCodeEcc};

/// Modules of light margin on every side (the standard's quiet zone).
const QUIET: i32 = 4;

/// `text` as a QR code (error correction level M: a projected code survives some glare), one
/// string per line of text, each `QUIET` modules wider than the code on either side. `colour`:
/// with ANSI colours for a terminal (black on white), or plain.
///
/// # Errors
/// When `text` is too long for any QR code (over 2,331 bytes at level M).
pub(crate) fn render(text: &str, colour: bool) -> Result<Vec<String>, qrcodegen::DataTooLong> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium)?;
    let size = code.size();
    let dark = |x: i32, y: i32| code.get_module(x, y); // false outside the code: the quiet zone
    let mut lines = Vec::new();
    let mut y = -QUIET;
    while y < size + QUIET {
        let mut line = String::new();
        if colour {
            line.push_str("\x1b[30;47m");
        }
        for x in -QUIET..size + QUIET {
            line.push(match (dark(x, y), dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if colour {
            line.push_str("\x1b[0m");
        }
        lines.push(line);
        y += 2;
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain drawing, read back into modules: the code qrcodegen made, with its margin.
    #[test]
    fn every_module_is_drawn_where_it_is() {
        let text = "http://10.77.0.1:8765/?token=00112233445566778899aabbccddeeff";
        let code = QrCode::encode_text(text, QrCodeEcc::Medium).unwrap();
        let lines = render(text, false).unwrap();
        let width = usize::try_from(code.size() + 2 * QUIET).unwrap();
        assert!(lines.iter().all(|l| l.chars().count() == width));
        for (row, line) in lines.iter().enumerate() {
            for (col, c) in line.chars().enumerate() {
                let (x, y) = (col as i32 - QUIET, 2 * row as i32 - QUIET);
                let expect = (code.get_module(x, y), code.get_module(x, y + 1));
                let drawn = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("{other:?}"),
                };
                assert_eq!(drawn, expect, "module ({x}, {y})");
            }
        }
        // The quiet zone: two blank lines above (four modules).
        assert!(lines[..2].iter().all(|l| l.trim().is_empty()));
    }

    #[test]
    fn on_a_terminal_black_on_white() {
        let lines = render("http://10.0.0.1:8765/", true).unwrap();
        for line in &lines {
            assert!(
                line.starts_with("\x1b[30;47m") && line.ends_with("\x1b[0m"),
                "{line:?}"
            );
        }
        assert!(render(&"x".repeat(4000), false).is_err());
    }
}
