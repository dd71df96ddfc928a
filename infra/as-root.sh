# Sourced first by infra/test.sh and the benches: they install packages and make a network
# namespace, so they run as root. Run as root (a minimal Debian server's administrator, CI), the
# script goes on; run by a user with sudo, it starts itself again through sudo, keeping PATH (the
# user's dotnet) and the settings the scripts read (ACCIDENTREMOTE_*, DOTNET_*, CI and the
# server's Section__Key settings); without sudo it says how to become root.
#   as_root "$0" "$@"      (before the script parses or changes anything)
as_root() {
  local script=$1; shift
  if [ "$(id -u)" -eq 0 ]; then
    return 0
  fi
  if command -v sudo >/dev/null 2>&1; then
    local keep=("PATH=$PATH") name
    while IFS= read -r name; do
      keep+=("$name=${!name}")
    done < <(compgen -e | grep -E '^(ACCIDENTREMOTE_[A-Z0-9_]+|DOTNET_[A-Za-z0-9_]+|CI|[A-Za-z][A-Za-z0-9]*__[A-Za-z0-9_]+)$' || true)
    echo "==> $script needs root (packages, a network namespace): running it through sudo" >&2
    exec sudo env "${keep[@]}" bash "$script" "$@"
  fi
  echo "$script needs root (it installs packages and makes a network namespace), and sudo is not installed:" >&2
  echo "run it as root, e.g. su -c '$script', or install sudo (apt-get install sudo) and add yourself to the sudo group." >&2
  exit 1
}
