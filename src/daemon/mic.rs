//! Microphone capture with cpal on a thread of its own (streams are not `Send`).
//! The device is reopened when it disappears, so unplugging and replugging a
//! microphone does not stop the daemon.

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{SampleFormat, SizedSample, StreamConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// A block of captured audio: mono samples at `rate` Hz.
#[derive(Debug)]
pub struct Block {
    pub samples: Vec<f32>,
    pub rate: u32,
}

/// Stops the capture thread when dropped.
pub struct Capture {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn find_device(host: &cpal::Host, wanted: &str) -> Result<cpal::Device, String> {
    if wanted.trim().is_empty() {
        return host.default_input_device().ok_or_else(|| {
            "no default input device (is a microphone connected? on Linux, check `arecord -l`)".to_owned()
        });
    }
    let devices = host.input_devices().map_err(|e| format!("cannot list input devices: {e}"))?;
    let mut names = Vec::new();
    for d in devices {
        let name = d.description().map(|x| x.name().to_owned()).unwrap_or_default();
        if name.to_lowercase().contains(&wanted.to_lowercase()) {
            return Ok(d);
        }
        names.push(name);
    }
    Err(format!("no input device matches {wanted:?}; available: {}", names.join(", ")))
}

/// Prefers 16 kHz mono 16-bit (no conversion), else the device default.
fn pick_config(device: &cpal::Device) -> Result<(StreamConfig, SampleFormat), String> {
    if let Ok(configs) = device.supported_input_configs() {
        for c in configs {
            if c.sample_format() == SampleFormat::I16
                && c.channels() == 1
                && c.min_sample_rate() <= 16_000
                && c.max_sample_rate() >= 16_000
            {
                let c = c.with_sample_rate(16_000);
                return Ok((c.config(), SampleFormat::I16));
            }
        }
    }
    let c = device.default_input_config().map_err(|e| format!("the input device has no usable format: {e}"))?;
    Ok((c.config(), c.sample_format()))
}

fn build<T>(
    device: &cpal::Device,
    config: &StreamConfig,
    tx: mpsc::Sender<Block>,
    failed: Arc<AtomicBool>,
) -> Result<cpal::Stream, String>
where
    T: SizedSample + cpal::Sample,
    f32: cpal::FromSample<T>,
{
    let channels = usize::from(config.channels.max(1));
    let rate = config.sample_rate;
    device
        .build_input_stream::<T, _, _>(
            *config,
            move |data: &[T], _| {
                let samples: Vec<f32> = data
                    .chunks(channels)
                    .map(|frame| frame.iter().map(|s| s.to_sample::<f32>()).sum::<f32>() / channels as f32)
                    .collect();
                // A full queue means the pipeline is behind; dropping audio beats blocking the device.
                let _ = tx.try_send(Block { samples, rate });
            },
            move |e| {
                tracing::warn!(error = %e, "microphone stream error; reopening");
                failed.store(true, Ordering::SeqCst);
            },
            None,
        )
        .map_err(|e| format!("cannot open the microphone: {e}"))
}

fn open(device_name: &str, tx: &mpsc::Sender<Block>, failed: &Arc<AtomicBool>) -> Result<cpal::Stream, String> {
    let host = cpal::default_host();
    let device = find_device(&host, device_name)?;
    let (config, format) = pick_config(&device)?;
    let stream = match format {
        SampleFormat::I16 => build::<i16>(&device, &config, tx.clone(), failed.clone())?,
        SampleFormat::I32 => build::<i32>(&device, &config, tx.clone(), failed.clone())?,
        SampleFormat::F32 => build::<f32>(&device, &config, tx.clone(), failed.clone())?,
        SampleFormat::U8 => build::<u8>(&device, &config, tx.clone(), failed.clone())?,
        other => return Err(format!("unsupported sample format {other}")),
    };
    stream.play().map_err(|e| format!("cannot start the microphone: {e}"))?;
    tracing::info!(rate = config.sample_rate, channels = config.channels, "microphone open");
    Ok(stream)
}

/// Starts capturing from `device_name` (empty: the default input). Blocks arrive on
/// the returned channel; the first open error is returned so a missing device is
/// reported at once, later failures are retried every two seconds.
pub fn start(device_name: &str) -> Result<(Capture, mpsc::Receiver<Block>), String> {
    let (tx, rx) = mpsc::channel(256);
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let name = device_name.to_owned();
    let stop2 = stop.clone();
    let thread = std::thread::Builder::new()
        .name("holomesh-mic".into())
        .spawn(move || {
            let mut ready = Some(ready_tx);
            while !stop2.load(Ordering::SeqCst) {
                let failed = Arc::new(AtomicBool::new(false));
                match open(&name, &tx, &failed) {
                    Ok(stream) => {
                        if let Some(r) = ready.take() {
                            let _ = r.send(Ok(()));
                        }
                        while !stop2.load(Ordering::SeqCst) && !failed.load(Ordering::SeqCst) && !tx.is_closed() {
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        drop(stream);
                    }
                    Err(e) => {
                        if let Some(r) = ready.take() {
                            let _ = r.send(Err(e));
                            return;
                        }
                        tracing::warn!(error = %e, "microphone unavailable; retrying");
                    }
                }
                if tx.is_closed() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(2));
            }
        })
        .map_err(|e| format!("cannot start the capture thread: {e}"))?;
    match ready_rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(())) => Ok((Capture { stop, thread: Some(thread) }, rx)),
        Ok(Err(e)) => Err(e),
        Err(_) => Err("the microphone did not open within 10 s".into()),
    }
}
