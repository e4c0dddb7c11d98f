//! Socket options: the ones the lessons use ([`SockOpt`]), set and read as the kernel hands
//! them out, within the companion's buffer limit; and every socket's buffers capped when it is
//! made.

use super::fail::{py, Done, Fail};
use super::{Inner, Sock};
use socket2::Socket;
use socklab_core::fence::Refusal;
use socklab_core::protocol::call::{OptName, OptValue};
use socklab_core::protocol::hex_encode;
use socklab_core::protocol::{LimitKind, PyReturn};
use socklab_core::pyerror::PyExcClass;
use socklab_core::pysocket::SockOpt;
use std::io;
use std::time::Duration;

/// Caps a socket's kernel buffers at what it has now (the system's defaults), and at most the
/// companion's `--max-socket-buffer`. Setting them explicitly also stops the kernel from
/// growing them (TCP autotuning goes up to megabytes a socket), so one session cannot pin the
/// host's socket memory. Linux doubles what it is given, so half of the current value keeps the
/// sizes `getsockopt` reports exactly as CPython would see them on a fresh socket.
pub(crate) fn cap_buffers(socket: &impl std::os::fd::AsFd, max: usize) -> io::Result<()> {
    let fd = socket2::SockRef::from(socket);
    let rcv = fd.recv_buffer_size()?;
    fd.set_recv_buffer_size((rcv / 2).min(max))?;
    let snd = fd.send_buffer_size()?;
    fd.set_send_buffer_size((snd / 2).min(max))?;
    Ok(())
}

/// The option, if a page may set it; the fence's refusal otherwise.
fn known(opt: OptName, settable: bool) -> Result<SockOpt, Fail> {
    match opt {
        OptName::Known(o) if o.settable() || !settable => Ok(o),
        OptName::Known(o) => {
            let (level, option) = o.numbers();
            Err(Refusal::SocketOption { level, option }.into())
        }
        OptName::Other { level, option } => Err(Refusal::SocketOption { level, option }.into()),
    }
}

/// `s.setsockopt(level, option, value)`.
pub(crate) fn setsockopt(inner: &Inner, sock: &Sock, opt: OptName, value: &OptValue) -> Done {
    let opt = known(opt, true)?;
    let bytes = match value {
        OptValue::Int(n) => n.to_ne_bytes().to_vec(),
        OptValue::Bytes(b) => b.clone(),
    };
    // The kernel reads an int (or a `struct linger`) from the start of the buffer and refuses
    // a shorter buffer with EINVAL; socklab does the same, then sets it through socket2.
    let int_at = |at: usize| -> Result<i32, Fail> {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(i32::from_ne_bytes)
            .ok_or_else(|| Fail::Os(io::Error::from_raw_os_error(libc::EINVAL)))
    };
    let fd = &sock.raw;
    match opt {
        SockOpt::Linger => {
            let (on, secs) = (int_at(0)?, int_at(4)?);
            let linger = (on != 0).then(|| Duration::from_secs(u64::try_from(secs).unwrap_or(0)));
            fd.set_linger(linger)?;
        }
        SockOpt::RcvBuf | SockOpt::SndBuf => {
            let asked = int_at(0)?;
            let max = inner.rules.max_socket_buffer;
            let size = usize::try_from(asked).unwrap_or(0);
            if size > max {
                return Err(Fail::Limit(
                    LimitKind::SocketBuffer,
                    format!(
                        "a buffer of {asked} bytes is more than the companion gives one socket \
                         ({max} bytes, --max-socket-buffer)"
                    ),
                ));
            }
            if opt == SockOpt::RcvBuf {
                fd.set_recv_buffer_size(size)?;
            } else {
                fd.set_send_buffer_size(size)?;
            }
        }
        SockOpt::ReuseAddr => fd.set_reuse_address(int_at(0)? != 0)?,
        SockOpt::KeepAlive => fd.set_keepalive(int_at(0)? != 0)?,
        SockOpt::TcpNoDelay => fd.set_tcp_nodelay(int_at(0)? != 0)?,
        SockOpt::ReusePort | SockOpt::Error | SockOpt::Type => {
            unreachable!("known() refuses what may not be set")
        }
    }
    Ok(PyReturn::None)
}

/// An option's value as the kernel hands it out: an int, or a `struct linger`.
fn option_bytes(fd: &Socket, opt: SockOpt) -> io::Result<Vec<u8>> {
    let int = |v: i64| i32::try_from(v).unwrap_or(i32::MAX).to_ne_bytes().to_vec();
    Ok(match opt {
        SockOpt::Linger => {
            let l = fd.linger()?;
            let mut b = i32::from(l.is_some()).to_ne_bytes().to_vec();
            let secs = l.map_or(0, |d| d.as_secs());
            b.extend_from_slice(&i32::try_from(secs).unwrap_or(i32::MAX).to_ne_bytes());
            b
        }
        SockOpt::ReuseAddr => int(i64::from(fd.reuse_address()?)),
        SockOpt::ReusePort => int(i64::from(fd.reuse_port()?)),
        SockOpt::KeepAlive => int(i64::from(fd.keepalive()?)),
        SockOpt::RcvBuf => int(fd.recv_buffer_size()? as i64),
        SockOpt::SndBuf => int(fd.send_buffer_size()? as i64),
        SockOpt::Error => int(i64::from(
            fd.take_error()?.and_then(|e| e.raw_os_error()).unwrap_or(0),
        )),
        SockOpt::Type => int(i64::from(i32::from(fd.r#type()?))),
        SockOpt::TcpNoDelay => int(i64::from(fd.tcp_nodelay()?)),
    })
}

/// `s.getsockopt(level, option[, buflen])`.
pub(crate) fn getsockopt(sock: &Sock, opt: OptName, buflen: Option<u32>) -> Done {
    let opt = known(opt, false)?;
    let bytes = option_bytes(&sock.raw, opt)?;
    match buflen {
        // Without a length (or with 0) Python asks for an int: the first int of the value.
        None | Some(0) => {
            let first = <[u8; 4]>::try_from(&bytes[..4]).map_or(0, i32::from_ne_bytes);
            Ok(PyReturn::Int {
                value: i64::from(first),
            })
        }
        Some(n) if n > 1024 => Err(py(PyExcClass::OsError, "getsockopt buflen out of range")),
        Some(n) => Ok(PyReturn::Bytes {
            hex: hex_encode(&bytes[..bytes.len().min(n as usize)]),
        }),
    }
}
