// Single-thread read bandwidth over a buffer far larger than L3, the way a decode reads every weight
// once per token: the ceiling for one-thread decode is this figure over the model's bytes.
// Build and run: gcc -O2 -mavx2 -o /tmp/read-bandwidth bench/lib/read-bandwidth.c && /tmp/read-bandwidth [MB]
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(int argc, char **argv) {
  size_t bytes = (size_t)(argc > 1 ? atol(argv[1]) : 256) << 20;
  __m256i *buf = aligned_alloc(64, bytes);
  memset(buf, 1, bytes);
  size_t n = bytes / sizeof(__m256i);
  double best = 0;
  for (int rep = 0; rep < 10; rep++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (size_t i = 0; i < n; i += 4) {
      acc0 = _mm256_add_epi8(acc0, _mm256_load_si256(buf + i));
      acc1 = _mm256_add_epi8(acc1, _mm256_load_si256(buf + i + 1));
      acc2 = _mm256_add_epi8(acc2, _mm256_load_si256(buf + i + 2));
      acc3 = _mm256_add_epi8(acc3, _mm256_load_si256(buf + i + 3));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    __m256i acc = _mm256_add_epi8(_mm256_add_epi8(acc0, acc1), _mm256_add_epi8(acc2, acc3));
    volatile int sink = _mm256_extract_epi8(acc, 0); (void)sink;
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double gbs = bytes / s / 1e9;
    if (gbs > best) best = gbs;
  }
  printf("%zu MB, best of 10: %.1f GB/s\n", bytes >> 20, best);
  return 0;
}
