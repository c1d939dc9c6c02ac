#ifndef GRADFUZZ_LANE_KERNELS_H
#define GRADFUZZ_LANE_KERNELS_H

/// out[4c + l] = Σ_j da[4j + l] · wt[c·width + j] for every c < next and lane l < 4: the sums
/// Δz = Wᵀ Δa of the oracle's four-lane evaluation (`PerturbedCost`), Wᵀ stored row by row.
/// The terms are added in four interleaved partial sums (j mod 4), then (s0 + s1) + (s2 + s3), in
/// every variant, without fused multiply-adds: the result is the same bits on every machine.
void gradfuzz_lane_sums(const double *da, const double *wt, long width, long next, double *out);

#endif
