//! The logits filter that holds back the end of text while the grammar's sentence is
//! unfinished (whisper.cpp's grammar never penalises the end-of-text token itself).

use std::ffi::{CStr, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use whisper_rs_sys as sys;

/// Says, given the text decoded so far, whether the text must go on (true: ending it there
/// costs the grammar penalty). Called from whisper.cpp's decoding threads; a panic counts as
/// false.
pub type EndCheck<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// What the logits filter needs; lives on the stack of
/// [`GrammarRecognizer::transcribe`](crate::GrammarRecognizer::transcribe).
pub(crate) struct FilterData<'a> {
    pub(crate) must_continue: EndCheck<'a>,
    pub(crate) eot: i32,
    /// Length of the logits array: the vocabulary size.
    pub(crate) n_vocab: i32,
    pub(crate) penalty: f32,
}

/// The logits filter whisper.cpp calls before choosing each token: holds back the end of text
/// while `must_continue` says so for the text decoded so far.
///
/// # Safety
///
/// Only for whisper.cpp's `logits_filter_callback`, with `user_data` pointing to a live
/// [`FilterData`] and `ctx`, `tokens`, `logits` as whisper.cpp passes them.
pub(crate) unsafe extern "C" fn end_filter(
    ctx: *mut sys::whisper_context,
    _state: *mut sys::whisper_state,
    tokens: *const sys::whisper_token_data,
    n_tokens: c_int,
    logits: *mut f32,
    user_data: *mut c_void,
) {
    if user_data.is_null() || logits.is_null() {
        return;
    }
    // SAFETY: `user_data` is the `FilterData` that `transcribe` set and keeps alive until
    // `whisper_full_with_state` returns; it is only read.
    let data = unsafe { &*user_data.cast::<FilterData<'_>>() };
    let n = usize::try_from(n_tokens).unwrap_or(0);
    let tokens: &[sys::whisper_token_data] = if tokens.is_null() || n == 0 {
        &[]
    } else {
        // SAFETY: whisper.cpp passes its current token sequence: `n_tokens` initialised
        // elements that stay put during the callback.
        unsafe { std::slice::from_raw_parts(tokens, n) }
    };
    let mut bytes = Vec::new();
    for t in tokens.iter().filter(|t| (0..data.eot).contains(&t.id)) {
        // SAFETY: `ctx` is the live context of this call and `t.id` a text token id (below
        // end-of-text, so inside the vocabulary); the result is null or points to the token's
        // NUL-terminated text owned by the context.
        let text = unsafe { sys::whisper_token_to_str(ctx, t.id) };
        if !text.is_null() {
            // SAFETY: non-null, NUL-terminated, owned by the context, not changed while decoding.
            bytes.extend_from_slice(unsafe { CStr::from_ptr(text) }.to_bytes());
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    // A panic must not unwind into C.
    if catch_unwind(AssertUnwindSafe(|| (data.must_continue)(&text))).unwrap_or(false) {
        let n = usize::try_from(data.n_vocab).unwrap_or(0);
        // SAFETY: `logits` holds one value per vocabulary token (`n_vocab` floats), and
        // whisper.cpp hands this decoder's array to one callback at a time.
        let logits = unsafe { std::slice::from_raw_parts_mut(logits, n) };
        if let Some(eot) = usize::try_from(data.eot).ok().and_then(|i| logits.get_mut(i)) {
            *eot -= data.penalty;
        }
    }
}
