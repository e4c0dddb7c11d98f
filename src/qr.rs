//! The QR code of the page's link, for students' phones, as an SVG path. Plain Rust, no yew.
//!
//! The `qrcode` crate (default features off: no image or SVG renderer, only the encoder)
//! computes the modules; this module turns them into one `<path>`: each run of dark modules in
//! a row is one rectangle, inside the 4-module quiet zone a scanner needs.

use qrcode::{Color, EcLevel, QrCode};

/// The light border every side, in modules, that the QR standard asks for.
pub const QUIET_ZONE: usize = 4;

/// A QR code drawn as an SVG path on a square of `size` × `size` units, one unit a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrSvg {
    /// The side of the square, quiet zone included.
    pub size: usize,
    /// The dark modules, as the `d` of one `<path>`.
    pub path: String,
}

/// The link a student's phone should open: the address bar's (`href`), without the
/// presenter's flag (a phone is no projector). `None` when it does not fit in a QR code.
pub fn link_code(href: &str) -> Option<QrSvg> {
    let link = crate::present::with_flag(href, false);
    encode(&link)
}

/// `text` as a QR code, with error correction level M (15% of it can be lost: a projector's
/// glare, a phone held at an angle); `None` when it is too long for any version.
pub fn encode(text: &str) -> Option<QrSvg> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for y in 0..width {
        let row = &colors[y * width..(y + 1) * width];
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let run = row[x..].iter().take_while(|&&c| c == Color::Dark).count();
                let (left, top) = (x + QUIET_ZONE, y + QUIET_ZONE);
                path.push_str(&format!("M{left} {top}h{run}v1h-{run}z"));
                x += run;
            } else {
                x += 1;
            }
        }
    }
    Some(QrSvg {
        size: width + 2 * QUIET_ZONE,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modules a path paints, as a grid (`true` dark), read back from its rectangles.
    fn paint(svg: &QrSvg) -> Vec<Vec<bool>> {
        let mut grid = vec![vec![false; svg.size]; svg.size];
        for rect in svg.path.split('z').filter(|r| !r.is_empty()) {
            let (at, rest) = rect[1..].split_once('h').expect("M x y h");
            let (x, y) = at.split_once(' ').expect("x y");
            let run: usize = rest.split_once('v').expect("v").0.parse().expect("run");
            let (x, y): (usize, usize) = (x.parse().expect("x"), y.parse().expect("y"));
            for cell in &mut grid[y][x..x + run] {
                assert!(!*cell, "painted twice");
                *cell = true;
            }
        }
        grid
    }

    #[test]
    fn the_path_paints_exactly_the_dark_modules_inside_the_quiet_zone() {
        let text = "http://192.168.1.20:8765/struct?fmt=%3EH&args=256";
        let svg = encode(text).expect("fits");
        let code = QrCode::with_error_correction_level(text, EcLevel::M).expect("fits");
        let width = code.width();
        assert_eq!(svg.size, width + 8);
        let grid = paint(&svg);
        let colors = code.to_colors();
        for (y, row) in grid.iter().enumerate() {
            for (x, &dark) in row.iter().enumerate() {
                let inside = (QUIET_ZONE..QUIET_ZONE + width).contains(&x)
                    && (QUIET_ZONE..QUIET_ZONE + width).contains(&y);
                let expected =
                    inside && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == Color::Dark;
                assert_eq!(dark, expected, "module ({x}, {y})");
            }
        }
        // The top-left finder pattern: a dark 7×7 ring around a light ring around a 3×3.
        let ring: Vec<bool> = (0..7).map(|i| grid[QUIET_ZONE][QUIET_ZONE + i]).collect();
        assert_eq!(ring, [true; 7]);
        assert!(!grid[QUIET_ZONE + 1][QUIET_ZONE + 1]);
        assert!(grid[QUIET_ZONE + 3][QUIET_ZONE + 3]);
    }

    #[test]
    fn a_phone_gets_the_link_without_the_presenters_flag() {
        let with = link_code("http://10.0.0.2:8765/text?present=1&t=%E4%BD%A0").expect("fits");
        let without = encode("http://10.0.0.2:8765/text?t=%E4%BD%A0").expect("fits");
        assert_eq!(with, without);
    }

    #[test]
    fn longer_links_take_bigger_codes_until_none_fits() {
        let short = encode("http://127.0.0.1:8765/").expect("fits");
        let long = encode(&format!(
            "http://127.0.0.1:8765/console?p1={}",
            "x".repeat(600)
        ))
        .expect("fits");
        assert!(long.size > short.size);
        assert_eq!(encode(&"x".repeat(3000)), None);
    }
}
