# Sourced by the scripts that fetch or install what the tests need; each defines `say` first.
# Built servers are cached outside the clone, so every clone on the machine shares them.
readonly CACHE_ROOT="${ORDER_TRACKER_CACHE:-$HOME/.cache/order-tracker}"

# hold_build_lock DIR WHAT: one builder at a time in DIR, held until the script exits; a second
# caller waits here and then finds the finished build.
hold_build_lock() {
  mkdir -p "$1"
  exec {lock_fd}>"$1/.lock"
  if ! flock --nonblock "$lock_fd"; then
    say "another process is $2; waiting for it"
    flock "$lock_fd"
  fi
}

# apt_install PACKAGE WHY: installs one of Debian's packages (root only), progress to stderr.
apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "$2 needs Debian's $1 package, and installing it needs root and apt-get (apt-get install $1)"
    exit 1
  fi
  say "installing Debian's $1 for $2"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y "$1" >&2
}
