# Sourced by ./fovea, ./test and .ci/run: sets FOVEA_JAVA_HOME to a JDK of version 21 or newer, or explains.
# Looks at FOVEA_JAVA_HOME, JAVA_HOME, the java on PATH, then the usual install folders (or FOVEA_JDK_DIRS).

fovea_java_major() { # prints the major version of the java binary $1
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

fovea_find_jdk() {
  local candidate major
  local candidates=()
  [ -n "${FOVEA_JAVA_HOME:-}" ] && candidates+=("$FOVEA_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  # FOVEA_JDK_DIRS (folders separated by spaces) replaces the usual install folders, e.g. in tests.
  local dirs="${FOVEA_JDK_DIRS:-/usr/lib/jvm/* /opt/java/* /opt/jdk* $HOME/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home}"
  # shellcheck disable=SC2086
  for candidate in $dirs; do
    [ -d "$candidate" ] && candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(fovea_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      FOVEA_JAVA_HOME="$candidate"
      export FOVEA_JAVA_HOME
      return 0
    fi
  done
  {
    echo "fovea: no JDK 21 or newer found (looked at FOVEA_JAVA_HOME, JAVA_HOME, java on PATH and /usr/lib/jvm)."
    echo "fovea: install one, e.g. 'apt-get install openjdk-21-jdk' or Eclipse Temurin 21+, or point FOVEA_JAVA_HOME at it."
  } >&2
  return 1
}
