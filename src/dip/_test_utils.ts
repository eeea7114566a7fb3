/**
 * Test helpers of src/dip (not exported): an exact spectral norm in float64
 * and small numeric utilities.
 *
 * @module
 */

/**
 * Eigenvalues of a symmetric matrix by the cyclic Jacobi method (float64),
 * converged to machine precision.
 *
 * @param a Symmetric matrix (copied).
 * @returns Eigenvalues, unsorted.
 */
export function symmetricEigenvalues(a: number[][]): number[] {
  const n = a.length;
  const m = a.map((r) => [...r]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i][j] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p], mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k], mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
      }
    }
  }
  return m.map((r, i) => r[i]);
}

/**
 * The exact largest singular value of the matrix `(K, out)` stored row-major
 * in `values` (float64 Jacobi on MᵀM).
 *
 * @param values Row-major entries (e.g. an HWIO kernel's data).
 * @param out Number of columns (output channels).
 * @returns σ_max.
 */
export function exactSpectralNorm(values: ArrayLike<number>, out: number): number {
  const rows = values.length / out;
  const g: number[][] = Array.from({ length: out }, () => new Array<number>(out).fill(0));
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < out; i++) {
      const vi = values[r * out + i];
      for (let j = 0; j < out; j++) g[i][j] += vi * values[r * out + j];
    }
  }
  return Math.sqrt(Math.max(...symmetricEigenvalues(g)));
}
