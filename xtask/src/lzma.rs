//! The app's wasm in LZMA, for pages at a plain-http address.
//!
//! Browsers ask for brotli only from secure origins (https, localhost, 127.0.0.1), so a
//! classroom's students, at `http://192.168…`, would get the wasm in gzip: a fifth more than in
//! LZMA, and more than issue #15's 300 KB in all. `post-build` writes each build's wasm in LZMA
//! beside it (`…_bg.lzma`), and index.html's loader, on a page that is not a secure context,
//! fetches that file and decodes it with `www/unlzma.js`, which [`DECODER`] holds.

use anyhow::{Context, Result};

/// The decoder index.html's loader imports on a page at a plain-http address.
pub(crate) const DECODER: &str = include_str!("../../www/unlzma.js");

/// `wasm` in the "LZMA alone" format (`xz --format=lzma -9e`) with its decoded size in the
/// header, which `unlzma.js` requires (liblzma's encoder writes "unknown" there, and an end
/// marker, which the decoder then never reaches).
pub(crate) fn pack(wasm: &[u8]) -> Result<Vec<u8>> {
    use std::io::Read;
    // liblzma's LZMA_PRESET_EXTREME (xz's `-e`), which xz2 does not name.
    const EXTREME: u32 = 0x8000_0000;
    let options = xz2::stream::LzmaOptions::new_preset(9 | EXTREME).context("lzma: preset 9e")?;
    let stream = xz2::stream::Stream::new_lzma_encoder(&options).context("lzma: the encoder")?;
    let mut packed = Vec::new();
    xz2::read::XzEncoder::new_stream(wasm, stream)
        .read_to_end(&mut packed)
        .context("lzma: compressing")?;
    anyhow::ensure!(packed.len() >= 13, "lzma: no header");
    packed[5..13].copy_from_slice(&(wasm.len() as u64).to_le_bytes());
    Ok(packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_liblzmas_stream_with_the_size_in_the_header() {
        let wasm: Vec<u8> = (0..20_000_u32)
            .flat_map(|i| format!("{:06} socklab {}\n", i * 7919 % 100_000, i % 13).into_bytes())
            .collect();
        let packed = pack(&wasm).unwrap();
        assert!(packed.len() < wasm.len() / 4, "{}", packed.len());
        assert_eq!(packed[0], 0x5d, "lc 3, lp 0, pb 2");
        assert_eq!(
            u64::from_le_bytes(packed[5..13].try_into().unwrap()),
            wasm.len() as u64
        );
        // The stream is liblzma's, with its end marker: with "unknown" in the size field
        // again, liblzma reads it back (a size and an end marker together it refuses).
        let mut unknown = packed.clone();
        unknown[5..13].fill(0xff);
        let mut back = Vec::new();
        let stream = xz2::stream::Stream::new_lzma_decoder(u64::MAX).unwrap();
        std::io::Read::read_to_end(
            &mut xz2::read::XzDecoder::new_stream(&unknown[..], stream),
            &mut back,
        )
        .unwrap();
        assert_eq!(back, wasm);
    }
}
