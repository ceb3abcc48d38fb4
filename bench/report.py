#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turns the raw data of bench/run into bench/RESULTS.md and a latency chart (gnuplot)."""
import os
import platform
import statistics
import subprocess
import sys
import time

data, results_md, png, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]


failed = {}


def load_tsv(name):
    per = {}
    path = os.path.join(data, name)
    if not os.path.exists(path):
        return per
    for line in open(path):
        tool, _run, usec, status = line.rstrip("\n").split("\t")
        if status == "0":
            per.setdefault(tool, []).append(int(usec) / 1000.0)
        else:
            failed[(name, tool)] = failed.get((name, tool), 0) + 1
    return per


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def version(cmd, lines=1):
    try:
        return ", ".join(subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.splitlines()[:lines])
    except Exception as e:  # a missing tool is reported, not hidden
        return "unavailable (%s)" % e


def latency_table(per, name, title, targets):
    out = ["### " + title, "", "| tool | runs (failed) | median ms | p10 | p90 | min | max |",
           "|---|---|---|---|---|---|---|"]
    for tool, v in per.items():
        out.append("| %s | %d (%d) | %.2f | %.2f | %.2f | %.2f | %.2f |" % (
            tool, len(v), failed.get((name, tool), 0), statistics.median(v), pct(v, 10), pct(v, 90), min(v), max(v)))
    out.append("")
    for me in ("hutch", "hutch-baseline"):
        if me not in per or not targets:
            continue
        h = statistics.median(per[me])
        for other, target in targets:
            if other in per:
                r = h / statistics.median(per[other])
                verdict = "meets" if r <= target else "MISSES"
                out.append("- %s/%s = **%.2f×** (target ≤ %.2f×: %s)" % (me, other, r, target, verdict))
        out.append("")
    if "hutch-cold" in per:
        c = statistics.median(per["hutch-cold"])
        ratios = ["hutch-cold/%s = **%.2f×**" % (o, c / statistics.median(per[o])) for o in ("bwrap", "crun")
                  if o in per]
        if "hutch" in per:
            ratios.append("hutch-cold/hutch = %.2f×" % (c / statistics.median(per["hutch"])))
        out += ["- " + ", ".join(ratios) + " (the start with an empty seccomp cache; no target is set for it)", ""]
    if "hutch-baseline" in per:
        out += ["(hutch-baseline: the older hutch binary given in HUTCH_BENCH_BASELINE_HUTCH, run in the same "
                "alternating loop%s.)" % (": " + os.environ["HUTCH_BENCH_BASELINE_NOTE"]
                                           if os.environ.get("HUTCH_BENCH_BASELINE_NOTE") else ""), ""]
    return out


def cgroup_line():
    """Which controllers hutch's cgroups had on this host."""
    def read(name):
        path = os.path.join(data, name)
        return open(path).read().strip() if os.path.exists(path) else None
    root, v1, hutch = read("cgroup-root-controllers"), read("cgroup-v1-controllers"), read("cgroup-hutch-controllers")
    if root is None or not hutch:
        return "- cgroups: the controllers of hutch's cgroups were not recorded"
    had = sorted({c for line in hutch.splitlines() for c in line.split(":", 1)[1].split()})
    cells = "; ".join("`%s`: %s" % (l.split(":", 1)[0], l.split(":", 1)[1].strip() or "none")
                      for l in hutch.splitlines())
    line = ("- cgroups: the root of this host's cgroup2 hierarchy offers %s" % (
        ", ".join("`%s`" % c for c in root.split()) if root else "no controller"))
    if v1:
        line += "; %s are bound to cgroup v1 hierarchies (a hybrid layout)" % ", ".join(v1.split())
    line += ". hutch's cgroups had %s (%s)" % (
        "the controllers " + ", ".join(had) if had else "**no controllers**", cells)
    if not had:
        line += (": what they cost here is their bare creation and removal. On a pure cgroup v2 host, with "
                 "controllers enabled for them (memory, pids, cpu, io), each costs more")
    return line


lat = load_tsv("latency.tsv")
lat_net = load_tsv("latency-net.tsv")
md = ["# hutch benchmark results", "",
      "Written by `bench/run` on %s. Every tool ran from the same tiny root tree (bench/mkrootfs), "
      "alternating run by run in a new random order each round (bench/timer.c); medians are what to compare. "
      "The tree holds, empty, the paths hutch's ProtectHome= and ProtectCredentials= cover (/home, /root, "
      "/etc/shadow, the SSH host keys, /etc/ssl/private and the rest), so that hutch makes those mounts as on a "
      "real root." % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
      "", "## Machine", "",
      "- kernel %s, %s, %d CPUs" % (platform.release(), platform.machine(), os.cpu_count()),
      "- hutch: %s" % version([os.path.join(os.path.dirname(data), "build/src/cli/hutch"), "--version"], 2),
      "- bubblewrap: %s" % version(["bwrap", "--version"]),
      "- crun: %s, run with `--cgroup-manager=disabled`: crun 1.8 raises RLIMIT_MEMLOCK to load its cgroup v2 "
      "device filter, which needs CAP_SYS_RESOURCE, and this machine withholds it. crun then makes no cgroup "
      "and loads no device filter, which makes its runs cheaper than a full crun start: the hutch/crun ratios "
      "favour crun" % version(["crun", "--version"]).splitlines()[0],
      "- systemd-nspawn: %s" % version(["systemd-nspawn", "--version"]),
      cgroup_line(),
      "- load average when the runs began: %s; at the end: %s (2 CPUs shared with other work: absolute times "
      "are noisy, the ratios of tools run alternately are what holds)" % (
          " ".join(open(os.path.join(data, "loadavg.start")).read().split(" ")[:3]) if os.path.exists(os.path.join(data, "loadavg.start")) else "?",
          " ".join("%.2f" % x for x in os.getloadavg())),
      "", "## Start to exit of a `/bin/true` sandbox", "",
      "What each tool builds: **hutch** its default sandbox (the defaults of hutch.unit(5), man/hutch.unit.5.scd, "
      "\"secure by default\": mount, PID, IPC, UTS, cgroup and network namespaces, a cgroup of its own entered with "
      "clone3, read-only root, /proc with masked files, /sys read-only, a minimal /dev, private /tmp, /home, /root "
      "and the credential files covered (ProtectHome=, ProtectCredentials=), no capabilities, no_new_privs, the `@system-service` seccomp filter) and a "
      "PID 1 of its own that reaps; **bwrap** `--unshare-all --die-with-parent --ro-bind ROOT / --proc /proc --dev /dev "
      "--tmpfs /tmp` (no seccomp filter, no cgroup); **crun** the bundle of `crun spec` on the same read-only root "
      "with a cgroup namespace added (its default masked and read-only paths, no seccomp filter), called directly "
      "as `crun --cgroup-manager=disabled run --bundle BUNDLE bN`, N the timer's run number (a fresh container id "
      "each run, with no shell in between); **nspawn** "
      "`systemd-nspawn --register=no --keep-unit -q --private-network -D ROOT` (a network namespace of its own, as every "
      "tool has in the private-network table, the only one nspawn runs in). Time is from fork until the launcher and every process it "
      "left have been reaped (the timer is a child subreaper: hutch and bwrap exit before their sandbox's PID 1 is "
      "gone, and a run counts until it is). Once, before the warm-up rounds of the first table, every tool's "
      "executable, its libraries and the root tree are dropped from the page cache: the first runs of every tool "
      "start from the disk alike, and the warm-up rounds read everything back, so the timed runs after them run "
      "from the page cache, from pages read back from disk as after a boot rather than the pages a build just wrote "
      "(a binary that was just written, as a fresh build is, starts faster).", ""]
md += ["hutch compiles a unit's seccomp filter once and caches it in /var/cache/hutch/seccomp/HASH.bpf (or, "
       "where /var/cache cannot take it, /run/hutch/seccomp; in this run's namespace /var/cache and /run are "
       "empty tmpfs of the benchmark's own). The **hutch** rows (and hutch-baseline's) load that cached filter, "
       "as every start does but the first of a unit, or the first after its filter's inputs changed (the unit's "
       "security keys, hutch, libseccomp, the kernel). **hutch-cold** is the same `hutch run true` started with "
       "an empty cache: its cached file is removed, untimed, before each of its runs, so each one compiles the "
       "filter again and writes it back.", ""]
md += latency_table(lat, "latency.tsv", "Private network (hutch's default sandbox; bwrap --unshare-all)",
                    [("bwrap", 0.85), ("crun", 0.6), ("nspawn", 1.0)])
md += latency_table(lat_net, "latency-net.tsv", "Host network (PrivateNetwork=no; bwrap --share-net)", [("bwrap", 0.75), ("crun", 1.0)])

def kernel_fields():
    """The /proc/meminfo fields fleet counted as the kernel's memory, and why those."""
    path = os.path.join(data, "kernel-fields")
    lines = open(path).read().splitlines() if os.path.exists(path) else []
    if len(lines) < 2:
        return ("Slab, KernelStack, PageTables, Percpu, Shmem, VmallocUsed",
                "fleet's default fields; where thread stacks are vmalloc'ed, they count twice")
    return ", ".join(lines[0].split()), lines[1]


ver = load_tsv("version.tsv")
if ver:
    def linked(path):
        try:
            out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=10).stdout
        except Exception:
            return "?"
        n = sum("=>" in l for l in out.splitlines())
        return "%d shared libraries" % n if n else "static"
    hutch_bin = os.path.join(os.path.dirname(data), "build/src/cli/hutch")
    md += latency_table(ver, "version.tsv", "Starting each tool: `TOOL --version`", [])
    md += ["Start to exit of `TOOL --version` (hutch: %s; bwrap: %s; crun: %s; systemd-nspawn: %s), with the same "
           "timer, alternating, 40 runs each. Part of each tool's time in the tables above is this: its own start-up "
           "as a program (the dynamic loader mapping and relocating its libraries, the C library's initialisation), "
           "which this virtual machine makes expensive (CPUID instructions and page-table updates trap to the "
           "hypervisor). So the ratios above are for these tools as shipped and linked, on this machine; on bare "
           "metal, or with the tools built otherwise, the fixed part of each start is smaller." % (
               linked(hutch_bin), linked("/usr/bin/bwrap"), linked("/usr/bin/crun"),
               linked("/usr/bin/systemd-nspawn")), ""]

fleet = os.path.join(data, "fleet.tsv")
if os.path.exists(fleet):
    md += ["## 100 concurrent `sleep` sandboxes", "",
           "Each payload writes to a FIFO bound into its sandbox and then runs `sleep` with the FIFO still "
           "open (bench/fleet.c): *all running* is when the last of them wrote, *all stopped* is after SIGTERM to "
           "every launcher, when every launcher has exited, the FIFO reports that no payload holds it any more, and "
           "every process a launcher left behind has been reaped (fleet is a child subreaper: bwrap's launcher "
           "exits at SIGTERM before its sandbox's PID 1 has torn its namespaces down, and that PID 1, left to fleet, "
           "counts until its exit is complete; hutch's launcher waits for its own, so for hutch the two columns "
           "agree); "
           "*CPU busy while stopping* is the time all of the machine's CPUs spent working (user, system, interrupts: "
           "/proc/stat, in 10 ms ticks) over that stop: where it comes near the number of CPUs times the stop, the "
           "stop is bound by the work of taking the sandboxes apart, not by any waiting. "
           "Memory, taken 250 ms after the last payload ran (the steady state of a running sandbox: hutch's PID 1 "
           "swaps itself for hutch-init 50 ms after its payload starts): PSS of the launchers' own processes (all but `sleep`), plus the growth of the kernel's memory "
           "(%s in /proc/meminfo; Shmem holds memfds, hutch's among them, and tmpfs files, VmallocUsed the BPF "
           "programs, the seccomp filters among them; %s) while they run, from a baseline taken once "
           "the kernel has finished freeing the previous tool's sandboxes (fleet waits until its memory stops "
           "shrinking); other work on the machine adds noise to the kernel figure. The per-sandbox figures are shares "
           "of 100 running at once: the PSS of pages the launchers share is split among all of them, and the "
           "kernel's growth is divided by 100. Each round is one fleet per "
           "tool, the tools in a new random order each round (from a fixed seed, so repeatable); the table gives the median of the rounds and, in brackets, "
           "their range." % kernel_fields(), "",
           "| tool | rounds (sandboxes ran) | all running (ms) | all stopped (ms) | launchers exited (ms) | CPU busy while stopping (ms, all CPUs) | launcher PSS per sandbox at 100 concurrent (kB) | kernel memory per sandbox at 100 concurrent (kB) | total per sandbox at 100 concurrent (kB) |",
           "|---|---|---|---|---|---|---|---|---|"]
    per_tool = {}
    for line in open(fleet):
        tool, n, t_all, t_stop, t_launchers, pss, kmem, got, cpu = line.rstrip("\n").split("\t")
        per_tool.setdefault(tool, []).append((float(t_all), float(t_stop), float(t_launchers), int(pss),
                                              int(kmem), int(got), int(n), float(cpu)))
    rows = {}
    for tool, v in per_tool.items():
        cols = list(zip(*v))
        stopped = [x for x in cols[1] if x >= 0]
        total = [p + k for p, k in zip(cols[3], cols[4])]

        def cell(xs, fmt="%.0f"):
            if not xs:
                return "not all"
            return (fmt + " [" + fmt + "–" + fmt + "]") % (statistics.median(xs), min(xs), max(xs))

        cpu = [x for x in cols[7] if x >= 0]
        rows[tool] = (statistics.median(cols[0]), statistics.median(stopped) if len(stopped) == len(v) else -1,
                      statistics.median(total), statistics.median(cpu) if cpu else -1)
        md.append("| %s | %d (%d of %d) | %s | %s | %s | %s | %s | %s | %s |" % (
            tool, len(v), sum(cols[5]), sum(cols[6]), cell(cols[0]), cell(stopped) if len(stopped) == len(v) else
            "not all", cell(cols[2]), cell(cpu), cell(cols[3]), cell(cols[4]), cell(total)))
    md.append("")
    if "hutch" in rows and "bwrap" in rows:
        h, b = rows["hutch"], rows["bwrap"]
        r = h[0] / b[0]
        md.append("- time until all run: hutch/bwrap = **%.2f×** (medians; target ≤ 1.0×: %s)" % (r, "meets" if r <= 1.0 else "MISSES"))
        md.append("- all stopped in **%.0f ms** (median; target ≤ 100 ms: %s); bwrap's in the same rounds: %.0f ms, "
                  "hutch/bwrap = **%.2f×**" % (h[1], "meets" if 0 <= h[1] <= 100 else "MISSES", b[1],
                                              h[1] / b[1] if b[1] > 0 else float("nan")))
        if h[3] >= 0 and b[3] >= 0:
            ncpu = os.cpu_count() or 1
            md.append("- CPU busy while stopping (median, %d CPUs): hutch %.0f ms, bwrap %.0f ms, of at most %.0f "
                      "and %.0f in their stop times" % (ncpu, h[3], b[3], ncpu * h[1], ncpu * b[1]))
        md.append("- **%.0f kB** per running sandbox at 100 concurrent (median; target ≤ 600 kB: %s)" % (h[2], "meets" if h[2] <= 600 else "MISSES"))
        md.append("")

f1 = os.path.join(data, "fleet1.tsv")
if os.path.exists(f1):
    stops, mem = {}, {}
    for line in open(f1):
        tool, n, t_all, t_stop, t_launchers, pss, kmem, got, cpu = line.rstrip("\n").split("\t")
        if float(t_stop) >= 0:
            stops.setdefault(tool, []).append(float(t_stop))
        if got == n:
            mem.setdefault(tool, []).append((int(pss), int(kmem)))
    if stops:

        def mcell(xs):
            return "%.0f [%.0f–%.0f]" % (statistics.median(xs), min(xs), max(xs)) if xs else "–"

        md += ["### One sandbox at a time", "",
               "The same, with a single sandbox, 20 rounds: time from SIGTERM to the launcher until it has exited "
               "and its payload and every process it left behind are gone; and the memory of that one sandbox running alone, taken as for the 100 "
               "(launcher PSS, growth of the kernel's memory), median of the rounds and their range. Alone, a "
               "sandbox's launcher processes share their pages with no other sandbox's, so its PSS is higher than "
               "its share at 100 concurrent; the kernel figure of a single sandbox is a small difference of two "
               "readings, which the rest of the machine's work makes noisy. No target is set for these figures.", "",
               "| tool | rounds | median stop (ms) | min | max | launcher PSS, one sandbox alone (kB) | kernel memory, "
               "one sandbox alone (kB) | total, one sandbox alone (kB) |", "|---|---|---|---|---|---|---|---|"]
        for tool, v in stops.items():
            m = mem.get(tool, [])
            md.append("| %s | %d | %.2f | %.2f | %.2f | %s | %s | %s |" % (
                tool, len(v), statistics.median(v), min(v), max(v), mcell([p for p, _ in m]),
                mcell([k for _, k in m]), mcell([p + k for p, k in m])))
        md.append("")
        if "hutch" in stops:
            m = statistics.median(stops["hutch"])
            md += ["- one hutch sandbox stopped in **%.1f ms** (median; the 100 ms target is for the stop of 100 "
                   "sandboxes, above)" % m, ""]

vf = os.path.join(data, "verify.usec")
if os.path.exists(vf):
    passes = [int(x) for x in open(vf).read().split()]
    usec = statistics.median(passes)
    per = usec / 1000.0 / 1000
    md += ["## `hutch verify` of 1000 unit files", "",
           "One `hutch verify` process over 1000 files (each with 14 keys in 5 sections), three passes, each timed from "
           "just before its fork to its exit (bash's $EPOCHREALTIME, no other process in the window): median "
           "%.1f ms in all, **%.3f ms per unit** (target ≤ 1 ms: %s)." % (usec / 1000.0, per, "meets" if per <= 1 else "MISSES"), ""]
v1 = load_tsv("verify1.tsv")
if "verify-one" in v1:
    v = v1["verify-one"]
    md += ["- one `hutch verify UNIT` process for a single unit (the same unit file), start to exit with the timer: "
           "median **%.2f ms** (p10 %.2f, p90 %.2f; %d runs, %d failed): process start plus one unit, no target." % (
               statistics.median(v), pct(v, 10), pct(v, 90), len(v), failed.get(("verify1.tsv", "verify-one"), 0)), ""]

sf = os.path.join(data, "stamp-dir", "stamps")
if os.path.exists(sf):
    # One line per payload: the instant it reached main() and the instant just before it exited (ns).
    st = [tuple(int(x) for x in l.split()) for l in open(sf) if len(l.split()) == 2][:201]
    gaps = [(b[0] - a[1]) / 1e6 for a, b in zip(st, st[1:])]
    libc_path = os.path.join(data, "stamp.libc")
    libc = open(libc_path).read().strip() if os.path.exists(libc_path) else "?"
    if gaps:
        md += ["## Restart latency (RestartSec=0)", "",
               "A `Restart=always` unit whose payload (bench/stamp.c, a static executable against %s) records the "
               "time it reached `main()` and the time just before it exits, and exits 1 at once. The gap from one "
               "payload's exit time to the next payload's start time is the exit itself, its cleanup, the restart "
               "decision and a whole new sandbox up to the next payload's `execve`, plus that static executable's "
               "own start-up up to `main()` (no dynamic loading; %s): %d restarts, median **%.2f ms**, p10 %.2f ms, "
               "p90 %.2f ms, min %.2f ms." % (
                   libc, "musl's is small" if libc == "musl" else "glibc's static start-up is some 0.5 ms on "
                   "this machine", len(gaps), statistics.median(gaps), pct(gaps, 10), pct(gaps, 90), min(gaps)), ""]

lf = os.path.join(data, "leftover-cgroups")
if os.path.exists(lf):
    left = open(lf).read().split()
    md += ["## Clean-up", "",
           ("- hutch left **%d cgroups** behind: %s" % (len(left), ", ".join(left))) if left else
           "- no hutch-* cgroup was left after the runs (every tool ran inside one cgroup of the benchmark's "
           "own, removed at the end).", ""]

# Chart: cumulative distribution of start-to-exit times per tool.
dat = os.path.join(data, "cdf.dat")
with open(dat, "w") as f:
    for tool, v in lat.items():
        s = sorted(v)
        f.write("# %s\n" % tool)
        for i, x in enumerate(s):
            f.write("%f %f\n" % (x, (i + 1) / len(s)))
        f.write("\n\n")
if lat:
    plot = ", ".join("'%s' index %d with lines lw 2 title '%s'" % (dat, i, t) for i, t in enumerate(lat))
    script = ("set terminal pngcairo size 900,500\nset output '%s'\nset logscale x\n"
              "set xlabel 'start to exit of a /bin/true sandbox (ms, log scale)'\nset ylabel 'fraction of runs'\n"
              "set title 'hutch, bubblewrap, crun, systemd-nspawn: %s runs each, alternating'\n"
              "set yrange [0:1]\nset key bottom right\nset grid\nplot %s\n") % (png, runs, plot)
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode == 0:
        md += ["## Chart", "", "![latency distribution](latency.png)", ""]
    else:
        md += ["(chart not drawn: %s)" % r.stderr.strip(), ""]

open(results_md, "w").write("\n".join(md) + "\n")
print("\n".join(md))
