"""The peer: a plain vectorised Monte Carlo of a dnsim snapshot plan over a
sparse service x provider matrix (NumPy and SciPy), written the way a
researcher without dnsim would write it, for the whole-process benchmark
(`benches/peer/whole_process.py`).

It reads what `dnsim generate` writes (a TOML plan with `p_outage`,
`regional_p_outage`, common causes, and a CSV include of services with
`dns` and `requires`) and computes the snapshot model's figures (spec §2):
per-service P(unreachable) per region and region-weighted, expected
impact, P(anything unreachable), and writes them as JSON. Its random
numbers are NumPy's, not dnsim's: its figures agree with dnsim's within
Monte Carlo error, not to the bit.

    python peer.py PLAN.toml TRIALS OUT.json
"""

import csv
import json
import sys
import tomllib
from pathlib import Path

import numpy as np
import scipy.sparse as sp

BATCH = 256


def load(path):
    plan = tomllib.loads(Path(path).read_text())
    regions = [r["id"] for r in plan["region"]]
    weights = np.array([r.get("weight", 1.0) for r in plan["region"]])
    weights = weights / weights.sum()
    providers = plan["provider"]
    pindex = {p["id"]: i for i, p in enumerate(providers)}
    p_global = np.array([p.get("p_outage", 0.0) for p in providers])
    p_regional = np.zeros((len(regions), len(providers)))
    for i, p in enumerate(providers):
        for r, x in p.get("regional_p_outage", {}).items():
            p_regional[regions.index(r), i] = x
    causes = [
        (
            c["p"],
            [pindex[x] for x in c["providers"]],
            [regions.index(r) for r in c.get("regions", regions)],
        )
        for c in plan.get("common_cause", [])
    ]
    ids, dns, weight, requires = [], [], [], []
    for inc in plan.get("include", []):
        with open(Path(path).parent / inc["services"], newline="") as f:
            for row in csv.DictReader(f):
                ids.append(row["id"])
                dns.append([pindex[x] for x in row["dns"].split(";")])
                weight.append(float(row["weight"] or 1.0))
                requires.append([x for x in row["requires"].split(";") if x])
    sindex = {s: i for i, s in enumerate(ids)}
    rows = np.repeat(np.arange(len(ids)), [len(d) for d in dns])
    cols = np.concatenate([np.array(d) for d in dns])
    delegation = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.int32), (rows, cols)),
        shape=(len(ids), len(providers)),
    )
    rrows = np.repeat(np.arange(len(ids)), [len(r) for r in requires])
    rcols = np.array([sindex[x] for r in requires for x in r], dtype=np.int64)
    needs = sp.csr_matrix(
        (np.ones(len(rcols), dtype=np.int32), (rrows, rcols)),
        shape=(len(ids), len(ids)),
    )
    return {
        "regions": regions,
        "weights": weights,
        "p_global": p_global,
        "p_regional": p_regional,
        "causes": causes,
        "ids": ids,
        "weight": np.array(weight),
        "delegation": delegation,
        "ndns": np.array([len(d) for d in dns]),
        "needs": needs,
    }


def simulate(plan, trials, seed=0):
    rng = np.random.default_rng(seed)
    nr, ns = len(plan["regions"]), len(plan["ids"])
    down_count = np.zeros((nr, ns), dtype=np.int64)
    impact = np.zeros(trials)
    any_down = np.zeros(nr)
    done = 0
    while done < trials:
        b = min(BATCH, trials - done)
        gdown = rng.random((b, len(plan["p_global"]))) < plan["p_global"]
        fired = [rng.random(b) < p for p, _, _ in plan["causes"]]
        for r in range(nr):
            pdown = gdown | (rng.random(gdown.shape) < plan["p_regional"][r])
            for f, (_, provs, regs) in zip(fired, plan["causes"]):
                if r in regs:
                    pdown[np.ix_(f, provs)] = True
            # Services whose every provider is down, then what needs them,
            # until nothing changes (the depth of the requirement graph).
            sdown = (plan["delegation"] @ pdown.T.astype(np.int32)) == plan["ndns"][:, None]
            while True:
                more = sdown | ((plan["needs"] @ sdown.astype(np.int32)) > 0)
                if (more == sdown).all():
                    break
                sdown = more
            down_count[r] += sdown.sum(axis=1)
            impact[done : done + b] += plan["weights"][r] * (plan["weight"] @ sdown)
            any_down[r] += sdown.any(axis=0).sum()
        done += b
    per_region = down_count / trials
    p = plan["weights"] @ per_region
    return {
        "trials": trials,
        "summary": {
            "services": ns,
            "expected_unreachable": float(p.sum()),
            "expected_impact": float(plan["weight"] @ p),
            "p_any_unreachable": float(plan["weights"] @ (any_down / trials)),
            "impact_p99": float(np.quantile(impact, 0.99, method="inverted_cdf")),
        },
        "services": [
            {
                "id": plan["ids"][s],
                "p_unreachable": float(p[s]),
                "regions": {
                    plan["regions"][r]: float(per_region[r, s]) for r in range(nr)
                },
            }
            for s in np.argsort(-p, kind="stable")
        ],
    }


def main():
    path, trials, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    result = simulate(load(path), trials)
    with open(out, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
