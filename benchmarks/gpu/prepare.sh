#!/usr/bin/env bash
# Run HERE (a machine with a JDK >= 22 and Maven), before benchmarks/gpu/run-gpu.sh goes to a GPU
# machine that has neither: builds the jars and a jlinked Java runtime into build/gpu-bundle/ (ignored
# by git), the one folder to carry along:
#   benchmarks-gpu.jar   JMH, the GPU benchmarks, Fidelio and only the libraries they load
#                        (mvn -Pgpu-bundle; benchmarks.jar holds every dependency, ~200 MiB)
#   runtime.tar.gz       java.base + java.management (JMH) + jdk.unsupported, jlinked from this JDK
#   bundle.txt           what was built, from which commit and JDK
# The native library is not in it: run-gpu.sh builds it there against that machine's LibTorch.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
java_home="$(fidelio_find_jdk)"
bundle="$root/build/gpu-bundle"
# What the benchmark path loads (dev.fidelio.{model,runtime,weights,bindings}, JMH, Jackson): java.base,
# plus java.management for JMH's forks. Fidelio's other packages use java.desktop and java.sql
# (jdeps), which this runtime leaves out; run-gpu.sh's CPU smoke mode proves the set suffices.
modules="java.base,java.management,jdk.unsupported"

echo "prepare: building the jars (mvn -Pgpu-bundle package -DskipTests; log in build/gpu-bundle.log)" >&2
mkdir -p "$root/build"
(cd "$root" && JAVA_HOME="$java_home" mvn -B -ntp -q -Pgpu-bundle package -DskipTests >"$root/build/gpu-bundle.log" 2>&1) || {
  tail -n 40 "$root/build/gpu-bundle.log" >&2
  echo "prepare: the build failed; the last lines of build/gpu-bundle.log are above" >&2
  exit 1
}

rm -rf "$bundle" "$bundle.runtime"
mkdir -p "$bundle"
cp "$root/benchmarks/target/benchmarks-gpu.jar" "$bundle/"
echo "prepare: jlink $modules from $java_home" >&2
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$bundle.runtime"
"$bundle.runtime/bin/java" -version >/dev/null 2>&1 || { echo "prepare: the jlinked runtime does not start" >&2; exit 1; }
# One gzip'd tar: about half the size on the wire, and gzip is on every machine.
tar -C "$bundle.runtime" -czf "$bundle/runtime.tar.gz" .
runtime_bytes="$(du -sb "$bundle.runtime" | cut -f1)"
rm -rf "$bundle.runtime"
cat >"$bundle/bundle.txt" <<TXT
built: $(date -u +%FT%TZ) on $(hostname)
commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')
jdk: $("$java_home/bin/java" -version 2>&1 | head -n1)
runtime modules: $modules ($((runtime_bytes / 1048576)) MiB unpacked)
TXT
cat "$bundle/bundle.txt"
du -sh "$bundle"/*
du -sh "$bundle"
echo "prepare: carry build/gpu-bundle (with the working tree) and run benchmarks/gpu/run-gpu.sh there" >&2
