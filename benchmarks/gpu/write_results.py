"""Writes run-gpu.sh's markdown table from JMH's JSON results and GpuStepCheck's JSON.

Usage: write_results.py TABLE LOGS key=value...  (keys: machine, command, torch, java, device,
layers, hidden, batch, length, jmh, check_status, timings). Standard library only: any python3.
JMH's score is train steps/s; samples/s = steps/s x batch.
"""
import datetime
import json
import os
import re
import sys

MIXED_PRECISION_GOAL = 2.5  # issue 8: use_mixed_precision's promised speed-up over float32
CAPTURE_GOAL = 1.2  # issue 8: trainer.compile's promised speed-up over eager


def met(ok):
    return "met" if ok else "NOT met"


def jmh_scores(path):
    """{(precision, compile): (steps/s, 99.9% CI half-width)}; missing when a trial failed."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        results = json.load(f)
    scores = {}
    for r in results:
        p = r["params"]
        metric = r["primaryMetric"]
        scores[(p["precision"], p.get("compile", "false"))] = (metric["score"], metric["scoreError"])
    return scores


def samples(scores, key, batch):
    if key not in scores:
        return None, "failed or not run (see the log)"
    score, error = scores[key]
    error = float(error)  # JMH writes "NaN" (a string) when there are too few iterations for an interval
    ci = "" if error != error else f" ± {error * batch:.1f}"
    return score * batch, f"{score * batch:.1f}{ci}"


def main():
    table, logs = sys.argv[1], sys.argv[2]
    a = dict(arg.split("=", 1) for arg in sys.argv[3:])
    batch = int(a["batch"])
    smoke = a["device"] == "cpu"
    mixed = jmh_scores(os.path.join(logs, "mixed-precision.json"))
    compiled = jmh_scores(os.path.join(logs, "compile.json"))
    check = {}
    if os.path.exists(os.path.join(logs, "check.json")):
        with open(os.path.join(logs, "check.json")) as f:
            check = json.load(f)
    hidden = int(a["hidden"])
    heads = max(1, hidden // 64)

    lines = [f"# Mixed precision and CUDA-graph capture: train step{' (CPU smoke run)' if smoke else ''}, "
             f"{datetime.date.today()}", ""]
    if smoke:
        lines += ["A smoke run of the script on the CPU with a tiny model: it shows every step works, its",
                  "numbers mean nothing for the GPU goals (float16 needs CUDA; captured = eager on a CPU).", ""]
    lines += [f"Command: `{a['command']}` (all below from this one run).",
              f"Machine: {a['machine']}; {a['torch']}; Java: {a['java']} (jlinked).",
              f"Step: BERT encoder, {a['layers']} layers, hidden {hidden}, {heads} heads, intermediate "
              f"{4 * hidden}, vocab 30522, random init (bert-base-uncased's shape at 12 x 768), batch {batch}, "
              f"sequence {a['length']}, mean pooling, 2-class head, cross-entropy, backward, clipglobalnorm 0.5, "
              "AdamW, dropout 0.1; one native call per step, the loss read back every step.",
              f"JMH: `{a['jmh']}`, Throughput mode (steps/s); samples/s = steps/s x {batch}, ± the 99.9% "
              "confidence half-width.", "",
              "## use_mixed_precision (eager)", "",
              "| precision | samples/s | vs fp32 |", "|---|---|---|"]
    fp32, _ = samples(mixed, ("fp32", "false"), batch)
    best_mixed = None
    for precision, label in (("fp32", "float32"), ("fp16", "float16 autocast, dynamic loss scaling"),
                             ("bf16", "bfloat16 autocast")):
        value, text = samples(mixed, (precision, "false"), batch)
        if smoke and precision == "fp16":
            text = "not run: float16 autocast needs CUDA"
        ratio = f"{value / fp32:.2f}x" if value and fp32 else ""
        if value and fp32 and precision != "fp32":
            best_mixed = max(best_mixed or 0, value / fp32)
        lines.append(f"| {label} | {text} | {ratio} |")

    lines += ["", "## trainer.compile: eager vs captured CUDA graph", "",
              "| precision | eager samples/s | captured samples/s | captured / eager |", "|---|---|---|---|"]
    capture_ratios = []
    for precision in ("fp32", "bf16"):
        eager, eager_text = samples(compiled, (precision, "false"), batch)
        captured, captured_text = samples(compiled, (precision, "true"), batch)
        ratio = ""
        if eager and captured:
            capture_ratios.append(captured / eager)
            ratio = f"{captured / eager:.2f}x"
        lines.append(f"| {precision} | {eager_text} | {captured_text} | {ratio} |")
    reports = []
    compile_log = os.path.join(logs, "compile.log")
    if os.path.exists(compile_log):
        with open(compile_log) as f:
            # Printed by the forks amid JMH's own lines ("# Warmup Iteration   1: compile=true ...").
            reports = sorted({m.group(0).strip() for m in map(re.compile(r"compile=(true|false) .*").search, f) if m})
    if reports:
        lines += ["", "What each trial reported (setCompile, then the graphs captured and steps replayed):", ""]
        lines += [f"- `{r}`" for r in reports]

    lines += ["", "## Correctness (GpuStepCheck, dropout 0, the same initial weights and batch)", ""]
    if check:
        lines += [f"- {v}" for v in check["verdicts"]]
        lines += ["", "| run | loss at each step |", "|---|---|"]
        for name, run in check["runs"].items():
            lines.append(f"| {name} | {' '.join(f'{x:.5f}' for x in run['losses'])} |")
    else:
        lines.append(f"- no result: the check did not finish (exit status {a['check_status']}; see check.log)")

    lines += ["", "## Goals (issue 8)", ""]
    if smoke:
        lines.append("- not judged: the goals are for a GPU.")
    else:
        lines.append(f"- mixed precision >= {MIXED_PRECISION_GOAL}x float32: best "
                     f"{f'{best_mixed:.2f}x' if best_mixed else 'n/a'}, "
                     f"{met(best_mixed is not None and best_mixed >= MIXED_PRECISION_GOAL)}")
        best_capture = max(capture_ratios) if capture_ratios else None
        lines.append(f"- capture >= {CAPTURE_GOAL}x eager: best {f'{best_capture:.2f}x' if best_capture else 'n/a'}, "
                     f"{met(best_capture is not None and best_capture >= CAPTURE_GOAL)}")
        lines.append(f"- losses match (correctness check): {met(a['check_status'] == '0' and check.get('passed'))}")
    lines += ["", f"Phase seconds: {a['timings']}.", ""]

    with open(table, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
