//! One "Predict, then run" exercise's state, without yew: what the learner typed or picked, where
//! the exercise stands (open, running, wrong, right, revealed), and the answer once it ran; and
//! the browser's memory of the exercises answered right. Tested natively.

use socklab_core::exercise::{judge, Answer};
use std::collections::BTreeSet;

/// localStorage key of the exercises answered right: their ids, one per line.
pub const SOLVED_KEY: &str = "socklab.predict.solved";

/// Why the lines run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// To check what the learner said.
    Check,
    /// To show the answer (the learner gave up, or the teacher pressed `r`).
    Reveal,
}

/// Where an exercise stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for a prediction.
    #[default]
    Open,
    /// The lines run (a live exercise waits for the companion).
    Running(Purpose),
    /// The prediction was not what Python prints. What was said stays shown.
    Wrong(String),
    /// The prediction was right.
    Right,
    /// The answer is shown without a (right) prediction.
    Revealed,
    /// The lines could not run here (a live exercise with no companion).
    Unavailable,
}

/// What the learner can do, and what comes back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Typed (or picked) an answer.
    Say(String),
    /// Asked to check it.
    Check,
    /// Asked for the answer.
    Reveal,
    /// The lines ran and gave this.
    Ran(Answer),
    /// Wants another go after a wrong answer (or after the companion came back).
    Again,
}

/// One exercise as the learner works on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Card {
    /// The answer typed or picked.
    pub said: String,
    /// Where it stands.
    pub phase: Phase,
    /// What the lines printed, once they ran.
    pub answer: Option<Answer>,
}

impl Card {
    /// The card after an action.
    pub fn update(mut self, action: Action) -> Card {
        match action {
            Action::Say(said) => {
                if !matches!(self.phase, Phase::Running(_)) {
                    self.said = said;
                    if matches!(self.phase, Phase::Wrong(_)) {
                        self.phase = Phase::Open;
                    }
                }
            }
            Action::Check => {
                if self.can_check() {
                    self.phase = Phase::Running(Purpose::Check);
                }
            }
            Action::Reveal => match (&self.phase, &self.answer) {
                // A wrong answer already ran the lines: show what they printed.
                (Phase::Wrong(_), Some(a)) if !a.unavailable => self.phase = Phase::Revealed,
                (Phase::Open | Phase::Wrong(_) | Phase::Unavailable, _) => {
                    self.phase = Phase::Running(Purpose::Reveal);
                }
                _ => {}
            },
            Action::Ran(answer) => {
                let Phase::Running(purpose) = self.phase else {
                    return self;
                };
                self.phase = if answer.unavailable {
                    Phase::Unavailable
                } else if purpose == Purpose::Reveal {
                    Phase::Revealed
                } else if judge(&answer, &self.said) {
                    Phase::Right
                } else {
                    Phase::Wrong(self.said.clone())
                };
                self.answer = Some(answer);
            }
            Action::Again => {
                if matches!(self.phase, Phase::Wrong(_) | Phase::Unavailable) {
                    self.phase = Phase::Open;
                }
            }
        }
        self
    }

    /// Whether "Check" does anything now: there is an answer, and nothing runs or is settled.
    pub fn can_check(&self) -> bool {
        !self.said.trim().is_empty() && matches!(self.phase, Phase::Open | Phase::Unavailable)
    }

    /// The answer to show: once right or revealed, never before.
    pub fn shown(&self) -> Option<&Answer> {
        match self.phase {
            Phase::Right | Phase::Revealed => self.answer.as_ref(),
            _ => None,
        }
    }
}

/// The exercises answered right, as stored.
pub fn solved_from(stored: Option<&str>) -> BTreeSet<String> {
    stored
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The stored text with `id` added.
pub fn solved_with(stored: Option<&str>, id: &str) -> String {
    let mut set = solved_from(stored);
    set.insert(id.to_owned());
    set.into_iter().collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use socklab_core::exercise::{exercises, for_page};

    fn printed(text: &str, raised: bool) -> Answer {
        Answer {
            printed: text.to_owned(),
            raised,
            unavailable: false,
        }
    }

    fn run(card: Card, actions: Vec<Action>) -> Card {
        actions.into_iter().fold(card, Card::update)
    }

    #[test]
    fn every_page_asks_at_least_two_and_every_exercise_is_on_a_page() {
        for route in crate::route::Route::ALL {
            let asked = for_page(route.path());
            assert!(asked.len() >= 2, "{} asks {}", route.path(), asked.len());
        }
        for e in exercises() {
            assert_eq!(
                crate::route::Route::from_path(&e.page).path(),
                e.page,
                "{}: no page {}",
                e.id,
                e.page
            );
            for lang in socklab_core::i18n::Lang::ALL {
                let catalog = socklab_core::i18n::Catalog::builtin(lang);
                assert!(
                    catalog.contains(&e.why_key()),
                    "{}: no why in {lang:?}",
                    e.id
                );
            }
        }
    }

    #[test]
    fn wrong_then_right() {
        let card = run(
            Card::default(),
            vec![Action::Say("8".into()), Action::Check],
        );
        assert_eq!(card.phase, Phase::Running(Purpose::Check));
        let card = card.update(Action::Ran(printed("10", false)));
        assert_eq!(card.phase, Phase::Wrong("8".into()));
        assert_eq!(
            card.shown(),
            None,
            "a wrong answer does not give the answer away"
        );
        // Typing again reopens it; so does "Try again".
        let again = card.clone().update(Action::Again);
        assert_eq!(again.phase, Phase::Open);
        let card = run(card, vec![Action::Say(" 10".into()), Action::Check]);
        assert_eq!(card.phase, Phase::Running(Purpose::Check));
        let card = card.update(Action::Ran(printed("10", false)));
        assert_eq!(card.phase, Phase::Right);
        assert_eq!(card.shown().map(|a| a.printed.as_str()), Some("10"));
    }

    #[test]
    fn an_exception_is_right_by_its_class() {
        let tb = "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\nBlockingIOError: [Errno 11] Resource temporarily unavailable";
        let card = run(
            Card::default(),
            vec![
                Action::Say("BlockingIOError".into()),
                Action::Check,
                Action::Ran(printed(tb, true)),
            ],
        );
        assert_eq!(card.phase, Phase::Right);
    }

    #[test]
    fn nothing_to_check_without_an_answer_and_nothing_while_running() {
        let card = Card::default().update(Action::Check);
        assert_eq!(card.phase, Phase::Open);
        let card = run(
            Card::default(),
            vec![Action::Say("   ".into()), Action::Check],
        );
        assert_eq!(card.phase, Phase::Open);
        let running = run(
            Card::default(),
            vec![Action::Say("1".into()), Action::Check],
        );
        let still = running.clone().update(Action::Say("2".into()));
        assert_eq!(still, running, "the answer is fixed while it runs");
        assert_eq!(running.clone().update(Action::Check), running);
    }

    #[test]
    fn reveal_runs_unless_the_answer_is_there_already() {
        let card = Card::default().update(Action::Reveal);
        assert_eq!(card.phase, Phase::Running(Purpose::Reveal));
        let card = card.update(Action::Ran(printed("10", false)));
        assert_eq!(card.phase, Phase::Revealed);
        assert!(card.shown().is_some());
        // After a wrong answer the lines ran already.
        let wrong = run(
            Card::default(),
            vec![
                Action::Say("8".into()),
                Action::Check,
                Action::Ran(printed("10", false)),
            ],
        );
        let shown = wrong.clone().update(Action::Reveal);
        assert_eq!(shown.phase, Phase::Revealed, "no second run");
        // A right answer stays right.
        let right = run(
            Card::default(),
            vec![
                Action::Say("10".into()),
                Action::Check,
                Action::Ran(printed("10", false)),
            ],
        );
        assert_eq!(right.clone().update(Action::Reveal), right);
    }

    #[test]
    fn without_the_companion_a_live_exercise_says_so_and_can_be_tried_again() {
        let gone = Answer {
            printed: "[socklab] no companion".into(),
            raised: true,
            unavailable: true,
        };
        let card = run(
            Card::default(),
            vec![Action::Say("b''".into()), Action::Check, Action::Ran(gone)],
        );
        assert_eq!(card.phase, Phase::Unavailable);
        assert_eq!(card.shown(), None);
        assert!(card.can_check());
        assert_eq!(
            card.clone().update(Action::Check).phase,
            Phase::Running(Purpose::Check)
        );
        assert_eq!(card.update(Action::Again).phase, Phase::Open);
    }

    #[test]
    fn a_late_answer_changes_nothing() {
        let card = Card::default().update(Action::Ran(printed("10", false)));
        assert_eq!(card, Card::default());
    }

    #[test]
    fn the_solved_list_round_trips_through_storage() {
        assert!(solved_from(None).is_empty());
        let once = solved_with(None, "struct.calcsize_native");
        let twice = solved_with(Some(&once), "byteorder.htons_one");
        let again = solved_with(Some(&twice), "byteorder.htons_one");
        assert_eq!(again, "byteorder.htons_one\nstruct.calcsize_native");
        let set = solved_from(Some(&again));
        assert!(set.contains("byteorder.htons_one") && set.contains("struct.calcsize_native"));
        assert_eq!(solved_from(Some("\n  a \n\n")).len(), 1);
    }
}
