#!/usr/bin/env bash
# Installs a published AccidentRemote build on a Debian machine, under systemd:
#
#   dotnet publish src/AccidentRemote.Server -c Release -r linux-x64 --self-contained -o out/server
#   dotnet publish src/AccidentRemote.InsurerAdapter -c Release -r linux-x64 --self-contained -o out/insurer-adapter
#   infra/install.sh --server out/server [--insurer-adapter out/insurer-adapter]
#
# What it does (each step only when needed, so running it again changes nothing that is in place):
#   - system users accidentremote (and accidentremote-adapter), no shell, no home of their own;
#   - /opt/accidentremote/{server,insurer-adapter}: the build, owned by root, not writable by the services;
#     a changed build is swapped in whole (the old one is kept as <name>.previous until the next upgrade);
#   - /var/lib/accidentremote/{data,evidence} (and insurer-adapter): the only folders the services write;
#   - /etc/accidentremote/node.env (and insurer-adapter.env) from the examples, root:<service user> 0640,
#     made once and never overwritten: the operator fills them in;
#   - the units in /etc/systemd/system; `systemctl daemon-reload` and `enable` only when systemd runs.
# It does not start or restart anything: fill in the env file first, then `systemctl restart accidentremote`.
#
# The roots can be moved (the tests install into a temporary folder with a test user):
#   AR_PREFIX (/opt/accidentremote), AR_ETC (/etc/accidentremote), AR_STATE (/var/lib/accidentremote),
#   AR_UNIT_DIR (/etc/systemd/system), AR_USER (accidentremote; the adapter's user is "$AR_USER-adapter").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

prefix=${AR_PREFIX:-/opt/accidentremote}
etc=${AR_ETC:-/etc/accidentremote}
state=${AR_STATE:-/var/lib/accidentremote}
unit_dir=${AR_UNIT_DIR:-/etc/systemd/system}
user=${AR_USER:-accidentremote}
adapter_user=$user-adapter

usage() { echo "usage: infra/install.sh --server <publish folder> [--insurer-adapter <publish folder>]" >&2; exit 2; }
server="" adapter=""
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server=${2:-}; [ -n "$server" ] || usage; shift ;;
    --insurer-adapter) adapter=${2:-}; [ -n "$adapter" ] || usage; shift ;;
    *) usage ;;
  esac
  shift
done
[ -n "$server$adapter" ] || usage
if [ "$(id -u)" -ne 0 ]; then
  echo "infra/install.sh makes system users and writes under /opt, /etc and /var/lib: run it as root." >&2
  exit 1
fi
for p in "$prefix" "$etc" "$state" "$unit_dir"; do
  case "$p" in /*) ;; *) echo "!! $p: AR_PREFIX, AR_ETC, AR_STATE and AR_UNIT_DIR must be absolute paths" >&2; exit 1 ;; esac
done

changed=0
say() { echo "==> $*"; changed=1; }

ensure_user() { # ensure_user <name> <home>
  if ! id -u "$1" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir "$2" --shell /usr/sbin/nologin "$1"
    say "user $1 created"
  fi
}

ensure_dir() { # ensure_dir <path> <mode> <owner:group>
  if [ ! -d "$1" ]; then
    mkdir -p "$1"
    say "folder $1 created"
  fi
  if [ "$(stat -c '%a %U:%G' "$1")" != "$2 $3" ]; then
    chown "$3" "$1"; chmod "$2" "$1"
    say "folder $1 set to $2 $3"
  fi
}

# The env file is made once from the example; an existing one is never rewritten, only kept
# unreadable to others (the secrets are in it).
ensure_env() { # ensure_env <example> <path> <group>
  if [ ! -e "$2" ]; then
    install -m 0640 -o root -g "$3" "$1" "$2"
    say "$2 created from $(basename "$1"): fill it in"
  elif [ "$(stat -c '%a %U:%G' "$2")" != "640 root:$3" ]; then
    chown "root:$3" "$2"; chmod 0640 "$2"
    say "$2 kept, set to 0640 root:$3"
  fi
}

# The build: copied whole next to the live one, then swapped in, so a service never starts from a half-copied folder.
install_build() { # install_build <publish folder> <target> <executable>
  local from=$1 to=$2 exe=$3
  if [ ! -x "$from/$exe" ]; then
    echo "!! $from has no executable $exe: give the output folder of 'dotnet publish' (see the top of this script)" >&2
    exit 1
  fi
  # A framework-dependent build's executable looks for the runtime in /usr/share/dotnet or /usr/lib/dotnet.
  if [ ! -e "$from/libcoreclr.so" ] && [ ! -d /usr/share/dotnet/shared/Microsoft.NETCore.App ] && [ ! -d /usr/lib/dotnet/shared/Microsoft.NETCore.App ]; then
    echo "!! $from is a framework-dependent build and this machine has no .NET runtime: publish with -r linux-x64 --self-contained" >&2
    exit 1
  fi
  if [ -d "$to" ] && diff -r -q "$from" "$to" >/dev/null 2>&1; then
    return
  fi
  rm -rf "$to.new"
  cp -R "$from" "$to.new"
  chown -R root:root "$to.new"
  chmod -R u=rwX,go=rX "$to.new"
  chmod 0755 "$to.new/$exe"
  if [ -d "$to" ]; then
    rm -rf "$to.previous"
    mv "$to" "$to.previous"
  fi
  mv "$to.new" "$to"
  say "build installed in $to (restart the service to run it)"
}

# The unit from infra/systemd with the roots and users of this installation.
install_unit() { # install_unit <name>
  local rendered
  rendered=$(sed -e "s#/opt/accidentremote#$prefix#g" -e "s#/etc/accidentremote#$etc#g" -e "s#/var/lib/accidentremote#$state#g" \
    -e "s#^\(User\|Group\)=accidentremote-adapter\$#\1=$adapter_user#" -e "s#^\(User\|Group\)=accidentremote\$#\1=$user#" \
    -e "s#(root:accidentremote-adapter, 0640)#(root:$adapter_user, 0640)#" -e "s#(root:accidentremote, 0640)#(root:$user, 0640)#" \
    "$here/systemd/$1")
  if [ ! -f "$unit_dir/$1" ] || [ "$(cat "$unit_dir/$1")" != "$rendered" ]; then
    printf '%s\n' "$rendered" > "$unit_dir/$1.new"
    chmod 0644 "$unit_dir/$1.new"
    mv "$unit_dir/$1.new" "$unit_dir/$1"
    say "unit $unit_dir/$1 written"
    units_changed=1
  fi
}

units_changed=0
units=()
ensure_dir "$prefix" 755 root:root
ensure_dir "$etc" 755 root:root
ensure_dir "$state" 755 root:root
ensure_dir "$unit_dir" 755 root:root
if [ -n "$server" ]; then
  ensure_user "$user" "$state/data"
  ensure_dir "$state/data" 750 "$user:$user"
  ensure_dir "$state/evidence" 750 "$user:$user"
  ensure_env "$here/node/node.env.example" "$etc/node.env" "$user"
  install_build "$server" "$prefix/server" AccidentRemote.Server
  install_unit accidentremote.service
  units+=(accidentremote.service)
fi
if [ -n "$adapter" ]; then
  ensure_user "$adapter_user" "$state/insurer-adapter"
  ensure_dir "$state/insurer-adapter" 750 "$adapter_user:$adapter_user"
  ensure_env "$here/systemd/insurer-adapter.env.example" "$etc/insurer-adapter.env" "$adapter_user"
  install_build "$adapter" "$prefix/insurer-adapter" AccidentRemote.InsurerAdapter
  install_unit accidentremote-insurer-adapter.service
  units+=(accidentremote-insurer-adapter.service)
fi

# systemd running (sd_booted): tell it about the units and enable them; never start them here.
if [ -d /run/systemd/system ]; then
  if [ "$units_changed" -eq 1 ]; then
    systemctl daemon-reload
  fi
  for u in "${units[@]}"; do
    if ! systemctl is-enabled --quiet "$u" 2>/dev/null; then
      systemctl enable --quiet "$u"
      say "$u enabled"
    fi
  done
else
  echo "==> systemd is not running here: units written, not enabled (run 'systemctl daemon-reload; systemctl enable ${units[*]}' on the target)"
fi
if [ "$changed" -eq 0 ]; then
  echo "==> nothing to change: the installation is as this script leaves it"
fi
