"""Runs train-step implementations in lock-step, one step each per round, the order rotating every
round, so that the load of a shared machine falls on all of them alike. Each implementation is a
process that prints "ready ..." once built and answers each "step" line on stdin with
"<milliseconds> <loss>" (benchmarks/python/resnet_train_step.py, fidelio_resnet_step_driver,
dev.fidelio.benchmarks.ResNetStepServer).
Usage: resnet_lockstep.py [--one-at-a-time] WARMUP STEPS BASELINE=command [NAME=command ...]
--one-at-a-time runs each implementation's rounds alone, one process after the other, for models of
which two processes do not fit in memory at once (a quiet machine then matters more: the load no
longer falls on all alike).
Prints one line per implementation: its median and mean ms/step, the ratio of throughputs to the
baseline (the first): from the medians, and the median with range of the per-round ratios; and the
median CPU time (user, system; all the process's threads) and minor page faults per step, read from
/proc, which load on the machine inflates less than wall time; and the peak and final resident
memory of each process.
"""
import os
import shlex
import statistics
import subprocess
import sys


def start(command):
    process = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    header = process.stdout.readline()
    if not header.startswith("ready"):
        sys.exit(f"{command}: expected 'ready', got {header!r}")
    return process, header.split(maxsplit=1)[1].strip() if " " in header.strip() else ""


def usage(process):
    """CPU milliseconds (user, system; all threads) and minor page faults of the process so far."""
    with open(f"/proc/{process.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    return int(fields[7]), int(fields[11]) * tick_ms, int(fields[12]) * tick_ms


def memory_mib(process):
    """Peak and current resident memory of the process (VmHWM, VmRSS) in MiB."""
    with open(f"/proc/{process.pid}/status") as status:
        kib = dict(line.split(":", 1) for line in status if line.startswith(("VmHWM", "VmRSS")))
    return tuple(int(kib[key].split()[0]) // 1024 for key in ("VmHWM", "VmRSS"))


def step(process):
    """Wall ms of one step as the process measured it, and its CPU ms (user, system) and minor faults."""
    faults0, user0, system0 = usage(process)
    process.stdin.write("step\n")
    process.stdin.flush()
    reply = process.stdout.readline().split()
    if len(reply) != 2:
        sys.exit(f"no step time from a process (exit code {process.poll()})")
    faults1, user1, system1 = usage(process)
    return float(reply[0]), user1 - user0, system1 - system0, faults1 - faults0


def run_rounds(names, processes, rounds, warmup, times, cpu):
    """Steps every (name, process) once per round, the order rotating; records the measured rounds."""
    for round_ in range(rounds):
        order = [(round_ + i) % len(names) for i in range(len(names))]
        row = {}
        for i in order:
            row[names[i]] = step(processes[i])
        if round_ >= warmup:
            for name in names:
                times[name].append(row[name][0])
                cpu[name].append(row[name][1:])
        print(("warm-up " if round_ < warmup else "round ") + f"{round_ + 1}: " +
              " ".join(f"{n}={row[n][0]:.1f}ms(cpu {row[n][1]:.0f}+{row[n][2]:.0f}, {row[n][3]} faults)"
                       for n in names), flush=True)


def stop(process):
    resident = memory_mib(process)
    process.stdin.close()
    process.wait()
    return resident


def main():
    args = sys.argv[1:]
    one_at_a_time = args[0] == "--one-at-a-time"
    if one_at_a_time:
        args = args[1:]
    warmup, steps = int(args[0]), int(args[1])
    names, commands = zip(*(a.split("=", 1) for a in args[2:]))
    times = {name: [] for name in names}
    cpu = {name: [] for name in names}
    resident = []
    groups = [[i] for i in range(len(names))] if one_at_a_time else [list(range(len(names)))]
    for group in groups:
        processes = []
        for i in group:
            process, header = start(commands[i])
            processes.append(process)
            print(f"started {names[i]}: {header}", flush=True)
        run_rounds([names[i] for i in group], processes, warmup + steps, warmup, times, cpu)
        resident += [stop(process) for process in processes]
    base = times[names[0]]
    for name, (peak_mib, rss_mib) in zip(names, resident):
        own = times[name]
        paired = sorted(b / t for b, t in zip(base, own))
        print(f"result {name} median_ms={statistics.median(own):.1f} mean_ms={statistics.mean(own):.1f} "
              f"min_ms={min(own):.1f} steps={len(own)} ratio_of_medians={statistics.median(base) / statistics.median(own):.3f} "
              f"paired_ratio_median={statistics.median(paired):.3f} paired_ratio_range={paired[0]:.3f}..{paired[-1]:.3f} "
              f"cpu_user_ms={statistics.median(c[0] for c in cpu[name]):.0f} "
              f"cpu_system_ms={statistics.median(c[1] for c in cpu[name]):.0f} "
              f"minor_faults={statistics.median(c[2] for c in cpu[name]):.0f} peak_rss_mib={peak_mib} rss_mib={rss_mib}")


if __name__ == "__main__":
    main()
