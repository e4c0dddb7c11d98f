//! The error catalog against CPython 3.11: the committed golden file, a live differential
//! check over errno 0..=200, and every lesson's example run for real on loopback.
//!
//! `vectors/gen_errno.py` writes `vectors/errno.json`. The live checks need `python3` on the
//! PATH and say so (and pass) when it is absent.

use serde_json::Value;
use socklab_core::errno::{
    self, by_name, by_number, gai_by_name, lessons, os_error_line, strerror, CatalogEntry,
    ExampleRuns, OsErrorClass, GAI_ERRORS, HOST_ERRORS, SOCKET_TIMEOUT_LINE,
};
use std::collections::BTreeSet;
use std::io::{ErrorKind, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn golden() -> Value {
    serde_json::from_str(include_str!("../vectors/errno.json")).expect("errno.json parses")
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn i32_of(v: &Value) -> i32 {
    let n = v.as_i64().unwrap_or_else(|| panic!("not a number: {v}"));
    i32::try_from(n).expect("fits a C int")
}

fn list<'a>(golden: &'a Value, key: &str) -> &'a Vec<Value> {
    golden[key]
        .as_array()
        .unwrap_or_else(|| panic!("errno.json has no list {key:?}"))
}

#[test]
fn golden_every_errno_and_alias() {
    let golden = golden();
    let records = list(&golden, "errno");
    assert!(records.len() >= 130, "errno.json looks truncated");
    let mut mismatches = Vec::new();
    for record in records {
        let n = i32_of(&record["number"]);
        let names: BTreeSet<&str> = record["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(str_of)
            .collect();
        let Some(entry) = by_number(n) else {
            mismatches.push(format!("{n}: missing from the catalog"));
            continue;
        };
        let ours: BTreeSet<&str> = entry.names().collect();
        let checks = [
            ("names", format!("{names:?}"), format!("{ours:?}")),
            (
                "errorcode",
                str_of(&record["errorcode"]).to_owned(),
                entry.python_errorcode().unwrap_or("-").to_owned(),
            ),
            (
                "strerror",
                str_of(&record["strerror"]).to_owned(),
                entry.strerror().to_owned(),
            ),
            (
                "class",
                str_of(&record["class"]).to_owned(),
                entry.class().name().to_owned(),
            ),
            (
                "line",
                str_of(&record["line"]).to_owned(),
                entry.os_error_line(),
            ),
            (
                "os_error_line",
                str_of(&record["line"]).to_owned(),
                os_error_line(n),
            ),
        ];
        for (what, want, got) in checks {
            if want != got {
                mismatches.push(format!("{n} {what}: CPython {want:?}, socklab {got:?}"));
            }
        }
        // Every name, alias or not, finds this entry.
        for name in &names {
            if by_name(name) != Some(entry) {
                mismatches.push(format!("by_name({name}) does not find errno {n}"));
            }
            if by_name(&name.to_lowercase()) != Some(entry) {
                mismatches.push(format!("by_name is case-sensitive for {name}"));
            }
        }
    }
    // And the catalog has nothing CPython's errno module lacks, except what Linux has and
    // Python 3.11 does not name (EHWPOISON), which must still print as CPython prints it.
    let golden_numbers: BTreeSet<i32> = records.iter().map(|r| i32_of(&r["number"])).collect();
    let others = list(&golden, "other_numbers");
    for entry in errno::errnos() {
        if golden_numbers.contains(&entry.number()) {
            continue;
        }
        assert_eq!(entry.python_errorcode(), None, "{}", entry.name());
        let record = others
            .iter()
            .find(|r| i32_of(&r["number"]) == entry.number())
            .unwrap_or_else(|| panic!("{} is in no golden list", entry.name()));
        assert_eq!(entry.os_error_line(), str_of(&record["line"]));
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn golden_other_numbers_print_as_cpython() {
    let golden = golden();
    for record in list(&golden, "other_numbers") {
        let n = i32_of(&record["number"]);
        assert_eq!(strerror(n), str_of(&record["strerror"]), "strerror({n})");
        assert_eq!(os_error_line(n), str_of(&record["line"]), "OSError({n})");
    }
}

#[test]
fn golden_every_class_and_its_parents() {
    let golden = golden();
    let records = list(&golden, "classes");
    let theirs: BTreeSet<&str> = records.iter().map(|r| str_of(&r["name"])).collect();
    let ours: BTreeSet<&str> = OsErrorClass::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(theirs, ours, "the OSError tree differs");
    for record in records {
        let class = OsErrorClass::from_name(str_of(&record["name"])).unwrap();
        let mro: Vec<&str> = record["mro"]
            .as_array()
            .unwrap()
            .iter()
            .map(str_of)
            .collect();
        assert_eq!(class.mro(), mro, "{class}");
    }
    for (alias, target) in golden["class_aliases"].as_object().unwrap() {
        let class = OsErrorClass::from_name(alias).unwrap_or_else(|| panic!("{alias}"));
        assert_eq!(class.name(), str_of(target), "{alias}");
        assert!(class.aliases().contains(&alias.as_str()), "{alias}");
    }
    assert_eq!(
        str_of(&golden["socket_timeout"]["line"]),
        SOCKET_TIMEOUT_LINE
    );
    assert!(golden["socket_timeout"]["errno"].is_null());
}

#[test]
fn golden_gaierror_and_herror() {
    let golden = golden();
    let records = list(&golden, "gai");
    assert_eq!(records.len(), GAI_ERRORS.len(), "the EAI_* list differs");
    for record in records {
        let name = str_of(&record["name"]);
        let gai = gai_by_name(name).unwrap_or_else(|| panic!("{name} is missing"));
        assert_eq!(gai.number, i32_of(&record["number"]), "{name}");
        assert_eq!(gai.strerror, str_of(&record["strerror"]), "{name}");
        assert_eq!(gai.traceback_line(), str_of(&record["line"]), "{name}");
        assert_eq!(
            gai.raised_as_gaierror(),
            record["raised_as_gaierror"].as_bool().unwrap(),
            "{name}"
        );
    }
    for record in list(&golden, "gai_calls") {
        let gai = gai_by_name(str_of(&record["name"])).unwrap();
        assert_eq!(
            gai.traceback_line(),
            str_of(&record["err"]),
            "{}",
            record["call"]
        );
    }
    let records = list(&golden, "herror");
    assert_eq!(records.len(), HOST_ERRORS.len());
    for (record, host) in records.iter().zip(&HOST_ERRORS) {
        assert_eq!(host.name, str_of(&record["name"]));
        assert_eq!(host.number, i32_of(&record["number"]));
        assert_eq!(host.traceback_line(), str_of(&record["line"]));
    }
}

/// Runs a Python program with a deadline; `None` if there is no python3.
fn python(source: &str, deadline: Duration) -> Option<(bool, String, String)> {
    let mut child = match Command::new("python3")
        .args(["-c", source])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => return None,
        Err(e) => panic!("cannot run python3: {e}"),
    };
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("python3 runs") {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            panic!("python3 took longer than {deadline:?} on:\n{source}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Some((status.success(), stdout, stderr))
}

#[test]
fn live_cpython_over_errno_0_to_200() {
    let program = r#"
import errno, json, os, sys
for n in range(0, 201):
    e = OSError(n, os.strerror(n))
    print(json.dumps({"n": n, "strerror": os.strerror(n), "class": type(e).__name__,
                      "line": f"{type(e).__name__}: {e}", "name": errno.errorcode.get(n),
                      "v311": sys.version_info[:2] == (3, 11)}))
"#;
    let Some((ok, stdout, stderr)) = python(program, Duration::from_secs(60)) else {
        println!("SKIPPED: no python3 on the PATH; the golden file still checked the catalog");
        return;
    };
    assert!(ok, "python3 failed: {stderr}");
    let mut compared = 0;
    for line in stdout.lines() {
        let want: Value = serde_json::from_str(line).unwrap();
        let n = i32_of(&want["n"]);
        assert_eq!(strerror(n), str_of(&want["strerror"]), "os.strerror({n})");
        assert_eq!(os_error_line(n), str_of(&want["line"]), "OSError({n}, ...)");
        if let Some(entry) = by_number(n) {
            assert_eq!(entry.class().name(), str_of(&want["class"]), "{n}");
            if want["v311"].as_bool() == Some(true) {
                assert_eq!(entry.python_errorcode(), want["name"].as_str(), "{n}");
            }
        } else {
            assert_eq!(str_of(&want["class"]), "OSError", "{n}");
        }
        compared += 1;
    }
    assert_eq!(compared, 201);
}

/// The last traceback line a Python program ended with.
fn last_line(stderr: &str) -> &str {
    stderr.lines().last().unwrap_or_default()
}

#[test]
fn live_every_lesson_example_raises_its_error() {
    let Some((_, euid, _)) = python("import os; print(os.geteuid())", Duration::from_secs(30))
    else {
        println!("SKIPPED: no python3 on the PATH");
        return;
    };
    let root = euid.trim() == "0";
    let mut ran = 0;
    for lesson in lessons() {
        let entry = errno::lookup(&lesson.name).unwrap().primary();
        match lesson.example_runs {
            ExampleRuns::No => {
                // Not runnable here, but it must be valid Python.
                let check = format!("compile({:?}, {:?}, 'exec')", lesson.example, lesson.name);
                let (ok, _, stderr) = python(&check, Duration::from_secs(30)).unwrap();
                assert!(
                    ok,
                    "{}: the example does not compile: {stderr}",
                    lesson.name
                );
                continue;
            }
            ExampleRuns::NotAsRoot if root => {
                println!("skipped {}: its example needs a non-root user", lesson.name);
                continue;
            }
            ExampleRuns::Yes | ExampleRuns::NotAsRoot => {}
        }
        let (ok, _, stderr) = python(&lesson.example, Duration::from_secs(30)).unwrap();
        assert!(!ok, "{}: the example raised nothing", lesson.name);
        let want = match entry {
            CatalogEntry::Errno(e) => e.os_error_line(),
            other => other.traceback_line(),
        };
        assert_eq!(
            last_line(&stderr),
            want,
            "{}:\n{}",
            lesson.name,
            lesson.example
        );
        ran += 1;
    }
    assert!(ran >= 25, "only {ran} examples ran");
}
