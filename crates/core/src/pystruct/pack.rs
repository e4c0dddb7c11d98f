//! `pack`, `pack_into`, `unpack`, `unpack_from` and `iter_unpack` over a [`Layout`], with the
//! conversion rules and messages of CPython 3.11's `_struct.c`, function by function.

use super::format::{struct_error, Abi, Code, Field, Layout};
use super::half;
use super::{IntCode, Prefix};
use crate::pyerror::{Hint, PyExcClass, PyException};
use crate::pyliteral::PyValue;

/// The largest result socklab builds. CPython would try to allocate anything; a page should not.
pub const MAX_RESULT_BYTES: u64 = 1 << 20;

/// Which of `_struct.c`'s pack functions an integer code runs, which decides its checks and
/// its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IntFn {
    /// `np_byte`, `np_ubyte`, `np_short`, `np_ushort`: "short format requires ...".
    NativeSmall,
    /// `np_int`: a C long, then the int range.
    NativeInt,
    /// `np_uint`: a C unsigned long, then the unsigned int range.
    NativeUInt,
    /// `np_long`, `np_longlong`, `np_ssize_t`: a signed C type of this many bytes.
    NativeSigned(u64),
    /// `np_ulong`, `np_ulonglong`, `np_size_t`.
    NativeUnsigned(u64),
    /// `np_void_p`: `PyLong_AsVoidPtr`, negative or positive.
    Pointer(u64),
    /// `bp_int`/`lp_int`: a C long, then the standard size's range.
    StdSigned,
    /// `bp_uint`/`lp_uint`.
    StdUnsigned,
    /// `bp_longlong` & co.: `_PyLong_AsByteArray`, whose OverflowError becomes
    /// "int too large to convert".
    StdByteArray { signed: bool },
}

fn int_fn(prefix: Prefix, abi: Abi, code: Code) -> IntFn {
    use IntCode::*;
    let native_size = |c: Code| abi.native(c).0;
    let runs_native = match prefix {
        Prefix::Native => true,
        // On a little-endian host CPython copies the native functions into the `<`/`=` table
        // wherever the sizes agree.
        Prefix::Little | Prefix::NativeStandard => code.standard_size() == Some(native_size(code)),
        Prefix::Big | Prefix::Network => false,
    };
    match code {
        Code::Int(Byte | UByte) => IntFn::NativeSmall,
        Code::SSize => IntFn::NativeSigned(abi.pointer_size()),
        Code::USize => IntFn::NativeUnsigned(abi.pointer_size()),
        Code::Pointer => IntFn::Pointer(abi.pointer_size()),
        Code::Int(Short | UShort) if runs_native => IntFn::NativeSmall,
        Code::Int(Int) if runs_native => IntFn::NativeInt,
        Code::Int(UInt) if runs_native => IntFn::NativeUInt,
        Code::Int(Long) if runs_native => IntFn::NativeSigned(abi.long_size()),
        Code::Int(ULong) if runs_native => IntFn::NativeUnsigned(abi.long_size()),
        Code::Int(LongLong) if runs_native => IntFn::NativeSigned(8),
        Code::Int(ULongLong) if runs_native => IntFn::NativeUnsigned(8),
        Code::Int(LongLong) => IntFn::StdByteArray { signed: true },
        Code::Int(ULongLong) => IntFn::StdByteArray { signed: false },
        Code::Int(Short | Int | Long) => IntFn::StdSigned,
        _ => IntFn::StdUnsigned,
    }
}

fn signed_range(bytes: u64) -> (i128, i128) {
    let half = 1i128 << (8 * bytes - 1);
    (-half, half - 1)
}

fn unsigned_max(bytes: u64) -> i128 {
    (1i128 << (8 * bytes)) - 1
}

/// The learner-facing hint for a value outside what a code can hold.
fn range_hint(range: (i128, i128)) -> Hint {
    Hint::new("hint.struct_range")
        .arg("lo", range.0)
        .arg("hi", range.1)
}

fn out_of_range(range: (i128, i128)) -> PyException {
    struct_error("argument out of range").with_hint(range_hint(range))
}

/// `get_pylong`: ints and bools pass (as their value, `None` if beyond 128 bits); anything
/// else is "required argument is not an integer".
fn get_pylong(v: &PyValue) -> Result<Option<i128>, PyException> {
    match v {
        PyValue::Int(n) => Ok(n.to_i128()),
        PyValue::Bool(b) => Ok(Some(i128::from(*b))),
        _ => Err(struct_error("required argument is not an integer")
            .with_hint(Hint::new("hint.struct_needs_int").arg("type", v.type_name()))),
    }
}

/// A C conversion (`PyLong_AsLong` and friends): the value if it fits, else "argument out
/// of range" (what `get_long` and co. turn the OverflowError into).
fn c_int(v: &PyValue, range: (i128, i128)) -> Result<i128, PyException> {
    match get_pylong(v)? {
        Some(x) if (range.0..=range.1).contains(&x) => Ok(x),
        _ => Err(out_of_range(range)),
    }
}

/// CPython's `_range_error`: "'H' format requires 0 <= number <= 65535".
fn range_error(code: Code, size: u64, unsigned: bool) -> PyException {
    let range = if unsigned {
        (0, unsigned_max(size))
    } else {
        signed_range(size)
    };
    struct_error(format!(
        "'{}' format requires {} <= number <= {}",
        code.char(),
        range.0,
        range.1
    ))
    .with_hint(range_hint(range))
}

fn pack_int(fun: IntFn, abi: Abi, code: Code, size: u64, v: &PyValue) -> Result<i128, PyException> {
    let long = signed_range(abi.long_size());
    let ulong = (0, unsigned_max(abi.long_size()));
    match fun {
        IntFn::NativeSmall => {
            let x = c_int(v, long)?;
            let (name, lo, hi) = match code {
                Code::Int(IntCode::Byte) => ("byte", -128, 127),
                Code::Int(IntCode::UByte) => ("ubyte", 0, 255),
                Code::Int(IntCode::Short) => ("short", -32768, 32767),
                _ => ("ushort", 0, 65535),
            };
            if (lo..=hi).contains(&x) {
                Ok(x)
            } else {
                Err(
                    struct_error(format!("{name} format requires {lo} <= number <= {hi}"))
                        .with_hint(range_hint((lo, hi))),
                )
            }
        }
        IntFn::NativeInt | IntFn::StdSigned => {
            let x = c_int(v, long)?;
            let range = signed_range(size);
            if size != abi.long_size() && !(range.0..=range.1).contains(&x) {
                return Err(range_error(code, size, false));
            }
            Ok(x)
        }
        IntFn::NativeUInt | IntFn::StdUnsigned => {
            let x = c_int(v, ulong)?;
            if size != abi.long_size() && x > unsigned_max(size) {
                return Err(range_error(code, size, true));
            }
            Ok(x)
        }
        IntFn::NativeSigned(bytes) => c_int(v, signed_range(bytes)),
        IntFn::NativeUnsigned(bytes) => c_int(v, (0, unsigned_max(bytes))),
        IntFn::Pointer(bytes) => {
            let n = get_pylong(v)?;
            let range = (signed_range(bytes).0, unsigned_max(bytes));
            match n {
                Some(x) if (range.0..=range.1).contains(&x) => Ok(x),
                _ => Err(struct_error("int too large to convert").with_hint(range_hint(range))),
            }
        }
        IntFn::StdByteArray { signed } => {
            let n = get_pylong(v)?;
            let range = if signed {
                signed_range(8)
            } else {
                (0, unsigned_max(8))
            };
            match n {
                Some(x) if (range.0..=range.1).contains(&x) => Ok(x),
                _ => Err(struct_error("int too large to convert").with_hint(range_hint(range))),
            }
        }
    }
}

/// `PyFloat_AsDouble`, with `_struct.c`'s replacement message for anything that fails.
fn as_double(v: &PyValue) -> Result<f64, PyException> {
    let x = match v {
        PyValue::Float(x) => Some(*x),
        PyValue::Bool(b) => Some(f64::from(u8::from(*b))),
        PyValue::Int(n) => n.to_f64(),
        _ => None,
    };
    x.ok_or_else(|| {
        let hint = if matches!(v, PyValue::Int(_)) {
            Hint::new("hint.struct_float_int_too_big")
        } else {
            Hint::new("hint.struct_needs_float").arg("type", v.type_name())
        };
        struct_error("required argument is not a float").with_hint(hint)
    })
}

/// An OverflowError from a float packer, or "int too large to convert" when the value was an
/// int (`s_pack_internal` rewrites OverflowErrors raised for ints).
fn float_overflow(code: Code, v: &PyValue) -> PyException {
    let hint = Hint::new("hint.struct_float_overflow").arg("code", code.char());
    if v.as_index().is_some() {
        struct_error("int too large to convert").with_hint(hint)
    } else {
        PyException::new(
            PyExcClass::OverflowError,
            format!("float too large to pack with {} format", code.char()),
        )
        .with_hint(hint)
    }
}

/// Python's truth value, as `PyObject_IsTrue` gives it for `?`.
fn truthy(v: &PyValue) -> bool {
    match v {
        PyValue::Int(n) => !n.is_zero(),
        PyValue::Float(x) => *x != 0.0,
        PyValue::Bool(b) => *b,
        PyValue::Bytes(b) => !b.is_empty(),
        PyValue::Str(s) => !s.is_empty(),
        PyValue::None => false,
    }
}

/// Packs one value of a fixed-size code into `out` (little-endian; the caller flips it).
/// `fun` is the integer function the field's code runs, chosen once per field.
fn pack_one(
    layout: &Layout,
    field: &Field,
    fun: IntFn,
    v: &PyValue,
    out: &mut [u8],
) -> Result<(), PyException> {
    let code = field.code;
    match code {
        Code::Char => match v {
            PyValue::Bytes(b) if b.len() == 1 => out[0] = b[0],
            _ => {
                return Err(
                    struct_error("char format requires a bytes object of length 1")
                        .with_hint(Hint::new("hint.struct_char").arg("type", v.type_name())),
                )
            }
        },
        Code::Bool => out[0] = u8::from(truthy(v)),
        Code::Half => {
            let h = half::pack2(as_double(v)?).ok_or_else(|| float_overflow(code, v))?;
            out.copy_from_slice(&h.to_le_bytes());
        }
        Code::Float => {
            let x = as_double(v)?;
            let bits = half::to_f32_bits(x);
            // The native `np_float` casts without looking; `PyFloat_Pack4` refuses to overflow.
            if !layout.prefix.is_native() && f32::from_bits(bits).is_infinite() && x.is_finite() {
                return Err(float_overflow(code, v));
            }
            out.copy_from_slice(&bits.to_le_bytes());
        }
        Code::Double => out.copy_from_slice(&as_double(v)?.to_bits().to_le_bytes()),
        _ => {
            let x = pack_int(fun, layout.abi, code, field.item_size, v)?;
            let len = out.len();
            out.copy_from_slice(&x.to_le_bytes()[..len]);
        }
    }
    Ok(())
}

fn bytes_arg(code: Code, v: &PyValue) -> Result<&[u8], PyException> {
    match v {
        PyValue::Bytes(b) => Ok(b),
        _ => Err(struct_error(format!(
            "argument for '{}' must be a bytes object",
            code.char()
        ))
        .with_hint(
            Hint::new("hint.struct_needs_bytes")
                .arg("code", code.char())
                .arg("type", v.type_name()),
        )),
    }
}

fn placed(field: &Field, item: u64, mut exc: PyException) -> PyException {
    if let Some(hint) = exc.hint.as_mut() {
        if !hint.args.iter().any(|(k, _)| *k == "code") {
            hint.args.push(("code", field.code.char().to_string()));
        }
        hint.args
            .push(("item", (field.first_value + item).to_string()));
    }
    exc.at(field.span.clone())
}

fn limit_error(size: u64) -> PyException {
    PyException::new(
        PyExcClass::SocklabLimit,
        format!(
            "socklab builds results of at most {MAX_RESULT_BYTES} bytes; this one would be {size} bytes"
        ),
    )
    .with_hint(Hint::new("hint.struct_limit").arg("size", size))
}

fn count_error(what: &str, expected: u64, got: usize) -> PyException {
    struct_error(format!(
        "{what} expected {expected} items for packing (got {got})"
    ))
    .with_hint(
        Hint::new("hint.struct_count")
            .arg("expected", expected)
            .arg("got", got),
    )
}

/// How `pack_into` and `unpack_from` differ where they share their offset checks.
#[derive(Clone, Copy)]
enum Direction {
    Pack,
    Unpack,
}

impl Direction {
    /// An offset too large for `Py_ssize_t`: `pack_into` converts with
    /// `PyNumber_AsSsize_t(offset, IndexError)`, `unpack_from` with Argument Clinic's
    /// Py_ssize_t converter.
    fn offset_overflow(self) -> PyException {
        match self {
            Direction::Pack => PyException::new(
                PyExcClass::IndexError,
                "cannot fit 'int' into an index-sized integer",
            ),
            Direction::Unpack => PyException::new(
                PyExcClass::OverflowError,
                "Python int too large to convert to C ssize_t",
            ),
        }
    }
}

impl Layout {
    /// Where in a buffer of `len` bytes the struct goes for this offset, with CPython's
    /// checks and messages in CPython's order.
    fn place(
        &self,
        offset: &PyValue,
        len: usize,
        dir: Direction,
    ) -> Result<std::ops::Range<usize>, PyException> {
        let max = self.abi.ssize_max() as i128;
        let mut offset = match offset.index()?.to_i128() {
            Some(x) if (-max - 1..=max).contains(&x) => x as i64,
            _ => return Err(dir.offset_overflow()),
        };
        let len = len as i64;
        let size = self.size.min(i64::MAX as u64) as i64;
        if offset < 0 {
            if offset + size > 0 {
                let msg = match dir {
                    Direction::Pack => format!("no space to pack {size} bytes at offset {offset}"),
                    Direction::Unpack => {
                        format!("not enough data to unpack {size} bytes at offset {offset}")
                    }
                };
                return Err(struct_error(msg).with_hint(Hint::new("hint.struct_negative_offset")));
            }
            if offset + len < 0 {
                return Err(struct_error(format!(
                    "offset {offset} out of range for {len}-byte buffer"
                ))
                .with_hint(Hint::new("hint.struct_offset_range")));
            }
            offset += len;
        }
        if len - offset < size {
            let (function, verb) = match dir {
                Direction::Pack => ("pack_into", "packing"),
                Direction::Unpack => ("unpack_from", "unpacking"),
            };
            return Err(struct_error(format!(
                "{function} requires a buffer of at least {} bytes for {verb} {size} bytes at offset {offset} (actual buffer size is {len})",
                (size as u64).wrapping_add(offset as u64)
            ))
            .with_hint(Hint::new("hint.struct_buffer_small")));
        }
        Ok(offset as usize..(offset + size) as usize)
    }
}

impl Layout {
    fn write(&self, buf: &mut [u8], args: &[PyValue]) -> Result<(), PyException> {
        let big = self.prefix.is_big_endian();
        for field in &self.fields {
            let first = field.first_value as usize;
            let offset = field.offset as usize;
            match field.code {
                Code::Pad => {}
                Code::Bytes => {
                    let v = bytes_arg(field.code, &args[first])
                        .map_err(|e| e.at(field.span.clone()))?;
                    let n = v.len().min(field.count as usize);
                    buf[offset..offset + n].copy_from_slice(&v[..n]);
                }
                Code::Pascal => {
                    let v = bytes_arg(field.code, &args[first])
                        .map_err(|e| e.at(field.span.clone()))?;
                    // `n` may be -1 for `0p`: CPython then writes 0xff where the next field
                    // starts (and the next field, if any, overwrites it).
                    let n = (v.len() as i64).min(field.count as i64 - 1);
                    if n > 0 {
                        let n = n as usize;
                        buf[offset + 1..offset + 1 + n].copy_from_slice(&v[..n]);
                    }
                    if let Some(b) = buf.get_mut(offset) {
                        *b = n.min(255) as u8;
                    }
                }
                _ => {
                    let size = field.item_size as usize;
                    let fun = int_fn(self.prefix, self.abi, field.code);
                    for k in 0..field.count as usize {
                        let at = offset + k * size;
                        let out = &mut buf[at..at + size];
                        pack_one(self, field, fun, &args[first + k], out)
                            .map_err(|f| placed(field, k as u64, f))?;
                        if big {
                            out.reverse();
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// `struct.pack(format, *args)`.
    ///
    /// ```
    /// use socklab_core::pystruct::{Abi, Layout};
    /// use socklab_core::pyliteral::PyValue;
    /// let l = Layout::parse(">H", Abi::default()).unwrap();
    /// assert_eq!(l.pack(&[PyValue::Int(256.into())]).unwrap(), b"\x01\x00");
    /// ```
    pub fn pack(&self, args: &[PyValue]) -> Result<Vec<u8>, PyException> {
        if args.len() as u64 != self.values {
            return Err(count_error("pack", self.values, args.len()));
        }
        if self.size > MAX_RESULT_BYTES {
            return Err(limit_error(self.size));
        }
        let mut buf = vec![0; self.size as usize];
        self.write(&mut buf, args)?;
        Ok(buf)
    }

    /// `struct.pack_into(format, buffer, offset, *args)` on a `bytearray` holding `buffer`:
    /// the buffer as it is afterwards.
    pub fn pack_into(
        &self,
        buffer: &[u8],
        offset: &PyValue,
        args: &[PyValue],
    ) -> Result<Vec<u8>, PyException> {
        if args.len() as u64 != self.values {
            return Err(count_error("pack_into", self.values, args.len()));
        }
        let range = self.place(offset, buffer.len(), Direction::Pack)?;
        let mut out = buffer.to_vec();
        let region = &mut out[range];
        region.fill(0);
        self.write(region, args)?;
        Ok(out)
    }

    fn read(&self, data: &[u8]) -> Result<Vec<PyValue>, PyException> {
        let mut values = Vec::with_capacity(self.values.min(1 << 16) as usize);
        for field in &self.fields {
            let offset = field.offset as usize;
            match field.code {
                Code::Pad => {}
                Code::Bytes => {
                    values.push(PyValue::Bytes(
                        data[offset..offset + field.count as usize].to_vec(),
                    ));
                }
                Code::Pascal => {
                    if field.count == 0 {
                        return Err(PyException::new(
                            PyExcClass::SystemError,
                            "Negative size passed to PyBytes_FromStringAndSize",
                        )
                        .with_hint(Hint::new("hint.struct_zero_p"))
                        .at(field.span.clone()));
                    }
                    let n = usize::from(data[offset]).min(field.count as usize - 1);
                    values.push(PyValue::Bytes(data[offset + 1..offset + 1 + n].to_vec()));
                }
                code => {
                    let size = field.item_size as usize;
                    for k in 0..field.count as usize {
                        let at = offset + k * size;
                        values.push(read_one(self.prefix, code, &data[at..at + size]));
                    }
                }
            }
        }
        Ok(values)
    }

    /// `struct.unpack(format, buffer)`.
    ///
    /// ```
    /// use socklab_core::pystruct::{Abi, Layout};
    /// use socklab_core::pyliteral::PyValue;
    /// let l = Layout::parse(">H", Abi::default()).unwrap();
    /// assert_eq!(l.unpack(b"\x01\x00").unwrap(), vec![PyValue::Int(256.into())]);
    /// assert_eq!(l.unpack(b"\x01").unwrap_err().message, "unpack requires a buffer of 2 bytes");
    /// ```
    pub fn unpack(&self, data: &[u8]) -> Result<Vec<PyValue>, PyException> {
        if data.len() as u64 != self.size {
            return Err(
                struct_error(format!("unpack requires a buffer of {} bytes", self.size)).with_hint(
                    Hint::new("hint.unpack_size")
                        .arg("size", self.size)
                        .arg("got", data.len()),
                ),
            );
        }
        self.read(data)
    }

    /// `struct.unpack_from(format, buffer, offset)`.
    pub fn unpack_from(&self, data: &[u8], offset: &PyValue) -> Result<Vec<PyValue>, PyException> {
        let range = self.place(offset, data.len(), Direction::Unpack)?;
        self.read(&data[range])
    }

    /// `list(struct.iter_unpack(format, buffer))`.
    pub fn iter_unpack(&self, data: &[u8]) -> Result<Vec<Vec<PyValue>>, PyException> {
        if self.size == 0 {
            return Err(
                struct_error("cannot iteratively unpack with a struct of length 0")
                    .with_hint(Hint::new("hint.struct_iter_zero")),
            );
        }
        if !(data.len() as u64).is_multiple_of(self.size) {
            return Err(struct_error(format!(
                "iterative unpacking requires a buffer of a multiple of {} bytes",
                self.size
            ))
            .with_hint(
                Hint::new("hint.struct_iter_multiple")
                    .arg("size", self.size)
                    .arg("got", data.len()),
            ));
        }
        data.chunks(self.size as usize)
            .map(|chunk| self.read(chunk))
            .collect()
    }
}

#[inline]
fn read_one(prefix: Prefix, code: Code, raw: &[u8]) -> PyValue {
    // Fixed-size reads: the compiler turns each into one load (and a byte swap).
    let big = prefix.is_big_endian();
    let bits = match *raw {
        [a] => u64::from(a),
        [a, b] if big => u64::from(u16::from_be_bytes([a, b])),
        [a, b] => u64::from(u16::from_le_bytes([a, b])),
        [a, b, c, d] if big => u64::from(u32::from_be_bytes([a, b, c, d])),
        [a, b, c, d] => u64::from(u32::from_le_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] if big => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ if big => raw.iter().fold(0, |acc, &x| (acc << 8) | u64::from(x)),
        _ => raw
            .iter()
            .rev()
            .fold(0, |acc, &x| (acc << 8) | u64::from(x)),
    };
    match code {
        Code::Char => PyValue::Bytes(vec![raw[0]]),
        Code::Bool => PyValue::Bool(bits != 0),
        Code::Half => PyValue::Float(half::unpack2(bits as u16)),
        Code::Float => PyValue::Float(half::from_f32_bits(bits as u32)),
        Code::Double => PyValue::Float(f64::from_bits(bits)),
        _ => {
            let width = 8 * raw.len() as u32;
            let signed = matches!(
                code,
                Code::Int(
                    IntCode::Byte
                        | IntCode::Short
                        | IntCode::Int
                        | IntCode::Long
                        | IntCode::LongLong
                ) | Code::SSize
            );
            let value = if signed && width < 64 && bits >> (width - 1) & 1 == 1 {
                i128::from(bits) - (1i128 << width)
            } else if signed && width == 64 {
                i128::from(bits as i64)
            } else {
                i128::from(bits)
            };
            PyValue::Int(value.into())
        }
    }
}
