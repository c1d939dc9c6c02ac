// The one kernel of the oracle's hot path that Swift cannot vectorise past SSE2 on x86-64:
// with AVX (checked at run time) four lanes are one register.
#include "lane_kernels.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define GRADFUZZ_HAVE_AVX_VARIANTS 1
#else
#define GRADFUZZ_HAVE_AVX_VARIANTS 0
#endif

static void lane_sums_generic(const double *da, const double *wt, long width, long next, double *out) {
    for (long c = 0; c < next; c++) {
        const double *w = wt + c * width;
        for (int l = 0; l < 4; l++) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            long j = 0;
            for (; j + 4 <= width; j += 4) {
                s0 += da[4 * j + l] * w[j];
                s1 += da[4 * (j + 1) + l] * w[j + 1];
                s2 += da[4 * (j + 2) + l] * w[j + 2];
                s3 += da[4 * (j + 3) + l] * w[j + 3];
            }
            for (; j < width; j++) s0 += da[4 * j + l] * w[j];
            out[4 * c + l] = (s0 + s1) + (s2 + s3);
        }
    }
}

static void tanh_tiny_generic(const double *dz, const double *a, const double *c, long count, double *da) {
    for (long u = 0; u < count; u++) {
        for (int l = 0; l < 4; l++) {
            double x = dz[4 * u + l];
            double t = x - x * (x * x) * (1.0 / 3);
            double v = a[u] * t;
            da[4 * u + l] = (t * c[u]) * (1 - v * (1 - v * (1 - v)));
        }
    }
}

#if GRADFUZZ_HAVE_AVX_VARIANTS
#include <immintrin.h>

__attribute__((target("avx")))
static void tanh_tiny_avx(const double *dz, const double *a, const double *c, long count, double *da) {
    const __m256d one = _mm256_set1_pd(1.0), third = _mm256_set1_pd(1.0 / 3);
    for (long u = 0; u < count; u++) {
        __m256d x = _mm256_loadu_pd(dz + 4 * u);
        __m256d t = _mm256_sub_pd(x, _mm256_mul_pd(_mm256_mul_pd(x, _mm256_mul_pd(x, x)), third));
        __m256d v = _mm256_mul_pd(_mm256_set1_pd(a[u]), t);
        __m256d inner = _mm256_sub_pd(one, _mm256_mul_pd(v, _mm256_sub_pd(one, _mm256_mul_pd(v, _mm256_sub_pd(one, v)))));
        _mm256_storeu_pd(da + 4 * u, _mm256_mul_pd(_mm256_mul_pd(t, _mm256_set1_pd(c[u])), inner));
    }
}

__attribute__((target("avx")))
static void lane_sums_avx(const double *da, const double *wt, long width, long next, double *out) {
    for (long c = 0; c < next; c++) {
        const double *w = wt + c * width;
        __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
        long j = 0;
        for (; j + 4 <= width; j += 4) {
            s0 = _mm256_add_pd(s0, _mm256_mul_pd(_mm256_loadu_pd(da + 4 * j), _mm256_broadcast_sd(w + j)));
            s1 = _mm256_add_pd(s1, _mm256_mul_pd(_mm256_loadu_pd(da + 4 * (j + 1)), _mm256_broadcast_sd(w + j + 1)));
            s2 = _mm256_add_pd(s2, _mm256_mul_pd(_mm256_loadu_pd(da + 4 * (j + 2)), _mm256_broadcast_sd(w + j + 2)));
            s3 = _mm256_add_pd(s3, _mm256_mul_pd(_mm256_loadu_pd(da + 4 * (j + 3)), _mm256_broadcast_sd(w + j + 3)));
        }
        for (; j < width; j++) s0 = _mm256_add_pd(s0, _mm256_mul_pd(_mm256_loadu_pd(da + 4 * j), _mm256_broadcast_sd(w + j)));
        _mm256_storeu_pd(out + 4 * c, _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
    }
}
#endif

int gradfuzz_lane_kernels_have_avx(void) {
#if GRADFUZZ_HAVE_AVX_VARIANTS
    return __builtin_cpu_supports("avx") ? 1 : 0;
#else
    return 0;
#endif
}

void gradfuzz_tanh_tiny_changes(const double *dz, const double *a, const double *c, long count, double *da) {
#if GRADFUZZ_HAVE_AVX_VARIANTS
    if (__builtin_cpu_supports("avx")) {
        tanh_tiny_avx(dz, a, c, count, da);
        return;
    }
#endif
    tanh_tiny_generic(dz, a, c, count, da);
}

void gradfuzz_lane_sums(const double *da, const double *wt, long width, long next, double *out) {
#if GRADFUZZ_HAVE_AVX_VARIANTS
    if (__builtin_cpu_supports("avx")) {
        lane_sums_avx(da, wt, width, next, out);
        return;
    }
#endif
    lane_sums_generic(da, wt, width, next, out);
}

void gradfuzz_lane_sums_generic(const double *da, const double *wt, long width, long next, double *out) {
    lane_sums_generic(da, wt, width, next, out);
}

void gradfuzz_lane_sums_avx(const double *da, const double *wt, long width, long next, double *out) {
#if GRADFUZZ_HAVE_AVX_VARIANTS
    lane_sums_avx(da, wt, width, next, out);
#else
    lane_sums_generic(da, wt, width, next, out);
#endif
}

void gradfuzz_tanh_tiny_changes_generic(const double *dz, const double *a, const double *c, long count, double *da) {
    tanh_tiny_generic(dz, a, c, count, da);
}

void gradfuzz_tanh_tiny_changes_avx(const double *dz, const double *a, const double *c, long count, double *da) {
#if GRADFUZZ_HAVE_AVX_VARIANTS
    tanh_tiny_avx(dz, a, c, count, da);
#else
    tanh_tiny_generic(dz, a, c, count, da);
#endif
}
