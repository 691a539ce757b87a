"""The pdf a Python user would compute: scipy.sparse.linalg.expm_multiply (Al-Mohy &
Higham) on the sub-intensity matrix, at the benchmark's 100 times in [0, 4].

    python3 scipy_pdf.py GRAPH.csr REPS

Reads the CSR file bench/foundation/csr-file.ts writes (the rates at θ). Prints
{"ms": median, "minMs": fastest, "pdf": [...]}; assembling the matrix is not timed."""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply


def read_csr(path):
    buf = open(path, "rb").read()
    n, m = np.frombuffer(buf, "<i4", 2, 0)
    rp = np.frombuffer(buf, "<i4", n + 1, 8)
    col = np.frombuffer(buf, "<i4", m, 8 + 4 * (n + 1))
    w = np.frombuffer(buf, "<f8", m, 8 + 4 * (n + 1) + 4 * m)
    return int(n), rp, col, w


def phase_type(n, rp, col, w):
    """alpha, S (transient states), exit rates s."""
    outdeg = np.diff(rp)
    transient = (np.arange(n) != 0) & (outdeg > 0)
    index = -np.ones(n, dtype=np.int64)
    index[transient] = np.arange(int(transient.sum()))
    k = int(transient.sum())
    src = np.repeat(np.arange(n), outdeg)
    alpha = np.zeros(k)
    start = src == 0
    np.add.at(alpha, index[col[start]], w[start])
    inner = transient[src]
    to_transient = inner & transient[col]
    S = sp.csr_matrix((w[to_transient], (index[src[to_transient]], index[col[to_transient]])), shape=(k, k))
    exit_rates = np.zeros(k)
    leaving = inner & ~transient[col]
    np.add.at(exit_rates, index[src[leaving]], w[leaving])
    total = np.zeros(k)
    np.add.at(total, index[src[inner]], w[inner])
    S = (S - sp.diags(total)).tocsr()
    return alpha, S, exit_rates


def main():
    path, reps = sys.argv[1], int(sys.argv[2])
    alpha, S, s = phase_type(*read_csr(path))
    ST = S.T.tocsr()
    times, pdf = [], None
    for _ in range(max(1, reps)):
        t0 = time.perf_counter()
        # Rows are alpha·e^{S t} for t = 4i/99, i = 0..99.
        states = expm_multiply(ST, alpha, start=0.0, stop=4.0, num=100, endpoint=True)
        pdf = states @ s
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    print(json.dumps({"ms": times[len(times) // 2], "minMs": times[0], "pdf": [float(x) for x in pdf]}))


if __name__ == "__main__":
    main()
