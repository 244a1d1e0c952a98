"""Whole processes, as a user runs them: `dnsim run`, `check` and `analyze`
on generated plans, timed as processes with their peak resident memory, and
dnsim against the peer (`peer.py`, a NumPy/SciPy sparse-matrix Monte Carlo of
the same plan) side by side.

    python3 benches/peer/whole_process.py            # 100K and 1M services
    python3 benches/peer/whole_process.py --big      # and 10M (about 8 GB of disk
                                                     # and several minutes)

It builds dnsim in release, installs NumPy and SciPy from PyPI into
target/peer-venv (pinned below), and writes the plans and outputs under
target/whole-process/. Times are the median of --repeat runs (wall, and
CPU: user + system, which a busy shared machine disturbs less); memory is
the largest peak RSS (from wait4) of those runs, per service of the plan.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "target" / "whole-process"
VENV = ROOT / "target" / "peer-venv"
PEER_PACKAGES = ["numpy==2.4.6", "scipy==1.17.1"]
DNSIM = ROOT / "target" / "release" / "dnsim"
PROVIDERS = 2000
COMPARE_TRIALS = 5000


def measure(argv, repeat):
    """Median wall time (s), median CPU time (user + system, s) and largest
    peak RSS (bytes) of `argv`."""
    times, cpus, peak = [], [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        err = child.stderr.read().decode()
        child.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(map(str, argv))}\n{err}")
        times.append(elapsed)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss * 1024)
    return statistics.median(times), statistics.median(cpus), peak


def plan(services):
    path = WORK / f"plan-{services}.toml"
    if not path.exists():
        subprocess.run(
            [DNSIM, "generate", "--services", str(services), "--providers", str(PROVIDERS),
             "--quiet", "-o", path],
            check=True,
        )
    return path


def setup():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return python


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--big", action="store_true", help="also the 10M-service plan")
    args.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    opts = args.parse_args()
    python = setup()
    sizes = [100_000, 1_000_000] + ([10_000_000] if opts.big else [])
    print(f"dnsim whole-process benchmark, {os.cpu_count()} cores, plans of "
          f"{PROVIDERS} providers from `dnsim generate` (plus its 20 CDN-like services)")

    p100k = plan(100_000)
    out = WORK / "out.json"
    t_run, c_run, _ = measure([DNSIM, "run", p100k, "--trials", str(COMPARE_TRIALS),
                               "--format", "json", "-o", out], opts.repeat)
    t_check, c_check, _ = measure([DNSIM, "check", p100k], opts.repeat)
    baseline = WORK / "baseline.json"
    with open(baseline, "wb") as f:
        subprocess.run([DNSIM, "check", p100k, "--format", "json"], stdout=f, check=True)
    t_base, c_base, _ = measure([DNSIM, "check", p100k, "--baseline", baseline], opts.repeat)
    t_rep, c_rep, rss_rep = measure([DNSIM, "report", out, "-o", WORK / "report.txt"], opts.repeat)
    # The peer last: measured right after it, the same `dnsim check` took
    # about a quarter longer (0.107-0.114 s against 0.085 s, 2026-12-05).
    t_peer, c_peer, _ = measure([python, ROOT / "benches" / "peer" / "peer.py", p100k,
                                 str(COMPARE_TRIALS), WORK / "peer.json"], 1)
    print(f"\n100K services, {COMPARE_TRIALS} trials, JSON written, whole process "
          "(wall time; CPU time, user + system):")
    print(f"  dnsim run   {t_run:8.3f} s  {c_run:8.3f} s")
    print(f"  peer        {t_peer:8.3f} s  {c_peer:8.3f} s   (NumPy/SciPy, one run)")
    print(f"  ratio       {t_peer / t_run:8.1f} x  {c_peer / c_run:8.1f} x")
    print(f"  dnsim check {t_check:8.3f} s  {c_check:8.3f} s")
    print(f"  dnsim check --baseline (every warning accepted)  {t_base:8.3f} s  {c_base:8.3f} s")
    print(f"  dnsim report of the run's JSON ({out.stat().st_size / 2**20:.1f} MiB)  "
          f"{t_rep:8.3f} s  {c_rep:8.3f} s  {rss_rep / 2**20:.1f} MiB peak")

    print("\npeak RSS per service (default trials: 10,000):")
    for n in sizes:
        p = plan(n)
        repeat = opts.repeat if n <= 1_000_000 else 1
        for cmd in (["run", p, "--format", "json", "-o", out], ["analyze", p, "-o", out]):
            t, _, rss = measure([DNSIM, *cmd], repeat)
            print(f"  {n:>10,} services  {cmd[0]:<8} {rss / n:7.1f} B/service "
                  f"({rss / 2**20:8.1f} MiB, {t:7.2f} s)")


if __name__ == "__main__":
    main()
