# Sourced by bin/ scripts: system packages, the build, and the native environment.

# Debian packages Fidelio needs to build and run (Debian 12 names). LibTorch itself is not one of
# them: cmake/FidelioLibTorch.cmake finds LibTorch 2.x (FIDELIO_LIBTORCH, a Python torch, a torch
# wheel on disk). libgloo-dev gives the Gloo declarations that c10d's header includes.
FIDELIO_PACKAGES=(libgloo-dev cmake g++ make maven)

# Installs missing packages when root; otherwise prints the exact command and fails.
fidelio_ensure_packages() {
  local missing=() pkg
  for pkg in "${FIDELIO_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "fidelio: missing packages: ${missing[*]}" >&2
    echo "fidelio: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "fidelio: installing ${missing[*]} (apt-get)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 || {
    echo "fidelio: apt-get install ${missing[*]} failed; see the messages above" >&2
    return 1
  }
}

# Builds with Maven when an artifact is missing or any source is newer than the last build.
fidelio_build_if_stale() {
  local root="$1" java_home="$2" stamp="$1/build/.fidelio-build-stamp"
  local need=0
  [ -f "$stamp" ] && [ -f "$root/java/target/fidelio.jar" ] && [ -f "$root/build/native/lib/libfidelio.so" ] || need=1
  if [ $need -eq 0 ] && [ -n "$(find "$root/native" "$root/java/src/main" "$root/bindings/src/main" \
      "$root/cmake" "$root/CMakeLists.txt" "$root/pom.xml" "$root/java/pom.xml" "$root/bindings/pom.xml" "$root/native-jar/pom.xml" \
      -newer "$stamp" -type f -print -quit 2>/dev/null)" ]; then
    need=1
  fi
  [ $need -eq 1 ] || return 0
  local log="$root/build/build.log"
  mkdir -p "$root/build"
  echo "fidelio: building (mvn package -DskipTests; log in build/build.log) ..." >&2
  (cd "$root" && JAVA_HOME="$java_home" mvn -q -B package -DskipTests >"$log" 2>&1) || {
    tail -n 40 "$log" >&2
    echo "fidelio: the build failed; the last lines of $log are above" >&2
    return 1
  }
  touch "$stamp"
}

# The native environment must be set before the JVM (and so LibTorch and OpenMP) starts.
# Values the user already set win. Each comment names its measurement (benchmarks/results/).
fidelio_native_env() {
  # libgomp spin-waits by default: with as many threads as cores, anything else running makes
  # every parallel region wait for a descheduled spinner (a 25x slower step was measured).
  export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
  # One intra-op thread per core; LibTorch otherwise guesses from the physical-core count.
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
  # glibc returns every freed block above its (dynamic) mmap threshold to the kernel, so each train
  # step's large activations and gradients are fresh mmaps that fault in zeroed pages: in the JVM
  # process this cost a trainable BERT step 15-20% (benchmarks/results/text-train-step-*.md). Keep
  # blocks up to 32 MiB (glibc's maximum) in the heap for reuse, and trim it rarely.
  export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
  export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1073741824}"
  # The JVM runs main() on a thread of its own, not the process's first, so glibc gives that thread
  # a per-thread arena of 64 MiB heaps that it grows, shrinks and unmaps (mprotect/munmap) as a
  # step's activations come and go: a ResNet-18 step faulted in ~270k pages (0.46 s of system time)
  # and was 17% slower than with one arena (benchmarks/results/resnet-*.md). One arena is the main
  # heap, which the thresholds above keep.
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
  # Blocks above 32 MiB (a ResNet's first activations: 98 MiB at batch 32) are mmapped whatever the
  # threshold, and so faulted in afresh each step (25-100k faults); served from the heap instead
  # they are reused: no faults, ~4% faster, ~9% higher peak resident memory (same file).
  export MALLOC_MMAP_MAX_="${MALLOC_MMAP_MAX_:-0}"
  # DJL's tokenizers report telemetry unless told not to; Fidelio makes no unasked network calls.
  export OPT_OUT_TRACKING=true
}
