// Decodes the app's wasm from LZMA for a page at a plain-http address (a classroom's students
// at http://192.168…): browsers ask for brotli only from secure origins, so such a page would
// get the wasm in gzip, a fifth larger than in LZMA. index.html's loader imports this module
// only there; `cargo xtask post-build` writes each build's wasm in LZMA beside it.
//
// The input is the "LZMA alone" format (`xz --format=lzma`): a properties byte (lc, lp, pb), the
// dictionary size (unused: the whole output is the window), the decoded size (post-build writes
// it; an unknown size is refused), then the range-coded stream. Written from the format's
// specification (the LZMA SDK's lzma-specification.txt). Any malformed input throws an Error
// that says what is wrong; it never reads or writes out of bounds.

// Where each group of probabilities starts in one array (the specification's names).
const IS_MATCH = 0; // 12 states × 16 pos states
const IS_REP = 192;
const IS_REP_G0 = 204;
const IS_REP_G1 = 216;
const IS_REP_G2 = 228;
const IS_REP0_LONG = 240; // 12 × 16
const POS_SLOT = 432; // 4 length states × 64
const SPEC_POS = 688; // 115
const ALIGN = 803; // 16
const LEN_MATCH = 819; // a length coder: choice, choice2, low 16 × 8, mid 16 × 8, high 256
const LEN_REP = 1333; // LEN_MATCH + 514
const LITERAL = 1847; // 0x300 per literal context

/** The decoded bytes of `input` (an ArrayBuffer or Uint8Array in the LZMA alone format). */
export function unlzma(input) {
  const src = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (src.length < 18) throw new Error("unlzma: the input is shorter than an LZMA header and stream");
  let props = src[0];
  if (props >= 9 * 5 * 5) throw new Error(`unlzma: properties byte ${props} is not lc + 9 × (lp + 5 × pb)`);
  const lc = props % 9;
  props = (props / 9) | 0;
  const lp = props % 5;
  const pb = (props / 5) | 0;
  const sizeLow = (src[5] | (src[6] << 8) | (src[7] << 16) | (src[8] << 24)) >>> 0;
  const sizeHigh = (src[9] | (src[10] << 8) | (src[11] << 16) | (src[12] << 24)) >>> 0;
  if (sizeHigh === 0xffffffff && sizeLow === 0xffffffff) throw new Error("unlzma: the header gives no decoded size");
  if (sizeHigh !== 0 || sizeLow > 0x40000000) throw new Error("unlzma: the decoded size is over 1 GiB");
  const size = sizeLow;
  const out = new Uint8Array(size);
  const probs = new Uint16Array(LITERAL + (0x300 << (lc + lp))).fill(1024);

  let at = 13;
  if (src[at++] !== 0) throw new Error("unlzma: the stream does not start with a zero byte");
  let range = 0xffffffff;
  let code = 0;
  for (let i = 0; i < 4; i++) code = ((code << 8) | src[at++]) >>> 0;
  if (code === range) throw new Error("unlzma: the stream's first code is invalid");

  // One bit with probability probs[i] (11 bits), which it then adapts.
  const bit = (i) => {
    const p = probs[i];
    const bound = (range >>> 11) * p;
    let b;
    if (code < bound) {
      range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      range -= bound;
      code -= bound;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    if (range < 0x1000000) {
      range = (range << 8) >>> 0;
      code = ((code << 8) | src[at++]) >>> 0;
    }
    return b;
  };
  // `n` bits, most significant first, through a tree of probabilities at `base`.
  const tree = (base, n) => {
    let m = 1;
    for (let i = 0; i < n; i++) m = (m << 1) | bit(base + m);
    return m - (1 << n);
  };
  // `n` bits, least significant first.
  const reverse = (base, n) => {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < n; i++) {
      const b = bit(base + m);
      m = (m << 1) | b;
      symbol |= b << i;
    }
    return symbol;
  };
  // `n` bits with probability one half each.
  const direct = (n) => {
    let r = 0;
    for (let i = 0; i < n; i++) {
      range >>>= 1;
      let b = 0;
      if (code >= range) {
        code -= range;
        b = 1;
      }
      r = r * 2 + b;
      if (range < 0x1000000) {
        range = (range << 8) >>> 0;
        code = ((code << 8) | src[at++]) >>> 0;
      }
    }
    return r;
  };
  // A match's length less two.
  const length = (base, posState) => {
    if (bit(base) === 0) return tree(base + 2 + (posState << 3), 3);
    if (bit(base + 1) === 0) return 8 + tree(base + 130 + (posState << 3), 3);
    return 16 + tree(base + 258, 8);
  };
  // A match's distance less one (0xffffffff is the end marker).
  const distance = (len) => {
    const slot = tree(POS_SLOT + ((len < 4 ? len : 3) << 6), 6);
    if (slot < 4) return slot;
    const bits = (slot >>> 1) - 1;
    const dist = (2 | (slot & 1)) * 2 ** bits;
    if (slot < 14) return dist + reverse(SPEC_POS + dist - slot, bits);
    return dist + direct(bits - 4) * 16 + reverse(ALIGN, 4);
  };

  const pbMask = (1 << pb) - 1;
  const lpMask = (1 << lp) - 1;
  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let pos = 0;
  while (pos < size) {
    if (at > src.length) throw new Error(`unlzma: the stream is cut short (${src.length} bytes) at ${pos} of ${size} bytes`);
    const posState = pos & pbMask;
    if (bit(IS_MATCH + (state << 4) + posState) === 0) {
      const prev = pos > 0 ? out[pos - 1] : 0;
      const base = LITERAL + 0x300 * (((pos & lpMask) << lc) + (prev >>> (8 - lc)));
      let symbol = 1;
      if (state >= 7) {
        // After a match: the byte at the match's distance guides the first bits.
        let match = out[pos - rep0 - 1];
        do {
          const matchBit = (match >>> 7) & 1;
          match <<= 1;
          const b = bit(base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | b;
          if (matchBit !== b) break;
        } while (symbol < 0x100);
      }
      while (symbol < 0x100) symbol = (symbol << 1) | bit(base + symbol);
      out[pos++] = symbol - 0x100;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len;
    if (bit(IS_REP + state) === 0) {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(LEN_MATCH, posState);
      state = state < 7 ? 7 : 10;
      rep0 = distance(len);
      if (rep0 === 0xffffffff) throw new Error(`unlzma: the stream ends at ${pos} of ${size} bytes`);
    } else {
      if (pos === 0) throw new Error("unlzma: a repeated match before any byte");
      if (bit(IS_REP_G0 + state) === 0) {
        if (bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
          // One byte from the last distance.
          state = state < 7 ? 9 : 11;
          if (rep0 >= pos) throw new Error(`unlzma: distance ${rep0 + 1} reaches before the start at ${pos}`);
          out[pos] = out[pos - rep0 - 1];
          pos++;
          continue;
        }
      } else {
        let dist;
        if (bit(IS_REP_G1 + state) === 0) {
          dist = rep1;
        } else {
          if (bit(IS_REP_G2 + state) === 0) {
            dist = rep2;
          } else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = length(LEN_REP, posState);
      state = state < 7 ? 8 : 11;
    }
    len += 2;
    if (rep0 >= pos) throw new Error(`unlzma: distance ${rep0 + 1} reaches before the start at ${pos}`);
    if (len > size - pos) throw new Error(`unlzma: a match of ${len} bytes runs past the decoded size ${size}`);
    let from = pos - rep0 - 1;
    for (const end = pos + len; pos < end; ) out[pos++] = out[from++];
  }
  if (at > src.length) throw new Error(`unlzma: the stream is cut short (${src.length} bytes, ${at} read)`);
  return out;
}
