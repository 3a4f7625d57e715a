//! Endpointing: cut a 16 kHz mono stream into utterances with the earshot voice detector.

use std::collections::VecDeque;

use earshot::Detector;

use super::audio::samples_to_ms;

/// Samples per detector frame (16 ms at 16 kHz).
pub const FRAME: usize = 256;
const FRAME_MS: u32 = 16;

/// Endpointing parameters. Durations are rounded to whole 16 ms frames.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointConfig {
    /// Frame score at or above which speech starts.
    pub start_threshold: f32,
    /// Frame score at or above which ongoing speech continues (hysteresis; <= start).
    pub continue_threshold: f32,
    /// Consecutive speech needed to open an utterance.
    pub start_ms: u32,
    /// Silence that closes an utterance.
    pub trailing_silence_ms: u32,
    /// Utterances with less detected speech than this are dropped (clicks, coughs).
    pub min_speech_ms: u32,
    /// An utterance is closed once it reaches this length.
    pub max_utterance_ms: u32,
    /// Audio kept before the detected start.
    pub pre_roll_ms: u32,
    /// Silence kept after the last speech frame.
    pub post_roll_ms: u32,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            start_threshold: 0.5,
            continue_threshold: 0.35,
            start_ms: 48,
            trailing_silence_ms: 500,
            min_speech_ms: 200,
            max_utterance_ms: 15_000,
            pre_roll_ms: 200,
            post_roll_ms: 200,
        }
    }
}

fn frames(ms: u32) -> usize {
    ms.div_ceil(FRAME_MS) as usize
}

/// A stretch of speech cut out of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    /// 16 kHz mono samples, including pre- and post-roll.
    pub samples: Vec<f32>,
    /// Position of the first sample in the stream.
    pub start_ms: u64,
    /// Position just after the last sample.
    pub end_ms: u64,
    /// Detected speech inside the utterance.
    pub speech_ms: u64,
    /// True when the utterance was cut at `max_utterance_ms` rather than by silence.
    pub truncated: bool,
}

/// What the endpointer noticed while being fed.
#[derive(Debug, Clone, PartialEq)]
pub enum EndpointEvent {
    /// Speech began (stream position of the utterance start, pre-roll included).
    SpeechStarted { at_ms: u64 },
    /// An utterance is complete.
    Utterance(Utterance),
    /// Speech began but was too short to keep.
    Discarded { start_ms: u64, speech_ms: u64 },
}

struct Active {
    samples: Vec<f32>,
    start_sample: u64,
    speech_frames: usize,
    silence_run: usize,
    /// Length of `samples` just after the last speech frame.
    last_speech_len: usize,
}

/// Streaming endpointer: feed it samples of any chunk size with [`Endpointer::push`].
pub struct Endpointer {
    cfg: EndpointConfig,
    detector: Box<Detector>,
    partial: Vec<f32>,
    /// Recent frames while idle (pre-roll plus the frames of a possible start).
    history: VecDeque<[f32; FRAME]>,
    speech_run: usize,
    active: Option<Active>,
    /// Samples consumed into whole frames so far.
    position: u64,
}

impl std::fmt::Debug for Endpointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpointer")
            .field("cfg", &self.cfg)
            .field("position", &self.position)
            .field("in_speech", &self.active.is_some())
            .finish_non_exhaustive()
    }
}

impl Endpointer {
    pub fn new(cfg: EndpointConfig) -> Self {
        Self {
            cfg,
            detector: Detector::default_boxed(),
            partial: Vec::with_capacity(FRAME),
            history: VecDeque::new(),
            speech_run: 0,
            active: None,
            position: 0,
        }
    }

    /// True while an utterance is open.
    pub fn in_speech(&self) -> bool {
        self.active.is_some()
    }

    /// Feed 16 kHz mono samples; returns what happened, in order.
    pub fn push(&mut self, samples: &[f32]) -> Vec<EndpointEvent> {
        let mut events = Vec::new();
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (FRAME - self.partial.len()).min(rest.len());
            self.partial.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.partial.len() == FRAME {
                let mut frame = [0.0f32; FRAME];
                for (dst, src) in frame.iter_mut().zip(self.partial.drain(..)) {
                    *dst = if src.is_finite() { src.clamp(-1.0, 1.0) } else { 0.0 };
                }
                self.frame(frame, &mut events);
            }
        }
        events
    }

    /// End of stream: close an open utterance (if it has enough speech) and reset.
    pub fn finish(&mut self) -> Option<Utterance> {
        let mut events = Vec::new();
        if let Some(active) = self.active.as_mut() {
            active.samples.append(&mut self.partial);
        }
        self.partial.clear();
        self.close(false, &mut events);
        self.detector.reset();
        self.history.clear();
        self.speech_run = 0;
        events.into_iter().find_map(|e| match e {
            EndpointEvent::Utterance(u) => Some(u),
            _ => None,
        })
    }

    fn frame(&mut self, frame: [f32; FRAME], events: &mut Vec<EndpointEvent>) {
        let score = self.detector.predict_f32(&frame);
        self.position += FRAME as u64;
        match self.active.as_mut() {
            None => {
                self.history.push_back(frame);
                let keep = frames(self.cfg.pre_roll_ms) + frames(self.cfg.start_ms).max(1);
                while self.history.len() > keep {
                    self.history.pop_front();
                }
                if score >= self.cfg.start_threshold {
                    self.speech_run += 1;
                } else {
                    self.speech_run = 0;
                }
                if self.speech_run >= frames(self.cfg.start_ms).max(1) {
                    let samples: Vec<f32> = self.history.drain(..).flatten().collect();
                    let start_sample = self.position - samples.len() as u64;
                    let len = samples.len();
                    self.active = Some(Active {
                        samples,
                        start_sample,
                        speech_frames: self.speech_run,
                        silence_run: 0,
                        last_speech_len: len,
                    });
                    self.speech_run = 0;
                    events.push(EndpointEvent::SpeechStarted { at_ms: samples_to_ms(start_sample as usize) });
                }
            }
            Some(active) => {
                active.samples.extend_from_slice(&frame);
                if score >= self.cfg.continue_threshold {
                    active.speech_frames += 1;
                    active.silence_run = 0;
                    active.last_speech_len = active.samples.len();
                } else {
                    active.silence_run += 1;
                }
                let too_long = active.samples.len() >= frames(self.cfg.max_utterance_ms) * FRAME;
                if active.silence_run >= frames(self.cfg.trailing_silence_ms).max(1) {
                    self.close(false, events);
                } else if too_long {
                    self.close(true, events);
                }
            }
        }
    }

    fn close(&mut self, truncated: bool, events: &mut Vec<EndpointEvent>) {
        let Some(mut active) = self.active.take() else {
            return;
        };
        let keep = if truncated {
            active.samples.len()
        } else {
            (active.last_speech_len + frames(self.cfg.post_roll_ms) * FRAME).min(active.samples.len())
        };
        active.samples.truncate(keep);
        let speech_ms = u64::from(FRAME_MS) * active.speech_frames as u64;
        let start_ms = samples_to_ms(active.start_sample as usize);
        if speech_ms < u64::from(self.cfg.min_speech_ms) {
            events.push(EndpointEvent::Discarded { start_ms, speech_ms });
            return;
        }
        let end_ms = samples_to_ms((active.start_sample as usize) + active.samples.len());
        events.push(EndpointEvent::Utterance(Utterance {
            samples: active.samples,
            start_ms,
            end_ms,
            speech_ms,
            truncated,
        }));
    }
}

/// Split a whole recording into utterances.
pub fn split_utterances(samples: &[f32], cfg: &EndpointConfig) -> Vec<Utterance> {
    let mut ep = Endpointer::new(cfg.clone());
    let mut out: Vec<Utterance> = ep
        .push(samples)
        .into_iter()
        .filter_map(|e| match e {
            EndpointEvent::Utterance(u) => Some(u),
            _ => None,
        })
        .collect();
    out.extend(ep.finish());
    out
}
