#ifndef GRADFUZZ_LANE_KERNELS_H
#define GRADFUZZ_LANE_KERNELS_H

/// out[4c + l] = Σ_j da[4j + l] · wt[c·width + j] for every c < next and lane l < 4: the sums
/// Δz = Wᵀ Δa of the oracle's four-lane evaluation (`PerturbedCost`), Wᵀ stored row by row.
/// The terms are added in four interleaved partial sums (j mod 4), then (s0 + s1) + (s2 + s3), in
/// every variant, without fused multiply-adds: the result is the same bits on every machine.
void gradfuzz_lane_sums(const double *da, const double *wt, long width, long next, double *out);

/// da[4u + l] = tanh(z_u + dz) − tanh z_u for moves dz = dz[4u + l] below 1e-5, from a = tanh z_u and
/// c = sech² z_u: with t = dz − dz³/3 (= tanh dz to ε), (t · c) · (1 − v(1 − v(1 − v))), v = a·t
/// (= t·c/(1 + a·t) to ε). The same operations in the same order in every variant.
void gradfuzz_tanh_tiny_changes(const double *dz, const double *a, const double *c, long count, double *da);

/// The variants behind the two kernels above, for tests that hold them to the same bits.
/// `gradfuzz_lane_kernels_have_avx()` is nonzero when the AVX variants exist in this build and
/// the CPU runs them; call the `_avx` functions only then (elsewhere they are the generic ones).
int gradfuzz_lane_kernels_have_avx(void);
void gradfuzz_lane_sums_generic(const double *da, const double *wt, long width, long next, double *out);
void gradfuzz_lane_sums_avx(const double *da, const double *wt, long width, long next, double *out);
void gradfuzz_tanh_tiny_changes_generic(const double *dz, const double *a, const double *c, long count, double *da);
void gradfuzz_tanh_tiny_changes_avx(const double *dz, const double *a, const double *c, long count, double *da);

#endif
