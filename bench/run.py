#!/usr/bin/python3
"""interact's CPU benchmark suite (not a test).

For a sweep of SSD-layer shapes (b = 1, h = 8, p = 64, n in 16, 64, 128, t
from 1 to 65536) it measures every form interact-run compiles (recurrent,
chunked with Q in 32..256, attention while its t x t scores are affordable)
and the form interact-select-form picks, and in the same run, interleaved
with interact's runs in rounds (each round runs every contender of a shape
once, so a burst of load from other tenants hits all of them alike):

* the machine's matrix-product roofline: float32 GEMM, 2048^3, best of five,
  through NumPy's BLAS (Debian's NumPy over OpenBLAS from
  libopenblas0-pthread when /usr/bin/python3 has NumPy, in a process of its
  own; else this Python's NumPy), measured again before every shape (the
  machines are shared: each %roof is against the GEMM just before it);
* PyTorch eager baselines when torch is importable (Debian's python3-torch
  1.13, or 2.x in the bench environment): Mamba-2's chunked SSD as einsums,
  and causal softmax attention as softmax(q k^T * scale + mask) v;
* with PyTorch 2.x: scaled_dot_product_attention(is_causal=True), and
  torch.compile of the chunked SSD at t = 4096 (skipped, with the reason
  printed, when it fails or takes more than --torch-compile-budget seconds);
* with JAX: the recurrence interact.scan computes, as jax.lax.scan under
  jax.jit.

--acceptance instead prints issue 16's acceptance table at t = 4096, h = 8,
p = 64, 2 threads, every ratio measured in one interleaved run: the
recurrence at n = 64 and 128 against JAX and the roofline, the chunked form
at its fastest Q against the roofline, and causal softmax attention against
PyTorch 2.x's scaled_dot_product_attention, each line PASS or FAIL.

PyTorch 2.x and JAX come from the bench environment (scripts/bench-env.sh
makes it, at $INTERACT_BENCH_VENV or <repo>/.venv-bench): this script
re-executes itself under that environment's python when it exists
(--no-venv keeps the Python it was started with, e.g. Debian's with
PyTorch 1.13).

--target NAME (host, x86-64-v3 or x86-64-v4) is passed on as --target=NAME
to every interact-run and interact-opt; without the flag none is passed and
the tools use their default (host). x86-64-v4 is refused on a CPU without
AVX-512.

FLOPs follow the interface's convention (docs/Rationale.md#cost) for every
form, so GFLOP/s of different forms of one shape differ by their FLOP counts.
Prints a table; writes JSON and (sweep) a PNG plot of time versus t per form.

usage: bench/run.py [--target NAME] [--acceptance] [--quick] [--max-seconds=S]
                    [--rounds=R] [--threads=N] [--json=F] [--png=F]
                    [--torch-compile-budget=S] [--roofline-python=PY] [--no-venv]
"""

import argparse
import json
import os
import subprocess
import sys

import interact_bench as ib

H, P, B = 8, 64, 1
CHUNKS = (32, 64, 128, 256)
TARGETS = ("host", "x86-64-v3", "x86-64-v4")


def bench_venv():
    """The bench environment's directory, or None where it was not made."""
    path = os.environ.get("INTERACT_BENCH_VENV") or os.path.join(ib.ROOT, ".venv-bench")
    return path if os.access(os.path.join(path, "bin", "python"), os.X_OK) else None


def reexec():
    """Runs this script under the bench environment's python (unless
    --no-venv) and with interact_bench's allocator policy."""
    venv = None if "--no-venv" in sys.argv else bench_venv()
    if venv and os.path.realpath(sys.prefix) != os.path.realpath(venv):
        python = os.path.join(venv, "bin", "python")
        env = dict(os.environ, GLIBC_TUNABLES=ib.ALLOCATOR_POLICY)
        os.execve(python, [python] + sys.argv, env)
    ib.keep_freed_memory()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="interact's CPU benchmarks, with PyTorch and JAX as peers")
    parser.add_argument("--target", choices=TARGETS,
                        help="pass --target=NAME to interact-run and interact-opt "
                             "(default: pass nothing; the tools default to host)")
    parser.add_argument("--acceptance", action="store_true",
                        help="print issue 16's acceptance table only")
    parser.add_argument("--quick", action="store_true", help="a shorter sweep")
    parser.add_argument("--max-seconds", type=float, default=20,
                        help="skip a form whose estimated time exceeds this")
    parser.add_argument("--rounds", type=int,
                        help="interleaved rounds per shape (default 2; 3 with --acceptance)")
    parser.add_argument("--threads", type=int,
                        help="threads of interact, PyTorch and the GEMM "
                             "(default: all cores; 2 with --acceptance)")
    parser.add_argument("--torch-compile-budget", type=float, default=120,
                        help="seconds torch.compile of the chunked SSD may take (0: skip)")
    parser.add_argument("--roofline-python",
                        help="the Python whose NumPy measures the roofline "
                             "(default: /usr/bin/python3 when it has NumPy)")
    parser.add_argument("--json")
    parser.add_argument("--png")
    parser.add_argument("--no-venv", action="store_true",
                        help="run under this Python, not the bench environment's")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 3 if args.acceptance else 2
    if args.threads is None:
        args.threads = 2 if args.acceptance else (os.cpu_count() or 1)
    return args


class Tools:
    """The flags every interact-run and interact-opt invocation gets."""

    def __init__(self, target, threads):
        self.target = [f"--target={target}"] if target else []
        self.run = self.target + [f"--num-threads={threads}"]

    def time(self, text, reps):
        """interact-run --benchmark as a function of a repetition count."""
        return lambda r=reps: ib.time_stats(text, r, self.run)

    def remarks(self, text, passes):
        return ib.remarks(text, self.target + passes)


def interleave(contenders, rounds, before_round=None):
    """{name: (median, min, max)} of contenders (name -> (run, reps)) run in
    `rounds` rounds, each running every contender once in order: the median
    of the rounds' medians, the least min and the greatest max."""
    seen = {name: [] for name in contenders}
    for r in range(rounds):
        if before_round:
            before_round(r)
        for name, (run, reps) in contenders.items():
            seen[name].append(run(reps))
    out = {}
    for name, runs in seen.items():
        medians = sorted(m for m, _, _ in runs)
        out[name] = (medians[len(medians) // 2], min(lo for _, lo, _ in runs),
                     max(hi for _, _, hi in runs))
    return out


def machine_lines(args, peers, roof, torch):
    model, flags = peers.cpu_info()
    has = ", ".join(f"{f} {'yes' if f in flags else 'no'}" for f in ("avx2", "fma", "avx512f"))
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    lines = [f"CPU: {model}; {has}; {os.cpu_count()} cores; load average {load}",
             f"target: {args.target or 'host'} "
             f"({'--target=' + args.target + ' passed on' if args.target else 'no --target passed on'}); "
             f"{args.threads} threads; interact-run {ib.RUN}",
             f"roofline: {roof.describe()}"]
    if torch is not None:
        lines.append(f"  second opinion: torch.mm ({peers.torch_blas(torch)}) "
                     f"{peers.torch_mm_gflops(torch):.1f} GFLOP/s")
    v = peers.versions()
    lines.append("peers: python " + v["python"] + ", numpy " + v["numpy"] +
                 "".join(f", {k} {v[k]}" for k in ("torch", "jax", "jaxlib") if k in v) +
                 ("" if "torch" in v else ", no torch") + ("" if "jax" in v else ", no jax"))
    return lines


# --- issue 16's acceptance table --------------------------------------------

def acceptance(args, tools, peers):
    t, d = 4096, 64
    ns = (64, 128)
    torch, major = peers.import_torch(args.threads)
    jax = peers.import_jax()
    roof = peers.Roofline(args.threads, args.roofline_python)
    print(f"issue 16 acceptance: t = {t}, h = {H}, p = {P}, d = {d}, b = {B}, f32, "
          f"{args.rounds} interleaved rounds")
    for line in machine_lines(args, peers, roof, torch):
        print(line)

    contenders, notes = {}, []
    for n in ns:
        contenders[f"recurrent n={n}"] = (tools.time(ib.scan_function(
            "recurrent", B, t, H, P, n), 5), 5)
        if jax is not None:
            run, seconds = peers.jax_recurrence(jax, B, t, H, P, n)
            contenders[f"jax n={n}"] = (run, 5)
            notes.append(f"JAX lax.scan n={n}: jit compile and first run {seconds:.2f} s")
    for n in ns:
        for q in CHUNKS:
            contenders[f"chunked({q}) n={n}"] = (tools.time(ib.scan_function(
                "chunked", B, t, H, P, n, chunk=q), 5), 5)
    contenders["attention"] = (tools.time(ib.softmax_attention_function(
        B, t, H, d, 1 / d ** 0.5), 3), 3)
    if major >= 2:
        contenders["sdpa"] = (peers.torch_sdpa(torch, B, t, H, d, 1 / d ** 0.5), 3)
    for note in notes:
        print(note)

    def measure_roof(r):
        print(f"round {r + 1}/{args.rounds}: GEMM {roof.measure():.1f} GFLOP/s", flush=True)
    res = interleave(contenders, args.rounds, measure_roof)
    peak = max(roof.measurements)
    print(f"roofline: best GEMM of the run {peak:.1f} GFLOP/s (measurements "
          f"{min(roof.measurements):.1f} to {peak:.1f}); load average now "
          f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("times: min over all rounds (median of round medians in parentheses); "
          "GFLOP/s, %roof and ratios from the mins; ratio = peer ms / interact ms\n")

    header = (f"{'check':<30} {'interact ms':>17} {'GFLOP/s':>8} {'%roof':>6}  "
              f"{'peer':<13} {'peer ms':>17} {'ratio':>6}  {'criterion':<26} result")
    print(header)
    print("-" * len(header))
    rows, passed = [], 0

    def ms(name):
        med, lo, _ = res[name]
        return f"{lo:8.2f} ({med:7.2f})"

    def row(check, name, flops, peer, peer_name, criterion, verdict):
        lo = res[name][1]
        gflops = flops / lo / 1e6 if flops else None
        pct = 100 * gflops / peak if flops else None
        ratio = res[peer][1] / lo if peer in res else None
        ok, why = verdict(pct, ratio)
        print(f"{check:<30} {ms(name):>17} "
              f"{(f'{gflops:8.1f}' if flops else '-'):>8} {(f'{pct:6.1f}' if flops else '-'):>6}  "
              f"{peer_name:<13} {(ms(peer) if peer in res else '-'):>17} "
              f"{(f'{ratio:5.2f}x' if ratio else '-'):>6}  {criterion:<26} "
              f"{'PASS' if ok else 'FAIL'}{': ' + why if why else ''}", flush=True)
        rows.append({"check": check, "interact_min_ms": lo, "interact_median_ms": res[name][0],
                     "gflops": gflops, "pct_roofline": pct, "peer": peer_name,
                     "peer_min_ms": res[peer][1] if peer in res else None,
                     "peer_median_ms": res[peer][0] if peer in res else None,
                     "ratio": ratio, "criterion": criterion, "pass": ok})
        return ok

    def at_least(ratio_min=None, pct_min=None, peer="peer"):
        def verdict(pct, ratio):
            why = []
            if ratio_min is not None and ratio is None:
                why.append(f"no {peer} to compare with")
            elif ratio_min is not None and ratio < ratio_min:
                why.append(f"{ratio:.2f}x < {ratio_min}x")
            if pct_min is not None and pct < pct_min:
                why.append(f"{pct:.1f}% < {pct_min}%")
            return not why, "; ".join(why)
        return verdict

    for n in ns:
        passed += row(f"recurrence n={n}", f"recurrent n={n}",
                      ib.flops("recurrent", B, t, H, P, n), f"jax n={n}", "JAX lax.scan",
                      ">=1.5x JAX, >=50% roof", at_least(1.5, 50, "JAX"))
    for n in ns:
        best = min(CHUNKS, key=lambda q: res[f"chunked({q}) n={n}"][1])
        passed += row(f"chunked n={n}, fastest Q={best}", f"chunked({best}) n={n}",
                      ib.flops("chunked", B, t, H, P, n, best), None, "-",
                      ">=60% roof", at_least(pct_min=60))
        per_q = "  ".join(
            f"Q={q} {res[f'chunked({q}) n={n}'][1]:.2f} ms "
            f"{100 * ib.flops('chunked', B, t, H, P, n, q) / res[f'chunked({q}) n={n}'][1] / 1e6 / peak:.0f}%"
            for q in CHUNKS)
        print(f"{'':<4}{per_q}")
    passed += row("causal softmax attention", "attention", None, "sdpa",
                  "torch SDPA" if major >= 2 else "(no torch 2)", ">=1.2x SDPA",
                  at_least(1.2, peer="PyTorch 2.x SDPA"))
    print(f"\nacceptance: {passed} of {len(rows)} checks pass")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "rooflines_gflops": roof.measurements,
                       "versions": peers.versions(), "notes": notes,
                       "results": {k: list(v) for k, v in res.items()}}, f, indent=1)
    return 0


# --- the sweep ---------------------------------------------------------------

def sweep(args, tools, peers):
    ts = (1, 64, 256, 1024, 4096) if args.quick else (1, 64, 256, 1024, 4096, 16384, 65536)
    ns = (64,) if args.quick else (16, 64, 128)
    torch, major = peers.import_torch(args.threads)
    jax = peers.import_jax()
    roof = peers.Roofline(args.threads, args.roofline_python)
    for line in machine_lines(args, peers, roof, torch):
        print(line)
    print(f"{args.rounds} interleaved rounds per shape; median of the rounds' medians, "
          f"min and max over all runs")
    results = {"roofline_gflops": roof.measurements[0], "threads": args.threads,
               "versions": peers.versions(), "ssd": [], "softmax": [], "notes": []}
    # Throughput of each form measured so far, to skip runs over budget.
    rate = {"recurrent": 1.0, "chunked": 1.0, "attention": 1.0, "jax": 1.0}
    torch_label = f"torch{major}(64)" if torch is not None else None

    header = (f"{'t':>6} {'n':>4} {'form':<13} {'median ms':>10} {'min':>9} {'max':>9} "
              f"{'tok/s':>10} {'GFLOP/s':>8} {'%roof':>6} {'vs torch':>8} {'vs jax':>7}")
    print(header)
    for n in ns:
        for t in ts:
            # The machine is shared: each shape's %roof is against a GEMM
            # measured just before it, under the same neighbours.
            peak = roof.measure()
            print(f"{t:6d} {n:4d} {'GEMM roof':<13} {'':>10} {'':>9} {'':>9} {'':>10} "
                  f"{peak:8.2f}  100.0", flush=True)
            contenders, flops_of = {}, {}
            for form, q in [("recurrent", 0)] + [("chunked", q) for q in CHUNKS] + \
                    [("attention", 0)]:
                flops = ib.flops(form, B, t, H, P, n, q or 64)
                if flops / rate[form] / 1e9 > args.max_seconds or (form == "chunked" and q > t):
                    continue
                if form == "attention" and t > 2048:
                    continue
                reps = 11 if flops < 2e9 else 3
                name = form if not q else f"chunked({q})"
                contenders[name] = (tools.time(ib.scan_function(form, B, t, H, P, n,
                                                                chunk=q or 64), reps), reps)
                flops_of[name] = flops
            if torch is not None and t % 64 == 0:
                flops = ib.flops("chunked", B, t, H, P, n, 64)
                contenders[torch_label] = (peers.torch_chunked(torch, B, t, H, P, n, 64),
                                           11 if flops < 2e9 else 3)
                flops_of[torch_label] = flops
                if major >= 2 and t == 4096:
                    run, seconds = peers.torch_compiled_chunked(
                        torch, B, t, H, P, n, 64, args.torch_compile_budget)
                    note = (f"torch.compile chunked SSD t={t} n={n}: " +
                            (f"compiled in {seconds:.1f} s" if run else f"skipped: {seconds}"))
                    print(note, flush=True)
                    results["notes"].append(note)
                    if run:
                        contenders["compiled(64)"] = (run, 11 if flops < 2e9 else 3)
                        flops_of["compiled(64)"] = flops
            flops = ib.flops("recurrent", B, t, H, P, n)
            if jax is not None and flops / rate["jax"] / 1e9 <= args.max_seconds:
                run, seconds = peers.jax_recurrence(jax, B, t, H, P, n)
                reps = 11 if flops < 2e9 else 3
                contenders["jax scan"] = (run, reps)
                flops_of["jax scan"] = flops
            res = interleave(contenders, args.rounds)
            torch_ms = res[torch_label][0] if torch_label in res else None
            jax_ms = res["jax scan"][0] if "jax scan" in res else None
            for name, (med, lo, hi) in res.items():
                flops = flops_of[name]
                form = name.split("(")[0]
                if form in rate:
                    rate[form] = max(flops / med / 1e6, 1e-3)
                elif name == "jax scan":
                    rate["jax"] = max(flops / med / 1e6, 1e-3)
                vs_torch = f"{torch_ms / med:8.2f}" if torch_ms else f"{'-':>8}"
                vs_jax = f"{jax_ms / med:7.2f}" if jax_ms else f"{'-':>7}"
                print(f"{t:6d} {n:4d} {name:<13} {med:10.3f} {lo:9.3f} {hi:9.3f} "
                      f"{B * t / med * 1e3:10.0f} {flops / med / 1e6:8.2f} "
                      f"{100 * flops / med / 1e6 / peak:6.1f} {vs_torch} {vs_jax}", flush=True)
                results["ssd"].append({"t": t, "n": n, "form": name, "median_ms": med,
                                       "min_ms": lo, "max_ms": hi,
                                       "gflops": flops / med / 1e6,
                                       "roofline_gflops": peak})
            remark = tools.remarks(ib.scan_function("recurrent", B, t, H, P, n),
                                   ["--interact-select-form"])[0]
            results["ssd"].append({"t": t, "n": n, "form": "selected",
                                   "choice": remark.split()[1]})
            print(f"{t:6d} {n:4d} selected: {remark.split()[1]}", flush=True)

    # Causal softmax attention, h = 8, d = 64.
    print(f"\ncausal softmax attention, h = {H}, d = 64 (ratio = peer ms / interact ms, medians)")
    for t in ((1024,) if args.quick else (1024, 4096)):
        contenders = {"interact": (tools.time(ib.softmax_attention_function(
            B, t, H, 64, 0.125), 3), 3)}
        if torch is not None:
            contenders[f"torch{major} masked"] = (peers.torch_masked_softmax(
                torch, B, t, H, 64, 0.125), 3)
        if major >= 2:
            contenders["torch2 SDPA"] = (peers.torch_sdpa(torch, B, t, H, 64, 0.125), 3)
        res = interleave(contenders, args.rounds)
        med = res["interact"][0]
        line = f"  t={t:5d}: interact {med:9.3f} ms"
        entry = {"t": t, "interact_ms": med}
        for name, (pm, _, _) in res.items():
            if name != "interact":
                line += f", {name} {pm:9.3f} ms ({pm / med:.2f}x)"
                entry[name.replace(" ", "_") + "_ms"] = pm
        print(line, flush=True)
        results["softmax"].append(entry)

    results["rooflines_gflops"] = roof.measurements
    print(f"\nGEMM roofline over the run: {min(roof.measurements):.1f} to "
          f"{max(roof.measurements):.1f} GFLOP/s ({len(roof.measurements)} measurements)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if args.png:
        plot(results, ns, args.png)
    return 0


def plot(results, ns, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(ns), figsize=(5 * len(ns), 4), squeeze=False)
    for ax, n in zip(axes[0], ns):
        forms = sorted({r["form"] for r in results["ssd"]
                        if r["n"] == n and "median_ms" in r})
        for form in forms:
            pts = sorted((r["t"], r["median_ms"]) for r in results["ssd"]
                         if r["n"] == n and r["form"] == form and "median_ms" in r)
            ax.loglog(*zip(*pts), marker="o", label=form)
        ax.set_title(f"SSD layer, h=8 p=64 n={n}")
        ax.set_xlabel("t")
        ax.set_ylabel("ms")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv):
    args = parse_args(argv)
    import peers  # NumPy, after the re-execution that may change the Python
    missing = peers.missing_flags(args.target or "host")
    if missing:
        model = peers.cpu_info()[0]
        hint = "; use --target=x86-64-v3 or host" if args.target == "x86-64-v4" else ""
        print(f"bench/run.py: --target={args.target} needs {', '.join(missing)}, which "
              f"this CPU ({model}) lacks{hint}", file=sys.stderr)
        return 1
    tools = Tools(args.target, args.threads)
    try:
        return acceptance(args, tools, peers) if args.acceptance else sweep(args, tools, peers)
    except subprocess.CalledProcessError as e:
        tool = os.path.basename(e.cmd[0])
        print(f"bench/run.py: {tool} failed (exit {e.returncode}): {' '.join(e.cmd[1:])}\n"
              f"{(e.stderr or '').strip()[-2000:]}", file=sys.stderr)
        if tools.target and "--target" in (e.stderr or ""):
            print(f"bench/run.py: this {tool} takes no --target; leave --target out "
                  f"(the tools then use the host)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    reexec()
    sys.exit(main(sys.argv[1:]))
