#!/usr/bin/python3
"""interact's CPU benchmark suite (not a test).

For a sweep of SSD-layer shapes (b = 1, h = 8, p = 64, n in 16, 64, 128, t
from 1 to 65536) it measures every form interact-run compiles (recurrent,
chunked with Q in 32..256, attention while its t x t scores are affordable)
and the form interact-select-form picks, and in the same run:

* the machine's matrix-product roofline: float32 GEMM through NumPy's BLAS
  (OpenBLAS from Debian's libopenblas0-pthread), 2048^3, best of five,
  measured again before every shape (the machines are shared: each %roof is
  against the GEMM just before it);
* PyTorch eager baselines on the same inputs when python3-torch is
  installed: Mamba-2's chunked SSD as einsums, and causal softmax attention.

FLOPs follow the interface's convention (docs/Rationale.md#cost) for every
form, so GFLOP/s of different forms of one shape differ by their FLOP counts.
Prints a table; writes JSON and a PNG plot of time versus t per form.

usage: bench/run.py [--quick] [--max-seconds=S] [--json=F] [--png=F]
"""

import json
import math
import os
import sys
import time

import numpy as np

import interact_bench as ib

H, P, B = 8, 64, 1
CHUNKS = (32, 64, 128, 256)
THREADS = os.cpu_count() or 1


def roofline():
    a = np.random.default_rng(0).standard_normal((2048, 2048), dtype=np.float32)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - start)
    return 2 * 2048 ** 3 / best / 1e9


def blas_name():
    try:
        info = np.__config__.get_info("blas_opt_info")
        return ",".join(info.get("libraries", [])) or "unknown"
    except Exception:
        return "unknown"


def torch_chunked_ssd(x, a, B_, C, chunk):
    """Mamba-2's chunked SSD (the 'ssd_minimal' listing) as einsums."""
    import torch
    b, t, h, p = x.shape
    assert t % chunk == 0
    c = t // chunk
    x, a = x.reshape(b, c, chunk, h, p), a.reshape(b, c, chunk, h).permute(0, 3, 1, 2)
    B_, C = B_.reshape(b, c, chunk, h, -1), C.reshape(b, c, chunk, h, -1)
    a_cs = torch.cumsum(a, dim=-1)

    def segsum(v):
        T = v.size(-1)
        v = v[..., None].repeat(*([1] * v.dim()), T)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=-1)
        v = v.masked_fill(~mask, 0)
        out = torch.cumsum(v, dim=-2)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=0)
        return out.masked_fill(~mask, -torch.inf)

    L = torch.exp(segsum(a))
    y_diag = torch.einsum("bclhn,bcshn,bhcls,bcshp->bclhp", C, B_, L, x)
    decay_states = torch.exp(a_cs[:, :, :, -1:] - a_cs)
    states = torch.einsum("bclhn,bhcl,bclhp->bchpn", B_, decay_states, x)
    states = torch.cat([torch.zeros_like(states[:, :1]), states], dim=1)
    decay_chunk = torch.exp(segsum(torch.nn.functional.pad(a_cs[:, :, :, -1], (1, 0))))
    new_states = torch.einsum("bhzc,bchpn->bzhpn", decay_chunk, states)
    states = new_states[:, :-1]
    state_decay_out = torch.exp(a_cs)
    y_off = torch.einsum("bclhn,bchpn,bhcl->bclhp", C, states, state_decay_out)
    return (y_diag + y_off).reshape(b, t, h, p)


def torch_time(fn, repetitions):
    fn()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2], times[0], times[-1]


def main():
    args = dict(a.split("=", 1) if "=" in a else (a, "1") for a in sys.argv[1:])
    quick = "--quick" in args
    max_seconds = float(args.get("--max-seconds", 20))
    ts = (1, 64, 256, 1024, 4096) if quick else (1, 64, 256, 1024, 4096, 16384, 65536)
    ns = (64,) if quick else (16, 64, 128)
    try:
        import torch
        torch.set_num_threads(THREADS)
    except ImportError:
        torch = None

    peak = roofline()
    print(f"roofline: float32 GEMM 2048^3 through NumPy's BLAS ({blas_name()}), "
          f"{THREADS} threads: {peak:.1f} GFLOP/s")
    results = {"roofline_gflops": peak, "threads": THREADS, "ssd": [], "softmax": []}
    rooflines = [peak]
    # Throughput of each form measured so far, to skip runs over budget.
    rate = {"recurrent": 1.0, "chunked": 1.0, "attention": 1.0}

    header = (f"{'t':>6} {'n':>4} {'form':<13} {'median ms':>10} {'min':>9} {'max':>9} "
              f"{'tok/s':>10} {'GFLOP/s':>8} {'%roof':>6} {'vs torch':>8}")
    print(header)
    for n in ns:
        for t in ts:
            # The machine is shared: each shape's %roof is against a GEMM
            # measured just before it, under the same neighbours.
            peak = roofline()
            rooflines.append(peak)
            print(f"{t:6d} {n:4d} {'GEMM roof':<13} {'':>10} {'':>9} {'':>9} {'':>10} "
                  f"{peak:8.2f}  100.0", flush=True)
            forms = [("recurrent", 0)] + [("chunked", q) for q in CHUNKS] + \
                [("attention", 0)]
            torch_ms = None
            if torch is not None and t % 64 == 0:
                g = torch.Generator().manual_seed(0)
                x = torch.randn(B, t, H, P, generator=g)
                a = -torch.nn.functional.softplus(torch.randn(B, t, H, generator=g) - 4)
                Bm = torch.randn(B, t, H, n, generator=g)
                Cm = torch.randn(B, t, H, n, generator=g)
                with torch.no_grad():
                    torch_ms = torch_time(
                        lambda: torch_chunked_ssd(x, a, Bm, Cm, 64),
                        11 if ib.flops("chunked", B, t, H, P, n, 64) < 2e9 else 3)[0]
                results["ssd"].append({"t": t, "n": n, "form": "torch chunked SSD (Q=64)",
                                       "median_ms": torch_ms, "roofline_gflops": peak})
                flops = ib.flops("chunked", B, t, H, P, n, 64)
                print(f"{t:6d} {n:4d} {'torch(64)':<13} {torch_ms:10.3f} {'':>9} {'':>9} "
                      f"{B * t / torch_ms * 1e3:10.0f} {flops / torch_ms / 1e6:8.2f} "
                      f"{100 * flops / torch_ms / 1e6 / peak:6.1f} {'1.00':>8}", flush=True)
            for form, q in forms:
                flops = ib.flops(form, B, t, H, P, n, q or 64)
                if flops / rate[form] / 1e9 > max_seconds or (form == "chunked" and q > t):
                    continue
                if form == "attention" and t > 2048:
                    continue
                reps = 11 if flops < 2e9 else 3
                med, lo, hi = ib.time_stats(ib.scan_function(form, B, t, H, P, n, chunk=q or 64),
                                            reps)
                rate[form] = max(flops / med / 1e6, 1e-3)
                name = form if not q else f"chunked({q})"
                ratio = f"{torch_ms / med:8.2f}" if torch_ms else f"{'-':>8}"
                print(f"{t:6d} {n:4d} {name:<13} {med:10.3f} {lo:9.3f} {hi:9.3f} "
                      f"{B * t / med * 1e3:10.0f} {flops / med / 1e6:8.2f} "
                      f"{100 * flops / med / 1e6 / peak:6.1f} {ratio}", flush=True)
                results["ssd"].append({"t": t, "n": n, "form": name, "median_ms": med,
                                       "min_ms": lo, "max_ms": hi,
                                       "gflops": flops / med / 1e6,
                                       "roofline_gflops": peak})
            remark = ib.remarks(ib.scan_function("recurrent", B, t, H, P, n),
                                ["--interact-select-form"])[0]
            results["ssd"].append({"t": t, "n": n, "form": "selected",
                                   "choice": remark.split()[1]})
            print(f"{t:6d} {n:4d} selected: {remark.split()[1]}", flush=True)

    # Causal softmax attention, h = 8, d = 64.
    print("\ncausal softmax attention, h = 8, d = 64")
    for t in ((1024,) if quick else (1024, 4096)):
        med, lo, hi = ib.time_stats(ib.softmax_attention_function(B, t, H, 64, 0.125), 3)
        line = f"  t={t:5d}: interact {med:9.3f} ms"
        entry = {"t": t, "interact_ms": med}
        if torch is not None:
            g = torch.Generator().manual_seed(0)
            q = torch.randn(B, H, t, 64, generator=g)
            mask = torch.triu(torch.full((t, t), -torch.inf), 1)

            def attend():
                s = q @ q.transpose(-1, -2) * 0.125 + mask
                return torch.softmax(s, -1) @ q
            with torch.no_grad():
                tm = torch_time(attend, 3)[0]
            line += f", torch {tm:9.3f} ms, interact is {tm / med:.2f}x torch's speed"
            entry["torch_ms"] = tm
        print(line, flush=True)
        results["softmax"].append(entry)

    results["rooflines_gflops"] = rooflines
    print(f"\nGEMM roofline over the run: {min(rooflines):.1f} to "
          f"{max(rooflines):.1f} GFLOP/s ({len(rooflines)} measurements)")
    if "--json" in args:
        with open(args["--json"], "w") as f:
            json.dump(results, f, indent=1)
    if "--png" in args:
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
        fig.savefig(args["--png"], dpi=100)
    return 0


if __name__ == "__main__":
    ib.keep_freed_memory()
    sys.exit(main())
