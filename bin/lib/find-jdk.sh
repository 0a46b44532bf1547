# Sourced by bin/ scripts. fidelio_find_jdk prints the home of a JDK >= 22 (FFM is final there):
# $JAVA_HOME if new enough, else the newest under /usr/lib/jvm; fails with what to install.
fidelio_jdk_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

fidelio_find_jdk() {
  local candidate major best="" best_major=0
  for candidate in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major="$(fidelio_jdk_major "$candidate")"
    [ -n "$major" ] || continue
    if [ "$candidate" = "${JAVA_HOME:-}" ] && [ "$major" -ge 22 ]; then best="$candidate"; break; fi
    if [ "$major" -ge 22 ] && [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major="$major"; fi
  done
  if [ -z "$best" ]; then
    echo "fidelio: no JDK >= 22 found (checked \$JAVA_HOME and /usr/lib/jvm)." >&2
    echo "fidelio: install one (e.g. Eclipse Temurin 25 into /usr/lib/jvm) or set JAVA_HOME to it." >&2
    return 1
  fi
  echo "$best"
}
