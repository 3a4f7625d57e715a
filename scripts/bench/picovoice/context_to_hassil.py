#!/usr/bin/env python3
"""Translate a Picovoice Rhino context (YAML) into a hassil-format grammar directory.

Usage: context_to_hassil.py CONTEXT.yaml OUT_DIR [--language en] [--fuzzy-lists]

Rhino expression syntax handled (generic, nothing is specific to one context):
  literal words            -> literal text (hassil's reserved characters escaped)
  [a, b c, d]              -> [a|b c|d]        optional, one of the alternatives
  (a, b c)                 -> (a|b c)          required, one of the alternatives
  $slotType:slotName       -> {slotType:slotName}   ({slotType} when both names agree)
  @macro                   -> <macro>          an expansion rule built from `macros:`
  $pv.<Builtin>:name       -> an inline range for Rhino's integer built-ins
Brackets nest. Each expression becomes one hassil sentence of its intent; each slot type
becomes a hassil list whose values are `{in: <value>, out: <value>}`, so the slot value an
engine reports is the value exactly as Rhino (and the benchmark's labels) spell it.

Writes OUT_DIR/<context name>.yaml with `language`, `intents`, `lists` and, when the
context has macros, `expansion_rules`. Needs PyYAML to read the context.
"""
import argparse
import json
import os
import re
import sys

# hassil's reserved characters, escaped with a backslash in literal text.
HASSIL_RESERVED = set("()[]{}<>|;@\\")

# Rhino's integer built-in slot types, as inclusive ranges. Others are refused with a message.
BUILTIN_RANGES = {
    "pv.SingleDigitInteger": (0, 9),
    "pv.TwoDigitInteger": (0, 99),
    "pv.Percent": (0, 100),
}

SLOT_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_.]*):([A-Za-z_][A-Za-z0-9_]*)")
MACRO_RE = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")


class ContextError(Exception):
    pass


def escape_literal(text):
    return "".join("\\" + c if c in HASSIL_RESERVED else c for c in text)


def list_ref(slot_type, slot_name):
    return "{%s}" % slot_type if slot_type == slot_name else "{%s:%s}" % (slot_type, slot_name)


class ExpressionTranslator:
    """Recursive-descent translation of one Rhino expression into one hassil template."""

    def __init__(self, slot_types, macros, where):
        self.slot_types = slot_types
        self.macros = macros
        self.where = where
        self.used_slots = []  # (type, name) in order of appearance
        self.used_macros = set()

    def fail(self, msg):
        raise ContextError(f"{self.where}: {msg}")

    def translate(self, text):
        self.text = text
        self.pos = 0
        out = self.sequence(closers="")
        if self.pos != len(self.text):
            self.fail(f"unexpected {self.text[self.pos]!r} at column {self.pos + 1}")
        return re.sub(r"\s+", " ", out).strip()

    def sequence(self, closers):
        """Items up to (not including) a closer character or, inside brackets, a comma."""
        parts = []
        literal = []
        inside = bool(closers)

        def flush():
            if literal:
                parts.append(escape_literal("".join(literal)))
                literal.clear()

        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c in closers or (inside and c == ","):
                break
            if c in "[(":
                flush()
                parts.append(self.group(c))
            elif c in "])":
                self.fail(f"unbalanced {c!r} at column {self.pos + 1}")
            elif c == "$":
                flush()
                parts.append(self.slot())
            elif c == "@":
                flush()
                parts.append(self.macro())
            else:
                literal.append(c)
                self.pos += 1
        flush()
        return "".join(parts)

    def group(self, opener):
        closer = "]" if opener == "[" else ")"
        start = self.pos
        self.pos += 1
        alternatives = []
        while True:
            alt = re.sub(r"\s+", " ", self.sequence(closers=closer)).strip()
            alternatives.append(alt)
            if self.pos >= len(self.text):
                self.fail(f"{opener!r} at column {start + 1} is never closed")
            c = self.text[self.pos]
            self.pos += 1
            if c == closer:
                break
            # c == ',': another alternative follows
        alternatives = [a for a in alternatives if a != ""] if opener == "[" else alternatives
        if opener == "(" and any(a == "" for a in alternatives):
            self.fail(f"empty alternative in the group at column {start + 1}")
        if not alternatives:
            return ""
        body = "|".join(alternatives)
        # Keep the surrounding spaces of the source so words stay apart.
        return ("[%s]" if opener == "[" else "(%s)") % body

    def slot(self):
        m = SLOT_RE.match(self.text, self.pos)
        if not m:
            self.fail(f"malformed slot reference at column {self.pos + 1} (expected $type:name)")
        self.pos = m.end()
        slot_type, slot_name = m.group(1), m.group(2)
        self.used_slots.append((slot_type, slot_name))
        if slot_type in self.slot_types:
            return list_ref(slot_type, slot_name)
        if slot_type in BUILTIN_RANGES:
            lo, hi = BUILTIN_RANGES[slot_type]
            return "{%d..%d:%s}" % (lo, hi, slot_name)
        if slot_type.startswith("pv."):
            self.fail(f"built-in slot type {slot_type} has no hassil translation here")
        self.fail(f"slot type {slot_type!r} is not defined under slots:")

    def macro(self):
        m = MACRO_RE.match(self.text, self.pos)
        if not m:
            self.fail(f"malformed macro reference at column {self.pos + 1}")
        self.pos = m.end()
        name = m.group(1)
        if name not in self.macros:
            self.fail(f"macro @{name} is not defined under macros:")
        self.used_macros.add(name)
        return "<%s>" % name


def load_context(path):
    try:
        import yaml
    except ImportError:
        sys.exit("context_to_hassil: PyYAML is needed to read the Rhino context (pip install pyyaml)")
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    ctx = doc.get("context", doc) if isinstance(doc, dict) else None
    if not isinstance(ctx, dict) or "expressions" not in ctx:
        raise ContextError(f"{path}: no context.expressions")
    return ctx


def translate_context(ctx, fuzzy_lists=False):
    """Returns (intents, lists, expansion_rules, stats) as plain Python data."""
    slots = ctx.get("slots") or {}
    macros = ctx.get("macros") or {}
    lists = {}
    for slot_type, values in slots.items():
        if not isinstance(values, list) or not values:
            raise ContextError(f"slots.{slot_type}: expected a non-empty list of values")
        seen = set()
        out_values = []
        for v in values:
            v = str(v)
            key = v.strip().lower()
            if key in seen:
                continue
            seen.add(key)
            out_values.append({"in": escape_literal(v.strip()), "out": v.strip()})
        lists[slot_type] = {"values": out_values}
        if fuzzy_lists:
            lists[slot_type]["fuzzy"] = True

    rules = {}
    for name, phrases in macros.items():
        if isinstance(phrases, str):
            phrases = [phrases]
        tr = ExpressionTranslator(slots, macros, f"macros.{name}")
        alts = [tr.translate(str(p)) for p in phrases]
        if name in tr.used_macros:
            raise ContextError(f"macros.{name}: refers to itself")
        rules[name] = "(" + "|".join(alts) + ")"

    intents = {}
    n_sentences = 0
    for intent, expressions in ctx["expressions"].items():
        if isinstance(expressions, str):
            expressions = [expressions]
        sentences = []
        for i, expr in enumerate(expressions):
            tr = ExpressionTranslator(slots, macros, f"expressions.{intent}[{i}]")
            template = tr.translate(str(expr))
            names = [n for _, n in tr.used_slots]
            if len(names) != len(set(names)):
                raise ContextError(f"expressions.{intent}[{i}]: a slot name is used twice")
            if template and template not in sentences:
                sentences.append(template)
        n_sentences += len(sentences)
        intents[intent] = {"data": [{"sentences": sentences}]}
    stats = {"intents": len(intents), "sentences": n_sentences, "lists": len(lists),
             "list_values": sum(len(l["values"]) for l in lists.values()), "expansion_rules": len(rules)}
    return intents, lists, rules, stats


def q(s):
    """A YAML double-quoted scalar (JSON string escapes are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def render_yaml(language, intents, lists, rules, source):
    lines = [f"# Translated from the Rhino context {os.path.basename(source)} by context_to_hassil.py.",
             "# Generated at benchmark time; not part of the project's grammars.",
             f"language: {q(language)}", "intents:"]
    for intent, body in intents.items():
        lines.append(f"  {q(intent)}:")
        lines.append("    data:")
        for block in body["data"]:
            lines.append("      - sentences:")
            for s in block["sentences"]:
                lines.append(f"          - {q(s)}")
    lines.append("lists:")
    for name, body in lists.items():
        lines.append(f"  {q(name)}:")
        if body.get("fuzzy"):
            lines.append("    fuzzy: true")
        lines.append("    values:")
        for v in body["values"]:
            lines.append(f"      - in: {q(v['in'])}")
            lines.append(f"        out: {q(v['out'])}")
    if rules:
        lines.append("expansion_rules:")
        for name, tmpl in rules.items():
            lines.append(f"  {q(name)}: {q(tmpl)}")
    return "\n".join(lines) + "\n"


def convert(context_path, out_dir, language="en", fuzzy_lists=False):
    ctx = load_context(context_path)
    intents, lists, rules, stats = translate_context(ctx, fuzzy_lists=fuzzy_lists)
    os.makedirs(out_dir, exist_ok=True)
    name = os.path.splitext(os.path.basename(context_path))[0]
    out_path = os.path.join(out_dir, f"{name}.yaml")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(render_yaml(language, intents, lists, rules, context_path))
    return out_path, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("context", help="Rhino context YAML (e.g. data/rhino/coffee_maker.yaml)")
    ap.add_argument("out_dir", help="directory to write the hassil YAML into")
    ap.add_argument("--language", default="en")
    ap.add_argument("--fuzzy-lists", action="store_true",
                    help="mark every list `fuzzy: true` (HoloMesh's sound-alike matching; not plain hassil)")
    args = ap.parse_args()
    try:
        out_path, stats = convert(args.context, args.out_dir, args.language, args.fuzzy_lists)
    except ContextError as e:
        sys.exit(f"context_to_hassil: {e}")
    print(f"{out_path}: " + ", ".join(f"{v} {k}" for k, v in stats.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
