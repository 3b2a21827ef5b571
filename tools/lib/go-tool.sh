# Sourced by install steps: install_go_tool NAME VERSION MODULE "VERSION-ARGS" [LDFLAGS-FUNCTION] puts NAME at VERSION into
# $MAPS_TOOLS_DIR/bin: kept if built before at that version, linked if the machine has it on PATH at that version
# (tools/lib/on-path.sh), otherwise built from the Go module proxy with `go install MODULE@VERSION` (extra -ldflags
# from LDFLAGS-FUNCTION, called only for a build).
# shellcheck source=on-path.sh
source "$REPO_ROOT/tools/lib/on-path.sh"

install_go_tool() {
  local name=$1 version=$2 module=$3 version_args=$4 ldflags="" bin=$MAPS_TOOLS_DIR/bin
  local stamp=$bin/.$1.version
  if [ -x "$bin/$name" ] && [ ! -L "$bin/$name" ] && [ "$(cut -d' ' -f1 "$stamp" 2>/dev/null)" = "$version" ]; then
    echo "    $name $version present"; return
  fi
  # shellcheck disable=SC2086 # version_args is a word list
  if use_from_path "$name" "$version" $version_args; then rm -f "$stamp"; return; fi
  rm -f "$bin/$name"
  if [ -n "${5:-}" ]; then ldflags=$("$5"); fi
  local start=$SECONDS
  (cd /tmp && GOBIN=$bin GOFLAGS=-trimpath nice -n 10 go install -ldflags "-s -w $ldflags" "$module@$version")
  echo "$version $ldflags" > "$stamp"
  echo "    $name $version built in $((SECONDS - start))s"
}
