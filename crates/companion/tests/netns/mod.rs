//! Network namespaces of the tests' own, for the tests that name addresses beyond loopback or
//! play a machine on the LAN: nothing they send can leave the test's namespaces.
//!
//! [`in_classroom`] runs an ignored test of the same file inside a namespace "teacher" (only `lo`
//! and a veth end `lan0` at 10.77.0.1/24), whose other end `lan1` (10.77.0.2/24) sits in a second
//! namespace: another machine on the classroom LAN, which [`on_lan_host`] acts from.
#![allow(dead_code)] // each test file uses part of it

use std::process::Command;

/// The teacher's LAN address in [`in_classroom`].
pub(crate) const TEACHER: &str = "10.77.0.1";
/// The other machine's LAN address in [`in_classroom`].
pub(crate) const LAN_HOST: &str = "10.77.0.2";

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

/// Refuses to go on unless this runs inside the test's own network namespace with exactly these
/// interfaces: the tests that name non-loopback addresses never run where a packet could leave.
pub(crate) fn assert_isolated(interfaces: &[&str]) {
    assert_eq!(
        std::env::var("SOCKLAB_IN_NETNS").as_deref(),
        Ok("1"),
        "only run inside the namespace the outer test makes"
    );
    let mut found: Vec<String> = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, interfaces, "the namespace has other interfaces");
}

/// Deletes the namespaces (and the resolv.conf folder) it names when dropped.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for name in &self.0 {
            ip(&["netns", "del", name]);
            let _ = std::fs::remove_dir_all(format!("/etc/netns/{name}"));
        }
    }
}

/// Runs `inner` (an ignored test of the calling test binary) in the classroom described in the
/// module's docs. `resolv`, when given, is the teacher namespace's `/etc/resolv.conf` (`ip netns
/// exec` mounts `/etc/netns/NAME/resolv.conf` over it). Skips (with a line on stderr) where
/// namespaces cannot be made (not root, no `ip`).
pub(crate) fn in_classroom(inner: &str, resolv: Option<&str>) {
    let teacher = format!("socklab-{inner}-{}", std::process::id());
    let host = format!("{teacher}-lan");
    if !ip(&["netns", "add", &teacher]) {
        eprintln!("SKIPPED: cannot create a network namespace here (needs root and `ip`)");
        return;
    }
    let _cleanup = Cleanup(vec![teacher.clone(), host.clone()]);
    let exec = |ns: &str, args: &[&str]| {
        let mut all = vec!["netns", "exec", ns];
        all.extend_from_slice(args);
        ip(&all)
    };
    let ready = ip(&["netns", "add", &host])
        && exec(&teacher, &["ip", "link", "set", "lo", "up"])
        && exec(&host, &["ip", "link", "set", "lo", "up"])
        && exec(
            &teacher,
            &[
                "ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1",
            ],
        )
        && exec(&teacher, &["ip", "link", "set", "lan1", "netns", &host])
        && exec(
            &teacher,
            &["ip", "addr", "add", "10.77.0.1/24", "dev", "lan0"],
        )
        && exec(&host, &["ip", "addr", "add", "10.77.0.2/24", "dev", "lan1"])
        && exec(&teacher, &["ip", "link", "set", "lan0", "up"])
        && exec(&host, &["ip", "link", "set", "lan1", "up"]);
    assert!(
        ready,
        "could not set up the namespaces {teacher} and {host}"
    );
    if let Some(resolv) = resolv {
        let dir = format!("/etc/netns/{teacher}");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(format!("{dir}/resolv.conf"), resolv).unwrap();
    }
    run_inside(&teacher, inner, &[("SOCKLAB_LAN_HOST", &host)]);
}

/// Runs `inner` (an ignored test of the calling test binary) in a fresh namespace with only `lo`
/// up: it may use fixed ports and squat on [::1] without meeting anyone else's sockets.
pub(crate) fn in_loopback_only(inner: &str) {
    let name = format!("socklab-{inner}-{}", std::process::id());
    if !ip(&["netns", "add", &name]) {
        eprintln!("SKIPPED: cannot create a network namespace here (needs root and `ip`)");
        return;
    }
    let _cleanup = Cleanup(vec![name.clone()]);
    assert!(
        ip(&["netns", "exec", &name, "ip", "link", "set", "lo", "up"]),
        "could not set up the namespace {name}"
    );
    run_inside(&name, inner, &[]);
}

/// Runs the ignored test `inner` of this binary inside namespace `ns`, and fails unless it passed.
fn run_inside(ns: &str, inner: &str, env: &[(&str, &str)]) {
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(std::env::current_exe().unwrap())
        .args([inner, "--exact", "--ignored", "--nocapture"])
        .env("SOCKLAB_IN_NETNS", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "inside the namespace:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `f` on a thread that has moved into the LAN host's namespace, and returns what it made:
/// a socket made there stays there, so the test can dial the teacher as another machine would.
pub(crate) fn on_lan_host<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let name = std::env::var("SOCKLAB_LAN_HOST").expect("inside in_classroom");
    std::thread::spawn(move || {
        let ns = std::fs::File::open(format!("/run/netns/{name}")).expect("the host namespace");
        nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        f()
    })
    .join()
    .expect("the LAN host's thread")
}
