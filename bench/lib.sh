# Sourced by the bench scripts: the project root, a scratch directory removed at exit with the
# server the script started (its pid in tpid), the tools a script needs, and the gust to
# measure (GUST=path measures a given build, to compare builds on the same machine).
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
tpid=
cleanup() { [ -n "$tpid" ] && kill "$tpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# need CMD...: exit 2 naming the Debian package when a tool is missing.
need() {
  local c
  for c in "$@"; do
    case $c in
      time) [ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is needed: apt-get install -y time" >&2; exit 2; } ;;
      *) command -v "$c" >/dev/null || { echo "bench: $c is needed: apt-get install -y $c" >&2; exit 2; } ;;
    esac
  done
}

# build_gust puts the gust to measure at $work/gust.
build_gust() {
  if [ -n "${GUST:-}" ]; then cp "$GUST" "$work/gust"; else (cd "$root" && go build -o "$work/gust" ./cmd/gust); fi
}
