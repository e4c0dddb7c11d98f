//! What the bench reads from `/proc` on Linux: a server's memory (VmRSS, Pss), its process tree
//! (websockify forks one child per connection), and the open-files limit, raised for the run.

use crate::cmd;
use std::collections::HashMap;

/// The memory of a process, or of a process tree, summed.
#[derive(Clone, Copy, Default)]
pub(super) struct Usage {
    pub(super) rss_kib: u64,
    pub(super) pss_kib: u64,
    pub(super) processes: usize,
}

/// A server's memory with no session open (`base`) and with N open and idle (`idle`).
#[derive(Clone, Copy)]
pub(super) struct Memory {
    pub(super) base: Usage,
    pub(super) idle: Usage,
}

/// A `kB` field of a /proc file (`VmRSS:` of status, `Pss:` of smaps_rollup).
fn proc_kib(pid: u32, file: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Every process whose parent chain leads to `root`, `root` excluded.
pub(super) fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        for &c in children.get(&p).map(Vec::as_slice).unwrap_or_default() {
            out.push(c);
            todo.push(c);
        }
    }
    out
}

/// Whether a process still runs (exists and is not a zombie waiting to be reaped).
pub(super) fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z")
    })
}

/// The memory of `pid` alone, or of `pid` and all its descendants.
pub(super) fn usage(pid: u32, with_children: bool) -> Usage {
    let mut pids = vec![pid];
    if with_children {
        pids.extend(descendants(pid));
    }
    let mut u = Usage::default();
    for p in pids {
        if let Some(rss) = proc_kib(p, "status", "VmRSS:") {
            u.rss_kib += rss;
            u.pss_kib += proc_kib(p, "smaps_rollup", "Pss:").unwrap_or(rss);
            u.processes += 1;
        }
    }
    u
}

/// Lifts the soft limit on open files towards `want` (each socklab session holds four sockets),
/// through util-linux's `prlimit`; says what it did, or why it could not.
pub(super) fn raise_fd_limit(want: u64) -> Option<String> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let mut nums = line.split_whitespace().filter_map(|w| {
        w.parse::<u64>()
            .ok()
            .or((w == "unlimited").then_some(u64::MAX))
    });
    let (soft, hard) = (nums.next()?, nums.next()?);
    if soft >= want {
        return None;
    }
    let new = want.min(hard);
    let pid = std::process::id().to_string();
    let ok = cmd("prlimit")
        .args(["--pid", &pid, &format!("--nofile={new}:{hard}")])
        .status()
        .is_ok_and(|s| s.success());
    let note = if ok && new >= want {
        format!("The open-files limit was raised from {soft} to {new} for this run.")
    } else {
        format!(
            "The open-files limit is {soft} (hard {hard}); {want} are wanted for the largest N, \
             so sessions past it may fail to open (raise it with `ulimit -n`)."
        )
    };
    println!("note: {note}");
    Some(note)
}
