// A minimal assertion harness for the native tests (ctest runs each executable).
#pragma once

#include <cstdio>
#include <cstdlib>

static int expect_failures = 0;

#define EXPECT(cond, ...)                                              \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::fprintf(stderr, "%s:%d: EXPECT(%s) failed: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                              \
      std::fprintf(stderr, "\n");                                     \
      ++expect_failures;                                               \
    }                                                                 \
  } while (0)

#define EXPECT_REPORT()                                                \
  do {                                                                \
    if (expect_failures == 0) std::printf("all checks passed\n");      \
    return expect_failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;         \
  } while (0)
