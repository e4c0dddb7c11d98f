//! Predict, then run: every exercise's answer, as socklab computes it, is what CPython 3.11
//! prints. The computed exercises run here with no companion, each in a fresh console pane,
//! and the same lines in a real `python3 -i` (`vectors/console_panes.py`); the live ones run
//! through a real companion in the companion's `tests/console_live.rs`.

use socklab_core::console::value::SOCKET_PY;
use socklab_core::console::Alone;
use socklab_core::exercise::{exercises, judge, Exercise};
use std::io::Write;

/// Runs a line's future that needs no companion to its end.
fn ready<T>(f: impl std::future::Future<Output = T>) -> T {
    socklab_core::console::ready(f).expect("a computed exercise must not wait")
}

fn computed() -> Vec<&'static Exercise> {
    exercises().iter().filter(|e| !e.live).collect()
}

/// The python3 here, if it is CPython 3.11 (the oracle); otherwise why not.
fn oracle() -> Result<(), String> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys; print(sys.implementation.name, *sys.version_info[:2])",
        ])
        .output()
        .map_err(|e| format!("python3 does not run: {e}"))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if version == "cpython 3 11" {
        Ok(())
    } else {
        Err(format!("python3 is {version:?}, not CPython 3.11"))
    }
}

/// What `python3 -i` printed after each exercise's last line, each exercise in its own process.
fn python(exercises: &[&Exercise]) -> Vec<String> {
    let panes: Vec<Vec<&str>> = exercises.iter().map(|e| e.lines().collect()).collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/console_panes.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&panes).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let outputs: Vec<Vec<String>> =
        serde_json::from_slice(&out.stdout).expect("console_panes.py answers JSON");
    let socket_py = std::process::Command::new("python3")
        .args(["-c", "import socket; print(socket.__file__)"])
        .output()
        .unwrap();
    let socket_py = String::from_utf8(socket_py.stdout).unwrap();
    outputs
        .into_iter()
        .map(|pane| {
            pane.last()
                .expect("every line printed")
                .replace(socket_py.trim(), SOCKET_PY)
        })
        .collect()
}

#[test]
fn every_computed_answer_is_what_cpython_prints() {
    if let Err(why) = oracle() {
        eprintln!("SKIPPED every_computed_answer_is_what_cpython_prints: {why}");
        return;
    }
    let computed = computed();
    assert!(
        computed.len() >= 10,
        "only {} computed exercises",
        computed.len()
    );
    let want = python(&computed);
    let mut wrong = Vec::new();
    for (e, want) in computed.iter().zip(want) {
        let got = ready(e.run(&Alone));
        if got.unavailable || got.printed != want {
            wrong.push(format!(
                "{} >>> {}\n--- CPython:\n{want}\n--- socklab:\n{}",
                e.id, e.line, got.printed
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn every_computed_exercise_runs_without_the_companion_and_prints_something() {
    for e in computed() {
        let answer = ready(e.run(&Alone));
        assert!(!answer.unavailable, "{}: {}", e.id, answer.printed);
        assert!(
            !answer.printed.is_empty(),
            "{}: prints nothing to predict",
            e.id
        );
        // Python's own answer is right, and is judged so.
        assert!(judge(&answer, &answer.printed), "{}", e.id);
    }
}

#[test]
fn exactly_one_choice_is_right() {
    for e in computed().into_iter().filter(|e| !e.choices.is_empty()) {
        let answer = ready(e.run(&Alone));
        let right: Vec<_> = e.choices.iter().filter(|c| judge(&answer, c)).collect();
        assert_eq!(
            right.len(),
            1,
            "{}: right choices {right:?} for {answer:?}",
            e.id
        );
    }
}

#[test]
fn a_live_exercise_without_the_companion_says_so_and_judges_nothing_right() {
    let live: Vec<_> = exercises().iter().filter(|e| e.live).collect();
    assert!(
        !live.is_empty() && live.len() <= 4,
        "live exercises: {}",
        live.len()
    );
    for e in live {
        let answer = ready(e.run(&Alone));
        assert!(answer.unavailable, "{}: {answer:?}", e.id);
        assert!(
            answer.printed.contains("no companion"),
            "{}",
            answer.printed
        );
        assert!(e.choices.iter().all(|c| !judge(&answer, c)), "{}", e.id);
    }
}

#[test]
fn the_issues_examples_are_all_there() {
    for line in [
        "struct.calcsize('BHxHH')",
        "socket.htons(70000)",
        "socket.inet_aton('127.1')",
        "len('中文'.encode('utf-8'))",
    ] {
        assert!(exercises().iter().any(|e| e.line == line), "{line}");
    }
    let live: Vec<_> = exercises().iter().filter(|e| e.live).collect();
    assert!(live
        .iter()
        .any(|e| e.choices.iter().any(|c| c == "BlockingIOError")));
    assert!(live.iter().any(|e| e.choices.iter().any(|c| c == "b''")));
}

/// Every exercise's why is in both languages' catalogs, in the file of its page's build
/// (`locales/<build>/`), which that build's pages fetch and no other build does.
#[test]
fn every_exercise_speaks_both_languages() {
    use socklab_core::builds::Build;
    use socklab_core::i18n::{Catalog, Lang};
    let han = |text: &str| {
        text.chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count()
    };
    let file = |lang: Lang, build: Build| {
        Catalog::available(&[lang.catalog_file(Some(build))]).expect("compiled in")
    };
    for e in exercises() {
        let key = e.why_key();
        let build = Build::of(&e.page);
        let [en, zh] = [Lang::En, Lang::Zh].map(|lang| file(lang, build));
        assert!(
            en.contains(&key) && zh.contains(&key),
            "{key}: not in locales/{}/",
            build.name()
        );
        let (en, zh) = (en.get(&key), zh.get(&key));
        assert!(han(zh) > 10, "{}: the zh why is not Chinese", e.id);
        // English quotes a character or two at most (中, 涓).
        assert!(han(en) <= 2, "{}: the en why is not English", e.id);
        assert_ne!(en, zh, "{}", e.id);
    }
}

/// The written-down answers (`data/answers.txt`, for the app built without the evaluator) are
/// exactly what the evaluator computes; `SOCKLAB_BLESS=1` writes them.
#[test]
fn the_written_answers_are_the_evaluators() {
    let answers: Vec<(&str, _)> = computed()
        .into_iter()
        .map(|e| (e.id.as_str(), ready(e.run(&Alone))))
        .collect();
    let file = socklab_core::exercise::answers_file(&answers);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/answers.txt");
    if std::env::var_os("SOCKLAB_BLESS").is_some() {
        std::fs::write(path, &file).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        file,
        "data/answers.txt is stale: run SOCKLAB_BLESS=1 cargo test -p socklab-core --test exercises"
    );
    for (id, answer) in &answers {
        let e = exercises().iter().find(|e| e.id == *id).unwrap();
        assert_eq!(e.answer().as_ref(), Some(answer), "{id}");
    }
    for e in exercises().iter().filter(|e| e.live) {
        assert_eq!(e.answer(), None, "{}", e.id);
    }
}

/// The lite build of the app has no evaluator and shows the written answers, so every live
/// exercise must be on a page of a build that has it.
#[test]
fn live_exercises_are_on_pages_of_the_builds_with_the_evaluator() {
    use socklab_core::builds::Build;
    for e in exercises().iter().filter(|e| e.live) {
        assert!(Build::of(&e.page).evaluates(), "{} is on {}", e.id, e.page);
    }
}
