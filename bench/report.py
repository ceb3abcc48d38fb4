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


def load_tsv(name):
    per = {}
    path = os.path.join(data, name)
    if not os.path.exists(path):
        return per
    for line in open(path):
        tool, _run, usec, status = line.rstrip("\n").split("\t")
        if status == "0":
            per.setdefault(tool, []).append(int(usec) / 1000.0)
    return per


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.splitlines()[0]
    except Exception as e:  # a missing tool is reported, not hidden
        return "unavailable (%s)" % e


def latency_table(per, title, targets):
    out = ["### " + title, "", "| tool | runs | median ms | p10 | p90 | min | max |", "|---|---|---|---|---|---|---|"]
    for tool, v in per.items():
        out.append("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |" % (
            tool, len(v), statistics.median(v), pct(v, 10), pct(v, 90), min(v), max(v)))
    out.append("")
    if "hutch" in per:
        h = statistics.median(per["hutch"])
        for other, target in targets:
            if other in per:
                r = h / statistics.median(per[other])
                verdict = "meets" if r <= target else "MISSES"
                out.append("- hutch/%s = **%.2f×** (target ≤ %.2f×: %s)" % (other, r, target, verdict))
        out.append("")
    return out


lat = load_tsv("latency.tsv")
lat_net = load_tsv("latency-net.tsv")
md = ["# hutch benchmark results", "",
      "Written by `bench/run` on %s. Every tool ran from the same tiny root tree (bench/mkrootfs), "
      "alternating run by run (bench/timer.c); medians are what to compare." % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
      "", "## Machine", "",
      "- kernel %s, %s, %d CPUs" % (platform.release(), platform.machine(), os.cpu_count()),
      "- hutch: %s" % version([os.path.join(os.path.dirname(data), "build/src/cli/hutch"), "--version"]),
      "- bubblewrap: %s" % version(["bwrap", "--version"]),
      "- crun: %s (run with `--cgroup-manager=disabled`: crun 1.8 needs CAP_SYS_RESOURCE for its cgroup v2 "
      "device filter, which this machine withholds; this favours crun)" % version(["crun", "--version"]),
      "- systemd-nspawn: %s" % version(["systemd-nspawn", "--version"]),
      "", "## Start to exit of a `/bin/true` sandbox", ""]
md += latency_table(lat, "Private network (hutch's default sandbox; bwrap --unshare-all)",
                    [("bwrap", 0.85), ("crun", 0.6), ("nspawn", 1.0)])
md += latency_table(lat_net, "Host network (PrivateNetwork=no; bwrap --share-net)", [("bwrap", 0.75), ("crun", 1.0)])

fleet = os.path.join(data, "fleet.tsv")
if os.path.exists(fleet):
    md += ["## 100 concurrent `sleep` sandboxes", "",
           "| tool | sandboxes | all running (ms) | all stopped (ms) | helper PSS per sandbox (kB) | kernel memory per sandbox (kB) | total per sandbox (kB) |",
           "|---|---|---|---|---|---|---|"]
    rows = {}
    for line in open(fleet):
        tool, n, t_all, t_stop, pss, kmem, got = line.rstrip("\n").split("\t")
        rows[tool] = (float(t_all), float(t_stop), int(pss), int(kmem))
        md.append("| %s | %s (%s ran) | %s | %s | %s | %s | %d |" % (tool, n, got, t_all, t_stop, pss, kmem, int(pss) + int(kmem)))
    md.append("")
    if "hutch" in rows and "bwrap" in rows:
        h, b = rows["hutch"], rows["bwrap"]
        md.append("- time until all run: hutch/bwrap = **%.2f×** (target ≤ 1.0×)" % (h[0] / b[0]))
        md.append("- stopped in %.0f ms (target ≤ 100 ms)" % h[1])
        md.append("- %d kB per running sandbox (target ≤ 600 kB)" % (h[2] + h[3]))
        md.append("")

vf = os.path.join(data, "verify.usec")
if os.path.exists(vf):
    usec = int(open(vf).read())
    md += ["## `hutch verify` of 1000 unit files", "",
           "- %.1f ms in all, **%.3f ms per unit** (target ≤ 1 ms)" % (usec / 1000.0, usec / 1000.0 / 1000), ""]

sf = os.path.join(data, "stamp-dir", "stamps")
if os.path.exists(sf):
    st = [int(x) for x in open(sf).read().split()]
    gaps = [(b - a) / 1e6 for a, b in zip(st, st[1:])]
    if gaps:
        md += ["## Restart latency (RestartSec=0)", "",
               "Time from one payload's start to the next payload's start (the payload exits at once): "
               "%d restarts, median **%.2f ms**, p90 %.2f ms, min %.2f ms." % (len(gaps), statistics.median(gaps), pct(gaps, 90), min(gaps)), ""]

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
              "set key bottom right\nset grid\nplot %s\n") % (png, plot)
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode == 0:
        md += ["## Chart", "", "![latency distribution](latency.png)", ""]
    else:
        md += ["(chart not drawn: %s)" % r.stderr.strip(), ""]

open(results_md, "w").write("\n".join(md) + "\n")
print("\n".join(md))
