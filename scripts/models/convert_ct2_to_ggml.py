#!/usr/bin/env python3
"""Convert a CTranslate2 Whisper model (model.bin + vocabulary.txt) to whisper.cpp ggml.

Usage:
    convert_ct2_to_ggml.py MODEL_DIR OUT.bin
    convert_ct2_to_ggml.py --model-bin part1 --model-bin part2 \
        --vocabulary vocabulary.txt [--config config.json] OUT.bin
    convert_ct2_to_ggml.py --weights q8_0 MODEL_DIR OUT.bin

--weights chooses how the large matrices are stored: f16 (the default, whisper.cpp's
usual ggml-<model>.bin) or q8_0 (8-bit blocks of 32 values with one f16 scale, as
whisper.cpp's ggml-<model>-q8_0.bin: half the size, faster on CPUs, and measured to
transcribe as well). Convolutions, biases, norms and positional embeddings keep their
types either way, as whisper.cpp expects.

Several --model-bin arguments are read as one file in the given order (a model.bin
that was split into parts). Needs Python 3.11 and numpy only.

The output is written to a temporary file next to OUT and renamed into place once it
has been re-read and checked (tensor count, names, shapes, types, sizes). The last
line printed is "sha256 <hex>  <path>". Exit codes: 0 ok, 2 bad input, 1 other failure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import struct
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

try:
    import numpy as np
except ImportError:  # pragma: no cover - depends on the machine
    print("error: numpy is required (python3 -m pip install numpy)", file=sys.stderr)
    sys.exit(2)

GGML_MAGIC = 0x67676D6C
GGML_F32 = 0
GGML_F16 = 1
GGML_Q8_0 = 8
QK8_0 = 32  # values per q8_0 block: one f16 scale, then 32 int8
# Header ftype: ggml_ftype of the large matrices plus GGML_QNT_VERSION (2) * 1000 when quantized.
WEIGHTS = {"f16": (GGML_F16, 1), "q8_0": (GGML_Q8_0, 7 + 2 * 1000)}
TYPE_NAMES = {GGML_F32: "f32", GGML_F16: "f16", GGML_Q8_0: "q8_0"}
CT2_SUPPORTED_VERSIONS = (5, 6)
CT2_DTYPES = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),  # bfloat16, widened by hand
}
CT2_DTYPE_NAMES = {0: "f32", 1: "i8", 2: "i16", 3: "i32", 4: "f16", 5: "bf16"}
SAMPLE_RATE = 16000
N_FFT = 400


class InputError(Exception):
    """The input files are missing, truncated or not what they claim to be."""


# ---------------------------------------------------------------------------
# CTranslate2 model.bin reader
# ---------------------------------------------------------------------------


@dataclass
class Variable:
    name: str
    shape: tuple[int, ...]
    dtype: int
    data: np.ndarray  # already shaped, native dtype of the file


class Reader:
    """Bounds-checked little-endian reader over an in-memory buffer."""

    def __init__(self, buf: memoryview, label: str):
        self.buf = buf
        self.pos = 0
        self.label = label

    def take(self, n: int, what: str) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise InputError(
                f"{self.label}: truncated while reading {what} at byte {self.pos} "
                f"(needs {n} bytes, file has {len(self.buf) - self.pos} left)"
            )
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str) -> int:
        size = struct.calcsize("<" + fmt)
        return struct.unpack("<" + fmt, self.take(size, what))[0]

    def string(self, what: str) -> str:
        n = self.unpack("H", f"{what} length")
        raw = bytes(self.take(n, what))
        if n == 0 or raw[-1] != 0:
            raise InputError(f"{self.label}: corrupt {what} at byte {self.pos - n} (no NUL terminator)")
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.label}: corrupt {what} (not UTF-8): {exc}") from None


def read_ct2(buf: memoryview, label: str) -> tuple[dict[str, Variable], dict[str, str]]:
    r = Reader(buf, label)
    version = r.unpack("I", "binary version")
    if version not in CT2_SUPPORTED_VERSIONS:
        raise InputError(f"{label}: not a CTranslate2 model.bin (binary version {version}, expected 6)")
    spec = r.string("spec name")
    if spec != "WhisperSpec":
        raise InputError(f"{label}: model spec is {spec!r}, expected 'WhisperSpec'")
    r.unpack("I", "spec revision")
    count = r.unpack("I", "variable count")
    if count == 0 or count > 100_000:
        raise InputError(f"{label}: implausible variable count {count}")
    variables: dict[str, Variable] = {}
    for _ in range(count):
        name = r.string("variable name")
        rank = r.unpack("B", f"rank of {name}")
        if rank > 4:
            raise InputError(f"{label}: corrupt variable {name!r} (rank {rank})")
        shape = tuple(r.unpack("I", f"dims of {name}") for _ in range(rank))
        dtype = r.unpack("B", f"dtype of {name}")
        if dtype not in CT2_DTYPES:
            raise InputError(f"{label}: variable {name!r} has unknown dtype {dtype}")
        nbytes = r.unpack("I", f"byte count of {name}")
        np_dtype = CT2_DTYPES[dtype]
        expected = math.prod(shape) * np_dtype.itemsize
        if nbytes != expected:
            raise InputError(
                f"{label}: variable {name!r} claims {nbytes} bytes, shape {shape} "
                f"{CT2_DTYPE_NAMES[dtype]} needs {expected}"
            )
        raw = r.take(nbytes, f"data of {name}")
        data = np.frombuffer(raw, dtype=np_dtype).reshape(shape)
        if name in variables:
            raise InputError(f"{label}: duplicate variable {name!r}")
        variables[name] = Variable(name, shape, dtype, data)
    aliases: dict[str, str] = {}
    n_alias = r.unpack("I", "alias count")
    for _ in range(n_alias):
        alias = r.string("alias name")
        target = r.string("alias target")
        aliases[alias] = target
    if r.pos != len(buf):
        raise InputError(f"{label}: {len(buf) - r.pos} unexpected trailing bytes (corrupt or wrong file)")
    return variables, aliases


def as_float32(var: Variable, variables: dict[str, Variable]) -> np.ndarray:
    """Return a variable's values as float32, dequantising int8 and widening bf16."""
    d = var.dtype
    if d == 0:
        return var.data
    if d == 4:
        return var.data.astype(np.float32)
    if d == 5:
        return (var.data.astype(np.uint32) << 16).view(np.float32)
    if d == 1:
        scale_var = variables.get(var.name + "_scale")
        if scale_var is None:
            raise InputError(f"int8 variable {var.name!r} has no {var.name}_scale")
        scale = as_float32(scale_var, variables).reshape(-1, *([1] * (var.data.ndim - 1)))
        return var.data.astype(np.float32) / scale
    raise InputError(f"variable {var.name!r} has integer dtype {CT2_DTYPE_NAMES[d]}, expected floats")


def scalar(variables: dict[str, Variable], name: str) -> int:
    var = variables.get(name)
    if var is None or var.data.size != 1:
        raise InputError(f"model.bin: missing scalar {name!r}")
    return int(var.data.reshape(-1)[0])


# ---------------------------------------------------------------------------
# Mel filters (Slaney mel scale, Slaney area normalisation), as float32 [n_mels, 1 + n_fft/2]
# ---------------------------------------------------------------------------

_F_SP = 200.0 / 3.0
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = math.log(6.4) / 27.0


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / _F_SP
    safe = np.maximum(hz, _MIN_LOG_HZ)
    logpart = _MIN_LOG_MEL + np.log(safe / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(hz >= _MIN_LOG_HZ, logpart, linear)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * _F_SP
    logpart = _MIN_LOG_HZ * np.exp(_LOGSTEP * (mel - _MIN_LOG_MEL))
    return np.where(mel >= _MIN_LOG_MEL, logpart, linear)


def mel_filters(n_mels: int, sr: int = SAMPLE_RATE, n_fft: int = N_FFT) -> np.ndarray:
    n_bins = 1 + n_fft // 2
    fft_freqs = np.linspace(0.0, sr / 2.0, n_bins)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2.0), n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    weights = np.zeros((n_mels, n_bins), dtype=np.float64)
    for i in range(n_mels):
        rising = -ramps[i] / widths[i]
        falling = ramps[i + 2] / widths[i + 1]
        weights[i] = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2 : n_mels + 2] - edges[:n_mels]))[:, None]
    return weights.astype(np.float32)


# ---------------------------------------------------------------------------
# Vocabulary: GPT-2 byte-level tokens back to raw bytes
# ---------------------------------------------------------------------------


def unicode_to_byte_map() -> dict[str, int]:
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("\u00a1"), ord("\u00ac") + 1))
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    )
    mapping = {chr(b): b for b in printable}
    extra = 0
    for b in range(256):
        if b not in printable:
            mapping[chr(256 + extra)] = b
            extra += 1
    return mapping


def read_vocabulary(path: Path, n_vocab: int) -> list[bytes]:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8: {exc}") from None
    lines = text.split("\n")  # never splitlines(): tokens contain U+2028 and friends
    if lines and lines[-1] == "":
        lines.pop()
    try:
        eot = lines.index("<|endoftext|>")
    except ValueError:
        raise InputError(f"{path}: no <|endoftext|> token (truncated or not a Whisper vocabulary)") from None
    expected_eot = 50256 if n_vocab == 51864 else 50257
    if eot != expected_eot:
        raise InputError(f"{path}: <|endoftext|> at line {eot + 1}, expected token id {expected_eot}")
    if len(lines) > n_vocab:
        raise InputError(f"{path}: {len(lines)} tokens but the model has only {n_vocab}")
    back = unicode_to_byte_map()
    out: list[bytes] = []
    for idx, token in enumerate(lines[:eot]):
        try:
            out.append(bytes(back[ch] for ch in token))
        except KeyError as exc:
            raise InputError(f"{path}: token {idx} has a character outside the byte alphabet: {exc}") from None
    return out


# ---------------------------------------------------------------------------
# Tensor mapping
# ---------------------------------------------------------------------------


@dataclass
class HParams:
    n_vocab: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int
    n_mels: int
    ftype: int = 1

    def as_list(self) -> list[int]:
        return [
            self.n_vocab, self.n_audio_ctx, self.n_audio_state, self.n_audio_head,
            self.n_audio_layer, self.n_text_ctx, self.n_text_state, self.n_text_head,
            self.n_text_layer, self.n_mels, self.ftype,
        ]


def count_layers(variables: dict[str, Variable], prefix: str) -> int:
    n = 0
    while f"{prefix}/layer_{n}/ffn/linear_0/weight" in variables:
        n += 1
    return n


def need(variables: dict[str, Variable], name: str) -> Variable:
    var = variables.get(name)
    if var is None:
        raise InputError(f"model.bin: missing variable {name!r} (truncated or not a Whisper model)")
    return var


def derive_hparams(v: dict[str, Variable]) -> HParams:
    conv1 = need(v, "encoder/conv1/weight")
    enc_pos = need(v, "encoder/position_encodings/encodings")
    dec_pos = need(v, "decoder/position_encodings/encodings")
    emb = need(v, "decoder/embeddings/weight")
    if len(conv1.shape) != 3 or len(enc_pos.shape) != 2 or len(dec_pos.shape) != 2 or len(emb.shape) != 2:
        raise InputError("model.bin: unexpected ranks for conv/position/embedding tensors")
    return HParams(
        n_vocab=emb.shape[0],
        n_audio_ctx=enc_pos.shape[0],
        n_audio_state=enc_pos.shape[1],
        n_audio_head=scalar(v, "encoder/num_heads"),
        n_audio_layer=count_layers(v, "encoder"),
        n_text_ctx=dec_pos.shape[0],
        n_text_state=dec_pos.shape[1],
        n_text_head=scalar(v, "decoder/num_heads"),
        n_text_layer=count_layers(v, "decoder"),
        n_mels=conv1.shape[1],
    )


def expected_tensors(hp: HParams, weights: str = "f16") -> dict[str, tuple[tuple[int, ...], int]]:
    """Every tensor whisper.cpp loads: name -> (numpy shape, ggml type).

    whisper.cpp gives every 2-D weight matrix the file's weight type; the 3-D
    convolution kernels stay f16 and everything else f32.
    """
    d, t = hp.n_audio_state, hp.n_text_state
    exp: dict[str, tuple[tuple[int, ...], int]] = {
        "encoder.positional_embedding": ((hp.n_audio_ctx, d), GGML_F32),
        "encoder.conv1.weight": ((d, hp.n_mels, 3), GGML_F16),
        "encoder.conv1.bias": ((d, 1), GGML_F32),
        "encoder.conv2.weight": ((d, d, 3), GGML_F16),
        "encoder.conv2.bias": ((d, 1), GGML_F32),
        "encoder.ln_post.weight": ((d,), GGML_F32),
        "encoder.ln_post.bias": ((d,), GGML_F32),
        "decoder.positional_embedding": ((hp.n_text_ctx, t), GGML_F32),
        "decoder.token_embedding.weight": ((hp.n_vocab, t), GGML_F16),
        "decoder.ln.weight": ((t,), GGML_F32),
        "decoder.ln.bias": ((t,), GGML_F32),
    }

    def block(prefix: str, n: int, attns: list[str]) -> None:
        exp[f"{prefix}.mlp_ln.weight"] = ((n,), GGML_F32)
        exp[f"{prefix}.mlp_ln.bias"] = ((n,), GGML_F32)
        exp[f"{prefix}.mlp.0.weight"] = ((4 * n, n), GGML_F16)
        exp[f"{prefix}.mlp.0.bias"] = ((4 * n,), GGML_F32)
        exp[f"{prefix}.mlp.2.weight"] = ((n, 4 * n), GGML_F16)
        exp[f"{prefix}.mlp.2.bias"] = ((n,), GGML_F32)
        for a in attns:
            exp[f"{prefix}.{a}_ln.weight"] = ((n,), GGML_F32)
            exp[f"{prefix}.{a}_ln.bias"] = ((n,), GGML_F32)
            for proj in ("query", "key", "value", "out"):
                exp[f"{prefix}.{a}.{proj}.weight"] = ((n, n), GGML_F16)
                if proj != "key":
                    exp[f"{prefix}.{a}.{proj}.bias"] = ((n,), GGML_F32)

    for i in range(hp.n_audio_layer):
        block(f"encoder.blocks.{i}", d, ["attn"])
    for i in range(hp.n_text_layer):
        block(f"decoder.blocks.{i}", t, ["attn", "cross_attn"])
    want = 7 + 15 * hp.n_audio_layer + 4 + 24 * hp.n_text_layer
    if len(exp) != want:
        raise AssertionError(f"internal: expected table has {len(exp)} tensors, formula says {want}")
    matrix_type = WEIGHTS[weights][0]
    return {
        name: (shape, matrix_type if ttype == GGML_F16 and len(shape) == 2 else ttype)
        for name, (shape, ttype) in exp.items()
    }


def quantize_q8_0(arr: np.ndarray) -> bytes:
    """ggml's reference q8_0: per block of 32, scale = max|x| / 127, values rounded half away from 0."""
    x = np.ascontiguousarray(arr, dtype=np.float32).reshape(-1, QK8_0)
    scale = np.abs(x).max(axis=1) / np.float32(127.0)
    inverse = np.divide(np.float32(1.0), scale, out=np.zeros_like(scale), where=scale > 0)
    v = x * inverse[:, None]
    q = (np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))).astype(np.int8)
    blocks = np.empty(x.shape[0], dtype=[("d", "<f2"), ("qs", "i1", QK8_0)])
    blocks["d"] = scale.astype("<f2")
    blocks["qs"] = q
    return blocks.tobytes()


def tensor_bytes(ttype: int, n_elements: int) -> int:
    if ttype == GGML_Q8_0:
        return n_elements // QK8_0 * (2 + QK8_0)
    return n_elements * (2 if ttype == GGML_F16 else 4)


def encode_tensor(arr: np.ndarray, ttype: int) -> bytes:
    if ttype == GGML_Q8_0:
        if arr.shape[-1] % QK8_0:
            raise InputError(f"rows of {arr.shape[-1]} values cannot be stored as q8_0 blocks of {QK8_0}")
        return quantize_q8_0(arr)
    return np.ascontiguousarray(arr.astype("<f2" if ttype == GGML_F16 else "<f4")).tobytes()


def map_tensors(v: dict[str, Variable], hp: HParams):
    """Yield (ggml name, float32 array) in file order."""

    def f(name: str) -> np.ndarray:
        return as_float32(need(v, name), v)

    def split_rows(arr: np.ndarray, parts: int, name: str) -> list[np.ndarray]:
        if arr.shape[0] % parts:
            raise InputError(f"model.bin: {name} has {arr.shape[0]} rows, not divisible by {parts}")
        return np.split(arr, parts, axis=0)

    yield "encoder.positional_embedding", f("encoder/position_encodings/encodings")
    for k in (1, 2):
        yield f"encoder.conv{k}.weight", f(f"encoder/conv{k}/weight")
        yield f"encoder.conv{k}.bias", f(f"encoder/conv{k}/bias").reshape(-1, 1)

    def common(src: str, dst: str):
        yield f"{dst}.mlp_ln.weight", f(f"{src}/ffn/layer_norm/gamma")
        yield f"{dst}.mlp_ln.bias", f(f"{src}/ffn/layer_norm/beta")
        yield f"{dst}.mlp.0.weight", f(f"{src}/ffn/linear_0/weight")
        yield f"{dst}.mlp.0.bias", f(f"{src}/ffn/linear_0/bias")
        yield f"{dst}.mlp.2.weight", f(f"{src}/ffn/linear_1/weight")
        yield f"{dst}.mlp.2.bias", f(f"{src}/ffn/linear_1/bias")
        sa = f"{src}/self_attention"
        yield f"{dst}.attn_ln.weight", f(f"{sa}/layer_norm/gamma")
        yield f"{dst}.attn_ln.bias", f(f"{sa}/layer_norm/beta")
        wq, wk, wv = split_rows(f(f"{sa}/linear_0/weight"), 3, f"{sa}/linear_0/weight")
        bq, _bk, bv = split_rows(f(f"{sa}/linear_0/bias"), 3, f"{sa}/linear_0/bias")
        yield f"{dst}.attn.query.weight", wq
        yield f"{dst}.attn.query.bias", bq
        yield f"{dst}.attn.key.weight", wk
        yield f"{dst}.attn.value.weight", wv
        yield f"{dst}.attn.value.bias", bv
        yield f"{dst}.attn.out.weight", f(f"{sa}/linear_1/weight")
        yield f"{dst}.attn.out.bias", f(f"{sa}/linear_1/bias")

    for i in range(hp.n_audio_layer):
        yield from common(f"encoder/layer_{i}", f"encoder.blocks.{i}")
    yield "encoder.ln_post.weight", f("encoder/layer_norm/gamma")
    yield "encoder.ln_post.bias", f("encoder/layer_norm/beta")

    yield "decoder.positional_embedding", f("decoder/position_encodings/encodings")
    yield "decoder.token_embedding.weight", f("decoder/embeddings/weight")
    for i in range(hp.n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        yield from common(src, dst)
        ca = f"{src}/attention"
        yield f"{dst}.cross_attn_ln.weight", f(f"{ca}/layer_norm/gamma")
        yield f"{dst}.cross_attn_ln.bias", f(f"{ca}/layer_norm/beta")
        yield f"{dst}.cross_attn.query.weight", f(f"{ca}/linear_0/weight")
        yield f"{dst}.cross_attn.query.bias", f(f"{ca}/linear_0/bias")
        wk, wv = split_rows(f(f"{ca}/linear_1/weight"), 2, f"{ca}/linear_1/weight")
        _bk, bv = split_rows(f(f"{ca}/linear_1/bias"), 2, f"{ca}/linear_1/bias")
        yield f"{dst}.cross_attn.key.weight", wk
        yield f"{dst}.cross_attn.value.weight", wv
        yield f"{dst}.cross_attn.value.bias", bv
        yield f"{dst}.cross_attn.out.weight", f(f"{ca}/linear_2/weight")
        yield f"{dst}.cross_attn.out.bias", f(f"{ca}/linear_2/bias")
    yield "decoder.ln.weight", f("decoder/layer_norm/gamma")
    yield "decoder.ln.bias", f("decoder/layer_norm/beta")


# ---------------------------------------------------------------------------
# ggml writer and verifier
# ---------------------------------------------------------------------------


class HashingWriter:
    def __init__(self, fh):
        self.fh = fh
        self.sha = hashlib.sha256()

    def write(self, data) -> None:
        self.fh.write(data)
        self.sha.update(data)

    def i32(self, *vals: int) -> None:
        self.write(struct.pack(f"<{len(vals)}i", *vals))


def write_ggml(
    out, hp: HParams, filters: np.ndarray, vocab: list[bytes], variables, quiet: bool, weights: str = "f16"
) -> str:
    expected = expected_tensors(hp, weights)
    w = HashingWriter(out)
    w.i32(GGML_MAGIC)
    w.i32(*hp.as_list())
    w.i32(filters.shape[0], filters.shape[1])
    w.write(filters.astype("<f4").tobytes())
    w.i32(len(vocab))
    for tok in vocab:
        w.i32(len(tok))
        w.write(tok)
    seen = 0
    for name, arr in map_tensors(variables, hp):
        shape, ttype = expected[name]
        if arr.shape != shape:
            raise InputError(f"model.bin: {name} has shape {arr.shape}, whisper.cpp expects {shape}")
        encoded = name.encode("utf-8")
        w.i32(arr.ndim, len(encoded), ttype)
        w.i32(*reversed(arr.shape))
        w.write(encoded)
        w.write(encode_tensor(arr, ttype))
        seen += 1
        if not quiet:
            print(f"[{seen:3d}/{len(expected)}] {name:40s} {str(shape):18s} {TYPE_NAMES[ttype]}", flush=True)
    if seen != len(expected):
        raise AssertionError(f"internal: wrote {seen} tensors, expected {len(expected)}")
    return w.sha.hexdigest()


def verify_ggml(path: Path, hp: HParams, weights: str = "f16") -> str:
    """Re-read the written file and check it against what whisper.cpp will demand."""
    raw = path.read_bytes()
    r = Reader(memoryview(raw), str(path))
    if r.unpack("i", "magic") != GGML_MAGIC:
        raise AssertionError("written file has a bad magic")
    header = [r.unpack("i", "hparam") for _ in range(11)]
    if header != hp.as_list():
        raise AssertionError(f"written header {header} != {hp.as_list()}")
    n_mel, n_fft = r.unpack("i", "n_mel"), r.unpack("i", "n_fft")
    r.take(4 * n_mel * n_fft, "mel filters")
    n_tok = r.unpack("i", "vocab size")
    for _ in range(n_tok):
        r.take(r.unpack("i", "token length"), "token")
    expected = expected_tensors(hp, weights)
    found: set[str] = set()
    while r.pos < len(raw):
        n_dims, name_len, ttype = (r.unpack("i", "tensor header") for _ in range(3))
        dims = tuple(reversed([r.unpack("i", "tensor dim") for _ in range(n_dims)]))
        name = bytes(r.take(name_len, "tensor name")).decode("utf-8")
        if name not in expected:
            raise AssertionError(f"written file has unknown tensor {name}")
        if name in found:
            raise AssertionError(f"written file has {name} twice")
        shape, want_type = expected[name]
        if dims != shape or ttype != want_type:
            raise AssertionError(f"{name}: written {dims} type {ttype}, expected {shape} type {want_type}")
        r.take(tensor_bytes(ttype, math.prod(dims)), f"data of {name}")
        found.add(name)
    missing = set(expected) - found
    if missing:
        raise AssertionError(f"written file lacks {len(missing)} tensors, e.g. {sorted(missing)[0]}")
    want = 7 + 15 * hp.n_audio_layer + 4 + 24 * hp.n_text_layer
    if len(found) != want:
        raise AssertionError(f"written file has {len(found)} tensors, expected {want}")
    return hashlib.sha256(raw).hexdigest()


# ---------------------------------------------------------------------------


def load_parts(paths: list[Path]) -> memoryview:
    chunks = []
    for p in paths:
        try:
            chunks.append(p.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot read {p}: {exc.strerror}") from None
    return memoryview(chunks[0] if len(chunks) == 1 else b"".join(chunks))


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Convert a CTranslate2 Whisper model to whisper.cpp ggml.")
    ap.add_argument("model_dir", nargs="?", type=Path, help="folder with model.bin, vocabulary.txt, config.json")
    ap.add_argument("out", type=Path, help="output ggml .bin path")
    ap.add_argument("--model-bin", action="append", type=Path, default=[], help="model.bin (repeat for split parts)")
    ap.add_argument("--vocabulary", type=Path)
    ap.add_argument("--config", type=Path)
    ap.add_argument("--weights", choices=sorted(WEIGHTS), default="f16", help="type of the large matrices")
    ap.add_argument("--quiet", action="store_true", help="no per-tensor progress")
    return ap.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    parts = args.model_bin or ([args.model_dir / "model.bin"] if args.model_dir else [])
    if not parts:
        raise InputError("give MODEL_DIR or --model-bin")
    vocab_path = args.vocabulary or (args.model_dir / "vocabulary.txt" if args.model_dir else None)
    if vocab_path is None:
        raise InputError("give MODEL_DIR or --vocabulary")
    config_path = args.config or (args.model_dir / "config.json" if args.model_dir else None)
    if config_path is not None and config_path.exists():
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{config_path}: not valid JSON: {exc}") from None
        if not isinstance(config, dict):
            raise InputError(f"{config_path}: expected a JSON object")

    label = " + ".join(str(p) for p in parts)
    variables, aliases = read_ct2(load_parts(parts), label)
    for alias, target in aliases.items():
        if target not in variables:
            raise InputError(f"model.bin: alias {alias!r} points to missing {target!r}")
    hp = derive_hparams(variables)
    hp.ftype = WEIGHTS[args.weights][1]
    if hp.n_audio_layer == 0 or hp.n_text_layer == 0:
        raise InputError("model.bin: no encoder or decoder layers found")
    print(
        f"model: vocab {hp.n_vocab}, audio ctx {hp.n_audio_ctx}, state {hp.n_audio_state}, "
        f"heads {hp.n_audio_head}, layers {hp.n_audio_layer}/{hp.n_text_layer}, mels {hp.n_mels}",
        flush=True,
    )
    vocab = read_vocabulary(vocab_path, hp.n_vocab)
    filters = mel_filters(hp.n_mels)

    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            streamed = write_ggml(fh, hp, filters, vocab, variables, args.quiet, args.weights)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        verified = verify_ggml(tmp, hp, args.weights)
        if verified != streamed:
            raise AssertionError("written file does not read back identically")
        tensors = 7 + 15 * hp.n_audio_layer + 4 + 24 * hp.n_text_layer
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    print(f"ok: {tensors} tensors, {args.weights} weights, {out.stat().st_size} bytes", flush=True)
    print(f"sha256 {verified}  {out}", flush=True)
    return 0


def main(argv: list[str]) -> int:
    try:
        return run(parse_args(argv))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: out of memory while converting", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
