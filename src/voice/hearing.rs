//! Hearing a command: the first transcription is read at once; when it gives no
//! confident reading, the audio is heard a second time another way (beam search,
//! which weighs several word sequences) and the reading the matcher is surer of wins,
//! so a transcript that is a valid command beats one that merely sounds likely.

use crate::asr::{AsrError, Recognizer, TranscribeOptions, Transcript};
use crate::nlu::Match;

/// A first reading at least this confident is taken without a second hearing.
pub const SURE: f32 = 0.8;

/// What was heard and how it reads.
#[derive(Debug)]
pub struct Heard {
    pub transcript: Transcript,
    pub reading: Option<Match>,
    /// 1, or 2 when the audio was heard a second time.
    pub hearings: u32,
    /// Time spent transcribing, over all hearings.
    pub asr_ms: f64,
}

/// Transcribes `samples` and reads the text with `read`, hearing the audio a second
/// time when the first reading is missing or unsure.
pub fn hear(
    recognizer: &dyn Recognizer,
    samples: &[f32],
    options: &TranscribeOptions,
    read: impl Fn(&str) -> Option<Match>,
) -> Result<Heard, AsrError> {
    let first = recognizer.transcribe(samples, options)?;
    let reading = read(first.text.trim());
    let mut asr_ms = first.timings.total_ms;
    let sure = reading.as_ref().is_some_and(|m| m.confidence >= SURE);
    if sure || options.second_beam <= 1 || options.beam_size >= options.second_beam {
        return Ok(Heard { transcript: first, reading, hearings: 1, asr_ms });
    }
    let mut second_options = TranscribeOptions { beam_size: options.second_beam, ..options.clone() };
    if let Some(p) = &options.second_prompt {
        second_options.initial_prompt = Some(p.clone());
    }
    let second = recognizer.transcribe(samples, &second_options)?;
    asr_ms += second.timings.total_ms;
    let other = read(second.text.trim());
    let better = match (&reading, &other) {
        (None, Some(_)) => true,
        (Some(a), Some(b)) => b.confidence > a.confidence,
        _ => false,
    };
    Ok(if better {
        Heard { transcript: second, reading: other, hearings: 2, asr_ms }
    } else {
        Heard { transcript: first, reading, hearings: 2, asr_ms }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asr::Timings;
    use crate::nlu::{Engine, EngineOptions, Grammar};
    use std::sync::Mutex;

    /// Hears `greedy` with greedy decoding and `beam` with beam search; counts calls.
    struct Fake {
        greedy: &'static str,
        beam: &'static str,
        calls: Mutex<Vec<(u32, Option<String>)>>,
    }

    impl Recognizer for Fake {
        fn transcribe(&self, _samples: &[f32], opts: &TranscribeOptions) -> Result<Transcript, AsrError> {
            self.calls.lock().expect("lock").push((opts.beam_size, opts.initial_prompt.clone()));
            let text = if opts.beam_size > 1 { self.beam } else { self.greedy };
            Ok(Transcript {
                text: text.into(),
                segments: vec![],
                avg_token_prob: 0.5,
                no_speech_prob: 0.0,
                timings: Timings { total_ms: 10.0, ..Timings::default() },
                audio_ms: 1000,
            })
        }
    }

    fn engine() -> Engine {
        let grammar = Grammar::from_dir_or_bundled(None).expect("grammar");
        Engine::new(&grammar, EngineOptions::default()).expect("engine")
    }

    fn heard(
        greedy: &'static str,
        beam: &'static str,
        options: &TranscribeOptions,
    ) -> (Heard, Vec<(u32, Option<String>)>) {
        let fake = Fake { greedy, beam, calls: Mutex::new(vec![]) };
        let e = engine();
        let h = hear(&fake, &[0.0; 16], options, |t| e.recognize(t, &Default::default())).expect("hear");
        (h, fake.calls.into_inner().expect("lock"))
    }

    #[test]
    fn an_unclear_first_hearing_is_heard_again_and_the_command_wins() {
        let options = TranscribeOptions {
            initial_prompt: Some("short".into()),
            second_prompt: Some("long".into()),
            ..TranscribeOptions::default()
        };
        let (h, calls) = heard("grbl fzzt wobble", "what's my balance", &options);
        assert_eq!(h.transcript.text, "what's my balance");
        assert_eq!(h.reading.map(|m| m.intent).as_deref(), Some("WalletBalance"));
        assert_eq!((h.hearings, h.asr_ms), (2, 20.0));
        assert_eq!(calls, vec![(1, Some("short".into())), (5, Some("long".into()))]);

        // A sure first reading is taken at once.
        let (h, calls) = heard("what's my balance", "grbl", &options);
        assert_eq!((h.hearings, calls.len()), (1, 1));
        // A second hearing that reads no better leaves the first.
        let (h, _) = heard("grbl fzzt wobble", "zorp", &options);
        assert_eq!((h.transcript.text.as_str(), h.hearings), ("grbl fzzt wobble", 2));
        // Turned off: one hearing whatever it says.
        let off = TranscribeOptions { second_beam: 0, ..options };
        let (h, calls) = heard("grbl fzzt wobble", "what's my balance", &off);
        assert_eq!((h.hearings, calls.len(), h.reading.is_none()), (1, 1, true));
    }
}
