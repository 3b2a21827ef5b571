# Sourced by install steps: a tool the machine already has at the pinned version is used instead of being built.
# use_from_path NAME VERSION [VERSION-ARGS...]: looks for NAME on PATH outside $MAPS_TOOLS_DIR/bin and runs it with
# VERSION-ARGS; if the first x.y.z it prints is VERSION (leading v ignored), links it into $MAPS_TOOLS_DIR/bin (tests
# find exactly that binary) and says so. Otherwise says what it found and returns 1: the caller builds the tool.
use_from_path() {
  local name=$1 want=${2#v} found got dirs
  shift 2
  dirs=$(printf %s "$PATH" | tr ':' '\n' | grep -vxF "$MAPS_TOOLS_DIR/bin" | paste -sd: -)
  found=$(PATH=$dirs command -v "$name" || true)
  if [ -z "$found" ]; then
    echo "    $name: not on PATH, building $want"
    return 1
  fi
  got=$("$found" "$@" 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1 || true)
  if [ "$got" != "$want" ]; then
    echo "    $name on PATH ($found) is ${got:-of unknown version}, pinned $want: building"
    return 1
  fi
  ln -sfn "$found" "$MAPS_TOOLS_DIR/bin/$name"
  echo "    $name $want: using $found (on PATH, nothing built)"
}
